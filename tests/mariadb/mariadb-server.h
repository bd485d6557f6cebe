/* SPDX-License-Identifier: MIT */
/* A private MariaDB server for tests: own data directory, socket, loopback port and user. */
#ifndef PC_MARIADB_SERVER_H
#define PC_MARIADB_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include <mysql.h>

/*
 * A test starts its own mariadbd (Debian's mariadb-server) rather than
 * relying on a system service: a fresh data directory made with
 * mariadb-install-db, a unix socket and a TCP port on 127.0.0.1 in a
 * private directory, and a database user with a random password, granted
 * every privilege on the databases named polychat_* only (no
 * --skip-grant-tables: the plugin logs in as a real user does). The server
 * is stopped by pid, and dies with the process that started it
 * (PR_SET_PDEATHSIG) if that process ends without stopping it, so no
 * server outlives a failed or aborted test. Every wait is bounded.
 *
 * One process, the owner (the first to call mdb_init), keeps a base
 * directory that holds every server's directory and removes it in
 * mdb_fini; a test that forks (Check's default) may start servers of its
 * own in the child.
 */

/* The database user the tests log in as. */
#define MDB_USER "polychat_test"

struct mdb_server {
	pid_t pid;                /* running mariadbd, or -1 */
	pid_t owner;              /* the process that started it */
	int port;                 /* TCP port on 127.0.0.1 */
	char dir[512];            /* the server's private directory */
	char datadir[600];
	char socket[600];         /* shorter than a sun_path */
	char errlog[600];         /* mariadbd's error log */
	char password[64];        /* MDB_USER's password: random per server */
	char password_file[600];  /* the password and a newline, mode 0600 */
	char args[8][256];        /* extra mariadbd arguments, kept for
	                           * mdb_start_again */
	int n_args;
};

/*
 * mdb_init - make the base directory (under $TMPDIR, else /tmp). Call
 * once, in main, before any server starts. Returns 0, or -1 with the
 * reason printed.
 */
int mdb_init(void);

/* mdb_fini - stop the owner's servers still running, remove the base
 * directory. A no-op in any other process. */
void mdb_fini(void);

/*
 * mdb_available - whether mariadbd and mariadb-install-db are installed;
 * if not, `why` (len bytes) says what is missing and how to install it.
 */
int mdb_available(char *why, size_t len);

/*
 * mdb_missing_status - print why this program cannot run its MariaDB
 * tests and return its exit status: 77 (skipped), or 1 (failed) when $CI
 * is "true", where a missing server is a broken CI image, not a skip.
 */
int mdb_missing_status(const char *program, const char *why);

/*
 * mdb_start - a new server: data directory, user and password, started on
 * a free loopback port with `extra` mariadbd arguments (NULL-terminated,
 * may be NULL; e.g. "--max-allowed-packet=1M"), waited for until the
 * user can log in over the socket and over TCP (at most 60 s). Returns 0,
 * or -1 with the reason and the end of the error log printed.
 */
int mdb_start(struct mdb_server *s, const char *const *extra);

/* mdb_start_again - start a stopped server again on the same data
 * directory, socket, port and arguments. 0 or -1 as mdb_start. */
int mdb_start_again(struct mdb_server *s);

/*
 * mdb_stop - SIGTERM, then wait for the clean shutdown (at most 60 s;
 * SIGKILL after that). Only the owner stops a server. Returns 0 after a
 * clean exit, -1 otherwise (or if it was not running).
 */
int mdb_stop(struct mdb_server *s);

/* mdb_freeze - SIGSTOP (frozen != 0) or SIGCONT the server: it keeps its
 * sockets but answers nothing, as a hung or partitioned server. Freezing
 * returns once the process is stopped (bounded wait). */
void mdb_freeze(struct mdb_server *s, int frozen);

/* mdb_cleanup - stop it if it runs, and remove its directory. */
void mdb_cleanup(struct mdb_server *s);

/* mdb_connect - a session as MDB_USER over the socket, with `database`
 * (NULL: none) selected; NULL with the reason printed. */
MYSQL *mdb_connect(const struct mdb_server *s, const char *database);

/* mdb_query - run constant `sql` as MDB_USER in `database` (NULL: none),
 * discarding any rows. 0, or -1 with the error printed. */
int mdb_query(const struct mdb_server *s, const char *database,
	const char *sql);

/* mdb_query_value - the first column of the first row of `sql`, as text,
 * into `out` (len bytes). 0, or -1 (error printed, or no row). */
int mdb_query_value(const struct mdb_server *s, const char *database,
	const char *sql, char *out, size_t len);

/* mdb_new_database - create an empty database with a new name
 * ("polychat_t<pid>_<n>") into `name` (len bytes). `options` (may be
 * NULL) is appended to CREATE DATABASE, e.g. "CHARACTER SET latin1".
 * 0 or -1. */
int mdb_new_database(const struct mdb_server *s, const char *options,
	char *name, size_t len);

/* mdb_drop_database - drop it. 0 or -1. */
int mdb_drop_database(const struct mdb_server *s, const char *name);

/* mdb_log_contains - whether mariadbd's error log holds `text`. */
int mdb_log_contains(const struct mdb_server *s, const char *text);

#endif /* PC_MARIADB_SERVER_H */
