# SPDX-License-Identifier: MIT
# The store conformance suite, run on each store plugin (SQLite, MariaDB).
check_PROGRAMS += %reldir%/test-store-sqlite
TESTS += %reldir%/test-store-sqlite
%canon_reldir%_test_store_sqlite_SOURCES = \
	%reldir%/test-store-sqlite.c \
	%reldir%/conformance.c %reldir%/conformance.h \
	%reldir%/conformance-internal.h \
	%reldir%/conform-credentials.c \
	%reldir%/conform-account-list.c \
	%reldir%/conform-tokens.c \
	%reldir%/conform-messages.c \
	%reldir%/conform-lifecycle.c
%canon_reldir%_test_store_sqlite_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_store_sqlite_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(SQLITE_CFLAGS)
%canon_reldir%_test_store_sqlite_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la $(CHECK_LIBS) $(LTDL_LIBS) $(OPENSSL_LIBS) \
	$(SQLITE_LIBS) -lpthread
# The test dlopens the plugin it tests: build it first, also under -j.
EXTRA_%canon_reldir%_test_store_sqlite_DEPENDENCIES = \
	plugins/store-sqlite/store-sqlite.la

# The same suite on store-mariadb against a private mariadbd, and the
# faults only a server has: restarts, kills, hangs, limits.
check_PROGRAMS += %reldir%/test-store-mariadb
TESTS += %reldir%/test-store-mariadb
%canon_reldir%_test_store_mariadb_SOURCES = \
	%reldir%/test-store-mariadb.c %reldir%/mariadb-fixture.h \
	%reldir%/mariadb-data.c \
	%reldir%/mariadb-faults.c \
	%reldir%/mariadb-tls.c \
	%reldir%/conformance.c %reldir%/conformance.h \
	%reldir%/conformance-internal.h \
	%reldir%/conform-credentials.c \
	%reldir%/conform-account-list.c \
	%reldir%/conform-tokens.c \
	%reldir%/conform-messages.c \
	%reldir%/conform-lifecycle.c
%canon_reldir%_test_store_mariadb_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_store_mariadb_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(MARIADB_CFLAGS)
%canon_reldir%_test_store_mariadb_LDADD = tests/mariadb/libmdbserver.la \
	tests/stubs/libstubhost.la core/libpcconfig.la $(CHECK_LIBS) \
	$(LTDL_LIBS) $(OPENSSL_LIBS) $(MARIADB_LIBS) -lpthread
EXTRA_%canon_reldir%_test_store_mariadb_DEPENDENCIES = \
	plugins/store-mariadb/store-mariadb.la
