# SPDX-License-Identifier: MIT
# Sample configuration and the out-of-tree plugin example.

# The pristine sample always goes to the docs; the live configuration is
# installed only where none exists, so a reinstall never overwrites an
# operator's edits (and uninstall removes it only if it is still the sample).
sampledir = $(docdir)/examples
dist_sample_DATA = %reldir%/polychatd.yaml
polychatconfdir = $(sysconfdir)/polychat

install-data-local: install-polychatd-config
install-polychatd-config:
	$(MKDIR_P) '$(DESTDIR)$(polychatconfdir)'
	test -f '$(DESTDIR)$(polychatconfdir)/polychatd.yaml' || \
		$(INSTALL_DATA) '$(srcdir)/%reldir%/polychatd.yaml' '$(DESTDIR)$(polychatconfdir)/polychatd.yaml'

uninstall-local: uninstall-polychatd-config
uninstall-polychatd-config:
	if cmp -s '$(srcdir)/%reldir%/polychatd.yaml' '$(DESTDIR)$(polychatconfdir)/polychatd.yaml'; then \
		rm -f '$(DESTDIR)$(polychatconfdir)/polychatd.yaml'; \
	fi
.PHONY: install-polychatd-config uninstall-polychatd-config

# The example plugin is installed as source, for third parties to copy; it
# is built with its own Makefile against the installed SDK, not by this build.
pluginhellodir = $(docdir)/examples/plugin-hello
dist_pluginhello_DATA = \
	%reldir%/plugin-hello/README.md \
	%reldir%/plugin-hello/Makefile \
	%reldir%/plugin-hello/hello.c \
	%reldir%/plugin-hello/hello.yaml

# `make installcheck` (and so distcheck) builds the example exactly as a third
# party would: with its own Makefile, against the installed header and .pc.
installcheck-local: installcheck-plugin-hello
installcheck-plugin-hello:
	rm -rf plugin-hello-check && mkdir plugin-hello-check
	cp $(srcdir)/%reldir%/plugin-hello/hello.c $(srcdir)/%reldir%/plugin-hello/Makefile plugin-hello-check/
	PKG_CONFIG_PATH='$(DESTDIR)$(pkgconfigdir)' $(MAKE) -C plugin-hello-check CFLAGS='-O2 -Werror'
	nm -D plugin-hello-check/hello.so | grep -q ' D polychat_plugin$$'
	rm -rf plugin-hello-check
.PHONY: installcheck-plugin-hello
