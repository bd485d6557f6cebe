/* SPDX-License-Identifier: MIT */
/* polychat-bench: the machine's raw rate of each handshake's dominant crypto operation, on every core. */
#ifndef BENCH_LIMIT_H
#define BENCH_LIMIT_H

struct limit_result {
	unsigned threads;
	double seconds;
	/* kylochat: RSA-2048 OAEP-SHA256 decryption of a KeyBlock1
	 * (kylo_keyblock1_open, what the server runs per handshake). */
	double rsa_decrypt_per_s;
	/* pychat: a 2048-bit modexp with a 256-bit exponent in group 14
	 * (BN_mod_exp_mont_consttime, Montgomery context kept). The server
	 * runs two per handshake (its key pair, the shared secret). */
	double modexp_per_s;
	/* pychat as coded: pychat_dh_generate + pychat_dh_derive, the
	 * server's whole handshake crypto (decimal conversions included). */
	double dh_pair_per_s;
};

/* Run each operation on `threads` threads for `seconds`. 0 or -1. */
int limit_measure(unsigned threads, double seconds, struct limit_result *out);

#endif /* BENCH_LIMIT_H */
