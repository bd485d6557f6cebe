/* SPDX-License-Identifier: MIT */
/* pychat's codec against pychat.md §9: DH, key derivation, CFB8, headers, the JSON envelope, whole frames. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <polychat/status.h>

#include "plugins/crypto-dh-aes/pychat-wire.h"
#include "tests/stubs/stub-host.h"
#include "../check-run.h"
#include "pychat-vectors.h"

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		ck_assert(sscanf(hex + 2 * i, "%2x", &v) == 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void dh_of(struct pychat_dh *dh, const char *x_hex)
{
	uint8_t x[64];
	size_t n = unhex(x_hex, x);
	ck_assert_int_eq(pychat_dh_from_private(dh, x, n), 0);
}

static void iv_of(uint8_t iv[PYCHAT_IV_LEN])
{
	ck_assert_uint_eq(unhex(V_IV_HEX, iv), PYCHAT_IV_LEN);
}

/* An envelope borrowing the given strings, dated as the vectors are. */
static struct pychat_envelope envelope(const char *dhost, const char *user,
	const char *cont, const char *typ)
{
	return (struct pychat_envelope){
		.shost = V_IP, .shost_len = strlen(V_IP),
		.dhost = dhost, .dhost_len = strlen(dhost),
		.username = user, .username_len = strlen(user),
		.date = V_DATE, .date_len = strlen(V_DATE),
		.cont = cont, .cont_len = strlen(cont), .cont_type = PC_JSON_STRING,
		.typ = typ, .typ_len = strlen(typ),
	};
}

/* The frame "<header><payload>" as text. */
static void frame_is(uint8_t *frame, size_t len, const char *payload)
{
	char header[32];
	snprintf(header, sizeof(header), "%-10zu", strlen(payload));
	ck_assert_uint_eq(len, PYCHAT_HEADER_LEN + strlen(payload));
	ck_assert_mem_eq(frame, header, PYCHAT_HEADER_LEN);
	ck_assert_mem_eq(frame + PYCHAT_HEADER_LEN, payload, strlen(payload));
	stub_host()->free(frame);
}

START_TEST(public_values_match_the_vectors)
{
	struct pychat_dh dh;
	dh_of(&dh, V_X_SERVER);
	ck_assert_str_eq(dh.pub, V_PUB_SERVER);
	ck_assert_uint_eq(dh.pub_len, 617);
	pychat_dh_clear(&dh);
	dh_of(&dh, V_X_ALICE);
	ck_assert_str_eq(dh.pub, V_PUB_ALICE);
	ck_assert_uint_eq(dh.pub_len, 616);
	pychat_dh_clear(&dh);
	dh_of(&dh, V_X_BOB);
	ck_assert_str_eq(dh.pub, V_PUB_BOB);
	pychat_dh_clear(&dh);
	ck_assert_ptr_null(dh.priv);
}
END_TEST

START_TEST(both_sides_derive_the_vector_keys)
{
	struct pychat_dh server, alice, bob;
	uint8_t want_a[PYCHAT_KEY_LEN], want_b[PYCHAT_KEY_LEN], key[PYCHAT_KEY_LEN];
	unhex(V_KEY_A, want_a);
	unhex(V_KEY_B, want_b);
	dh_of(&server, V_X_SERVER);
	dh_of(&alice, V_X_ALICE);
	dh_of(&bob, V_X_BOB);
	ck_assert_int_eq(pychat_dh_derive(&server, V_PUB_ALICE, strlen(V_PUB_ALICE), key), 0);
	ck_assert_mem_eq(key, want_a, PYCHAT_KEY_LEN);
	ck_assert_int_eq(pychat_dh_derive(&alice, V_PUB_SERVER, strlen(V_PUB_SERVER), key), 0);
	ck_assert_mem_eq(key, want_a, PYCHAT_KEY_LEN);
	ck_assert_int_eq(pychat_key_from_text(V_SECRET_A, strlen(V_SECRET_A), key), 0);
	ck_assert_mem_eq(key, want_a, PYCHAT_KEY_LEN);
	ck_assert_int_eq(pychat_dh_derive(&server, V_PUB_BOB, strlen(V_PUB_BOB), key), 0);
	ck_assert_mem_eq(key, want_b, PYCHAT_KEY_LEN);
	ck_assert_int_eq(pychat_dh_derive(&bob, V_PUB_SERVER, strlen(V_PUB_SERVER), key), 0);
	ck_assert_mem_eq(key, want_b, PYCHAT_KEY_LEN);
	pychat_dh_clear(&server);
	pychat_dh_clear(&alice);
	pychat_dh_clear(&bob);
}
END_TEST

