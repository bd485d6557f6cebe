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

