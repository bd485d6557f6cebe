# SPDX-License-Identifier: MIT
# Integration tests: the real polychatd and polychat with real plugins on loopback.
check_LTLIBRARIES += %reldir%/libharness.la
%canon_reldir%_libharness_la_SOURCES = %reldir%/harness.c %reldir%/harness.h
# Check, for the shared test-case fixture (h_tcase).
%canon_reldir%_libharness_la_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

INTEGRATION_DEPS = core/polychatd client/polychat $(check_LTLIBRARIES) $(pkglib_LTLIBRARIES)

check_PROGRAMS += %reldir%/test-daemon %reldir%/test-client
TESTS += %reldir%/test-daemon %reldir%/test-client
%canon_reldir%_test_daemon_SOURCES = %reldir%/test-daemon.c
%canon_reldir%_test_daemon_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_daemon_LDADD = %reldir%/libharness.la $(CHECK_LIBS)
EXTRA_%canon_reldir%_test_daemon_DEPENDENCIES = $(INTEGRATION_DEPS)
%canon_reldir%_test_client_SOURCES = %reldir%/test-client.c
%canon_reldir%_test_client_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_client_LDADD = %reldir%/libharness.la $(CHECK_LIBS)
EXTRA_%canon_reldir%_test_client_DEPENDENCIES = $(INTEGRATION_DEPS)

check_PROGRAMS += %reldir%/test-kylochat
TESTS += %reldir%/test-kylochat
%canon_reldir%_test_kylochat_SOURCES = %reldir%/test-kylochat.c \
	%reldir%/kylo-peer.c %reldir%/kylo-peer.h
%canon_reldir%_test_kylochat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_kylochat_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_kylochat_LDADD = %reldir%/libharness.la \
	plugins/crypto-rsa-cbc/libkylocrypto.la $(CHECK_LIBS) $(OPENSSL_LIBS)
EXTRA_%canon_reldir%_test_kylochat_DEPENDENCIES = $(INTEGRATION_DEPS) ctl/polychatctl

# polychatctl against the real store and auth-bcrypt, alone and beside polychatd.
check_PROGRAMS += %reldir%/test-polychatctl
TESTS += %reldir%/test-polychatctl
%canon_reldir%_test_polychatctl_SOURCES = %reldir%/test-polychatctl.c
%canon_reldir%_test_polychatctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_polychatctl_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_polychatctl_LDADD = %reldir%/libharness.la \
	tests/stubs/libstubhost.la core/libpccore.la $(CHECK_LIBS)
EXTRA_%canon_reldir%_test_polychatctl_DEPENDENCIES = $(INTEGRATION_DEPS) ctl/polychatctl

check_PROGRAMS += %reldir%/test-pychat
TESTS += %reldir%/test-pychat
%canon_reldir%_test_pychat_SOURCES = %reldir%/test-pychat.c \
	%reldir%/py-peer.c %reldir%/py-peer.h
%canon_reldir%_test_pychat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_pychat_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_pychat_LDADD = %reldir%/libharness.la \
	tests/stubs/libstubhost.la core/libpcconfig.la \
	plugins/crypto-dh-aes/libpychatcodec.la $(CHECK_LIBS) $(OPENSSL_LIBS)
EXTRA_%canon_reldir%_test_pychat_DEPENDENCIES = $(INTEGRATION_DEPS)

# kylochat on the MariaDB store, polychatctl on it, and a database restart
# under connected clients, against a private mariadbd.
check_PROGRAMS += %reldir%/test-kylochat-mariadb
TESTS += %reldir%/test-kylochat-mariadb
%canon_reldir%_test_kylochat_mariadb_SOURCES = \
	%reldir%/test-kylochat-mariadb.c \
	%reldir%/kylo-peer.c %reldir%/kylo-peer.h
%canon_reldir%_test_kylochat_mariadb_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_kylochat_mariadb_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
%canon_reldir%_test_kylochat_mariadb_LDADD = %reldir%/libharness.la \
	tests/mariadb/libmdbserver.la plugins/crypto-rsa-cbc/libkylocrypto.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS) $(MARIADB_LIBS)
EXTRA_%canon_reldir%_test_kylochat_mariadb_DEPENDENCIES = $(INTEGRATION_DEPS) \
	ctl/polychatctl

check_PROGRAMS += %reldir%/test-fernet
TESTS += %reldir%/test-fernet
%canon_reldir%_test_fernet_SOURCES = %reldir%/test-fernet.c
%canon_reldir%_test_fernet_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_fernet_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_fernet_LDADD = %reldir%/libharness.la \
	plugins/crypto-hybrid-fernet/libfernetcodec.la $(CHECK_LIBS) $(OPENSSL_LIBS)
EXTRA_%canon_reldir%_test_fernet_DEPENDENCIES = $(INTEGRATION_DEPS)

# e2ee-chat with auth-otp and store-sqlite, through the original client's
# frames and one-recv() reads; restarts and a kill -9 under queued messages.
check_PROGRAMS += %reldir%/test-e2ee
TESTS += %reldir%/test-e2ee
%canon_reldir%_test_e2ee_SOURCES = %reldir%/test-e2ee.c \
	%reldir%/e2ee-peer.c %reldir%/e2ee-peer.h
%canon_reldir%_test_e2ee_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_e2ee_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_e2ee_LDADD = %reldir%/libharness.la \
	tests/stubs/libstubhost.la core/libpcconfig.la \
	plugins/crypto-x25519-gcm/libxgcodec.la $(CHECK_LIBS) $(OPENSSL_LIBS)
EXTRA_%canon_reldir%_test_e2ee_DEPENDENCIES = $(INTEGRATION_DEPS)

# e2ee-chat's queue on store-mariadb against a private mariadbd: kill -9 of
# polychatd, and the database down while messages are sent.
check_PROGRAMS += %reldir%/test-e2ee-mariadb
TESTS += %reldir%/test-e2ee-mariadb
%canon_reldir%_test_e2ee_mariadb_SOURCES = %reldir%/test-e2ee-mariadb.c \
	%reldir%/e2ee-peer.c %reldir%/e2ee-peer.h
%canon_reldir%_test_e2ee_mariadb_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_e2ee_mariadb_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
%canon_reldir%_test_e2ee_mariadb_LDADD = %reldir%/libharness.la \
	tests/mariadb/libmdbserver.la tests/stubs/libstubhost.la core/libpcconfig.la \
	plugins/crypto-x25519-gcm/libxgcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS) $(MARIADB_LIBS)
EXTRA_%canon_reldir%_test_e2ee_mariadb_DEPENDENCIES = $(INTEGRATION_DEPS)
