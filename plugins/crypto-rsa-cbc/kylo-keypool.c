/* SPDX-License-Identifier: MIT */
/* Where a listener's RSA-2048 ServerHello keys come from: fresh from a pool, rotated, or a key file. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "kylo-keypool.h"

#define WHO "kylochat"

struct kylo_keypool {
	const struct polychat_host *host;
	struct polychat_listener *listener;
	struct kylo_key_config cfg;
	/* FRESH: keys nobody has seen, used last-in first-out. */
	struct kylo_server_key **ready;
	unsigned n_ready;
	/* ROTATE and FILE: the key every connection gets. */
	struct kylo_server_key *current;
	struct polychat_timer *rotate_timer;
	int generating;      /* one background generation at a time */
	struct kylo_key_waiter *waiters; /* ROTATE: connections before the first key */
};

struct gen_job {
	struct kylo_keypool *pool;
	struct kylo_server_key *key;
};

struct kylo_server_key *kylo_server_key_generate(const struct polychat_host *host)
{
	struct kylo_server_key *key = host->calloc(1, sizeof(*key));
	if (!key)
		return NULL;
	if (kylo_rsa_generate(&key->pkey) != 0 ||
	    kylo_hello_build(key->pkey, key->hello, sizeof(key->hello),
			&key->hello_len) != 0) {
		host->log(POLYCHAT_LOG_ERROR, WHO, "RSA-2048 key generation failed");
		EVP_PKEY_free(key->pkey);
		host->free(key);
		return NULL;
	}
	key->refs = 1;
	return key;
}

void kylo_server_key_unref(const struct polychat_host *host,
	struct kylo_server_key *key)
{
	if (key && --key->refs == 0) {
		EVP_PKEY_free(key->pkey);
		host->free(key);
	}
}

static void refill(struct kylo_keypool *pool);

/* Hand every waiter a reference to `key` (NULL: make your own). */
static void wake(struct kylo_keypool *pool, struct kylo_server_key *key)
{
	while (pool->waiters) {
		struct kylo_key_waiter *w = pool->waiters;
		kylo_keypool_unwait(w);
		if (key)
			key->refs++;
		w->ready(w, key);
	}
}

static void gen_work(void *arg)
{
	struct gen_job *job = arg;
	job->key = kylo_server_key_generate(job->pool->host);
}

static void gen_done(void *arg, int status)
{
	struct gen_job *job = arg;
	struct kylo_keypool *pool = job->pool;
	struct kylo_server_key *key = job->key;
	const struct polychat_host *host = pool->host;

	pool->generating = 0;
	host->free(job);
	if (status != 0 || !key) {
		/* Shutting down, or OpenSSL failed (logged): a connection
		 * that finds no key makes its own. */
		kylo_server_key_unref(host, key);
		wake(pool, NULL);
		return;
	}
	if (pool->cfg.mode == KYLO_KEYS_FRESH) {
		pool->ready[pool->n_ready++] = key;
		refill(pool);
	} else {
		kylo_server_key_unref(host, pool->current);
		pool->current = key;
		wake(pool, key);
	}
}

/* Start one background generation if the pool wants a key. */
static void generate(struct kylo_keypool *pool)
{
	if (pool->generating)
		return;
	struct gen_job *job = pool->host->calloc(1, sizeof(*job));
	if (!job)
		return;
	job->pool = pool;
	const struct polychat_host *host = pool->host;
	int rc = host->size > offsetof(struct polychat_host, listener_job_cpu)
		? host->listener_job_cpu(pool->listener, gen_work, gen_done, job)
		: host->listener_job(pool->listener, gen_work, gen_done, job);
	if (rc != 0) {
		pool->host->free(job);
		return;
	}
	pool->generating = 1;
}

static void refill(struct kylo_keypool *pool)
{
	if (pool->cfg.mode == KYLO_KEYS_FRESH && pool->n_ready < pool->cfg.pool)
		generate(pool);
}

static void rotate_due(void *arg)
{
	generate(arg);
}

