/* SPDX-License-Identifier: MIT */
/* polychat-bench: kylochat accounts in bulk, through the same loader, store and auth plugins polychatctl uses. */
#ifndef BENCH_ACCOUNTS_H
#define BENCH_ACCOUNTS_H

/*
 * Create the accounts prefix0 .. prefix(count - 1), all with `password`,
 * through the auth method of listener `listener` of the configuration
 * file `config` (its store and realm), with the plugins found under
 * `builddir`. This is `polychatctl user add` in one process and on
 * `threads` threads: ten thousand separate polychatctl runs would take
 * minutes. Returns 0 or -1 (a line on stderr says why).
 */
int accounts_create(const char *builddir, const char *config, const char *listener,
	const char *prefix, unsigned count, const char *password, unsigned threads);

#endif /* BENCH_ACCOUNTS_H */
