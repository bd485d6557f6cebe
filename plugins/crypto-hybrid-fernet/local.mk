# SPDX-License-Identifier: MIT
# Suite `fernet-hybrid`: its codec (message shapes, Fernet, RSA-OAEP, the
# JSON package) and the plugin module built on it.
noinst_LTLIBRARIES += %reldir%/libfernetcodec.la
%canon_reldir%_libfernetcodec_la_SOURCES = \
	%reldir%/fernet-shapes.c %reldir%/fernet-shapes.h \
	%reldir%/fernet-token.c %reldir%/fernet-token.h \
	%reldir%/fernet-oaep.c %reldir%/fernet-oaep.h \
	%reldir%/fernet-keys.c %reldir%/fernet-keys.h \
	%reldir%/fernet-package.c %reldir%/fernet-package.h
%canon_reldir%_libfernetcodec_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libfernetcodec_la_LIBADD = plugins/common/libpccommon.la $(OPENSSL_LIBS)

pkglib_LTLIBRARIES += %reldir%/crypto-hybrid-fernet.la
%canon_reldir%_crypto_hybrid_fernet_la_SOURCES = \
	%reldir%/fernet.c %reldir%/fernet.h \
	%reldir%/fernet-server.c \
	%reldir%/fernet-client.c %reldir%/fernet-client.h \
	%reldir%/fernet-client-chat.c %reldir%/fernet-client-session.h
%canon_reldir%_crypto_hybrid_fernet_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_crypto_hybrid_fernet_la_LIBADD = %reldir%/libfernetcodec.la $(OPENSSL_LIBS)
%canon_reldir%_crypto_hybrid_fernet_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
EXTRA_DIST += %reldir%/README.md
