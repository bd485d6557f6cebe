# SPDX-License-Identifier: MIT
# Unit tests of the core modules, one Check program each.
CORE_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(UV_CFLAGS)
CORE_TEST_LIBS = core/libpccore.la $(CHECK_LIBS)

check_PROGRAMS += %reldir%/test-loader
TESTS += %reldir%/test-loader
%canon_reldir%_test_loader_SOURCES = %reldir%/test-loader.c
%canon_reldir%_test_loader_CFLAGS = $(CORE_TEST_CFLAGS)
%canon_reldir%_test_loader_LDADD = $(CORE_TEST_LIBS)
# The fake plugins must exist before the test runs.
EXTRA_%canon_reldir%_test_loader_DEPENDENCIES = $(check_LTLIBRARIES) $(pkglib_LTLIBRARIES)

check_PROGRAMS += %reldir%/test-conn
TESTS += %reldir%/test-conn
%canon_reldir%_test_conn_SOURCES = %reldir%/test-conn.c
%canon_reldir%_test_conn_CFLAGS = $(CORE_TEST_CFLAGS)
%canon_reldir%_test_conn_LDADD = $(CORE_TEST_LIBS)

check_PROGRAMS += %reldir%/test-router
TESTS += %reldir%/test-router
%canon_reldir%_test_router_SOURCES = %reldir%/test-router.c
%canon_reldir%_test_router_CFLAGS = $(CORE_TEST_CFLAGS)
%canon_reldir%_test_router_LDADD = $(CORE_TEST_LIBS)

check_PROGRAMS += %reldir%/test-abi
TESTS += %reldir%/test-abi
%canon_reldir%_test_abi_SOURCES = %reldir%/test-abi.c
%canon_reldir%_test_abi_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_abi_LDADD = $(CHECK_LIBS)
