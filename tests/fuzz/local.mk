# SPDX-License-Identifier: MIT
# libFuzzer harnesses (./configure CC=clang --enable-fuzzing), built by
# make check but not run by it: tests/fuzz/run.sh runs them.
if FUZZING
check_PROGRAMS += %reldir%/fuzz-e2ee-server
%canon_reldir%_fuzz_e2ee_server_SOURCES = %reldir%/fuzz-e2ee-server.c
%canon_reldir%_fuzz_e2ee_server_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_fuzz_e2ee_server_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
%canon_reldir%_fuzz_e2ee_server_LDADD = tests/stubs/libstubhost.la core/libpccore.la \
	$(LTDL_LIBS) $(UV_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS)
EXTRA_%canon_reldir%_fuzz_e2ee_server_DEPENDENCIES = $(pkglib_LTLIBRARIES)
endif
EXTRA_DIST += %reldir%/fuzz-e2ee-server.c %reldir%/run.sh \
	%reldir%/corpus/e2ee-server/login %reldir%/corpus/e2ee-server/otp \
	%reldir%/corpus/e2ee-server/received %reldir%/corpus/e2ee-server/recipient-keys \
	%reldir%/corpus/e2ee-server/register %reldir%/corpus/e2ee-server/register-login-message \
	%reldir%/corpus/e2ee-server/sender-keys %reldir%/corpus/e2ee-server/split
