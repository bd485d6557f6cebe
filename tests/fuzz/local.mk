# SPDX-License-Identifier: MIT
# libFuzzer harnesses (./configure CC=clang --enable-fuzzing): one build of
# fuzz-server.c per suite server half, built by make check but not run by
# it; tests/fuzz/run.sh runs them over their seed corpora.
if FUZZING
FUZZ_LDADD = tests/stubs/libstubhost.la core/libpccore.la \
	$(LTDL_LIBS) $(UV_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS)
check_PROGRAMS += %reldir%/fuzz-e2ee-chat
%canon_reldir%_fuzz_e2ee_chat_SOURCES = %reldir%/fuzz-server.c
%canon_reldir%_fuzz_e2ee_chat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -DFUZZ_TARGET=1
%canon_reldir%_fuzz_e2ee_chat_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
%canon_reldir%_fuzz_e2ee_chat_LDADD = $(FUZZ_LDADD)
EXTRA_%canon_reldir%_fuzz_e2ee_chat_DEPENDENCIES = $(pkglib_LTLIBRARIES)
check_PROGRAMS += %reldir%/fuzz-kylochat
%canon_reldir%_fuzz_kylochat_SOURCES = %reldir%/fuzz-server.c
%canon_reldir%_fuzz_kylochat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -DFUZZ_TARGET=2
%canon_reldir%_fuzz_kylochat_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
%canon_reldir%_fuzz_kylochat_LDADD = $(FUZZ_LDADD)
EXTRA_%canon_reldir%_fuzz_kylochat_DEPENDENCIES = $(pkglib_LTLIBRARIES)
check_PROGRAMS += %reldir%/fuzz-pychat
%canon_reldir%_fuzz_pychat_SOURCES = %reldir%/fuzz-server.c
%canon_reldir%_fuzz_pychat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -DFUZZ_TARGET=3
%canon_reldir%_fuzz_pychat_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
%canon_reldir%_fuzz_pychat_LDADD = $(FUZZ_LDADD)
EXTRA_%canon_reldir%_fuzz_pychat_DEPENDENCIES = $(pkglib_LTLIBRARIES)
check_PROGRAMS += %reldir%/fuzz-fernet-hybrid
%canon_reldir%_fuzz_fernet_hybrid_SOURCES = %reldir%/fuzz-server.c
%canon_reldir%_fuzz_fernet_hybrid_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -DFUZZ_TARGET=4
%canon_reldir%_fuzz_fernet_hybrid_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
%canon_reldir%_fuzz_fernet_hybrid_LDADD = $(FUZZ_LDADD)
EXTRA_%canon_reldir%_fuzz_fernet_hybrid_DEPENDENCIES = $(pkglib_LTLIBRARIES)
endif
EXTRA_DIST += %reldir%/fuzz-server.c %reldir%/run.sh \
	%reldir%/corpus/e2ee-chat/login \
	%reldir%/corpus/e2ee-chat/otp \
	%reldir%/corpus/e2ee-chat/received \
	%reldir%/corpus/e2ee-chat/recipient-keys \
	%reldir%/corpus/e2ee-chat/register \
	%reldir%/corpus/e2ee-chat/register-login-message \
	%reldir%/corpus/e2ee-chat/sender-keys \
	%reldir%/corpus/e2ee-chat/split \
	%reldir%/corpus/kylochat/keyblock1 \
	%reldir%/corpus/kylochat/short \
	%reldir%/corpus/pychat/bad-header \
	%reldir%/corpus/pychat/key-exc \
	%reldir%/corpus/pychat/key-exc-split \
	%reldir%/corpus/fernet-hybrid/announce \
	%reldir%/corpus/fernet-hybrid/nick \
	%reldir%/corpus/fernet-hybrid/package
