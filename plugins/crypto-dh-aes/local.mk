# SPDX-License-Identifier: MIT
# Suite `pychat`: its crypto, JSON and framing codec, and the plugin module built on it.
noinst_LTLIBRARIES += %reldir%/libpychatcodec.la
%canon_reldir%_libpychatcodec_la_SOURCES = \
	%reldir%/pychat-crypto.c %reldir%/pychat-crypto.h \
	%reldir%/pychat-json.c %reldir%/pychat-json.h \
	%reldir%/pychat-wire.c %reldir%/pychat-wire.h
%canon_reldir%_libpychatcodec_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libpychatcodec_la_LIBADD = plugins/common/libpccommon.la $(OPENSSL_LIBS)

pkglib_LTLIBRARIES += %reldir%/crypto-dh-aes.la
%canon_reldir%_crypto_dh_aes_la_SOURCES = \
	%reldir%/pychat.c %reldir%/pychat.h \
	%reldir%/pychat-session.h %reldir%/pychat-server.c \
	%reldir%/pychat-room.c \
	%reldir%/pychat-client.c %reldir%/pychat-client.h \
	%reldir%/pychat-client-chat.c %reldir%/pychat-client-session.h
%canon_reldir%_crypto_dh_aes_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_crypto_dh_aes_la_LIBADD = %reldir%/libpychatcodec.la $(OPENSSL_LIBS)
%canon_reldir%_crypto_dh_aes_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
EXTRA_DIST += %reldir%/README.md
