/* SPDX-License-Identifier: MIT */
/* A scripted e2ee-chat client for integration tests: the original client's frames and its one-recv()-per-response reads. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "e2ee-peer.h"
#include "harness.h"
#include "tests/stubs/stub-host.h"

static EVP_PKEY *shared_rsa;

static EVP_PKEY *test_rsa(void)
{
	if (!shared_rsa && xg_rsa_generate(E2EE_RSA_BITS, &shared_rsa) != 0)
		shared_rsa = NULL;
	return shared_rsa;
}

int ep_identity(struct ep_identity *id, const char *phone)
{
	memset(id, 0, sizeof(*id));
	snprintf(id->phone, sizeof(id->phone), "%s", phone);
	id->rsa = test_rsa();
	if (!id->rsa || xg_x25519_generate(id->dh_priv, id->dh_pub) != 0)
		return -1;
	return xg_rsa_public_pem(stub_host(), id->rsa, &id->pem, &id->pem_len) == 0 ? 0 : -1;
}

void ep_identity_free(struct ep_identity *id)
{
	stub_host()->free(id->pem);
	id->pem = NULL;
}

int ep_write_private_key(const char *path)
{
	EVP_PKEY *key = test_rsa();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok = key && f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (f)
		ok = fclose(f) == 0 && ok;
	else if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

int ep_connect(struct ep_conn *c, int port)
{
	struct h_client hc;
	if (h_connect(&hc, port) != 0)
		return -1;
	c->fd = hc.fd;
	return 0;
}

void ep_close(struct ep_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int ep_send_raw(struct ep_conn *c, const void *data, size_t len)
{
	return send(c->fd, data, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int ep_send(struct ep_conn *c, uint16_t code, const char *phone, const void *a,
	size_t alen, const void *b, size_t blen)
{
	uint8_t frame[8192];
	long n = e2ee_request_build(frame, sizeof(frame), code, phone, a, alen, b, blen);
	if (n < 0) {
		fprintf(stderr, "e2ee-peer: cannot build request %u: %ld\n", (unsigned)code, n);
		return -1;
	}
	return ep_send_raw(c, frame, (size_t)n);
}

int ep_read(struct ep_conn *c, struct ep_frame *f)
{
	uint8_t buf[E2EE_PACKET_MAX];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	if (poll(&pfd, 1, H_TIMEOUT_MS) <= 0) {
		fprintf(stderr, "e2ee-peer: no response within the bound\n");
		return -1;
	}
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
	if (n <= 0) {
		fprintf(stderr, "e2ee-peer: connection closed while a response was due\n");
		return -1;
	}
	const uint8_t *payload;
	long frame = e2ee_response_parse(buf, (size_t)n, &f->code, &payload, &f->len);
	if (frame != n) {
		fprintf(stderr, "e2ee-peer: one recv() got %zd bytes, not one frame (%ld)\n",
			n, frame);
		return -1;
	}
	memcpy(f->payload, payload, f->len);
	return 0;
}

int ep_expect(struct ep_conn *c, uint16_t code)
{
	struct ep_frame f;
	if (ep_read(c, &f) != 0)
		return -1;
	if (f.code != code) {
		fprintf(stderr, "e2ee-peer: expected %u, got %u\n", (unsigned)code,
			(unsigned)f.code);
		return -1;
	}
	return 0;
}

int ep_expect_eof(struct ep_conn *c)
{
	uint8_t buf[E2EE_PACKET_MAX];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	if (poll(&pfd, 1, H_TIMEOUT_MS) <= 0) {
		fprintf(stderr, "e2ee-peer: the server did not close\n");
		return -1;
	}
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
	if (n > 0) {
		fprintf(stderr, "e2ee-peer: %zd bytes where a close was due\n", n);
		return -1;
	}
	return n == 0 || errno == ECONNRESET ? 0 : -1;
}

int ep_register(struct ep_conn *c, int port, const struct ep_identity *id)
{
	struct ep_frame f;
	if (ep_connect(c, port) != 0 ||
	    ep_send(c, E2EE_REQ_REGISTER, id->phone, NULL, 0, NULL, 0) != 0 ||
	    ep_read(c, &f) != 0 || f.code != E2EE_RESP_REGISTRATION || f.len != 4)
		return -1;
	/* The original echoes the code at once (§5.1). */
	if (ep_send(c, E2EE_REQ_OTP, id->phone, f.payload, 4, NULL, 0) != 0 ||
	    ep_expect(c, E2EE_RESP_OTP_OK) != 0)
		return -1;
	if (ep_send(c, E2EE_REQ_SEND_PUBLIC_KEYS, id->phone, id->dh_pub,
			sizeof(id->dh_pub), id->pem, id->pem_len) != 0)
		return -1;
	return ep_expect(c, E2EE_RESP_KEYS_SET);
}

int ep_login(struct ep_conn *c, int port, const struct ep_identity *id,
	struct ep_frame *f)
{
	struct ep_frame scratch;
	if (!f)
		f = &scratch;
	if (ep_connect(c, port) != 0 ||
	    ep_send(c, E2EE_REQ_LOGIN, id->phone, NULL, 0, NULL, 0) != 0 ||
	    ep_read(c, f) != 0)
		return -1;
	return f->code == E2EE_RESP_LOGIN || f->code == E2EE_RESP_MESSAGE ? 0 : -1;
}

int ep_message(struct ep_conn *c, const struct ep_identity *from,
	const struct ep_identity *to, const char *text)
{
	uint8_t blob[E2EE_PACKET_MAX];
	uint8_t phone[E2EE_PHONE_LEN];
	long n = e2ee_blob_seal(from->dh_priv, from->rsa, to->dh_pub, NULL, NULL,
		(const uint8_t *)text, strlen(text), blob);
	if (n < 0)
		return -1;
	e2ee_phone_field(phone, to->phone);
	if (ep_send(c, E2EE_REQ_MESSAGE, from->phone, phone, sizeof(phone), blob,
			(size_t)n) != 0)
		return -1;
	return ep_expect(c, E2EE_RESP_MESSAGE_SENT);
}

int ep_open_message(const struct ep_frame *f, const struct ep_identity *me,
	const struct ep_identity *from, char *out, size_t cap)
{
	uint8_t phone[E2EE_PHONE_LEN];
	e2ee_phone_field(phone, from->phone);
	if (f->code != E2EE_RESP_MESSAGE || f->len < E2EE_PHONE_LEN ||
	    memcmp(f->payload, phone, sizeof(phone)) != 0 ||
	    f->len - E2EE_PHONE_LEN < E2EE_BLOB_MIN ||
	    f->len - E2EE_PHONE_LEN - E2EE_BLOB_MIN >= cap)
		return -1;
	long n = e2ee_blob_open(me->dh_priv, from->dh_pub, from->rsa,
		f->payload + E2EE_PHONE_LEN, f->len - E2EE_PHONE_LEN, (uint8_t *)out);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return 0;
}
