# SPDX-License-Identifier: MIT
# The public plugin SDK, installed under $(includedir)/polychat.
polychatincdir = $(includedir)/polychat
polychatinc_HEADERS = \
	%reldir%/polychat/polychat.h \
	%reldir%/polychat/status.h \
	%reldir%/polychat/host.h \
	%reldir%/polychat/store.h \
	%reldir%/polychat/auth.h \
	%reldir%/polychat/suite.h \
	%reldir%/polychat/plugin.h
