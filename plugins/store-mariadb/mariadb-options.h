/* SPDX-License-Identifier: MIT */
/* The options of a MariaDB store: reading, checking, and the password. */
#ifndef MD_OPTIONS_H
#define MD_OPTIONS_H

#include <stddef.h>

#include <polychat/host.h>

/* How the plugin names itself in log lines. */
#define MD_WHO "store-mariadb"

/* Longest resolved file path, including the NUL. */
#define MD_PATH_MAX 4096
/* Longest unix socket path, including the NUL (sun_path of Linux). */
#define MD_SOCKET_MAX 108
/* Longest host name, user, database, environment variable name (NUL
 * included): MariaDB's own limits (user names 128 characters, database
 * names 64), bytes here. */
#define MD_HOST_MAX 256
#define MD_USER_MAX 129
#define MD_DATABASE_MAX 65
#define MD_ENV_MAX 128
/* Longest password accepted, without the NUL. */
#define MD_PASSWORD_MAX 1024

/* The settings of an instance, read from its option block. */
struct md_config {
	char host[MD_HOST_MAX];         /* "" to connect through `socket` */
	char socket[MD_SOCKET_MAX];     /* resolved; "" when `host` is set */
	unsigned port;                  /* with `host` only */
	char user[MD_USER_MAX];
	char database[MD_DATABASE_MAX];
	char password_file[MD_PATH_MAX]; /* resolved; "" if not used */
	char password_env[MD_ENV_MAX];   /* "" if not used */
	int tls;                        /* 1: TLS required, never plaintext */
	int tls_verify_cert;            /* 1: check the server's certificate */
	char tls_ca[MD_PATH_MAX];       /* resolved; "" if not set */
	char tls_capath[MD_PATH_MAX];
	char tls_cert[MD_PATH_MAX];
	char tls_key[MD_PATH_MAX];
	unsigned connect_timeout_s;
	unsigned read_timeout_s;
	unsigned write_timeout_s;
	unsigned reconnect_min_ms;      /* first wait after a failed connect */
	unsigned reconnect_max_ms;      /* the wait doubles up to this */
};

/*
 * md_config_read - read and check every option of `opts` into `cfg`
 * without touching the network or any file. Every problem is reported
 * with host->opt_error, all at once. Returns 0 or POLYCHAT_ECONFIG.
 */
int md_config_read(const struct polychat_host *host,
	const struct polychat_options *opts, struct md_config *cfg);

/*
 * md_password_load - the password `cfg` names, from its file or its
 * environment variable, into `out` (`cap` bytes, NUL included); "" when
 * neither is set. A file loses its trailing line break. Failures are
 * logged naming the file or the variable, never a byte of its content.
 * Returns 0, POLYCHAT_EIO (unreadable or missing file), POLYCHAT_EINVAL
 * (unset variable, empty or over-long password).
 */
int md_password_load(const struct polychat_host *host,
	const struct md_config *cfg, char *out, size_t cap);

/*
 * md_config_where - "database D on socket S as user U" or "database D on
 * H:P as user U" for log lines, into `buf` of `len` bytes. Never holds the
 * password.
 */
void md_config_where(const struct md_config *cfg, char *buf, size_t len);

#endif /* MD_OPTIONS_H */
