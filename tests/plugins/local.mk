# SPDX-License-Identifier: MIT
# Test-only plugins: the testline suites and the loader's fake plugins (never installed).

check_LTLIBRARIES += %reldir%/suite-testline.la
%canon_reldir%_suite_testline_la_SOURCES = %reldir%/suite-testline.c
%canon_reldir%_suite_testline_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-good.la
%canon_reldir%_fake_good_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_good_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"fake"'
%canon_reldir%_fake_good_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-dup.la
%canon_reldir%_fake_dup_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_dup_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"fake"'
%canon_reldir%_fake_dup_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-abi.la
%canon_reldir%_fake_abi_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_abi_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"abi2"' -DFAKE_ABI
%canon_reldir%_fake_abi_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-short.la
%canon_reldir%_fake_short_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_short_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"short"' -DFAKE_SHORT
%canon_reldir%_fake_short_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-longnull.la
%canon_reldir%_fake_longnull_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_longnull_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"longnull"' -DFAKE_LONG_NULL
%canon_reldir%_fake_longnull_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-longset.la
%canon_reldir%_fake_longset_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_longset_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"longset"' -DFAKE_LONG_SET
%canon_reldir%_fake_longset_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-missing.la
%canon_reldir%_fake_missing_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_missing_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"missing"' -DFAKE_MISSING
%canon_reldir%_fake_missing_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-kind.la
%canon_reldir%_fake_kind_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_kind_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"kind"' -DFAKE_KIND
%canon_reldir%_fake_kind_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_LTLIBRARIES += %reldir%/fake-nosym.la
%canon_reldir%_fake_nosym_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_nosym_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"nosym"' -DFAKE_NOSYM
# It exports a symbol, only not the descriptor's (an empty export list is
# not a valid linker version script).
%canon_reldir%_fake_nosym_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^not_the_descriptor$$' $(SAN_CFLAGS)

check_LTLIBRARIES += %reldir%/fake-initfail.la
%canon_reldir%_fake_initfail_la_SOURCES = %reldir%/fake-plugin.c
%canon_reldir%_fake_initfail_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAKE_NAME='"initfail"' -DFAKE_INIT_FAIL
%canon_reldir%_fake_initfail_la_LDFLAGS = $(TEST_MODULE_FLAGS)

# The out-of-tree example, built here too so that it cannot silently break.
check_LTLIBRARIES += %reldir%/hello.la
%canon_reldir%_hello_la_SOURCES = examples/plugin-hello/hello.c
%canon_reldir%_hello_la_LDFLAGS = $(TEST_MODULE_FLAGS)

# The real auth-bcrypt plugin on the real SQLite store, with the stub host.
check_PROGRAMS += %reldir%/test-auth-bcrypt
TESTS += %reldir%/test-auth-bcrypt
%canon_reldir%_test_auth_bcrypt_SOURCES = %reldir%/test-auth-bcrypt.c
%canon_reldir%_test_auth_bcrypt_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_auth_bcrypt_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(UV_CFLAGS)
%canon_reldir%_test_auth_bcrypt_LDADD = tests/stubs/libstubhost.la core/libpccore.la \
	$(CHECK_LIBS) -lpthread
EXTRA_%canon_reldir%_test_auth_bcrypt_DEPENDENCIES = \
	plugins/auth-bcrypt/auth-bcrypt.la plugins/store-sqlite/store-sqlite.la
