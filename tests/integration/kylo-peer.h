/* SPDX-License-Identifier: MIT */
/* A scripted KyloChat client for integration tests: the original client's bytes, and wrong ones on purpose. */
#ifndef KYLO_PEER_H
#define KYLO_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "plugins/crypto-rsa-cbc/kylo-crypto.h"

struct kylo_peer {
	struct h_client c;
	struct kylo_keys keys;
	char token[64];
};

/* What a server unit turned out to be (kp_unit). */
struct kylo_unit {
	int type;               /* KYLO_UNIT_MESSAGE or KYLO_UNIT_STATUS */
	uint16_t status;
	char sender[512];
	uint8_t body[8192];
	size_t body_len;
};

/* Connect, read the ServerHello, send KeyBlock1 || KeyBlock2. 0 or -1. */
int kp_connect(struct kylo_peer *p, int port);
/* Seal `len` bytes as a short (KYLO_SHORT) or int (KYLO_INT) frame and send it. */
int kp_send(struct kylo_peer *p, unsigned kind, const void *data, size_t len);
/* Seal without sending, into out (cap >= len + 100). Returns the frame size. */
size_t kp_seal(struct kylo_peer *p, unsigned kind, const void *data, size_t len,
	uint8_t *out, size_t cap);
/* Read one byte. 0 or -1. */
int kp_byte(struct kylo_peer *p, uint8_t *b);
/* Read and open one frame. 0 or -1 (EOF, timeout, bad frame). */
int kp_frame(struct kylo_peer *p, unsigned kind, uint8_t *out, size_t cap, size_t *len);

/*
 * One login attempt as the original client makes it. Returns 0 (the token
 * is in p->token), 1 (0x01 after the username), 2 (0x01 after the
 * password) or -1 (anything else).
 */
int kp_login(struct kylo_peer *p, const char *user, const char *password);
/* Connect and log in; 0 or -1. */
int kp_join(struct kylo_peer *p, int port, const char *user, const char *password);
/* Send IF(token || text). */
int kp_say(struct kylo_peer *p, const char *text);
int kp_say_raw(struct kylo_peer *p, const void *body, size_t len);
/* Read the next unit. 0 or -1. */
int kp_unit(struct kylo_peer *p, struct kylo_unit *u);
/* The next unit must be STATUS `code`. 0 or -1 (what came is printed). */
int kp_expect_status(struct kylo_peer *p, uint16_t code);
/* The next unit must be MESSAGE(sender, text). 0 or -1 (printed). */
int kp_expect_message(struct kylo_peer *p, const char *sender, const char *text);
void kp_close(struct kylo_peer *p);

/* The text of the SERVER message that tells the others `name` logged in,
 * written into `buf`; returns `buf`. */
const char *kp_login_notice(const char *name, char *buf, size_t len);
/* The usual two sessions: alice (password alice-pw), then bob (bob-pw),
 * both logged in; `a` has read bob's login notice, `b` nothing yet. 0 or
 * -1 (what went wrong is printed). */
int kp_pair(int port, struct kylo_peer *a, struct kylo_peer *b);

#endif /* KYLO_PEER_H */
