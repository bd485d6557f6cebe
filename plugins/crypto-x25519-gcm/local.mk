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
