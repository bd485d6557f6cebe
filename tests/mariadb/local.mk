# SPDX-License-Identifier: MIT
# A private mariadbd for the store-mariadb tests: store, integration and polychatctl.
check_LTLIBRARIES += %reldir%/libmdbserver.la
%canon_reldir%_libmdbserver_la_SOURCES = \
	%reldir%/mariadb-server.c %reldir%/mariadb-server.h \
	%reldir%/mariadb-certs.c %reldir%/mariadb-certs.h
%canon_reldir%_libmdbserver_la_CFLAGS = $(AM_CFLAGS) $(MARIADB_CFLAGS) \
	$(OPENSSL_CFLAGS)
%canon_reldir%_libmdbserver_la_LIBADD = $(MARIADB_LIBS) $(OPENSSL_LIBS)
