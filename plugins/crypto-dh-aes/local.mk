# SPDX-License-Identifier: MIT
# Suite `pychat`: its crypto, JSON and framing codec, and the plugin module built on it.
noinst_LTLIBRARIES += %reldir%/libpychatcodec.la
%canon_reldir%_libpychatcodec_la_SOURCES = \
	%reldir%/pychat-crypto.c %reldir%/pychat-crypto.h \
	%reldir%/pychat-json.c %reldir%/pychat-json.h \
	%reldir%/pychat-wire.c %reldir%/pychat-wire.h
%canon_reldir%_libpychatcodec_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libpychatcodec_la_LIBADD = $(OPENSSL_LIBS)
