# SPDX-License-Identifier: MIT
# plugins/common, the primitives several suites share.
check_PROGRAMS += %reldir%/test-plugin-common
TESTS += %reldir%/test-plugin-common
%canon_reldir%_test_plugin_common_SOURCES = %reldir%/test-plugin-common.c
%canon_reldir%_test_plugin_common_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_plugin_common_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_plugin_common_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/common/libpccommon.la $(CHECK_LIBS) $(OPENSSL_LIBS)
