# SPDX-License-Identifier: MIT
# The e2ee-chat client half, driven through the stub host against a test-side server.
check_PROGRAMS += %reldir%/test-e2ee-client
TESTS += %reldir%/test-e2ee-client
%canon_reldir%_test_e2ee_client_SOURCES = %reldir%/test-e2ee-client.c \
	plugins/crypto-x25519-gcm/e2ee-client.c plugins/crypto-x25519-gcm/e2ee-client.h \
	plugins/crypto-x25519-gcm/e2ee-client-state.c \
	plugins/crypto-x25519-gcm/e2ee-client-chat.c plugins/crypto-x25519-gcm/e2ee-client-session.h
%canon_reldir%_test_e2ee_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_e2ee_client_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_e2ee_client_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-x25519-gcm/libxgcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)
