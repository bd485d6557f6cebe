# SPDX-License-Identifier: MIT
# Suite `kylochat`: its crypto and framing codec, and the plugin module built on it.
noinst_LTLIBRARIES += %reldir%/libkylocrypto.la
%canon_reldir%_libkylocrypto_la_SOURCES = \
	%reldir%/kylo-crypto.c %reldir%/kylo-crypto.h \
	%reldir%/kylo-text.c %reldir%/kylo-text.h
%canon_reldir%_libkylocrypto_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libkylocrypto_la_LIBADD = plugins/common/libpccommon.la $(OPENSSL_LIBS)

pkglib_LTLIBRARIES += %reldir%/crypto-rsa-cbc.la
%canon_reldir%_crypto_rsa_cbc_la_SOURCES = \
	%reldir%/kylochat.c %reldir%/kylochat.h \
	%reldir%/kylo-keypool.c %reldir%/kylo-keypool.h \
	%reldir%/kylo-session.h %reldir%/kylo-server.c \
	%reldir%/kylo-login.c %reldir%/kylo-chat.c \
	%reldir%/kylo-commands.c %reldir%/kylo-commands.h \
	%reldir%/kylo-client.c %reldir%/kylo-client.h
%canon_reldir%_crypto_rsa_cbc_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_crypto_rsa_cbc_la_LIBADD = %reldir%/libkylocrypto.la $(OPENSSL_LIBS)
%canon_reldir%_crypto_rsa_cbc_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
EXTRA_DIST += %reldir%/README.md
