# SPDX-License-Identifier: MIT
# Auth method `otp`: one-time codes for registrations.
pkglib_LTLIBRARIES += %reldir%/auth-otp.la
%canon_reldir%_auth_otp_la_SOURCES = \
	%reldir%/auth-otp.c \
	%reldir%/otp-code.c %reldir%/otp-code.h \
	%reldir%/otp-command.c %reldir%/otp-command.h
%canon_reldir%_auth_otp_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) -pthread
%canon_reldir%_auth_otp_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
%canon_reldir%_auth_otp_la_LIBADD = $(OPENSSL_LIBS) -lpthread
EXTRA_DIST += %reldir%/README.md
