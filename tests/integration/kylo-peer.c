/* SPDX-License-Identifier: MIT */
/* A scripted KyloChat client for integration tests: the original client's bytes, and wrong ones on purpose. */
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "kylo-peer.h"

int kp_connect(struct kylo_peer *p, int port)
{
	uint8_t hello[KYLO_HELLO_PEM_MAX + 2], blocks[KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN];
	uint8_t iv[KYLO_IV_LEN];
	size_t total;
	EVP_PKEY *pub = NULL;

	memset(p, 0, sizeof(*p));
	if (h_connect(&p->c, port) != 0 || h_read(&p->c, hello, 2, H_TIMEOUT_MS) != 0 ||
	    kylo_hello_size(hello, 2, &total) != 0 ||
	    h_read(&p->c, hello + 2, total - 2, H_TIMEOUT_MS) != 0 ||
	    kylo_hello_parse(hello, total, &pub) != 0)
		return -1;
	int rc = RAND_bytes(p->keys.enc, sizeof(p->keys.enc)) == 1 &&
		RAND_bytes(p->keys.mac, sizeof(p->keys.mac)) == 1 &&
		RAND_bytes(iv, sizeof(iv)) == 1 &&
		kylo_keyblock1_build(pub, p->keys.enc, KYLO_KEY_LEN, blocks) == 0 &&
		kylo_keyblock2_build(&p->keys, iv, blocks + KYLO_KEYBLOCK1_LEN) == 0 &&
		h_send(&p->c, blocks, sizeof(blocks)) == 0 ? 0 : -1;
	EVP_PKEY_free(pub);
	return rc;
}

size_t kp_seal(struct kylo_peer *p, unsigned kind, const void *data, size_t len,
	uint8_t *out, size_t cap)
{
	uint8_t iv[KYLO_IV_LEN];
	size_t n = 0;
	if (RAND_bytes(iv, sizeof(iv)) != 1 ||
	    kylo_frame_seal(&p->keys, kind, iv, data, len, out, cap, &n) != 0)
		return 0;
	return n;
}

int kp_send(struct kylo_peer *p, unsigned kind, const void *data, size_t len)
{
	uint8_t out[70000];
	size_t n = kp_seal(p, kind, data, len, out, sizeof(out));
	return n ? h_send(&p->c, out, n) : -1;
}

int kp_byte(struct kylo_peer *p, uint8_t *b)
{
	return h_read(&p->c, b, 1, H_TIMEOUT_MS);
}

int kp_frame(struct kylo_peer *p, unsigned kind, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t prefix[4], frame[70000];
	size_t total;
	if (h_read(&p->c, prefix, kind, H_TIMEOUT_MS) != 0 ||
	    kylo_frame_header(prefix, kind, kind, sizeof(frame), &total) != 0 ||
	    h_read(&p->c, frame, total - kind, H_TIMEOUT_MS) != 0)
		return -1;
	return kylo_frame_open(&p->keys, frame, total - kind, out, cap, len) == 0 ? 0 : -1;
}

int kp_login(struct kylo_peer *p, const char *user, const char *password)
{
	uint8_t b, token[128];
	size_t n;
	if (kp_send(p, KYLO_SHORT, user, strlen(user)) != 0 || kp_byte(p, &b) != 0)
		return -1;
	if (b == KYLO_LOGIN_FAILED)
		return 1;
	if (b != KYLO_LOGIN_OK || kp_send(p, KYLO_SHORT, password, strlen(password)) != 0 ||
	    kp_byte(p, &b) != 0)
		return -1;
	if (b == KYLO_LOGIN_FAILED)
		return 2;
	if (b != KYLO_LOGIN_OK || kp_frame(p, KYLO_SHORT, token, sizeof(token), &n) != 0 ||
	    n >= sizeof(p->token))
		return -1;
	memcpy(p->token, token, n);
	p->token[n] = '\0';
	return 0;
}

int kp_join(struct kylo_peer *p, int port, const char *user, const char *password)
{
	if (kp_connect(p, port) != 0)
		return -1;
	return kp_login(p, user, password) == 0 ? 0 : -1;
}

int kp_say_raw(struct kylo_peer *p, const void *body, size_t len)
{
	uint8_t plain[70000];
	size_t t = strlen(p->token);
	if (t + len > sizeof(plain))
		return -1;
	memcpy(plain, p->token, t);
	memcpy(plain + t, body, len);
	return kp_send(p, KYLO_INT, plain, t + len);
}

int kp_say(struct kylo_peer *p, const char *text)
{
	return kp_say_raw(p, text, strlen(text));
}

int kp_unit(struct kylo_peer *p, struct kylo_unit *u)
{
	uint8_t type, code[2];
	size_t n;
	memset(u, 0, sizeof(*u));
	if (kp_byte(p, &type) != 0)
		return -1;
	u->type = type;
	if (type == KYLO_UNIT_STATUS) {
		if (h_read(&p->c, code, 2, H_TIMEOUT_MS) != 0)
			return -1;
		u->status = (uint16_t)(code[0] | code[1] << 8);
		return 0;
	}
	if (type != KYLO_UNIT_MESSAGE ||
	    kp_frame(p, KYLO_SHORT, (uint8_t *)u->sender, sizeof(u->sender) - 1, &n) != 0)
		return -1;
	u->sender[n] = '\0';
	return kp_frame(p, KYLO_INT, u->body, sizeof(u->body), &u->body_len);
}

static void print_unit(const char *want, const struct kylo_unit *u, int rc)
{
	if (rc != 0)
		fprintf(stderr, "wanted %s, got EOF/timeout/bad unit\n", want);
	else if (u->type == KYLO_UNIT_STATUS)
		fprintf(stderr, "wanted %s, got STATUS %u\n", want, u->status);
	else
		fprintf(stderr, "wanted %s, got MESSAGE <%s> %.*s\n", want, u->sender,
			(int)u->body_len, (const char *)u->body);
}

int kp_expect_status(struct kylo_peer *p, uint16_t code)
{
	struct kylo_unit u;
	int rc = kp_unit(p, &u);
	if (rc == 0 && u.type == KYLO_UNIT_STATUS && u.status == code)
		return 0;
	char want[32];
	snprintf(want, sizeof(want), "STATUS %u", code);
	print_unit(want, &u, rc);
	return -1;
}

int kp_expect_message(struct kylo_peer *p, const char *sender, const char *text)
{
	struct kylo_unit u;
	int rc = kp_unit(p, &u);
	if (rc == 0 && u.type == KYLO_UNIT_MESSAGE && strcmp(u.sender, sender) == 0 &&
	    u.body_len == strlen(text) && memcmp(u.body, text, u.body_len) == 0)
		return 0;
	char want[600];
	snprintf(want, sizeof(want), "MESSAGE <%s> %s", sender, text);
	print_unit(want, &u, rc);
	return -1;
}

void kp_close(struct kylo_peer *p)
{
	h_close(&p->c);
	OPENSSL_cleanse(&p->keys, sizeof(p->keys));
}

const char *kp_login_notice(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "\x1b[32m%s\x1b[39m logged in \xf0\x9f\x91\x8b", name);
	return buf;
}

int kp_pair(int port, struct kylo_peer *a, struct kylo_peer *b)
{
	char text[256];
	if (kp_join(a, port, "alice", "alice-pw") != 0 || kp_join(b, port, "bob", "bob-pw") != 0) {
		fprintf(stderr, "alice and bob could not both log in\n");
		return -1;
	}
	return kp_expect_message(a, "SERVER", kp_login_notice("bob", text, sizeof(text)));
}
