/* SPDX-License-Identifier: MIT */
/* A scripted pyChat client for integration tests: the original client's bytes and reads, and wrong ones on purpose. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "py-peer.h"
#include "tests/stubs/stub-host.h"

#define DATE "2020-05-09 12:41:54.123456"
#define ME "127.0.0.1"
/* Larger than anything the tests make the server send. */
#define FRAME_CAP (8u << 20)

/* recv() at most `len` bytes within the bound: the count, 0 on EOF or
 * reset (a server that closes with our bytes unread resets), -1 on
 * timeout or another error. */
static ssize_t recv_some(int fd, uint8_t *out, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ready = poll(&pfd, 1, H_TIMEOUT_MS);
	if (ready <= 0)
		return -1;
	ssize_t n = recv(fd, out, len, 0);
	if (n < 0 && errno == ECONNRESET)
		return 0;
	return n < 0 ? -1 : n;
}

/* The original's read: recv(10) until at least `want` bytes; returns
 * how many came (more than `want` is the over-read), or -1. */
static ssize_t read_like_original(int fd, uint8_t *out, size_t cap, size_t want)
{
	size_t got = 0;
	while (got < want) {
		if (cap - got < 10)
			return -1;
		ssize_t n = recv_some(fd, out + got, 10);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int open_payload(struct py_peer *p, const uint8_t *payload, size_t n,
	struct pychat_envelope *env)
{
	int clear = pychat_payload_is_clear(payload, n);
	int rc = clear ? pychat_open_clear(stub_host(), payload, n, 1, env) :
		pychat_open_sealed(stub_host(), p->key, p->iv, payload, n, 1, env);
	if (rc != 0)
		fprintf(stderr, "py-peer: a %s frame of %zu bytes does not open: %.*s\n",
			clear ? "clear" : "sealed", n, (int)(n < 200 ? n : 200), (const char *)payload);
	return rc == 0 ? 0 : -1;
}

int pp_read(struct py_peer *p, struct pychat_envelope *env)
{
	uint8_t header[PYCHAT_HEADER_LEN + 10];
	size_t n;
	/* One recv(10) for the header, looping only over short reads. */
	ssize_t got = read_like_original(p->fd, header, sizeof(header), PYCHAT_HEADER_LEN);
	if (got < 0)
		return -1;
	if (got != PYCHAT_HEADER_LEN || pychat_header_parse(header, FRAME_CAP, &n) != 0) {
		fprintf(stderr, "py-peer: bad header '%.*s'\n", (int)got, (const char *)header);
		return -1;
	}
	uint8_t *payload = malloc(n + 10);
	if (!payload)
		return -1;
	got = read_like_original(p->fd, payload, n + 10, n);
	int rc = -1;
	if (got >= 0 && (size_t)got > n) {
		p->over_read = 1;
		fprintf(stderr, "py-peer: over-read: %zd bytes for a %zu-byte payload\n", got, n);
	} else if (got >= 0) {
		p->last_n = n;
		rc = open_payload(p, payload, n, env);
	}
	free(payload);
	return rc;
}

void pp_free(struct pychat_envelope *env)
{
	pychat_envelope_free(stub_host(), env);
}

int pp_send_raw(struct py_peer *p, const void *data, size_t len)
{
	const uint8_t *b = data;
	while (len > 0) {
		ssize_t n = send(p->fd, b, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int pp_send_payload(struct py_peer *p, const void *payload, size_t len)
{
	uint8_t header[PYCHAT_HEADER_LEN];
	pychat_header_format(len, header);
	uint8_t *frame = malloc(sizeof(header) + len);
	if (!frame)
		return -1;
	memcpy(frame, header, sizeof(header));
	memcpy(frame + sizeof(header), payload, len);
	int rc = pp_send_raw(p, frame, sizeof(header) + len);
	free(frame);
	return rc;
}

static struct pychat_envelope envelope(const char *user, const char *typ, const char *cont)
{
	return (struct pychat_envelope){
		.shost = ME, .shost_len = strlen(ME),
		.dhost = ME, .dhost_len = strlen(ME),
		.username = user, .username_len = strlen(user),
		.date = DATE, .date_len = strlen(DATE),
		.cont = cont, .cont_len = strlen(cont), .cont_type = PC_JSON_STRING,
		.typ = typ, .typ_len = strlen(typ),
	};
}

int pp_open(struct py_peer *p, int port)
{
	memset(p, 0, sizeof(*p));
	p->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		return -1;
	/* §6.5: the first frame's cont is the IV, the second's the server's
	 * value, whatever their types say. */
	size_t n = 0;
	if (pp_read(p, &p->iv_frame) != 0)
		return -1;
	p->iv_frame_n = p->last_n;
	if (pp_read(p, &p->key_frame) != 0)
		return -1;
	p->key_frame_n = p->last_n;
	if (pc_b64_decode(p->iv_frame.cont, p->iv_frame.cont_len, p->iv, &n) != 0 ||
	    n != PYCHAT_IV_LEN || p->key_frame.cont_len > PYCHAT_DH_DIGITS)
		return -1;
	memcpy(p->server_pub, p->key_frame.cont, p->key_frame.cont_len + 1);
	return 0;
}

int pp_send_key(struct py_peer *p, const char *value)
{
	struct pychat_envelope env = envelope("temp", PYCHAT_T_KEY, value);
	uint8_t *frame;
	size_t len;
	if (pychat_frame_clear(stub_host(), &env, 0, &frame, &len) != 0)
		return -1;
	int rc = pp_send_raw(p, frame, len);
	stub_host()->free(frame);
	return rc;
}

int pp_connect(struct py_peer *p, int port)
{
	if (pp_open(p, port) != 0 || pychat_dh_generate(&p->dh) != 0 ||
	    pychat_dh_derive(&p->dh, p->server_pub, strlen(p->server_pub), p->key) != 0)
		return -1;
	return pp_send_key(p, p->dh.pub);
}

int pp_send(struct py_peer *p, const char *user, const char *typ, const char *cont)
{
	struct pychat_envelope env = envelope(user, typ, cont);
	uint8_t *frame;
	size_t len;
	if (pychat_frame_sealed(stub_host(), p->key, p->iv, &env, 0, &frame, &len) != 0)
		return -1;
	int rc = pp_send_raw(p, frame, len);
	stub_host()->free(frame);
	return rc;
}

static int matches(const char *want, const char *got)
{
	return !want || strcmp(want, got) == 0;
}

int pp_expect(struct py_peer *p, const char *typ, const char *user, const char *cont)
{
	struct pychat_envelope env;
	if (pp_read(p, &env) != 0) {
		fprintf(stderr, "py-peer: expected %s from %s, got nothing\n", typ, user);
		return -1;
	}
	int ok = matches(typ, env.typ) && matches(user, env.username) &&
		(!cont || (env.cont_type == PC_JSON_STRING && strlen(cont) == env.cont_len &&
			memcmp(cont, env.cont, env.cont_len) == 0));
	if (!ok)
		fprintf(stderr, "py-peer: expected %s/%s/'%s', got %s/%s/'%s'\n", typ, user,
			cont ? cont : "*", env.typ, env.username, env.cont);
	pp_free(&env);
	return ok ? 0 : -1;
}

int pp_register(struct py_peer *p, const char *name)
{
	struct pychat_envelope env;
	if (pp_send(p, "temp", PYCHAT_T_SETUSER, name) != 0 || pp_read(p, &env) != 0)
		return -1;
	int rc = -1;
	/* The original client decides by the text alone (§6.2). */
	if (strcmp(env.cont, PYCHAT_TAKEN_TEXT) == 0 && strcmp(env.typ, PYCHAT_T_TAKEN) == 0)
		rc = 1;
	else if (strcmp(env.cont, PYCHAT_APPROVED_TEXT) == 0 &&
		 strcmp(env.typ, PYCHAT_T_APPROVED) == 0)
		rc = 0;
	else
		fprintf(stderr, "py-peer: setuser answered %s '%s'\n", env.typ, env.cont);
	pp_free(&env);
	return rc;
}

int pp_join(struct py_peer *p, int port, const char *name)
{
	return pp_connect(p, port) == 0 && pp_register(p, name) == 0 ? 0 : -1;
}

int pp_expect_eof(struct py_peer *p)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t n = recv_some(p->fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
	}
}

void pp_close(struct py_peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	pp_free(&p->iv_frame);
	pp_free(&p->key_frame);
	pychat_dh_clear(&p->dh);
}
