# SPDX-License-Identifier: MIT
# The pychat suite's pieces, each tested on its own against pychat.md §9.
check_PROGRAMS += %reldir%/test-pychat-codec
TESTS += %reldir%/test-pychat-codec
%canon_reldir%_test_pychat_codec_SOURCES = %reldir%/test-pychat-codec.c %reldir%/pychat-vectors.h
%canon_reldir%_test_pychat_codec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_pychat_codec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_pychat_codec_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-dh-aes/libpychatcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)

# The client half, driven through the stub host against a test-side server.
check_PROGRAMS += %reldir%/test-pychat-client
TESTS += %reldir%/test-pychat-client
%canon_reldir%_test_pychat_client_SOURCES = %reldir%/test-pychat-client.c %reldir%/pychat-vectors.h \
	plugins/crypto-dh-aes/pychat-client.c plugins/crypto-dh-aes/pychat-client.h \
	plugins/crypto-dh-aes/pychat-client-chat.c plugins/crypto-dh-aes/pychat-client-session.h
%canon_reldir%_test_pychat_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_pychat_client_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_pychat_client_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-dh-aes/libpychatcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)
