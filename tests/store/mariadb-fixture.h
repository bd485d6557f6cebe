/* SPDX-License-Identifier: MIT */
/* What the store-mariadb test files share: the plugin, the servers, option blocks. */
#ifndef MARIADB_FIXTURE_H
#define MARIADB_FIXTURE_H

#include <check.h>

#include <polychat/plugin.h>
#include <polychat/store.h>

#include "tests/mariadb/mariadb-server.h"
#include "tests/stubs/stub-host.h"

/* The plugin as the daemon loads it, and its `mariadb` store. */
extern const struct polychat_plugin *mt_desc;
extern const struct polychat_store_ops *mt_ops;

/* The server every test may use (started by main with a 1 MiB
 * max_allowed_packet and unhelpful defaults: no autocommit, no strict
 * mode, MyISAM, latin1); tests that stop or freeze a server start their
 * own. */
extern struct mdb_server mt_shared;

#define MT_STATUS(call, want)                                                \
	do {                                                                 \
		int mt_rc_ = (call);                                         \
		int mt_want_ = (want);                                       \
		ck_assert_msg(mt_rc_ == mt_want_, "%s: got %s, want %s",     \
			#call, polychat_status_name(mt_rc_),                 \
			polychat_status_name(mt_want_));                     \
	} while (0)

/*
 * mt_options - an option block for `database` on server `s`: socket,
 * user, password_file and database, then the `key`, `value` pairs that
 * follow (NULL-terminated). A pair naming one of the four replaces it; a
 * NULL value leaves it out.
 */
struct polychat_options *mt_options(const struct mdb_server *s,
	const char *database, ...) __attribute__((sentinel));

/* Open a store with `opts`, asserting success. */
void *mt_open(struct polychat_options *opts);

/* Start a private server (extra mariadbd arguments, may be NULL) and make
 * a database on it into `db_name`; asserts. */
void mt_private_server(struct mdb_server *s, const char *const *extra,
	char *db_name, size_t len);

/* Whether any line the stub host logged so far holds `text`. */
int mt_logged(const char *text);

/* How many logged lines hold `text`. */
size_t mt_log_count(const char *text);

/* The test cases of mariadb-data.c, mariadb-faults.c and mariadb-tls.c. */
TCase *mt_tcase_data(void);
TCase *mt_tcase_faults(void);
TCase *mt_tcase_tls(void);

#endif /* MARIADB_FIXTURE_H */
