# SPDX-License-Identifier: MIT
# The fernet-hybrid suite's codec and client half, each tested on its own against fernet-hybrid.md §6.
check_PROGRAMS += %reldir%/test-fernet-codec
TESTS += %reldir%/test-fernet-codec
%canon_reldir%_test_fernet_codec_SOURCES = %reldir%/test-fernet-codec.c %reldir%/fernet-vectors.h
%canon_reldir%_test_fernet_codec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_fernet_codec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_fernet_codec_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-hybrid-fernet/libfernetcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)

# The client half, driven through the stub host against a test-side server.
check_PROGRAMS += %reldir%/test-fernet-client
TESTS += %reldir%/test-fernet-client
%canon_reldir%_test_fernet_client_SOURCES = %reldir%/test-fernet-client.c %reldir%/fernet-vectors.h \
	plugins/crypto-hybrid-fernet/fernet-client.c plugins/crypto-hybrid-fernet/fernet-client.h \
	plugins/crypto-hybrid-fernet/fernet-client-chat.c \
	plugins/crypto-hybrid-fernet/fernet-client-session.h
%canon_reldir%_test_fernet_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_fernet_client_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
%canon_reldir%_test_fernet_client_LDADD = tests/stubs/libstubhost.la \
	core/libpcconfig.la plugins/crypto-hybrid-fernet/libfernetcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)

# Where a message ends on the unframed wire, for both halves.
check_PROGRAMS += %reldir%/test-fernet-shapes
TESTS += %reldir%/test-fernet-shapes
%canon_reldir%_test_fernet_shapes_SOURCES = %reldir%/test-fernet-shapes.c
%canon_reldir%_test_fernet_shapes_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_test_fernet_shapes_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%canon_reldir%_test_fernet_shapes_LDADD = plugins/crypto-hybrid-fernet/libfernetcodec.la \
	$(CHECK_LIBS) $(OPENSSL_LIBS)
