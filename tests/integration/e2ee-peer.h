/* SPDX-License-Identifier: MIT */
/* A scripted e2ee-chat client for integration tests: the original client's frames and its one-recv()-per-response reads (e2ee-chat.md §2.3). */
#ifndef E2EE_PEER_H
#define E2EE_PEER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "plugins/crypto-x25519-gcm/e2ee-blob.h"
#include "plugins/crypto-x25519-gcm/e2ee-wire.h"

/* A client identity: its phone and its two long-term keys (§7.1). */
struct ep_identity {
	char phone[E2EE_PHONE_LEN + 1];
	uint8_t dh_priv[XG_X25519_LEN], dh_pub[XG_X25519_LEN];
	EVP_PKEY *rsa;  /* RSA-4096, shared by every identity of a run */
	char *pem;      /* its SPKI PEM, as 826 uploads it */
	size_t pem_len;
};

struct ep_conn {
	int fd;
};

/* One response as one recv() got it. */
struct ep_frame {
	uint16_t code;
	uint8_t payload[E2EE_PACKET_MAX];
	size_t len;
};

/* An identity for `phone` with a fresh X25519 key; the RSA key is made
 * once per process (seconds under the sanitizers). 0 or -1. */
int ep_identity(struct ep_identity *id, const char *phone);
void ep_identity_free(struct ep_identity *id);
/* The RSA-4096 test key of this process as a PKCS#8 PEM file at `path`:
 * a server key, so that a daemon need not generate one. 0 or -1. */
int ep_write_private_key(const char *path);

int ep_connect(struct ep_conn *c, int port);
void ep_close(struct ep_conn *c);
/* One request in one write, with `phone` in the header. 0 or -1. */
int ep_send(struct ep_conn *c, uint16_t code, const char *phone, const void *a,
	size_t alen, const void *b, size_t blen);
/* Raw bytes. 0 or -1. */
int ep_send_raw(struct ep_conn *c, const void *data, size_t len);
/*
 * Read one response as the original does: ONE recv(2048), all of it one
 * frame. -1 (with the reason printed) on EOF, timeout, or when the bytes
 * are not exactly one frame: two frames merged in one read fail the test,
 * as they fail the original client.
 */
int ep_read(struct ep_conn *c, struct ep_frame *f);
/* The next response must have `code` (payload not checked). 0 or -1. */
int ep_expect(struct ep_conn *c, uint16_t code);
/* 0 when the server closes within the bound, having sent nothing more. */
int ep_expect_eof(struct ep_conn *c);

/* 825, 831 with the echoed code, 826: a registered, online identity on
 * a new connection. 0 or -1. */
int ep_register(struct ep_conn *c, int port, const struct ep_identity *id);
/* 827 on a new connection; the reply code (1605 or 1608) in *reply and
 * the frame in *f (may be NULL). 0 or -1. */
int ep_login(struct ep_conn *c, int port, const struct ep_identity *id,
	struct ep_frame *f);
/* 829 to `to` with `text` sealed from `from`; 0 when 1609 comes. */
int ep_message(struct ep_conn *c, const struct ep_identity *from,
	const struct ep_identity *to, const char *text);
/* Open a 1608 from `from` to `me`: the text NUL-terminated in out. 0 or
 * -1 (the blob was altered, or not from `from`). */
int ep_open_message(const struct ep_frame *f, const struct ep_identity *me,
	const struct ep_identity *from, char *out, size_t cap);

#endif /* E2EE_PEER_H */
