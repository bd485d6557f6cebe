/* SPDX-License-Identifier: MIT */
/* The options of a MariaDB store: reading, checking, and the password. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <polychat/status.h>

#include "mariadb-options.h"

/*
 * Options (README.md has the full description):
 *   host | socket        where the server is (default: the socket below)
 *   port                 TCP port with `host` (default 3306)
 *   user, database       default "polychat" both
 *   password_file | password_env
 *                        where the password is; it is never an option
 *                        itself, so it never sits in the YAML file
 *   tls, tls_ca, tls_capath, tls_cert, tls_key, tls_verify_cert
 *   connect_timeout_s, read_timeout_s, write_timeout_s
 *   reconnect_min_ms, reconnect_max_ms
 */
#define DEFAULT_SOCKET "/run/mysqld/mysqld.sock"
#define DEFAULT_PORT 3306
#define DEFAULT_USER "polychat"
#define DEFAULT_DATABASE "polychat"
#define DEFAULT_CONNECT_TIMEOUT_S 5
#define DEFAULT_READ_TIMEOUT_S 10
#define DEFAULT_WRITE_TIMEOUT_S 10
#define MAX_TIMEOUT_S 3600
#define DEFAULT_RECONNECT_MIN_MS 250
#define DEFAULT_RECONNECT_MAX_MS 10000
#define MAX_RECONNECT_MS 600000

/* One option walk: where the errors go and whether one was found. */
struct reader {
	const struct polychat_host *host;
	const struct polychat_options *opts;
	int bad;
};

/*
 * A string option of at most `cap - 1` bytes, not empty, into `out`;
 * `def` (may be NULL: "") when absent. Returns 1 if the option was given,
 * else 0.
 */
static int read_text(struct reader *r, const char *key, const char *def,
	char *out, size_t cap)
{
	const char *value = NULL;
	int rc = r->host->opt_string(r->opts, key, &value);

	snprintf(out, cap, "%s", def ? def : "");
	if (rc == POLYCHAT_ENOTFOUND)
		return 0;
	if (rc != 0) {
		r->bad = 1;
		return 1;
	}
	if (value[0] == '\0')
		r->bad = r->host->opt_error(r->opts, key, "must not be empty");
	else if (strlen(value) >= cap)
		r->bad = r->host->opt_error(r->opts, key,
			"is longer than %zu bytes", cap - 1);
	else
		snprintf(out, cap, "%s", value);
	return 1;
}

/* A path option resolved against the state directory, as read_text. */
static int read_path(struct reader *r, const char *key, char *out,
	size_t cap)
{
	char raw[MD_PATH_MAX];

	out[0] = '\0';
	int given = read_text(r, key, NULL, raw, sizeof(raw));
	/* Absent, or already reported as empty or too long. */
	if (!given || raw[0] == '\0')
		return given;
	if (r->host->state_path(r->opts, raw, out, cap) != 0) {
		out[0] = '\0';
		r->bad = r->host->opt_error(r->opts, key,
			"resolves to more than %zu bytes", cap - 1);
	}
	return 1;
}

/* An integer option in [min, max], `def` when absent. */
static unsigned read_uint(struct reader *r, const char *key, int64_t min,
	int64_t max, int64_t def)
{
	int64_t value = def;

	if (r->host->opt_int(r->opts, key, min, max, &value)
			== POLYCHAT_ECONFIG)
		r->bad = 1;
	return (unsigned)value;
}

/* A boolean option, `def` when absent; 1 in *given if it was present. */
static int read_bool(struct reader *r, const char *key, int def, int *given)
{
	int value = def;
	int rc = r->host->opt_bool(r->opts, key, &value);

	if (rc == POLYCHAT_ECONFIG)
		r->bad = 1;
	if (given)
		*given = rc != POLYCHAT_ENOTFOUND;
	return value;
}

/* Whether `name` can be an environment variable: [A-Za-z_][A-Za-z0-9_]*. */
static int env_name_ok(const char *name)
{
	for (size_t i = 0; name[i]; i++) {
		char c = name[i];
		int letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
			|| c == '_';
		if (!letter && (i == 0 || c < '0' || c > '9'))
			return 0;
	}
	return 1;
}

