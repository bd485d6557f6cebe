/* SPDX-License-Identifier: MIT */
/* polychat-bench: the configuration files of the servers under test (polychatd YAML, ngircd.conf). */
#ifndef BENCH_CONFIGS_H
#define BENCH_CONFIGS_H

#include <stddef.h>

/* The bcrypt costs of the two kinds of kylochat accounts. */
struct cfg_costs {
	unsigned login;   /* accounts whose logins are measured (default 12) */
	unsigned fill;    /* accounts that only fill rooms (default 4) */
};

/*
 * polychatd's configuration: `listeners` listeners named r0, r1, ... of
 * suite `target` on 127.0.0.1 port 0, with state in `dir`. `unpaced`
 * sets write_gap_ms: 0 and max_rate: 0 (pychat, fernet-hybrid); otherwise
 * the suite's defaults stand, except the limits a room of `members` needs
 * (fernet-hybrid's max_members, max_connections). kylochat listeners share
 * the realm `bench`, a SQLite store and auth bcrypt. Returns a malloc'd
 * string or NULL.
 */
char *cfg_polychatd(const char *dir, int target, int unpaced, unsigned listeners,
	unsigned members, const struct cfg_costs *costs);

/* The configuration polychat-bench creates kylochat accounts with: the
 * same store, listener `login` with the login cost, `fill` with the fill
 * cost. malloc'd or NULL. */
char *cfg_accounts(const char *dir, const struct cfg_costs *costs);

/* ngircd.conf for 127.0.0.1:`port`: no DNS, ident or PAM lookups, no
 * connection limits; `unpaced` turns its flood penalties off
 * (MaxPenaltyTime = 0). malloc'd or NULL. */
char *cfg_ngircd(int port, int unpaced);

#endif /* BENCH_CONFIGS_H */
