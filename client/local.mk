# SPDX-License-Identifier: MIT
# The polychat client: the same loader and plugins as polychatd, a line UI.
bin_PROGRAMS += %reldir%/polychat
%canon_reldir%_polychat_SOURCES = \
	%reldir%/main.c \
	%reldir%/input.c %reldir%/input.h \
	%reldir%/show.c %reldir%/show.h
%canon_reldir%_polychat_CPPFLAGS = $(AM_CPPFLAGS) -DPC_PLUGIN_DIR='"$(pkglibdir)"'
%canon_reldir%_polychat_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) -pthread
%canon_reldir%_polychat_LDADD = core/libpccore.la -lpthread
