# SPDX-License-Identifier: MIT
# Auth method `bcrypt`: password accounts hashed with libxcrypt's bcrypt.
pkglib_LTLIBRARIES += %reldir%/auth-bcrypt.la
%canon_reldir%_auth_bcrypt_la_SOURCES = \
	%reldir%/auth-bcrypt.c \
	%reldir%/bcrypt-hash.c %reldir%/bcrypt-hash.h
%canon_reldir%_auth_bcrypt_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
%canon_reldir%_auth_bcrypt_la_LIBADD = $(CRYPT_LIBS)
EXTRA_DIST += %reldir%/README.md
