/* SPDX-License-Identifier: MIT */
/* polychat-bench: the machine's raw rate of each handshake's dominant crypto operation, on every core. */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

#include "bench.h"
#include "limit.h"
#include "plugins/crypto-dh-aes/pychat-crypto.h"
#include "plugins/crypto-rsa-cbc/kylo-crypto.h"

#define MAX_THREADS 64

enum { OP_RSA, OP_MODEXP, OP_DH_PAIR };

struct worker {
	int op;
	uint64_t deadline;
	uint64_t count;
	int failed;
	/* Shared, read-only while the workers run. */
	EVP_PKEY *rsa;
	const uint8_t *kb1;
};

static void rsa_loop(struct worker *w)
{
	uint8_t enc[KYLO_KEY_LEN];
	while (bench_now_ns() < w->deadline) {
		if (kylo_keyblock1_open(w->rsa, w->kb1, KYLO_KEYBLOCK1_LEN, enc) != 0) {
			w->failed = 1;
			return;
		}
		w->count++;
	}
}

static void modexp_loop(struct worker *w)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *x = BN_new(), *y = BN_new(), *r = BN_new();
	BN_MONT_CTX *mont = BN_MONT_CTX_new();
	if (!ctx || !p || !x || !y || !r || !mont || !BN_MONT_CTX_set(mont, p, ctx) ||
	    !BN_rand(x, 256, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    !BN_rand_range(y, p)) {
		w->failed = 1;
		goto out;
	}
	BN_set_flags(x, BN_FLG_CONSTTIME);
	while (bench_now_ns() < w->deadline) {
		if (!BN_mod_exp_mont_consttime(r, y, x, p, ctx, mont)) {
			w->failed = 1;
			break;
		}
		w->count++;
	}
out:
	BN_MONT_CTX_free(mont);
	BN_free(r);
	BN_free(y);
	BN_clear_free(x);
	BN_free(p);
	BN_CTX_free(ctx);
}

static void dh_pair_loop(struct worker *w)
{
	struct pychat_dh peer;
	if (pychat_dh_generate(&peer) != 0) {
		w->failed = 1;
		return;
	}
	while (bench_now_ns() < w->deadline) {
		struct pychat_dh mine;
		uint8_t key[PYCHAT_KEY_LEN];
		if (pychat_dh_generate(&mine) != 0 ||
		    pychat_dh_derive(&mine, peer.pub, peer.pub_len, key) != 0) {
			w->failed = 1;
			break;
		}
		pychat_dh_clear(&mine);
		w->count++;
	}
	pychat_dh_clear(&peer);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	switch (w->op) {
	case OP_RSA: rsa_loop(w); break;
	case OP_MODEXP: modexp_loop(w); break;
	default: dh_pair_loop(w); break;
	}
	return NULL;
}

/* Rate of one operation on every thread at once: total count / seconds. */
static double run(int op, unsigned threads, double seconds, EVP_PKEY *rsa, const uint8_t *kb1)
{
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	uint64_t start = bench_now_ns();
	uint64_t deadline = start + (uint64_t)(seconds * 1e9);
	unsigned started = 0;
	for (unsigned t = 0; t < threads; t++) {
		w[t] = (struct worker){ .op = op, .deadline = deadline, .rsa = rsa, .kb1 = kb1 };
		if (pthread_create(&tid[t], NULL, work, &w[t]) != 0)
			break;
		started++;
	}
	uint64_t total = 0;
	int failed = started == 0;
	for (unsigned t = 0; t < started; t++) {
		pthread_join(tid[t], NULL);
		total += w[t].count;
		failed |= w[t].failed;
	}
	double elapsed = (double)(bench_now_ns() - start) / 1e9;
	return failed || elapsed <= 0 ? -1 : (double)total / elapsed;
}

/* limit_measure - see limit.h. */
int limit_measure(unsigned threads, double seconds, struct limit_result *out)
{
	memset(out, 0, sizeof(*out));
	threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
	out->threads = threads;
	out->seconds = seconds;
	EVP_PKEY *rsa = NULL;
	uint8_t key[KYLO_KEY_LEN], kb1[KYLO_KEYBLOCK1_LEN];
	if (kylo_rsa_generate(&rsa) != 0 || RAND_bytes(key, sizeof(key)) != 1 ||
	    kylo_keyblock1_build(rsa, key, sizeof(key), kb1) != 0) {
		EVP_PKEY_free(rsa);
		return -1;
	}
	out->rsa_decrypt_per_s = run(OP_RSA, threads, seconds, rsa, kb1);
	EVP_PKEY_free(rsa);
	out->modexp_per_s = run(OP_MODEXP, threads, seconds, NULL, NULL);
	out->dh_pair_per_s = run(OP_DH_PAIR, threads, seconds, NULL, NULL);
	return out->rsa_decrypt_per_s > 0 && out->modexp_per_s > 0 && out->dh_pair_per_s > 0
		? 0 : -1;
}
