# SPDX-License-Identifier: MIT
# The real auth-otp plugin on the real SQLite store.
check_PROGRAMS += %reldir%/test-auth-otp
TESTS += %reldir%/test-auth-otp
%canon_reldir%_test_auth_otp_SOURCES = %reldir%/test-auth-otp.c
%canon_reldir%_test_auth_otp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_auth_otp_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(UV_CFLAGS)
%canon_reldir%_test_auth_otp_LDADD = tests/stubs/libstubhost.la core/libpccore.la \
	$(CHECK_LIBS) -lpthread
EXTRA_%canon_reldir%_test_auth_otp_DEPENDENCIES = \
	plugins/auth-otp/auth-otp.la plugins/store-sqlite/store-sqlite.la
