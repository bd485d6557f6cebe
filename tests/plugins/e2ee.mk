# SPDX-License-Identifier: MIT
# The e2ee-chat codec (frames, primitives, message blob, key files), tested on its own against e2ee-chat.md §9.
check_PROGRAMS += %reldir%/test-e2ee-codec
TESTS += %reldir%/test-e2ee-codec
%canon_reldir%_test_e2ee_codec_SOURCES = %reldir%/test-e2ee-codec.c %reldir%/e2ee-vectors.h
%canon_reldir%_test_e2ee_codec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_e2ee_codec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_e2ee_codec_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-x25519-gcm/libxgcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)