START_TEST(generated_keys_agree_and_differ)
{
	struct pychat_dh a, b;
	uint8_t ka[PYCHAT_KEY_LEN], kb[PYCHAT_KEY_LEN];
	ck_assert_int_eq(pychat_dh_generate(&a), 0);
	ck_assert_int_eq(pychat_dh_generate(&b), 0);
	ck_assert_str_ne(a.pub, b.pub);
	ck_assert_uint_eq(strlen(a.pub), a.pub_len);
	ck_assert_int_eq(pychat_dh_derive(&a, b.pub, b.pub_len, ka), 0);
	ck_assert_int_eq(pychat_dh_derive(&b, a.pub, a.pub_len, kb), 0);
	ck_assert_mem_eq(ka, kb, PYCHAT_KEY_LEN);
	pychat_dh_clear(&a);
	pychat_dh_clear(&b);
}
END_TEST

/* p - 1 and p as decimal text. */
#define P_MINUS_1 \
	"323170060713110073003389139264238282488179412411402391128420097514007417" \
	"066343542226196894173635693471179017379097041917546058732091950288537589" \
	"861856221532121754125149017745202702357960782362488842461894775876411059" \
	"286460994117232454266225221932305409190376805242355191256797158701170010" \
	"580558776510388618472802579760549035697325615261670813393617995413364765" \
	"591603683178967290731783845896806396719009772021941686472258710314113364" \
	"293195361934716365332097170774482279885885653692086452966360772502689555" \
	"059283627511211740969729980684105543595848665832916421362182310789909994" \
	"48652468262416972035911852507045361090558"
#define P_ITSELF \
	"323170060713110073003389139264238282488179412411402391128420097514007417" \
	"066343542226196894173635693471179017379097041917546058732091950288537589" \
	"861856221532121754125149017745202702357960782362488842461894775876411059" \
	"286460994117232454266225221932305409190376805242355191256797158701170010" \
	"580558776510388618472802579760549035697325615261670813393617995413364765" \
	"591603683178967290731783845896806396719009772021941686472258710314113364" \
	"293195361934716365332097170774482279885885653692086452966360772502689555" \
	"059283627511211740969729980684105543595848665832916421362182310789909994" \
	"48652468262416972035911852507045361090559"

