# SPDX-License-Identifier: MIT
# The embedded default store: SQLite in WAL mode, one connection per worker.
pkglib_LTLIBRARIES += %reldir%/store-sqlite.la
%canon_reldir%_store_sqlite_la_SOURCES = \
	%reldir%/store-sqlite.c \
	%reldir%/sqlite-conn.c %reldir%/sqlite-conn.h \
	%reldir%/sqlite-schema.c %reldir%/sqlite-schema.h \
	%reldir%/sqlite-sql.c %reldir%/sqlite-sql.h \
	%reldir%/sqlite-records.h \
	%reldir%/sqlite-page.c %reldir%/sqlite-page.h \
	%reldir%/sqlite-credentials.c \
	%reldir%/sqlite-messages.c
%canon_reldir%_store_sqlite_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
%canon_reldir%_store_sqlite_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
%canon_reldir%_store_sqlite_la_LIBADD = $(SQLITE_LIBS)
EXTRA_DIST += %reldir%/README.md
