# SPDX-License-Identifier: MIT
# The stub host: polychat_host for plugin tests, without the daemon's loop.
noinst_LTLIBRARIES += %reldir%/libstubhost.la
%canon_reldir%_libstubhost_la_SOURCES = \
	%reldir%/stub-host.c %reldir%/stub-host.h \
	%reldir%/stub-conn.c \
	%reldir%/stub-feed.c %reldir%/stub-feed.h \
	%reldir%/stub-loop.c \
	%reldir%/stub-internal.h
%canon_reldir%_libstubhost_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_libstubhost_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libstubhost_la_LIBADD = $(OPENSSL_LIBS)

# The stub's own tests: later plugin tests rely on what it records.
check_PROGRAMS += %reldir%/test-stub-host
TESTS += %reldir%/test-stub-host
%canon_reldir%_test_stub_host_SOURCES = %reldir%/test-stub-host.c
%canon_reldir%_test_stub_host_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_stub_host_LDADD = %reldir%/libstubhost.la \
	core/libpcconfig.la $(CHECK_LIBS) $(OPENSSL_LIBS)