/* Read the FILE key, or create the file with a new key. */
static int load_key_file(struct kylo_keypool *pool)
{
	const struct polychat_host *host = pool->host;
	const char *path = pool->cfg.path;
	EVP_PKEY *pkey = NULL;
	FILE *f = fopen(path, "r");

	if (f) {
		pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (!pkey || !EVP_PKEY_is_a(pkey, "RSA") ||
		    EVP_PKEY_get_bits(pkey) != KYLO_RSA_BITS) {
			host->log(POLYCHAT_LOG_ERROR, WHO,
				"%s: not an RSA-2048 private key in PEM", path);
			EVP_PKEY_free(pkey);
			return POLYCHAT_EIO;
		}
	} else if (errno == ENOENT) {
		if (kylo_rsa_generate(&pkey) != 0)
			return POLYCHAT_EIO;
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		int ok = f && PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
		if (f ? fclose(f) != 0 : (fd >= 0 && close(fd) != 0))
			ok = 0;
		if (!ok) {
			host->log(POLYCHAT_LOG_ERROR, WHO, "cannot write key file %s: %s",
				path, strerror(errno));
			EVP_PKEY_free(pkey);
			unlink(path);
			return POLYCHAT_EIO;
		}
		host->log(POLYCHAT_LOG_NOTICE, WHO, "created RSA-2048 key file %s", path);
	} else {
		host->log(POLYCHAT_LOG_ERROR, WHO, "cannot read key file %s: %s",
			path, strerror(errno));
		return POLYCHAT_EIO;
	}

	struct kylo_server_key *key = host->calloc(1, sizeof(*key));
	if (!key) {
		EVP_PKEY_free(pkey);
		return POLYCHAT_ENOMEM;
	}
	key->pkey = pkey;
	key->refs = 1;
	if (kylo_hello_build(pkey, key->hello, sizeof(key->hello), &key->hello_len) != 0) {
		host->log(POLYCHAT_LOG_ERROR, WHO, "%s: cannot encode its public key", path);
		kylo_server_key_unref(host, key);
		return POLYCHAT_EIO;
	}
	pool->current = key;
	return 0;
}

int kylo_keypool_create(const struct polychat_host *host,
	struct polychat_listener *listener, const struct kylo_key_config *cfg,
	struct kylo_keypool **out)
{
	struct kylo_keypool *pool = host->calloc(1, sizeof(*pool));
	if (!pool)
		return POLYCHAT_ENOMEM;
	pool->host = host;
	pool->listener = listener;
	pool->cfg = *cfg;
	int rc = 0;
	switch (cfg->mode) {
	case KYLO_KEYS_FRESH:
		pool->ready = host->calloc(cfg->pool, sizeof(*pool->ready));
		if (!pool->ready)
			rc = POLYCHAT_ENOMEM;
		else
			refill(pool);
		break;
	case KYLO_KEYS_ROTATE:
		pool->rotate_timer = host->listener_timer(listener,
			(uint64_t)cfg->rotate_s * 1000, (uint64_t)cfg->rotate_s * 1000,
			rotate_due, pool);
		if (!pool->rotate_timer)
			rc = POLYCHAT_ENOMEM;
		else
			generate(pool);
		break;
	case KYLO_KEYS_FILE:
		rc = load_key_file(pool);
		break;
	default:
		rc = POLYCHAT_EINVAL;
	}
	if (rc != 0) {
		/* Every failure comes before a generation starts, so no job
		 * refers to the pool. */
		kylo_keypool_destroy(pool);
		return rc;
	}
	*out = pool;
	return 0;
}

void kylo_keypool_destroy(struct kylo_keypool *pool)
{
	if (!pool)
		return;
	const struct polychat_host *host = pool->host;
	host->timer_stop(pool->rotate_timer);
	for (unsigned i = 0; i < pool->n_ready; i++)
		kylo_server_key_unref(host, pool->ready[i]);
	host->free(pool->ready);
	kylo_server_key_unref(host, pool->current);
	host->free(pool);
}

struct kylo_server_key *kylo_keypool_take(struct kylo_keypool *pool)
{
	struct kylo_server_key *key = NULL;
	if (pool->cfg.mode == KYLO_KEYS_FRESH) {
		if (pool->n_ready)
			key = pool->ready[--pool->n_ready];
		refill(pool);
	} else if (pool->current) {
		key = pool->current;
		key->refs++;
	}
	return key;
}

int kylo_keypool_wait(struct kylo_keypool *pool, struct kylo_key_waiter *w)
{
	if (pool->cfg.mode != KYLO_KEYS_ROTATE || pool->current || !pool->generating)
		return 0;
	w->next = pool->waiters;
	if (w->next)
		w->next->prevp = &w->next;
	w->prevp = &pool->waiters;
	pool->waiters = w;
	return 1;
}

void kylo_keypool_unwait(struct kylo_key_waiter *w)
{
	if (!w->prevp)
		return;
	*w->prevp = w->next;
	if (w->next)
		w->next->prevp = w->prevp;
	w->next = NULL;
	w->prevp = NULL;
}