/* The server's address: host and port, or a socket. */
static void read_address(struct reader *r, struct md_config *cfg)
{
	char socket_raw[MD_PATH_MAX];
	int has_host = read_text(r, "host", NULL, cfg->host,
		sizeof(cfg->host));
	int has_socket = read_text(r, "socket", NULL, socket_raw,
		sizeof(socket_raw));
	int has_port = 0;
	int64_t port = DEFAULT_PORT;
	int rc = r->host->opt_int(r->opts, "port", 1, 65535, &port);

	if (rc == POLYCHAT_ECONFIG)
		r->bad = 1;
	/* A port already reported as invalid needs no second error. */
	has_port = rc == 0;
	cfg->port = (unsigned)port;

	if (has_host && has_socket) {
		r->bad = r->host->opt_error(r->opts, "socket",
			"cannot be combined with \"host\": name one of them");
		return;
	}
	if (has_port && !has_host)
		r->bad = r->host->opt_error(r->opts, "port",
			"needs \"host\" (a socket has no port)");
	if (has_host)
		return;
	if (!has_socket)
		snprintf(socket_raw, sizeof(socket_raw), "%s", DEFAULT_SOCKET);
	else if (socket_raw[0] == '\0')
		return;
	/* The resolved path must fit a sockaddr_un, or connect would fail
	 * with a message that does not say why. */
	if (r->host->state_path(r->opts, socket_raw, cfg->socket,
			sizeof(cfg->socket)) != 0) {
		cfg->socket[0] = '\0';
		r->bad = r->host->opt_error(r->opts, "socket",
			"resolves to more than %d bytes, the limit of a unix "
			"socket path", MD_SOCKET_MAX - 1);
	}
}

/* The password's source: a file, a variable, or none (unix_socket
 * authentication, for example). */
static void read_password_source(struct reader *r, struct md_config *cfg)
{
	int has_file = read_path(r, "password_file", cfg->password_file,
		sizeof(cfg->password_file));
	int has_env = read_text(r, "password_env", NULL, cfg->password_env,
		sizeof(cfg->password_env));

	if (has_env && cfg->password_env[0] && !env_name_ok(cfg->password_env))
		r->bad = r->host->opt_error(r->opts, "password_env",
			"must be the name of an environment variable "
			"([A-Za-z_][A-Za-z0-9_]*)");
	if (has_file && has_env)
		r->bad = r->host->opt_error(r->opts, "password_env",
			"cannot be combined with \"password_file\": name one "
			"of them");
}

/* TLS: off by default; when on, never a silent fall back to plaintext. */
static void read_tls(struct reader *r, struct md_config *cfg)
{
	static const char *const files[] = {
		"tls_ca", "tls_capath", "tls_cert", "tls_key",
	};
	char *const dest[] = {
		cfg->tls_ca, cfg->tls_capath, cfg->tls_cert, cfg->tls_key,
	};
	int given[4];
	int verify_given = 0;

	cfg->tls = read_bool(r, "tls", 0, NULL);
	cfg->tls_verify_cert = read_bool(r, "tls_verify_cert", 1,
		&verify_given);
	for (size_t i = 0; i < 4; i++)
		given[i] = read_path(r, files[i], dest[i], MD_PATH_MAX);

	if (!cfg->tls) {
		for (size_t i = 0; i < 4; i++)
			if (given[i])
				r->bad = r->host->opt_error(r->opts, files[i],
					"needs \"tls: true\"");
		if (verify_given)
			r->bad = r->host->opt_error(r->opts,
				"tls_verify_cert", "needs \"tls: true\"");
		return;
	}
	/* Connector/C checks the chain against any CA it is given, whatever
	 * tls_verify_cert says: a CA with verification off would be a
	 * setting that does not do what it reads. */
	if (!cfg->tls_verify_cert && (given[0] || given[1]))
		r->bad = r->host->opt_error(r->opts, "tls_verify_cert",
			"is false, so \"%s\" would not be used: drop one of "
			"them", given[0] ? "tls_ca" : "tls_capath");
	if (given[2] != given[3])
		r->bad = r->host->opt_error(r->opts,
			given[2] ? "tls_cert" : "tls_key",
			"needs \"%s\" too: a client certificate comes with its "
			"key", given[2] ? "tls_key" : "tls_cert");
}

