# SPDX-License-Identifier: MIT
# polychatd and the core modules the client shares with it.

# Configuration: YAML parsing, option blocks, diagnostics (no libuv).
noinst_LTLIBRARIES += %reldir%/libpcconfig.la
%canon_reldir%_libpcconfig_la_SOURCES = \
	%reldir%/diag.c %reldir%/diag.h \
	%reldir%/options.c %reldir%/options.h \
	%reldir%/yaml-tree.c %reldir%/yaml-tree.h \
	%reldir%/config.c %reldir%/config.h \
	%reldir%/config-listeners.c %reldir%/config-internal.h
%canon_reldir%_libpcconfig_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
%canon_reldir%_libpcconfig_la_LIBADD = $(YAML_LIBS)

# The event-loop core shared by polychatd and the polychat client.
noinst_LTLIBRARIES += %reldir%/libpccore.la
%canon_reldir%_libpccore_la_SOURCES = \
	%reldir%/log.c %reldir%/log.h \
	%reldir%/loader.c %reldir%/loader.h \
	%reldir%/host.c %reldir%/host.h \
	%reldir%/conn.c %reldir%/conn.h \
	%reldir%/timer.c %reldir%/timer.h \
	%reldir%/job.c %reldir%/job.h \
	%reldir%/strmap.c %reldir%/strmap.h \
	%reldir%/router.c %reldir%/router.h \
	%reldir%/listener.c %reldir%/listener.h \
	%reldir%/setup.c %reldir%/setup.h
%canon_reldir%_libpccore_la_CPPFLAGS = $(AM_CPPFLAGS) -DPC_PLUGIN_DIR='"$(pkglibdir)"'
%canon_reldir%_libpccore_la_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_libpccore_la_LIBADD = %reldir%/libpcconfig.la $(UV_LIBS) $(OPENSSL_LIBS) $(LTDL_LIBS)

sbin_PROGRAMS += %reldir%/polychatd
%canon_reldir%_polychatd_SOURCES = %reldir%/main.c %reldir%/daemon.c %reldir%/daemon.h
%canon_reldir%_polychatd_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPC_PLUGIN_DIR='"$(pkglibdir)"' \
	-DPC_DEFAULT_CONFIG='"$(sysconfdir)/polychat/polychatd.yaml"'
%canon_reldir%_polychatd_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS)
%canon_reldir%_polychatd_LDADD = %reldir%/libpccore.la
