# SPDX-License-Identifier: MIT
# polychat-bench: the load generator (built by make, never installed), `make bench`, and its CI smoke.

# Built with everything else so that a change in a codec it links breaks
# the build at once, not at the next benchmark; not installed: it starts
# the build tree's own polychatd and plugins.
noinst_PROGRAMS = %reldir%/polychat-bench
%canon_reldir%_polychat_bench_SOURCES = \
	%reldir%/polychat-bench.c %reldir%/bench.h \
	%reldir%/accounts.c %reldir%/accounts.h \
	%reldir%/client.c %reldir%/client.h \
	%reldir%/configs.c %reldir%/configs.h \
	%reldir%/crowd.c %reldir%/crowd.h \
	%reldir%/histo.c %reldir%/histo.h \
	%reldir%/limit.c %reldir%/limit.h \
	%reldir%/load-fanout.c %reldir%/load-handshake.c %reldir%/load-idle.c \
	%reldir%/load.h \
	%reldir%/null-relay.c %reldir%/null-relay.h \
	%reldir%/proc.c %reldir%/proc.h \
	%reldir%/proto.c %reldir%/proto.h \
	%reldir%/proto-kylochat.c %reldir%/proto-pychat.c \
	%reldir%/proto-fernet.c %reldir%/proto-irc.c \
	%reldir%/report.c %reldir%/report.h
%canon_reldir%_polychat_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
%canon_reldir%_polychat_bench_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(OPENSSL_CFLAGS) -pthread
%canon_reldir%_polychat_bench_LDADD = core/libpccore.la \
	plugins/crypto-rsa-cbc/libkylocrypto.la \
	plugins/crypto-dh-aes/libpychatcodec.la \
	plugins/crypto-hybrid-fernet/libfernetcodec.la \
	$(UV_LIBS) $(OPENSSL_LIBS) -lpthread

# The smoke: seconds long, asserts only that the tool runs and writes its
# files, never a timing.
TESTS += %reldir%/smoke.sh
dist_noinst_SCRIPTS += %reldir%/smoke.sh %reldir%/run.sh

# `make bench`: the whole run, its table, CSV/JSON and plots into
# docs/benchmarks/ of the source tree. BENCH_ARGS passes options on
# (make bench BENCH_ARGS='--idle 50000').
BENCH_OUT = $(abs_top_srcdir)/docs/benchmarks
bench: all
	$(SHELL) $(abs_top_srcdir)/%reldir%/run.sh --build '$(abs_top_builddir)' \
		--out '$(BENCH_OUT)' $(BENCH_ARGS)
.PHONY: bench
