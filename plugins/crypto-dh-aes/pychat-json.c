/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: the JSON envelope (pychat.md §3) on the shared JSON reader and writer. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <polychat/status.h>

#include "pychat-json.h"

/* --- the envelope --- */

static const char *const members[] = { "shost", "dhost", "username", "date", "cont", "typ" };
#define N_MEMBERS (sizeof(members) / sizeof(members[0]))
#define CONT 4

/* What the walk collected: each member's decoded string (or, for a
 * non-string cont, a copy of its JSON text). */
struct collected {
	const struct polychat_host *host;
	char *value[N_MEMBERS];
	size_t len[N_MEMBERS];
	int type[N_MEMBERS];
	int should_parse;
};

static int collect(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *v)
{
	struct collected *c = arg;
	if (key_len == 19 && memcmp(key, "shouldParseContents", 19) == 0) {
		c->should_parse = v->type == PC_JSON_TRUE;
		return 0;
	}
	size_t i = 0;
	while (i < N_MEMBERS && (strlen(members[i]) != key_len || memcmp(members[i], key, key_len)))
		i++;
	if (i == N_MEMBERS)
		return 0;
	const char *src = v->type == PC_JSON_STRING ? v->str : v->raw;
	size_t len = v->type == PC_JSON_STRING ? v->str_len : v->raw_len;
	char *copy = c->host->alloc(len + 1);
	if (!copy)
		return POLYCHAT_ENOMEM;
	memcpy(copy, src, len);
	copy[len] = '\0';
	if (c->value[i])
		c->host->wipe_free(c->value[i], c->len[i] + 1);
	c->value[i] = copy;
	c->len[i] = len;
	c->type[i] = v->type;
	return 0;
}

struct owned_strings {
	char *value[N_MEMBERS];
	size_t len[N_MEMBERS];
};

int pychat_envelope_parse(const struct polychat_host *host, const char *text, size_t len,
	int cont_any, struct pychat_envelope *env)
{
	struct collected c = { .host = host };
	int rc = pc_json_object(host, text, len, collect, &c);
	for (size_t i = 0; rc == 0 && i < N_MEMBERS; i++)
		if (!c.value[i] || (c.type[i] != PC_JSON_STRING && !(i == CONT && cont_any)))
			rc = POLYCHAT_EPROTO;
	struct owned_strings *own = NULL;
	if (rc == 0 && !(own = host->alloc(sizeof(*own))))
		rc = POLYCHAT_ENOMEM;
	if (rc != 0) {
		for (size_t i = 0; i < N_MEMBERS; i++)
			if (c.value[i])
				host->wipe_free(c.value[i], c.len[i] + 1);
		return rc;
	}
	memcpy(own->value, c.value, sizeof(own->value));
	memcpy(own->len, c.len, sizeof(own->len));
	*env = (struct pychat_envelope){
		.shost = c.value[0], .shost_len = c.len[0],
		.dhost = c.value[1], .dhost_len = c.len[1],
		.username = c.value[2], .username_len = c.len[2],
		.date = c.value[3], .date_len = c.len[3],
		.cont = c.value[4], .cont_len = c.len[4],
		.typ = c.value[5], .typ_len = c.len[5],
		.cont_type = c.type[CONT] == PC_JSON_STRING ? PC_JSON_STRING :
			c.type[CONT] == PC_JSON_OBJECT ? PC_JSON_OBJECT : PC_JSON_OTHER,
		.should_parse = c.should_parse,
		.owned = own,
	};
	return 0;
}

void pychat_envelope_free(const struct polychat_host *host, struct pychat_envelope *env)
{
	struct owned_strings *own = env->owned;
	if (!own)
		return;
	for (size_t i = 0; i < N_MEMBERS; i++)
		host->wipe_free(own->value[i], own->len[i] + 1);
	host->free(own);
	env->owned = NULL;
}

static void member(struct pc_buf *b, const char *key, const char *value, size_t len)
{
	pc_buf_adds(b, "\"");
	pc_buf_adds(b, key);
	pc_buf_adds(b, "\": ");
	pc_json_string(b, value, len);
	pc_buf_adds(b, ", ");
}

void pychat_envelope_write(struct pc_buf *b, const struct pychat_envelope *env)
{
	pc_buf_adds(b, "{");
	member(b, "shost", env->shost, env->shost_len);
	member(b, "dhost", env->dhost, env->dhost_len);
	member(b, "username", env->username, env->username_len);
	member(b, "date", env->date, env->date_len);
	if (env->cont_type == PC_JSON_STRING) {
		member(b, "cont", env->cont, env->cont_len);
	} else {
		pc_buf_adds(b, "\"cont\": ");
		pc_buf_add(b, env->cont, env->cont_len);
		pc_buf_adds(b, ", ");
	}
	member(b, "typ", env->typ, env->typ_len);
	pc_buf_adds(b, env->should_parse ? "\"shouldParseContents\": true}" :
		"\"shouldParseContents\": false}");
}

void pychat_date(int64_t sec, long usec, char out[32])
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	int n = snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (usec > 0 && n > 0 && n < 24)
		snprintf(out + n, (size_t)(32 - n), ".%06ld", usec % 1000000);
}
