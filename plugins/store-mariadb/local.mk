# SPDX-License-Identifier: MIT
# The networked store: MariaDB (or Galera) through Connector/C, one connection per worker.
pkglib_LTLIBRARIES += %reldir%/store-mariadb.la
%canon_reldir%_store_mariadb_la_SOURCES = \
	%reldir%/store-mariadb.c \
	%reldir%/mariadb-options.c %reldir%/mariadb-options.h \
	%reldir%/mariadb-conn.c %reldir%/mariadb-conn.h \
	%reldir%/mariadb-schema.c %reldir%/mariadb-schema.h \
	%reldir%/mariadb-sql.c %reldir%/mariadb-sql.h \
	%reldir%/mariadb-records.h \
	%reldir%/mariadb-page.c %reldir%/mariadb-page.h \
	%reldir%/mariadb-credentials.c \
	%reldir%/mariadb-messages.c
%canon_reldir%_store_mariadb_la_CFLAGS = $(AM_CFLAGS) $(MARIADB_CFLAGS)
%canon_reldir%_store_mariadb_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
%canon_reldir%_store_mariadb_la_LIBADD = $(MARIADB_LIBS) -lpthread
EXTRA_DIST += %reldir%/README.md
