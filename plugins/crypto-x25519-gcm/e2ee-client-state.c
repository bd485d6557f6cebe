/* SPDX-License-Identifier: MIT */
/* The client half of suite `e2ee-chat`: its state files (me.info, its two key files, the server's public key), as the original client keeps them (e2ee-chat.md §7.1, §7.4). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2ee-blob.h"
#include "e2ee-client-session.h"
#include "xg-keyfile.h"

#define DH_FILE "dh_private_key.pem"
#define RSA_FILE "rsa_private_key.pem"
#define SERVER_KEY_FILE "server_public_key.pem"
#define OPT_SERVER_KEY "server_key"
/* A PEM public key is a few kilobytes at most. */
#define SMALL_FILE_CAP 65536u

/* me.info holds the phone, no newline (§7.4), written whole or not at all. */
int e2c_write_info(struct e2c_session *s, char *why, size_t why_len)
{
	size_t plen = strlen(s->info_path);
	char *tmp = s->host->alloc(plen + 8);
	if (!tmp)
		return POLYCHAT_ENOMEM;
	snprintf(tmp, plen + 8, "%s.XXXXXX", s->info_path);
	int rc = POLYCHAT_EIO;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(why, why_len, "%s", strerror(errno));
		s->host->free(tmp);
		return rc;
	}
	size_t n = strlen(s->phone);
	ssize_t w = write(fd, s->phone, n);
	int saved = errno;
	if (w == (ssize_t)n && fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, s->info_path) == 0)
			rc = 0;
	}
	if (rc != 0) {
		snprintf(why, why_len, "%s", strerror(w == (ssize_t)n ? errno : saved));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	s->host->free(tmp);
	return rc;
}


char *e2c_path_in(const struct polychat_host *host, const char *dir, const char *name)
{
	size_t len = strlen(dir) + 1 + strlen(name) + 1;
	char *path = host->alloc(len);
	if (path)
		snprintf(path, len, "%s/%s", dir, name);
	return path;
}

/* The whole of a small file into a host->alloc'd buffer (NUL-terminated).
 * POLYCHAT_ENOTFOUND when it does not exist, EIO, ETOOBIG, ENOMEM. */
