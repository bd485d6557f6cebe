/* SPDX-License-Identifier: MIT */
/* polychat-bench: the kylochat client side (kylochat.md §4) on libkylocrypto. */
#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include <polychat/status.h>

#include "plugins/crypto-rsa-cbc/kylo-crypto.h"
#include "proto.h"

enum { K_HELLO, K_USER, K_PASS, K_TOKEN, K_CHAT };

struct kstate {
	int phase;
	struct kylo_keys keys;
	char token[64];
	size_t token_len;
};

/*
 * The last ServerHello and its parsed key. With the default key_mode
 * `rotate` every connection gets the same key for a minute; parsing the
 * PEM once instead of per connection keeps the generator's share of the
 * handshake to the OAEP encryption the protocol needs.
 */
static uint8_t last_hello[KYLO_HELLO_PEM_MAX + 2];
static size_t last_hello_len;
static EVP_PKEY *last_key;

static EVP_PKEY *server_key(const uint8_t *hello, size_t len)
{
	if (last_key && len == last_hello_len && memcmp(hello, last_hello, len) == 0)
		return last_key;
	EVP_PKEY *key = NULL;
	if (kylo_hello_parse(hello, len, &key) != 0)
		return NULL;
	EVP_PKEY_free(last_key);
	last_key = key;
	memcpy(last_hello, hello, len);
	last_hello_len = len;
	return key;
}

/* proto_kylochat_fini - see proto.h. */
void proto_kylochat_fini(void)
{
	EVP_PKEY_free(last_key);
	last_key = NULL;
	last_hello_len = 0;
}

/* Seal `plain` as a frame of `kind` and write it. */
static int send_frame(struct bclient *c, unsigned kind, const uint8_t *plain, size_t n)
{
	struct kstate *s = c->st;
	uint8_t iv[KYLO_IV_LEN], out[1024];
	size_t len;
	if (RAND_bytes(iv, sizeof(iv)) != 1 ||
	    kylo_frame_seal(&s->keys, kind, iv, plain, n, out, sizeof(out), &len) != 0)
		return -EPROTO;
	return bclient_write(c, out, len);
}

/* ServerHello -> KeyBlock1 || KeyBlock2 || SF(username), in one write:
 * the original client sends them back to back without waiting. */
static long on_hello(struct bclient *c, const uint8_t *data, size_t len)
{
	struct kstate *s = c->st;
	size_t total;
	if (kylo_hello_size(data, len, &total) != 0)
		return -EPROTO;
	if (total == 0 || len < total)
		return 0;
	EVP_PKEY *pub = server_key(data, total);
	uint8_t out[KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN + 256], iv[KYLO_IV_LEN];
	size_t user_len = strlen(c->user), n;
	if (!pub || kylo_client_handshake(proto_host(), pub, &s->keys, out) != 0 ||
	    RAND_bytes(iv, sizeof(iv)) != 1 ||
	    kylo_frame_seal(&s->keys, KYLO_SHORT, iv, (const uint8_t *)c->user, user_len,
		    out + KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN,
		    sizeof(out) - KYLO_KEYBLOCK1_LEN - KYLO_KEYBLOCK2_LEN, &n) != 0)
		return -EPROTO;
	int rc = bclient_write(c, out, KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN + n);
	s->phase = K_USER;
	return rc < 0 ? rc : (long)total;
}

/* One chat-phase unit: STATUS (ignored) or MESSAGE (a notice when it
 * comes from SERVER). */
static long on_unit(struct bclient *c, const uint8_t *data, size_t len)
{
	struct kstate *s = c->st;
	if (data[0] == KYLO_UNIT_STATUS)
		return len < KYLO_STATUS_LEN ? 0 : KYLO_STATUS_LEN;
	if (data[0] != KYLO_UNIT_MESSAGE)
		return -EPROTO;
	size_t t1, t2;
	if (kylo_frame_header(data + 1, len - 1, KYLO_SHORT, 65536, &t1) != 0)
		return -EPROTO;
	if (t1 == 0 || len < 1 + t1)
		return 0;
	if (kylo_frame_header(data + 1 + t1, len - 1 - t1, KYLO_INT, 1u << 20, &t2) != 0)
		return -EPROTO;
	if (t2 == 0 || len < 1 + t1 + t2)
		return 0;
	uint8_t sender[512], body[65536];
	size_t sender_len, body_len;
	if (kylo_frame_open(&s->keys, data + 1 + KYLO_SHORT, t1 - KYLO_SHORT, sender,
		    sizeof(sender), &sender_len) != 0 ||
	    kylo_frame_open(&s->keys, data + 1 + t1 + KYLO_INT, t2 - KYLO_INT, body,
		    sizeof(body), &body_len) != 0)
		return -EPROTO;
	if (sender_len == strlen(KYLO_SERVER_NAME) &&
	    memcmp(sender, KYLO_SERVER_NAME, sender_len) == 0)
		bclient_notice(c);
	else
		bclient_message(c, body, body_len);
	return (long)(1 + t1 + t2);
}

static long k_input(struct bclient *c, const uint8_t *data, size_t len)
{
	struct kstate *s = c->st;
	switch (s->phase) {
	case K_HELLO:
		return on_hello(c, data, len);
	case K_USER:
		if (data[0] != KYLO_LOGIN_OK)
			return -EACCES;
		s->phase = K_PASS;
		bclient_handshake_done(c);
		if (!c->closing && !c->stop_at_handshake) {
			int rc = send_frame(c, KYLO_SHORT, (const uint8_t *)c->password,
				strlen(c->password));
			if (rc < 0)
				return rc;
		}
		return 1;
	case K_PASS:
		if (data[0] != KYLO_LOGIN_OK)
			return -EACCES;
		s->phase = K_TOKEN;
		return 1;
	case K_TOKEN: {
		size_t total, n;
		if (kylo_frame_header(data, len, KYLO_SHORT, 4096, &total) != 0)
			return -EPROTO;
		if (total == 0 || len < total)
			return 0;
		if (kylo_frame_open(&s->keys, data + KYLO_SHORT, total - KYLO_SHORT,
			    (uint8_t *)s->token, sizeof(s->token), &n) != 0)
			return -EPROTO;
		s->token_len = n;
		s->phase = K_CHAT;
		bclient_ready(c);
		return (long)total;
	}
	default:
		return on_unit(c, data, len);
	}
}

static int k_send(struct bclient *c, const uint8_t *body, size_t len)
{
	struct kstate *s = c->st;
	uint8_t plain[600];
	if (s->phase != K_CHAT || s->token_len + len > sizeof(plain))
		return -EINVAL;
	memcpy(plain, s->token, s->token_len);
	memcpy(plain + s->token_len, body, len);
	return send_frame(c, KYLO_INT, plain, s->token_len + len);
}

static void k_release(struct bclient *c)
{
	struct kstate *s = c->st;
	kylo_keys_wipe(proto_host(), &s->keys);
}

const struct bench_proto proto_kylochat = {
	.name = "kylochat",
	.state_size = sizeof(struct kstate),
	/* max_payload 500 less the 36-byte token (kylochat.md §4.4). */
	.max_body = 464,
	.start = NULL,
	.input = k_input,
	.send = k_send,
	.release = k_release,
};
