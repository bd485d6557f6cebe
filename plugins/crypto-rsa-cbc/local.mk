# SPDX-License-Identifier: MIT
# Suite `kylochat`: its crypto and framing codec, a convenience library the plugin module links.
noinst_LTLIBRARIES += %reldir%/libkylocrypto.la
%canon_reldir%_libkylocrypto_la_SOURCES = \
	%reldir%/kylo-crypto.c %reldir%/kylo-crypto.h
%canon_reldir%_libkylocrypto_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libkylocrypto_la_LIBADD = $(OPENSSL_LIBS)
