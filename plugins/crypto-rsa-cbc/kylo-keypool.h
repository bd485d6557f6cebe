/* SPDX-License-Identifier: MIT */
/* Where a listener's RSA-2048 ServerHello keys come from: fresh from a pool, rotated, or a key file. */
#ifndef KYLO_KEYPOOL_H
#define KYLO_KEYPOOL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/host.h>

#include "kylo-crypto.h"

/*
 * The original makes a fresh RSA-2048 key per connection on the
 * handshake path, which costs tens of milliseconds of CPU per accept.
 * Here keys are made on the thread pool ahead of need:
 *
 *   KYLO_KEYS_FRESH   every connection gets a key no other connection saw
 *                     (the original's freshness); a pool of `pool` keys is
 *                     refilled in the background.
 *   KYLO_KEYS_ROTATE  connections share one key, replaced every `rotate_s`
 *                     seconds by a key made in the background.
 *   KYLO_KEYS_FILE    one persistent key, read from `path` (PKCS#8 or
 *                     traditional PEM); created with mode 0600 if absent.
 *
 * Only the loop thread calls these functions; the key objects themselves
 * may be used for private-key operations on any thread while a reference
 * is held.
 */
enum kylo_key_mode {
	KYLO_KEYS_FRESH = 1,
	KYLO_KEYS_ROTATE = 2,
	KYLO_KEYS_FILE = 3,
};

struct kylo_key_config {
	int mode;            /* enum kylo_key_mode */
	unsigned pool;       /* FRESH: keys kept ready (>= 1) */
	unsigned rotate_s;   /* ROTATE: seconds a key serves */
	const char *path;    /* FILE: resolved path */
};

/* One server key and its ServerHello, shared by reference. */
struct kylo_server_key {
	EVP_PKEY *pkey;
	uint8_t hello[KYLO_HELLO_LEN];
	size_t hello_len;
	unsigned refs;       /* loop thread only */
};

struct kylo_keypool;

/*
 * Make a key with its hello, for a worker thread. Returns NULL on failure
 * (logged). The result has one reference.
 */
struct kylo_server_key *kylo_server_key_generate(const struct polychat_host *host);

/* Drop a reference; the last one frees the key. Accepts NULL. */
void kylo_server_key_unref(const struct polychat_host *host,
	struct kylo_server_key *key);

/*
 * Set up the key source of `listener`. FILE mode reads (or creates) the key
 * file now; the others start their first generation on the thread pool.
 * Returns 0, POLYCHAT_EIO (key file unreadable, unwritable or not RSA-2048;
 * logged), POLYCHAT_ENOMEM.
 */
int kylo_keypool_create(const struct polychat_host *host,
	struct polychat_listener *listener, const struct kylo_key_config *cfg,
	struct kylo_keypool **out);

/* Free the pool. Its background jobs are done (the instance is destroyed
 * only after every listener job). Accepts NULL. */
void kylo_keypool_destroy(struct kylo_keypool *pool);

/*
 * A key for one new connection (the caller owns one reference), or NULL
 * when none is ready yet: the caller then makes its own with
 * kylo_server_key_generate on the thread pool. Tops the pool up.
 */
struct kylo_server_key *kylo_keypool_take(struct kylo_keypool *pool);

/*
 * A connection waiting for the shared key (ROTATE) that is being made.
 * `ready` is called once, on the loop thread, with a reference the waiter
 * owns, or with NULL when the generation failed (the waiter then makes
 * its own key). Embed it in the session.
 */
struct kylo_key_waiter {
	void (*ready)(struct kylo_key_waiter *w, struct kylo_server_key *key);
	struct kylo_key_waiter *next, **prevp;
};

/*
 * When kylo_keypool_take found no key: in ROTATE mode with the first key
 * being generated, queue `w` and return 1, so that a burst of connections
 * after start-up waits for one generation instead of each making a key of
 * its own (tens of milliseconds of CPU apiece). Otherwise return 0.
 */
int kylo_keypool_wait(struct kylo_keypool *pool, struct kylo_key_waiter *w);

/* Leave the queue (a session closing before its key came). Accepts a
 * waiter that is not queued. */
void kylo_keypool_unwait(struct kylo_key_waiter *w);

#endif /* KYLO_KEYPOOL_H */