START_TEST(degenerate_and_malformed_peer_values_are_refused)
{
	struct pychat_dh dh;
	uint8_t key[PYCHAT_KEY_LEN] = { 0 }, zero[PYCHAT_KEY_LEN] = { 0 };
	dh_of(&dh, V_X_SERVER);
	const char *bad[] = { "0", "1", P_MINUS_1, P_ITSELF, "", "012", "-5", "+5", " 5", "5 ",
		"1e9", "12a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pychat_dh_derive(&dh, bad[i], strlen(bad[i]), key) == POLYCHAT_EPROTO,
			"%zu", i);
	char long_value[PYCHAT_DH_DIGITS + 2];
	memset(long_value, '1', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	ck_assert_int_eq(pychat_dh_derive(&dh, long_value, strlen(long_value), key), POLYCHAT_EPROTO);
	ck_assert_mem_eq(key, zero, PYCHAT_KEY_LEN);
	/* The bounds themselves are accepted: 2 and p - 2. */
	ck_assert_int_eq(pychat_dh_derive(&dh, "2", 1, key), 0);
	char p_minus_2[] = P_MINUS_1;
	p_minus_2[strlen(p_minus_2) - 1] = '7';
	ck_assert_int_eq(pychat_dh_derive(&dh, p_minus_2, strlen(p_minus_2), key), 0);
	pychat_dh_clear(&dh);
	uint8_t zero_x = 0;
	ck_assert_int_eq(pychat_dh_from_private(&dh, &zero_x, 1), POLYCHAT_EINVAL);
}
END_TEST

START_TEST(cfb8_matches_the_small_vectors)
{
	uint8_t key[PYCHAT_KEY_LEN], want_key[PYCHAT_KEY_LEN], iv[PYCHAT_IV_LEN];
	uint8_t out[64], want[64];
	iv_of(iv);
	ck_assert_int_eq(pychat_key_from_text("1", 1, key), 0);
	unhex("6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b", want_key);
	ck_assert_mem_eq(key, want_key, PYCHAT_KEY_LEN);

	ck_assert_int_eq(pychat_cfb8(key, iv, 1, (const uint8_t *)"{\"a\": 1}", 8, out), 0);
	unhex("f6b271a33afbeb04", want);
	ck_assert_mem_eq(out, want, 8);
	char b64[16];
	pc_b64_encode(out, 8, b64);
	ck_assert_mem_eq(b64, "9rJxozr76wQ=", 12);

	const char *hello = "Hello, World! 0123456789abcdef";
	ck_assert_int_eq(pychat_cfb8(key, iv, 1, (const uint8_t *)hello, 30, out), 0);
	unhex("c510b33ee5eb34ed61d4a0a4a8fa6918d9adf265c6b4ab9b4e0d1e1fcfb5", want);
	ck_assert_mem_eq(out, want, 30);
	/* Restarted from the IV: decrypting in place gives the text back. */
	ck_assert_int_eq(pychat_cfb8(key, iv, 0, out, 30, out), 0);
	ck_assert_mem_eq(out, hello, 30);
}
END_TEST

START_TEST(headers_parse_strictly)
{
	uint8_t h[PYCHAT_HEADER_LEN];
	size_t n = 0;
	pychat_header_format(189, h);
	ck_assert_mem_eq(h, "189       ", PYCHAT_HEADER_LEN);
	pychat_header_format(0, h);
	ck_assert_mem_eq(h, "0         ", PYCHAT_HEADER_LEN);
	pychat_header_format(1234567890, h);
	ck_assert_mem_eq(h, "1234567890", PYCHAT_HEADER_LEN);

	struct {
		const char *text;
		int rc;
		size_t n;
	} cases[] = {
		{ "189       ", 0, 189 },
		{ "  12 \t    ", 0, 12 },
		{ "\t\t\t\t\t\t\t\t\t7", 0, 7 },
		{ "0000000042", 0, 42 },
		{ "65536     ", 0, 65536 },
		{ "65537     ", POLYCHAT_ETOOBIG, 0 },
		{ "9999999999", POLYCHAT_ETOOBIG, 0 },
		{ "          ", POLYCHAT_EPROTO, 0 },
		{ "+12       ", POLYCHAT_EPROTO, 0 },
		{ "-1        ", POLYCHAT_EPROTO, 0 },
		{ "1_0       ", POLYCHAT_EPROTO, 0 },
		{ "12 3      ", POLYCHAT_EPROTO, 0 },
		{ "12\n       ", POLYCHAT_EPROTO, 0 },
		{ "12a       ", POLYCHAT_EPROTO, 0 },
		{ "{\"shost\": ", POLYCHAT_EPROTO, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 0;
		int rc = pychat_header_parse((const uint8_t *)cases[i].text, 65536, &n);
		ck_assert_msg(rc == cases[i].rc, "'%s': %d", cases[i].text, rc);
		if (rc == 0)
			ck_assert_uint_eq(n, cases[i].n);
	}
}
END_TEST



START_TEST(envelopes_parse_like_json_loads)
{
	struct pychat_envelope env;
	const char *text = " {\"typ\": \"default\", \"x\": [1, {\"y\": null}], \"cont\": \"caf\\u00e9 \\ud83d\\ude00\","
		"\"shost\":\"a\",\"dhost\":\"b\",\"username\":\"u\",\"username\":\"v\",\"date\":\"d\","
		"\"n\": -1.5e3, \"i\": -Infinity, \"shouldParseContents\": true}\r\n ";
	ck_assert_int_eq(pychat_envelope_parse(stub_host(), text, strlen(text), 0, &env), 0);
	ck_assert_str_eq(env.cont, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	ck_assert_uint_eq(env.cont_len, 10);
	ck_assert_str_eq(env.username, "v"); /* the last of a repeated key */
	ck_assert_str_eq(env.typ, "default");
	ck_assert_int_eq(env.should_parse, 1);
	pychat_envelope_free(stub_host(), &env);

	/* \u0000 is a character like any other. */
	const char *nul = "{\"shost\":\"\",\"dhost\":\"\",\"username\":\"\",\"date\":\"\",\"cont\":\"a\\u0000b\",\"typ\":\"t\"}";
	ck_assert_int_eq(pychat_envelope_parse(stub_host(), nul, strlen(nul), 0, &env), 0);
	ck_assert_uint_eq(env.cont_len, 3);
	ck_assert_int_eq(env.should_parse, 0);
	pychat_envelope_free(stub_host(), &env);

	/* A help reply's object cont, for the client. */
	const char *help = "{\"shost\":\"\",\"dhost\":\"\",\"username\":\"\",\"date\":\"\",\"cont\": "
		PYCHAT_HELP_OBJECT ",\"typ\":\"help\"}";
	ck_assert_int_eq(pychat_envelope_parse(stub_host(), help, strlen(help), 0, &env), POLYCHAT_EPROTO);
	ck_assert_int_eq(pychat_envelope_parse(stub_host(), help, strlen(help), 1, &env), 0);
	ck_assert_int_eq(env.cont_type, PC_JSON_OBJECT);
	ck_assert_str_eq(env.cont, PYCHAT_HELP_OBJECT);
	pychat_envelope_free(stub_host(), &env);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(malformed_envelopes_are_refused)
{
	const char *six = "\"shost\":\"\",\"dhost\":\"\",\"username\":\"\",\"date\":\"\",\"typ\":\"t\"";
	char text[512];
	/* Each case is the text around the five other members. */
	struct {
		const char *before, *after;
	} cases[] = {
		{ "{", "}" },                                   /* no cont */
		{ "{", ",\"cont\":5}" },                        /* cont not a string */
		{ "{", ",\"cont\":\"x\"} x" },                   /* "Extra data" */
		{ "{", ",\"cont\":\"x\"}{}" },
		{ "[{", ",\"cont\":\"x\"}]" },                   /* not an object */
		{ "{", ",\"cont\":\"\\ud800\"}" },               /* a lone high surrogate */
		{ "{", ",\"cont\":\"\\udc00\"}" },               /* a lone low surrogate */
		{ "{", ",\"cont\":\"\\ud800\\u0041\"}" },
		{ "{", ",\"cont\":\"a\nb\"}" },                  /* a raw control character */
		{ "{", ",\"cont\":\"\\x41\"}" },                 /* no such escape */
		{ "{", ",\"cont\":\"\\u12\"}" },
		{ "{", ",\"cont\":\"x\",}" },                    /* trailing comma */
		{ "{", ",\"cont\":'x'}" },
		{ "{", ",\"cont\":\"x\"" },                      /* truncated */
		{ "{", ",\"cont\":\"x\",\"n\":01}" },            /* bad numbers */
		{ "{", ",\"cont\":\"x\",\"n\":1.}" },
		{ "{", ",\"cont\":\"x\",\"n\":.5}" },
		{ "{", ",\"cont\":\"x\",\"n\":tru}" },
		{ "{", ",\"cont\":\"caf\xc3\"}" },               /* not UTF-8 */
		{ "{", ",\"cont\":\"\xed\xa0\x80\"}" },          /* an encoded surrogate */
		{ "", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pychat_envelope env = { .owned = NULL };
		if (cases[i].after)
			snprintf(text, sizeof(text), "%s%s%s", cases[i].before, six, cases[i].after);
		else
			snprintf(text, sizeof(text), "%s", cases[i].before);
		ck_assert_msg(pychat_envelope_parse(stub_host(), text, strlen(text), 0, &env) ==
			POLYCHAT_EPROTO, "case %zu: %s", i, text);
		ck_assert_ptr_null(env.owned);
	}
	/* Nesting is bounded. */
	size_t n = 0;
	n += (size_t)snprintf(text, sizeof(text), "{%s,\"cont\":\"x\",\"d\":", six);
	for (int i = 0; i < PC_JSON_DEPTH + 1; i++)
		text[n++] = '[';
	for (int i = 0; i < PC_JSON_DEPTH + 1; i++)
		text[n++] = ']';
	text[n++] = '}';
	struct pychat_envelope env;
	ck_assert_int_eq(pychat_envelope_parse(stub_host(), text, n, 0, &env), POLYCHAT_EPROTO);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(clear_frames_match_the_handshake_vectors)
{
	uint8_t *frame;
	size_t len;
	struct pychat_envelope iv = envelope(V_IP, PYCHAT_SERVER_NAME, V_IV_B64, PYCHAT_T_IV);
	ck_assert_int_eq(pychat_frame_clear(stub_host(), &iv, 0, &frame, &len), 0);
	frame_is(frame, len, "{\"shost\": \"127.0.0.1\", \"dhost\": \"127.0.0.1\", \"username\": \"*server*\", "
		"\"date\": \"2020-05-09 12:41:54.123456\", \"cont\": \"AAECAwQFBgcICQoLDA0ODw==\", "
		"\"typ\": \"iv_exc\", \"shouldParseContents\": false}");
	struct pychat_envelope key = envelope(V_IP, PYCHAT_SERVER_NAME, V_PUB_SERVER, PYCHAT_T_KEY);
	ck_assert_int_eq(pychat_frame_clear(stub_host(), &key, 0, &frame, &len), 0);
	ck_assert_mem_eq(frame, "783       ", PYCHAT_HEADER_LEN);
	stub_host()->free(frame);
	struct pychat_envelope alice = envelope(V_IP, "temp", V_PUB_ALICE, PYCHAT_T_KEY);
	ck_assert_int_eq(pychat_frame_clear(stub_host(), &alice, 0, &frame, &len), 0);
	ck_assert_mem_eq(frame, "778       ", PYCHAT_HEADER_LEN);
	stub_host()->free(frame);

	/* Padded: a multiple of 10, and json.loads ignores the spaces. */
	ck_assert_int_eq(pychat_frame_clear(stub_host(), &iv, PYCHAT_FRAME_PAD, &frame, &len), 0);
	ck_assert_mem_eq(frame, "190       ", PYCHAT_HEADER_LEN);
	ck_assert_uint_eq(len, 200);
	ck_assert_int_eq(frame[len - 1], ' ');
	ck_assert(pychat_payload_is_clear(frame + PYCHAT_HEADER_LEN, len - PYCHAT_HEADER_LEN));
	struct pychat_envelope back;
	ck_assert_int_eq(pychat_open_clear(stub_host(), frame + PYCHAT_HEADER_LEN,
		len - PYCHAT_HEADER_LEN, 0, &back), 0);
	ck_assert_str_eq(back.cont, V_IV_B64);
	pychat_envelope_free(stub_host(), &back);
	stub_host()->free(frame);
}
END_TEST

/* Seal `env` under `key_hex` and compare with the vector payload, then
 * open the vector payload and compare with the plaintext. */
static void sealed_is(const struct pychat_envelope *env, const char *key_hex,
	const char *payload, const char *plain)
{
	uint8_t key[PYCHAT_KEY_LEN], iv[PYCHAT_IV_LEN], *frame;
	size_t len;
	unhex(key_hex, key);
	iv_of(iv);
	ck_assert_int_eq(pychat_frame_sealed(stub_host(), key, iv, env, 0, &frame, &len), 0);
	frame_is(frame, len, payload);
	ck_assert(!pychat_payload_is_clear((const uint8_t *)payload, strlen(payload)));

	struct pychat_envelope back;
	ck_assert_int_eq(pychat_open_sealed(stub_host(), key, iv, (const uint8_t *)payload,
		strlen(payload), 0, &back), 0);
	struct pc_buf text;
	pc_buf_init(&text, stub_host());
	pychat_envelope_write(&text, &back);
	ck_assert_str_eq(text.data, plain);
	pc_buf_free(&text);
	pychat_envelope_free(stub_host(), &back);

	/* Padded: the same ciphertext up to the end of the JSON (CFB8 keeps
	 * the prefix), a Base64 length that is a multiple of 20. */
	ck_assert_int_eq(pychat_frame_sealed(stub_host(), key, iv, env, PYCHAT_FRAME_PAD,
		&frame, &len), 0);
	size_t n = len - PYCHAT_HEADER_LEN, whole = strlen(plain) / 3 * 4;
	ck_assert_uint_eq(n % 20, 0);
	ck_assert_mem_eq(frame + PYCHAT_HEADER_LEN, payload, whole);
	ck_assert_int_eq(pychat_open_sealed(stub_host(), key, iv, frame + PYCHAT_HEADER_LEN, n, 0,
		&back), 0);
	ck_assert_str_eq(back.cont, env->cont);
	pychat_envelope_free(stub_host(), &back);
	stub_host()->free(frame);
}

START_TEST(sealed_frames_match_the_chat_vectors)
{
	struct pychat_envelope e;
	e = envelope(V_IP, "temp", "alice", PYCHAT_T_SETUSER);
	sealed_is(&e, V_KEY_A, V_SETUSER_PAYLOAD, V_SETUSER_PLAIN);
	e = envelope(V_IP, PYCHAT_SERVER_NAME, PYCHAT_APPROVED_TEXT, PYCHAT_T_APPROVED);
	sealed_is(&e, V_KEY_A, V_APPROVED_PAYLOAD, V_APPROVED_PLAIN);
	e = envelope(V_IP, "alice", "Hello, Bob!", PYCHAT_T_DEFAULT);
	sealed_is(&e, V_KEY_A, V_CHAT_PAYLOAD, V_CHAT_PLAIN);
	sealed_is(&e, V_KEY_B, V_CHAT_TO_BOB_PAYLOAD, V_CHAT_TO_BOB_PLAIN);
	e = envelope(V_IP, "bob", "Hi Alice \xe2\x9c\x93", PYCHAT_T_DEFAULT);
	sealed_is(&e, V_KEY_A, V_BOB_TO_ALICE_PAYLOAD, V_BOB_TO_ALICE_PLAIN);
	e = envelope("allhosts", PYCHAT_SERVER_NAME, "[bob] has left the chat", PYCHAT_T_DEFAULT);
	sealed_is(&e, V_KEY_A, V_LEAVE_PAYLOAD, V_LEAVE_PLAIN);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(wrong_keys_and_tampering_do_not_open)
{
	uint8_t key[PYCHAT_KEY_LEN], iv[PYCHAT_IV_LEN];
	struct pychat_envelope back;
	iv_of(iv);
	unhex(V_KEY_B, key);
	ck_assert_int_eq(pychat_open_sealed(stub_host(), key, iv, (const uint8_t *)V_CHAT_PAYLOAD,
		strlen(V_CHAT_PAYLOAD), 0, &back), POLYCHAT_EPROTO);
	unhex(V_KEY_A, key);
	char tampered[] = V_CHAT_PAYLOAD;
	tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(pychat_open_sealed(stub_host(), key, iv, (const uint8_t *)tampered,
		strlen(tampered), 0, &back), POLYCHAT_EPROTO);
	const char *not_b64 = "p15bYOFE_sRj";
	ck_assert_int_eq(pychat_open_sealed(stub_host(), key, iv, (const uint8_t *)not_b64,
		strlen(not_b64), 0, &back), POLYCHAT_EPROTO);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(dates_print_as_python_str_datetime)
{
	char d[32];
	setenv("TZ", "UTC", 1);
	tzset();
	pychat_date(1589028114, 123456, d);
	ck_assert_str_eq(d, "2020-05-09 12:41:54.123456");
	pychat_date(1589028114, 0, d);
	ck_assert_str_eq(d, "2020-05-09 12:41:54");
	pychat_date(1589028114, 7, d);
	ck_assert_str_eq(d, "2020-05-09 12:41:54.000007");
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("pychat codec");
	TCase *dh = tcase_create("diffie-hellman");
	tcase_add_test(dh, public_values_match_the_vectors);
	tcase_add_test(dh, both_sides_derive_the_vector_keys);
	tcase_add_test(dh, generated_keys_agree_and_differ);
	tcase_add_test(dh, degenerate_and_malformed_peer_values_are_refused);
	suite_add_tcase(s, dh);
	TCase *bytes = tcase_create("bytes");
	tcase_add_test(bytes, cfb8_matches_the_small_vectors);
	tcase_add_test(bytes, headers_parse_strictly);
	suite_add_tcase(s, bytes);
	TCase *json = tcase_create("json");
	tcase_add_test(json, envelopes_parse_like_json_loads);
	tcase_add_test(json, malformed_envelopes_are_refused);
	tcase_add_test(json, dates_print_as_python_str_datetime);
	suite_add_tcase(s, json);
	TCase *frames = tcase_create("frames");
	tcase_add_test(frames, clear_frames_match_the_handshake_vectors);
	tcase_add_test(frames, sealed_frames_match_the_chat_vectors);
	tcase_add_test(frames, wrong_keys_and_tampering_do_not_open);
	suite_add_tcase(s, frames);
	return s;
}

int main(void)
{
	return pc_check_run(codec_suite());
}
