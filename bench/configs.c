/* SPDX-License-Identifier: MIT */
/* polychat-bench: the configuration files of the servers under test (polychatd YAML, ngircd.conf). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "configs.h"

struct sbuf {
	char *s;
	size_t len, cap;
	int failed;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
	for (int tries = 0; tries < 2 && !b->failed; tries++) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap : 4096);
		while (cap <= b->len + (size_t)n)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->failed = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static char *done(struct sbuf *b)
{
	if (b->failed) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

/* The daemon part: state in `dir`, only warnings logged (a log line per
 * connection would be measured too), limits for large rooms. */
static void daemon_part(struct sbuf *b, const char *dir, unsigned members)
{
	unsigned conns = members + 1000;
	put(b, "daemon:\n"
		"  state_dir: %s\n"
		"  log: {level: warning}\n"
		"  limits: {max_connections: %u, close_timeout_ms: 1000}\n", dir, conns);
}

/* cfg_polychatd - see configs.h. */
char *cfg_polychatd(const char *dir, int target, int unpaced, unsigned listeners,
	unsigned members, const struct cfg_costs *costs)
{
	struct sbuf b = { 0 };
	daemon_part(&b, dir, members);
	if (target == BT_KYLOCHAT)
		put(&b, "stores:\n  main: {backend: sqlite, options: {path: bench.db}}\n");
	put(&b, "listeners:\n");
	for (unsigned i = 0; i < listeners; i++) {
		put(&b, "  - name: r%u\n    port: 0\n", i);
		switch (target) {
		case BT_KYLOCHAT:
			put(&b, "    suite: kylochat\n    realm: bench\n    store: main\n"
				"    auth: bcrypt\n    auth_options: {cost: %u}\n", costs->login);
			break;
		case BT_PYCHAT:
			put(&b, "    suite: pychat\n");
			if (unpaced)
				put(&b, "    options: {write_gap_ms: 0, max_rate: 0}\n");
			break;
		default:
			put(&b, "    suite: fernet-hybrid\n    options: {max_members: %u%s}\n",
				members + 16, unpaced ? ", write_gap_ms: 0, max_rate: 0" : "");
			break;
		}
	}
	return done(&b);
}

/* cfg_accounts - see configs.h. */
char *cfg_accounts(const char *dir, const struct cfg_costs *costs)
{
	struct sbuf b = { 0 };
	/* No fsync per account: the file is thrown away after the run, and
	 * the daemons that use it run with the default (full). */
	put(&b, "daemon: {state_dir: %s, log: {level: warning}}\n"
		"stores:\n"
		"  main: {backend: sqlite, options: {path: bench.db, synchronous: normal}}\n"
		"listeners:\n", dir);
	put(&b, "  - {name: login, port: 0, suite: kylochat, realm: bench, store: main,\n"
		"     auth: bcrypt, auth_options: {cost: %u}}\n", costs->login);
	put(&b, "  - {name: fill, port: 0, suite: kylochat, realm: bench, store: main,\n"
		"     auth: bcrypt, auth_options: {cost: %u}}\n", costs->fill);
	return done(&b);
}

/* cfg_ngircd - see configs.h. */
char *cfg_ngircd(int port, int unpaced)
{
	struct sbuf b = { 0 };
	put(&b, "[Global]\n"
		"Name = bench.polychat.invalid\n"
		"Info = polychat-bench peer\n"
		"AdminInfo1 = polychat-bench\n"
		"AdminInfo2 = loopback only\n"
		"AdminEMail = nobody@polychat.invalid\n"
		"Listen = 127.0.0.1\n"
		"Ports = %d\n"
		"MotdPhrase = polychat-bench\n"
		"[Limits]\n"
		"MaxConnections = 0\n"
		"MaxConnectionsIP = 0\n"
		"MaxJoins = 0\n"
		"MaxNickLength = 31\n"
		"PingTimeout = 600\n"
		"PongTimeout = 60\n", port);
	if (unpaced)
		put(&b, "MaxPenaltyTime = 0\n");
	put(&b, "[Options]\n"
		"DNS = no\n"
		"Ident = no\n"
		"PAM = no\n");
	return done(&b);
}
