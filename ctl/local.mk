# SPDX-License-Identifier: MIT
# polychatctl: accounts and tokens on a listener's store, through the core's loader.
sbin_PROGRAMS += %reldir%/polychatctl
%canon_reldir%_polychatctl_SOURCES = \
	%reldir%/main.c %reldir%/ctl.h \
	%reldir%/ctl-open.c \
	%reldir%/ctl-users.c \
	%reldir%/ctl-tokens.c \
	%reldir%/ctl-audit.c \
	%reldir%/ctl-password.c \
	%reldir%/ctl-output.c
%canon_reldir%_polychatctl_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPC_PLUGIN_DIR='"$(pkglibdir)"' \
	-DPC_DEFAULT_CONFIG='"$(sysconfdir)/polychat/polychatd.yaml"'
%canon_reldir%_polychatctl_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS)
%canon_reldir%_polychatctl_LDADD = core/libpccore.la