/* md_config_read - see mariadb-options.h. */
int md_config_read(const struct polychat_host *host,
	const struct polychat_options *opts, struct md_config *cfg)
{
	struct reader r = { host, opts, 0 };

	memset(cfg, 0, sizeof(*cfg));
	read_address(&r, cfg);
	read_text(&r, "user", DEFAULT_USER, cfg->user, sizeof(cfg->user));
	read_text(&r, "database", DEFAULT_DATABASE, cfg->database,
		sizeof(cfg->database));
	read_password_source(&r, cfg);
	read_tls(&r, cfg);
	cfg->connect_timeout_s = read_uint(&r, "connect_timeout_s", 1,
		MAX_TIMEOUT_S, DEFAULT_CONNECT_TIMEOUT_S);
	cfg->read_timeout_s = read_uint(&r, "read_timeout_s", 1,
		MAX_TIMEOUT_S, DEFAULT_READ_TIMEOUT_S);
	cfg->write_timeout_s = read_uint(&r, "write_timeout_s", 1,
		MAX_TIMEOUT_S, DEFAULT_WRITE_TIMEOUT_S);
	cfg->reconnect_min_ms = read_uint(&r, "reconnect_min_ms", 0,
		MAX_RECONNECT_MS, DEFAULT_RECONNECT_MIN_MS);
	cfg->reconnect_max_ms = read_uint(&r, "reconnect_max_ms", 0,
		MAX_RECONNECT_MS, DEFAULT_RECONNECT_MAX_MS);
	if (cfg->reconnect_max_ms < cfg->reconnect_min_ms)
		r.bad = host->opt_error(opts, "reconnect_max_ms",
			"must not be below reconnect_min_ms (%u)",
			cfg->reconnect_min_ms);
	return r.bad ? POLYCHAT_ECONFIG : 0;
}

/* Cut trailing line breaks: an editor's last newline is not part of the
 * password. */
static size_t trim_newlines(char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	return len;
}

/* The password in the file cfg->password_file. */
static int load_file(const struct polychat_host *host,
	const struct md_config *cfg, char *out, size_t cap)
{
	const char *path = cfg->password_file;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		host->log(POLYCHAT_LOG_ERROR, MD_WHO,
			"password_file \"%s\": %s", path, strerror(errno));
		return POLYCHAT_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		host->log(POLYCHAT_LOG_WARNING, MD_WHO,
			"password_file \"%s\" can be read by other users "
			"(mode %03o): chmod 600 it", path,
			(unsigned)(st.st_mode & 0777));

	/* One byte more than a password may have, to see one that is too
	 * long. */
	char buf[MD_PASSWORD_MAX + 3];
	size_t len = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			host->log(POLYCHAT_LOG_ERROR, MD_WHO,
				"password_file \"%s\": %s", path,
				strerror(errno));
			rc = POLYCHAT_EIO;
			break;
		}
		if (n == 0 || (len += (size_t)n) == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	if (rc == 0) {
		len = trim_newlines(buf, len);
		if (len == 0 || len > MD_PASSWORD_MAX || len >= cap
				|| strlen(buf) != len) {
			host->log(POLYCHAT_LOG_ERROR, MD_WHO,
				"password_file \"%s\" must hold one password "
				"of 1 to %d bytes (no NUL)", path,
				MD_PASSWORD_MAX);
			rc = POLYCHAT_EINVAL;
		} else {
			memcpy(out, buf, len + 1);
		}
	}
	host->wipe(buf, sizeof(buf));
	return rc;
}

/* md_password_load - see mariadb-options.h. */
int md_password_load(const struct polychat_host *host,
	const struct md_config *cfg, char *out, size_t cap)
{
	out[0] = '\0';
	if (cfg->password_file[0])
		return load_file(host, cfg, out, cap);
	if (!cfg->password_env[0])
		return 0;

	const char *value = getenv(cfg->password_env);
	if (!value || !value[0]) {
		host->log(POLYCHAT_LOG_ERROR, MD_WHO,
			"password_env: the environment variable %s is %s",
			cfg->password_env, value ? "empty" : "not set");
		return POLYCHAT_EINVAL;
	}
	size_t len = strlen(value);
	if (len > MD_PASSWORD_MAX || len >= cap) {
		host->log(POLYCHAT_LOG_ERROR, MD_WHO,
			"password_env: the environment variable %s holds more "
			"than %d bytes", cfg->password_env, MD_PASSWORD_MAX);
		return POLYCHAT_EINVAL;
	}
	memcpy(out, value, len + 1);
	return 0;
}

/* md_config_where - see mariadb-options.h. */
void md_config_where(const struct md_config *cfg, char *buf, size_t len)
{
	if (cfg->host[0])
		snprintf(buf, len, "database \"%s\" on %s:%u as user \"%s\"",
			cfg->database, cfg->host, cfg->port, cfg->user);
	else
		snprintf(buf, len, "database \"%s\" on socket %s as user "
			"\"%s\"", cfg->database, cfg->socket, cfg->user);
}
