/* SPDX-License-Identifier: MIT */
/* polychat-bench: the pychat client side (pychat.md §6) on libpychatcodec. */
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include <polychat/status.h>

#include "plugins/crypto-dh-aes/pychat-wire.h"
#include "proto.h"

enum { P_IV, P_KEY, P_REG, P_CHAT };

struct pstate {
	int phase;
	uint8_t iv[PYCHAT_IV_LEN];
	uint8_t key[PYCHAT_KEY_LEN];
};

/* Larger than anything a member is sent in a benchmark. */
#define FRAME_CAP (1u << 20)

static struct pychat_dh my_dh;
static int have_dh;

/* proto_pychat_init - see proto.h. */
int proto_pychat_init(void)
{
	if (have_dh)
		return 0;
	int rc = pychat_dh_generate(&my_dh);
	have_dh = rc == 0;
	return rc;
}

/* proto_pychat_fini - see proto.h. */
void proto_pychat_fini(void)
{
	if (have_dh)
		pychat_dh_clear(&my_dh);
	have_dh = 0;
}

/* An envelope as the original client fills it (§5): its own address on
 * both host members; the date as Python prints it. */
static struct pychat_envelope envelope(const char *user, const char *typ, const char *cont,
	size_t cont_len, char date[32])
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	pychat_date(tv.tv_sec, tv.tv_usec, date);
	return (struct pychat_envelope){
		.shost = "127.0.0.1", .shost_len = 9,
		.dhost = "127.0.0.1", .dhost_len = 9,
		.username = user, .username_len = strlen(user),
		.date = date, .date_len = strlen(date),
		.cont = cont, .cont_len = cont_len, .cont_type = PC_JSON_STRING,
		.typ = typ, .typ_len = strlen(typ),
	};
}

static int send_sealed(struct bclient *c, const char *user, const char *typ,
	const char *cont, size_t cont_len)
{
	struct pstate *s = c->st;
	char date[32];
	struct pychat_envelope env = envelope(user, typ, cont, cont_len, date);
	uint8_t *frame;
	size_t len;
	/* Padded as our client half does (§2.2). */
	if (pychat_frame_sealed(proto_host(), s->key, s->iv, &env, PYCHAT_FRAME_PAD, &frame,
		    &len) != 0)
		return -EPROTO;
	int rc = bclient_write(c, frame, len);
	proto_host()->free(frame);
	return rc;
}

/* The server's key_exc: derive, answer with ours in clear and ask for the
 * name, both at once (polychatd reads frames by their header, so it needs
 * no pause between them as the original server would). */
static int on_server_key(struct bclient *c, const struct pychat_envelope *env)
{
	struct pstate *s = c->st;
	if (pychat_dh_derive(&my_dh, env->cont, env->cont_len, s->key) != 0)
		return -EPROTO;
	char date[32];
	struct pychat_envelope mine = envelope("temp", PYCHAT_T_KEY, my_dh.pub, my_dh.pub_len,
		date);
	uint8_t *frame;
	size_t len;
	if (pychat_frame_clear(proto_host(), &mine, PYCHAT_FRAME_PAD, &frame, &len) != 0)
		return -EPROTO;
	int rc = bclient_write(c, frame, len);
	proto_host()->free(frame);
	if (rc < 0)
		return rc;
	s->phase = P_REG;
	return send_sealed(c, "temp", PYCHAT_T_SETUSER, c->user, strlen(c->user));
}

static int on_frame(struct bclient *c, const uint8_t *payload, size_t n)
{
	struct pstate *s = c->st;
	const struct polychat_host *host = proto_host();
	struct pychat_envelope env;
	int rc;
	if (s->phase == P_IV || s->phase == P_KEY)
		rc = pychat_open_clear(host, payload, n, 1, &env);
	else
		rc = pychat_open_sealed(host, s->key, s->iv, payload, n, 1, &env);
	if (rc != 0)
		return -EPROTO;
	rc = 0;
	switch (s->phase) {
	case P_IV: {
		/* Strict Base64 writes len / 4 * 3 bytes before it trims. */
		uint8_t iv[PYCHAT_IV_B64_LEN / 4 * 3];
		size_t got = 0;
		if (env.cont_len != PYCHAT_IV_B64_LEN ||
		    pc_b64_decode(env.cont, env.cont_len, iv, &got) != 0 ||
		    got != PYCHAT_IV_LEN)
			rc = -EPROTO;
		else
			memcpy(s->iv, iv, PYCHAT_IV_LEN);
		s->phase = P_KEY;
		break;
	}
	case P_KEY:
		rc = on_server_key(c, &env);
		break;
	case P_REG:
		if (strcmp(env.typ, PYCHAT_T_APPROVED) != 0) {
			rc = -EACCES;
			break;
		}
		s->phase = P_CHAT;
		/* No login step: the approval is both. */
		bclient_handshake_done(c);
		bclient_ready(c);
		break;
	default:
		if (strcmp(env.username, PYCHAT_SERVER_NAME) == 0)
			bclient_notice(c);
		else if (env.cont_type == PC_JSON_STRING)
			bclient_message(c, (const uint8_t *)env.cont, env.cont_len);
		break;
	}
	pychat_envelope_free(host, &env);
	return rc;
}

static long p_input(struct bclient *c, const uint8_t *data, size_t len)
{
	size_t n;
	if (len < PYCHAT_HEADER_LEN)
		return 0;
	if (pychat_header_parse(data, FRAME_CAP, &n) != 0)
		return -EPROTO;
	if (len < PYCHAT_HEADER_LEN + n)
		return 0;
	int rc = on_frame(c, data + PYCHAT_HEADER_LEN, n);
	return rc < 0 ? rc : (long)(PYCHAT_HEADER_LEN + n);
}

static int p_send(struct bclient *c, const uint8_t *body, size_t len)
{
	struct pstate *s = c->st;
	if (s->phase != P_CHAT)
		return -EINVAL;
	return send_sealed(c, c->user, PYCHAT_T_DEFAULT, (const char *)body, len);
}

static void p_release(struct bclient *c)
{
	struct pstate *s = c->st;
	proto_host()->wipe(s->key, sizeof(s->key));
}

const struct bench_proto proto_pychat = {
	.name = "pychat",
	.state_size = sizeof(struct pstate),
	/* Well inside the default max_frame of 64 KiB once sealed. */
	.max_body = 16384,
	.start = NULL,
	.input = p_input,
	.send = p_send,
	.release = p_release,
};
