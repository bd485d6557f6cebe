/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: the JSON envelope (pychat.md §3), read strictly and written as Python's json.dumps does. */
#ifndef PYCHAT_JSON_H
#define PYCHAT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

#include "../common/pc-json.h"

/*
 * The envelope (§3). Strings are decoded UTF-8 and NUL-terminated; `cont`
 * is either a string (cont_type STRING) or, for the server's `help`
 * reply, another JSON value given as its text. Parsed envelopes own
 * their strings (pychat_envelope_free); envelopes to be written may
 * borrow them.
 */
struct pychat_envelope {
	const char *shost, *dhost, *username, *date, *cont, *typ;
	size_t shost_len, dhost_len, username_len, date_len, cont_len, typ_len;
	int cont_type;   /* enum pc_json_type */
	int should_parse;
	void *owned;     /* what pychat_envelope_parse allocated */
};

/*
 * Parse a payload: a JSON object with at least the six members shost,
 * dhost, username, date, cont and typ (unknown members are dropped;
 * shouldParseContents defaults to false). Hardened (§10): every one of the
 * six must be a string, except `cont` when `cont_any` is set (a client
 * reading the server's help reply). Returns 0, POLYCHAT_EPROTO or
 * POLYCHAT_ENOMEM; on failure *env is untouched.
 */
int pychat_envelope_parse(const struct polychat_host *host, const char *text, size_t len,
	int cont_any, struct pychat_envelope *env);
void pychat_envelope_free(const struct polychat_host *host, struct pychat_envelope *env);

/* Append the canonical serialization: the seven members in order,
 * json.dumps spacing, ASCII only. A non-string cont is copied as given. */
void pychat_envelope_write(struct pc_buf *b, const struct pychat_envelope *env);

/* `out` gets Python's str(datetime.now()) for the local time `sec`.`usec`:
 * "YYYY-MM-DD HH:MM:SS.ffffff", the fraction left out when it is 0. */
void pychat_date(int64_t sec, long usec, char out[32]);

#endif /* PYCHAT_JSON_H */