static int read_small(const struct polychat_host *host, const char *path, char **out,
	size_t *out_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? POLYCHAT_ENOTFOUND : POLYCHAT_EIO;
	char *buf = host->alloc(SMALL_FILE_CAP + 1);
	if (!buf) {
		close(fd);
		return POLYCHAT_ENOMEM;
	}
	size_t len = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, SMALL_FILE_CAP + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = POLYCHAT_EIO;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > SMALL_FILE_CAP) {
			rc = POLYCHAT_ETOOBIG;
			break;
		}
	}
	close(fd);
	if (rc != 0) {
		host->free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

/* Our phone: --user, or me.info's; both must agree when both exist. */
int e2c_identity(struct e2c_session *s, const struct polychat_client_env *env,
	int *registered, char *why, size_t why_len)
{
	const struct polychat_host *host = s->host;
	char *info = NULL;
	size_t len = 0;
	int rc = read_small(host, s->info_path, &info, &len);
	if (rc == POLYCHAT_ENOMEM)
		return rc;
	if (rc != 0 && rc != POLYCHAT_ENOTFOUND) {
		snprintf(why, why_len, "cannot read %s: %s", s->info_path,
			rc == POLYCHAT_EIO ? strerror(errno) : polychat_strerror(rc));
		return rc;
	}
	*registered = rc == 0;
	if (info) {
		/* The original writes no newline; an editor may add one. */
		while (len && (info[len - 1] == '\n' || info[len - 1] == '\r' ||
			info[len - 1] == ' '))
			info[--len] = '\0';
		int ok = len == E2EE_PHONE_LEN && e2ee_phone_is_digits(info);
		if (ok && env->user && strcmp(env->user, info) != 0) {
			snprintf(why, why_len, "%s says this state directory belongs to %s, not %s:"
				" use another --state-dir for another number", s->info_path, info,
				env->user);
			host->free(info);
			return POLYCHAT_EEXIST;
		}
		if (ok)
			memcpy(s->phone, info, E2EE_PHONE_LEN + 1);
		host->free(info);
		if (!ok) {
			snprintf(why, why_len, "%s does not hold a 10-digit phone number", s->info_path);
			return POLYCHAT_EPROTO;
		}
		return 0;
	}
	if (!env->user) {
		snprintf(why, why_len, "no phone number: give yours with --user (10 digits)");
		return POLYCHAT_EINVAL;
	}
	if (strlen(env->user) != E2EE_PHONE_LEN || !e2ee_phone_is_digits(env->user)) {
		snprintf(why, why_len, "the phone number must be exactly 10 digits (--user %s)",
			env->user);
		return POLYCHAT_EINVAL;
	}
	memcpy(s->phone, env->user, E2EE_PHONE_LEN + 1);
	return 0;
}

/* The server's RSA-4096 public key: its signatures vouch for every peer key. */
int e2c_server_key(struct e2c_session *s, const struct polychat_client_env *env,
	char *why, size_t why_len)
{
	const struct polychat_host *host = s->host;
	const char *given = NULL;
	if (env->options &&
	    host->opt_string(env->options, OPT_SERVER_KEY, &given) == POLYCHAT_ECONFIG) {
		snprintf(why, why_len, "option %s: a file name is expected", OPT_SERVER_KEY);
		return POLYCHAT_ECONFIG;
	}
	/* A path typed on the command line is the shell's, relative to the
	 * current directory; the default lives with our other files. */
	char *path = given && *given ? NULL : e2c_path_in(host, env->state_dir, SERVER_KEY_FILE);
	const char *name = path ? path : given;
	if (!name)
		return POLYCHAT_ENOMEM;
	char *pem = NULL;
	size_t len = 0;
	int rc = read_small(host, name, &pem, &len);
	if (rc == POLYCHAT_ENOTFOUND)
		snprintf(why, why_len, "no server public key: %s does not exist (get the"
			" server's public key from its operator, put it there or name it with"
			" --opt %s=FILE)", name, OPT_SERVER_KEY);
	else if (rc == POLYCHAT_EIO)
		snprintf(why, why_len, "cannot read the server public key %s: %s", name,
			strerror(errno));
	else if (rc == POLYCHAT_ETOOBIG)
		snprintf(why, why_len, "%s is too large to be a public key", name);
	if (rc == 0) {
		rc = xg_rsa_public_from_pem((const uint8_t *)pem, len, E2EE_RSA_BITS,
			E2EE_RSA_BITS, &s->server_key);
		if (rc == POLYCHAT_ENOTSUP)
			snprintf(why, why_len, "%s is not an RSA-4096 public key (the protocol's"
				" server signatures are 512 bytes)", name);
		else if (rc != 0 && rc != POLYCHAT_ENOMEM)
			snprintf(why, why_len, "%s holds no PEM public key", name);
		host->free(pem);
	}
	host->free(path);
	return rc;
}

static int file_missing(const char *path)
{
	struct stat st;
	return stat(path, &st) != 0 && errno == ENOENT;
}

/* Our X25519 and RSA-4096 keys, made on the first run and kept forever
 * (the server holds their public halves from the registration on). */
int e2c_own_keys(struct e2c_session *s, const char *dir, int registered, char *why,
	size_t why_len)
{
	const struct polychat_host *host = s->host;
	char *dh_path = e2c_path_in(host, dir, DH_FILE);
	char *rsa_path = e2c_path_in(host, dir, RSA_FILE);
	EVP_PKEY *dh = NULL;
	int rc = POLYCHAT_ENOMEM;
	if (!dh_path || !rsa_path)
		goto out;
	int dh_missing = file_missing(dh_path), rsa_missing = file_missing(rsa_path);
	if ((dh_missing || rsa_missing) && registered) {
		/* New keys would not match what the server gives our peers. */
		snprintf(why, why_len, "%s says %s is registered, but %s is missing: restore the"
			" key files, or remove %s to register another number", s->info_path,
			s->phone, dh_missing ? dh_path : rsa_path, s->info_path);
		rc = POLYCHAT_ENOTFOUND;
		goto out;
	}
	if (dh_missing || rsa_missing)
		e2c_say(s, POLYCHAT_UI_NOTICE, "generating keys (X25519, RSA-4096) in %s…", dir);
	rc = xg_keyfile_load_or_create(host, dh_path, NULL, XG_KEY_X25519, 0, &dh, NULL, why,
		why_len);
	if (rc == 0)
		rc = xg_x25519_from_pkey(dh, s->dh_priv);
	if (rc == 0)
		rc = xg_x25519_public(s->dh_priv, s->dh_pub);
	if (rc == 0)
		rc = xg_keyfile_load_or_create(host, rsa_path, NULL, XG_KEY_RSA, E2EE_RSA_BITS,
			&s->rsa, NULL, why, why_len);
	if (rc == 0)
		rc = xg_rsa_public_pem(host, s->rsa, &s->pem, &s->pem_len);
out:
	EVP_PKEY_free(dh);
	host->free(dh_path);
	host->free(rsa_path);
	return rc;
}
