# SPDX-License-Identifier: MIT
# The kylochat suite's pieces, each tested on its own against kylochat.md §8.
check_PROGRAMS += %reldir%/test-kylochat-handshake %reldir%/test-kylochat-frames
TESTS += %reldir%/test-kylochat-handshake %reldir%/test-kylochat-frames

%canon_reldir%_test_kylochat_handshake_SOURCES = \
	%reldir%/test-kylochat-handshake.c \
	%reldir%/kylochat-fixture.c %reldir%/kylochat-fixture.h
%canon_reldir%_test_kylochat_handshake_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_kylochat_handshake_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_kylochat_handshake_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-rsa-cbc/libkylocrypto.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)

%canon_reldir%_test_kylochat_frames_SOURCES = \
	%reldir%/test-kylochat-frames.c \
	%reldir%/kylochat-fixture.c %reldir%/kylochat-fixture.h
%canon_reldir%_test_kylochat_frames_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_kylochat_frames_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_kylochat_frames_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-rsa-cbc/libkylocrypto.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)

# The client half, driven through the stub host against a test-side server.
check_PROGRAMS += %reldir%/test-kylochat-client
TESTS += %reldir%/test-kylochat-client
%canon_reldir%_test_kylochat_client_SOURCES = \
	%reldir%/test-kylochat-client.c \
	%reldir%/kylochat-fixture.c %reldir%/kylochat-fixture.h \
	plugins/crypto-rsa-cbc/kylo-client.c plugins/crypto-rsa-cbc/kylo-client.h
%canon_reldir%_test_kylochat_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_kylochat_client_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_kylochat_client_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-rsa-cbc/libkylocrypto.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)

# The protocol's text rules (UTF-8 with invalid bytes dropped, Python int()).
check_PROGRAMS += %reldir%/test-kylochat-text
TESTS += %reldir%/test-kylochat-text
%canon_reldir%_test_kylochat_text_SOURCES = %reldir%/test-kylochat-text.c
%canon_reldir%_test_kylochat_text_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_kylochat_text_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_kylochat_text_LDADD = plugins/crypto-rsa-cbc/libkylocrypto.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)
