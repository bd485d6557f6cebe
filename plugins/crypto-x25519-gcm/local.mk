# SPDX-License-Identifier: MIT
# Suites `e2ee-chat` (and later `schiedchat`): the shared primitives and codecs, and the plugin module built on them.
noinst_LTLIBRARIES += %reldir%/libxgcodec.la
%canon_reldir%_libxgcodec_la_SOURCES = \
	%reldir%/xg-prims.c %reldir%/xg-prims.h \
	%reldir%/xg-keyfile.c %reldir%/xg-keyfile.h \
	%reldir%/e2ee-wire.c %reldir%/e2ee-wire.h \
	%reldir%/e2ee-blob.c %reldir%/e2ee-blob.h
%canon_reldir%_libxgcodec_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libxgcodec_la_LIBADD = plugins/common/libpccommon.la $(OPENSSL_LIBS)

pkglib_LTLIBRARIES += %reldir%/crypto-x25519-gcm.la
%canon_reldir%_crypto_x25519_gcm_la_SOURCES = \
	%reldir%/e2ee.c %reldir%/e2ee.h \
	%reldir%/e2ee-session.h %reldir%/e2ee-server.c \
	%reldir%/e2ee-requests.c %reldir%/e2ee-handout.c \
	%reldir%/e2ee-client.c %reldir%/e2ee-client.h %reldir%/e2ee-client-state.c \
	%reldir%/e2ee-client-chat.c %reldir%/e2ee-client-session.h
%canon_reldir%_crypto_x25519_gcm_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_crypto_x25519_gcm_la_LIBADD = %reldir%/libxgcodec.la $(OPENSSL_LIBS)
%canon_reldir%_crypto_x25519_gcm_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
EXTRA_DIST += %reldir%/README.md
