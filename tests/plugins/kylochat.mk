# SPDX-License-Identifier: MIT
# The kylochat suite's pieces, each tested on its own against kylochat.md §8.
check_PROGRAMS += %reldir%/test-kylochat-codec
TESTS += %reldir%/test-kylochat-codec
%canon_reldir%_test_kylochat_codec_SOURCES = %reldir%/test-kylochat-codec.c
%canon_reldir%_test_kylochat_codec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_kylochat_codec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_kylochat_codec_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-rsa-cbc/libkylocrypto.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)
