# SPDX-License-Identifier: MIT
# Unit tests of the configuration module: option blocks and the YAML loader.
check_PROGRAMS += %reldir%/test-config %reldir%/test-config-errors %reldir%/test-options
TESTS += %reldir%/test-config %reldir%/test-config-errors %reldir%/test-options

%canon_reldir%_test_config_SOURCES = %reldir%/test-config.c \
	%reldir%/config-fixture.c %reldir%/config-fixture.h
%canon_reldir%_test_config_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_config_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_config_LDADD = core/libpcconfig.la $(CHECK_LIBS) $(YAML_LIBS)

%canon_reldir%_test_config_errors_SOURCES = %reldir%/test-config-errors.c \
	%reldir%/config-fixture.c %reldir%/config-fixture.h
%canon_reldir%_test_config_errors_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_config_errors_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_config_errors_LDADD = core/libpcconfig.la $(CHECK_LIBS) $(YAML_LIBS)

%canon_reldir%_test_options_SOURCES = %reldir%/test-options.c
%canon_reldir%_test_options_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_options_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_options_LDADD = core/libpcconfig.la $(CHECK_LIBS) $(YAML_LIBS)
