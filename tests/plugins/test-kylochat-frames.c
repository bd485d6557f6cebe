/* SPDX-License-Identifier: MIT */
/* The kylochat frame and unit codec against kylochat.md §8.3 and 8.4, and what it refuses. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/crypto-rsa-cbc/kylo-crypto.h"
#include "tests/check-run.h"
#include "tests/plugins/kylochat-fixture.h"
#include "tests/stubs/stub-host.h"

/* --- frames --- */

START_TEST(test_frame_vectors)
{
	const struct kf_frame_vector *v = &kf_frames[_i];
	uint8_t iv[KYLO_IV_LEN], wire[256], plain[256];
	size_t n = strlen(v->plain), len = 0, size = 0, total = 0;

	kf_fill_iv(iv, v->iv);
	ck_assert_int_eq(kylo_frame_size(v->len_bytes, n, &size), 0);
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, v->len_bytes, iv,
		(const uint8_t *)v->plain, n, wire, sizeof(wire), &len), 0);
	ck_assert_uint_eq(len, size);
	ck_assert_msg(len * 2 == strlen(v->hex), "%s: %zu bytes", v->what, len);
	kf_assert_hex(wire, len, v->hex);

	/* Back again: header, then the LEN bytes after it. */
	ck_assert_int_eq(kylo_frame_header(wire, len, v->len_bytes, 560,
		&total), 0);
	ck_assert_uint_eq(total, len);
	memset(plain, 0, sizeof(plain));
	size = 0;
	ck_assert_int_eq(kylo_frame_open(&kf_keys, wire + v->len_bytes,
		len - v->len_bytes, plain, sizeof(plain), &size), 0);
	ck_assert_uint_eq(size, n);
	ck_assert_mem_eq(plain, v->plain, n);
}
END_TEST

START_TEST(test_chat_plaintext)
{
	uint8_t want[64];
	size_t n = kf_unhex(kf_chat_plain_hex, want, sizeof(want));

	ck_assert_uint_eq(n, 52);
	ck_assert_uint_eq(strlen(KF_TOKEN KF_MESSAGE), 52);
	ck_assert_mem_eq(KF_TOKEN KF_MESSAGE, want, n);
}
END_TEST

/* Sizes around every block boundary, both kinds. */
START_TEST(test_frame_sizes)
{
	static const size_t ns[] = { 1, 15, 16, 17, 31, 32, 33, 500 };
	uint8_t iv[16], plain[600], wire[700], back[600];
	size_t len, size, got, want;

	kf_fill_iv(iv, 0x99);
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 31 + 7);
	for (unsigned kind = 2; kind <= 4; kind += 2) {
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			want = 48 + 16 * (ns[i] / 16 + 1);
			ck_assert_int_eq(kylo_frame_size(kind, ns[i], &size), 0);
			ck_assert_uint_eq(size, kind + want);
			ck_assert_int_eq(kylo_frame_seal(&kf_keys, kind, iv, plain,
				ns[i], wire, sizeof(wire), &len), 0);
			ck_assert_uint_eq(len, kind + want);
			ck_assert_uint_eq(wire[0] | wire[1] << 8, want);
			if (kind == 4)
				ck_assert_uint_eq(wire[2] | wire[3], 0);
			ck_assert_int_eq(kylo_frame_open(&kf_keys, wire + kind,
				want, back, sizeof(back), &got), 0);
			ck_assert_uint_eq(got, ns[i]);
			ck_assert_mem_eq(back, plain, got);
		}
	}
}
END_TEST

START_TEST(test_frame_seal_refusals)
{
	uint8_t iv[16], wire[200];
	uint8_t *big;
	size_t len = 777, size = 0;

	kf_fill_iv(iv, 0x12);
	memset(wire, 0xaa, sizeof(wire));
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 2, iv, (const uint8_t *)"x", 0,
		wire, sizeof(wire), &len), POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 3, iv, (const uint8_t *)"x", 1,
		wire, sizeof(wire), &len), POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 1, iv, (const uint8_t *)"x", 1,
		wire, sizeof(wire), &len), POLYCHAT_EINVAL);
	/* SF("test") needs 66 bytes. */
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 2, iv,
		(const uint8_t *)"test", 4, wire, 65, &len), POLYCHAT_ENOSPACE);
	ck_assert(kf_all_bytes(wire, sizeof(wire), 0xaa));
	ck_assert_uint_eq(len, 777);
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 2, iv,
		(const uint8_t *)"test", 4, wire, 66, &len), 0);
	ck_assert_uint_eq(len, 66);

	/* The short-frame limit: 65471 bytes make LEN 0xfff0; one more
	 * would overflow the u16. */
	ck_assert_int_eq(kylo_frame_size(2, KYLO_SHORT_PLAIN_MAX, &size), 0);
	ck_assert_uint_eq(size, 2 + 0xfff0);
	ck_assert_int_eq(kylo_frame_size(2, KYLO_SHORT_PLAIN_MAX + 1, &size),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(kylo_frame_size(4, KYLO_SHORT_PLAIN_MAX + 1, &size), 0);
	ck_assert_uint_eq(size, 4 + 0x10000);
	/* The int-frame limit, by size only. */
	ck_assert_int_eq(kylo_frame_size(4, KYLO_INT_PLAIN_MAX, &size), 0);
	ck_assert_uint_eq(size, 4 + (size_t)0xfffffff0u);
	ck_assert_int_eq(kylo_frame_size(4, (size_t)KYLO_INT_PLAIN_MAX + 1,
		&size), POLYCHAT_ETOOBIG);
	ck_assert_int_eq(kylo_frame_size(2, 0, &size), POLYCHAT_EINVAL);

	big = malloc(2 * 0x10000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'k', 0x10000);
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 2, iv, big,
		KYLO_SHORT_PLAIN_MAX + 1, big + 0x10000, 0x10000, &len),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 2, iv, big,
		KYLO_SHORT_PLAIN_MAX, big + 0x10000, 0x10000, &len), 0);
	ck_assert_uint_eq(len, 0xfff2);
	ck_assert_uint_eq(big[0x10000], 0xf0);
	ck_assert_uint_eq(big[0x10001], 0xff);
	{
		uint8_t *back = malloc(0x10000);
		size_t got = 0;
		ck_assert_ptr_nonnull(back);
		ck_assert_int_eq(kylo_frame_open(&kf_keys, big + 0x10002, 0xfff0,
			back, 0x10000, &got), 0);
		ck_assert_uint_eq(got, KYLO_SHORT_PLAIN_MAX);
		ck_assert_mem_eq(back, big, got);
		free(back);
	}
	free(big);
}
END_TEST

START_TEST(test_frame_header)
{
	uint8_t h[4] = { 0 };
	size_t total = 5;

	/* Need more: fewer bytes than the prefix. */
	ck_assert_int_eq(kylo_frame_header(h, 0, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 0);
	total = 5;
	ck_assert_int_eq(kylo_frame_header(h, 1, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 0);
	total = 5;
	ck_assert_int_eq(kylo_frame_header(h, 3, 4, 560, &total), 0);
	ck_assert_uint_eq(total, 0);

	/* The largest chat frame, at the cap and one block over it. */
	h[0] = 0x30;
	h[1] = 0x02;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total), 0);
	ck_assert_uint_eq(total, 564);
	h[0] = 0x40;
	total = 5;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total),
		POLYCHAT_ETOOBIG);
	ck_assert_uint_eq(total, 5);
	/* Absurd lengths are refused without looking further. */
	h[0] = 0xf0;
	h[1] = h[2] = h[3] = 0xff;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 65536, &total),
		POLYCHAT_ETOOBIG);
	/* Only multiples of 16 from 64 on are frames. */
	h[0] = 0x41;
	h[1] = h[2] = h[3] = 0;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total),
		POLYCHAT_EPROTO);
	h[0] = 0x30;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total),
		POLYCHAT_EPROTO);
	h[0] = 0x00;
	ck_assert_int_eq(kylo_frame_header(h, 2, 2, 560, &total),
		POLYCHAT_EPROTO);
	h[0] = 0x40;
	ck_assert_int_eq(kylo_frame_header(h, 2, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 66);
	/* A short frame reads two bytes only. */
	h[2] = 0xff;
	ck_assert_int_eq(kylo_frame_header(h, 4, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 66);
	ck_assert_int_eq(kylo_frame_header(h, 4, 3, 560, &total),
		POLYCHAT_EINVAL);
}
END_TEST

/* The §8.4 chat frame, decoded once per test that damages it. */
static size_t chat_frame(uint8_t *wire, size_t cap)
{
	return kf_unhex(kf_frames[3].hex, wire, cap);
}

START_TEST(test_open_tampered)
{
	uint8_t wire[128], out[128];
	size_t len = chat_frame(wire, sizeof(wire)), got = 999;
	uint8_t *body = wire + 4;
	size_t blen = len - 4;

	memset(out, 0xaa, sizeof(out));
	/* Tag. */
	body[blen - 1] ^= 0x01;
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_ECRYPTO);
	body[blen - 1] ^= 0x01;
	/* Ciphertext. */
	body[16 + 20] ^= 0x40;
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_ECRYPTO);
	body[16 + 20] ^= 0x40;
	/* Cut by one block: still a well-formed size, but the tag moved. */
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen - 16, out,
		sizeof(out), &got), POLYCHAT_ECRYPTO);
	/* Another MAC key. */
	{
		struct kylo_keys other = kf_keys;
		other.mac[31] ^= 0x01;
		ck_assert_int_eq(kylo_frame_open(&other, body, blen, out,
			sizeof(out), &got), POLYCHAT_ECRYPTO);
	}
	ck_assert(kf_all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);
	/* Untouched, it opens. */
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 52);
}
END_TEST

/*
 * §9: the MAC covers the ciphertext only. Flipping IV bits flips the same
 * bits of the first plaintext block and nothing detects it. This test
 * documents the weakness the protocol keeps: if it ever fails, the codec
 * no longer speaks the original's wire format.
 */
START_TEST(test_open_tampered_iv)
{
	uint8_t wire[128], out[128];
	size_t len = chat_frame(wire, sizeof(wire)), got = 0;
	uint8_t *body = wire + 4;
	const char *want = KF_TOKEN KF_MESSAGE;

	body[0] ^= 0x03;  /* '3' -> '0' */
	body[15] ^= 0x1b; /* '1' -> '*' */
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, len - 4, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 52);
	ck_assert_mem_ne(out, want, 16);
	ck_assert_uint_eq(out[0], (uint8_t)want[0] ^ 0x03);
	ck_assert_uint_eq(out[15], (uint8_t)want[15] ^ 0x1b);
	ck_assert_mem_eq(out + 1, want + 1, 14);
	ck_assert_mem_eq(out + 16, want + 16, 52 - 16);
}
END_TEST

START_TEST(test_open_bad_padding)
{
	uint8_t plain[32], body[128], out[64];
	size_t blen, got = 999;

	/* The forging helper makes frames the codec opens: "abc" + 13 x 0d. */
	memcpy(plain, "abc", 3);
	memset(plain + 3, 0x0d, 13);
	blen = kf_forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 3);
	ck_assert_mem_eq(out, "abc", 3);

	memset(out, 0xaa, sizeof(out));
	got = 999;
	/* Every tag below is right: only the padding is wrong. */
	plain[15] = 0x00;
	blen = kf_forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	plain[15] = 0x11;
	blen = kf_forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	plain[15] = 0x0d;
	plain[3] = 0x0c;
	blen = kf_forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	/* The tag is checked before the padding: both wrong is a tag error. */
	body[blen - 1] ^= 0x01;
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_ECRYPTO);
	/* Bad padding in the last of two blocks. */
	memset(plain, 'z', 16);
	memset(plain + 16, 0x05, 16);
	plain[30] = 0x04;
	blen = kf_forge_body(plain, 32, 0, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	ck_assert(kf_all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);
	plain[30] = 0x05;
	blen = kf_forge_body(plain, 32, 0, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 27);
}
END_TEST

START_TEST(test_open_empty_plaintext)
{
	uint8_t plain[32], body[128], out[64];
	size_t blen, got = 999;

	/* A whole block of padding and nothing else. */
	memset(plain, 0x10, 16);
	blen = kf_forge_body(plain, 16, 0, body);
	ck_assert_uint_eq(blen, KYLO_FRAME_MIN);
	memset(out, 0xaa, sizeof(out));
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	ck_assert(kf_all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);
	/* The sealer refuses to make one. */
	ck_assert_int_eq(kylo_frame_seal(&kf_keys, 4, plain, plain, 0, body,
		sizeof(body), &got), POLYCHAT_EINVAL);
}
END_TEST

START_TEST(test_open_bad_sizes)
{
	uint8_t ct[64], body[160], out[160];
	size_t blen, got = 999;

	memset(out, 0xaa, sizeof(out));
	for (size_t i = 0; i < sizeof(ct); i++)
		ct[i] = (uint8_t)i;
	/* CT of 17 and 47 bytes, correctly tagged. The 17 bytes end in a
	 * block that decrypts to good padding under the 16 bytes before it,
	 * so only the size check can refuse them. */
	{
		uint8_t chain[16], last[16];
		memset(chain, KF_FORGE_IV, 15);
		chain[15] = ct[0];
		memset(last, 'a', 15);
		last[15] = 0x01;
		kf_raw_cbc(kf_keys.enc, chain, last, 16, ct + 1);
	}
	blen = kf_forge_body(ct, 17, 1, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	blen = kf_forge_body(ct, 47, 1, body);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	/* No CT at all, correctly tagged. */
	blen = kf_forge_body(ct, 0, 1, body);
	ck_assert_uint_eq(blen, 48);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	/* Truncated: shorter than IV + tag, empty, one byte off. */
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body, 47, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, NULL, 0, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	blen = chat_frame(body, sizeof(body));
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body + 4, blen - 5, out,
		sizeof(out), &got), POLYCHAT_EPROTO);
	ck_assert(kf_all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);

	/* An output one byte too small: nothing written. */
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body + 4, blen - 4, out, 51,
		&got), POLYCHAT_ENOSPACE);
	ck_assert(kf_all_bytes(out, sizeof(out), 0xaa));
	ck_assert_int_eq(kylo_frame_open(&kf_keys, body + 4, blen - 4, out, 52,
		&got), 0);
	ck_assert_uint_eq(got, 52);
}
END_TEST

/* --- server units --- */

START_TEST(test_status_units)
{
	static const struct {
		uint16_t code;
		const char *hex;
	} v[] = {
		{ KYLO_STATUS_COMMAND, "026400" },
		{ KYLO_STATUS_OK, "02c800" },
		{ KYLO_STATUS_BAD_REQUEST, "029001" },
		{ KYLO_STATUS_EXPIRED, "029101" },
		{ KYLO_STATUS_FORBIDDEN, "029301" },
	};
	uint8_t out[KYLO_STATUS_LEN + 1];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		out[KYLO_STATUS_LEN] = 0xee;
		kylo_unit_status(v[i].code, out);
		kf_assert_hex(out, KYLO_STATUS_LEN, v[i].hex);
		ck_assert_uint_eq(out[KYLO_STATUS_LEN], 0xee);
	}
}
END_TEST

START_TEST(test_message_unit)
{
	const struct polychat_host *host = stub_host();
	uint8_t iv_s[16], iv_b[16], plain[64];
	uint8_t *unit = NULL;
	size_t len = 0, total, got;

	kf_fill_iv(iv_s, 0x55);
	kf_fill_iv(iv_b, 0x66);
	ck_assert_int_eq(kylo_unit_message(host, &kf_keys, iv_s, iv_b,
		(const uint8_t *)"test", 4, (const uint8_t *)KF_MESSAGE, 16, &unit,
		&len), 0);
	ck_assert_ptr_nonnull(unit);
	ck_assert_int_eq(stub_alloc_outstanding(), 1);
	ck_assert_uint_eq(len, 1 + 66 + 84);
	kf_assert_hex(unit, len, kf_unit_hex);

	/* What a client does with it: type, SF, IF. */
	ck_assert_uint_eq(unit[0], KYLO_UNIT_MESSAGE);
	ck_assert_int_eq(kylo_frame_header(unit + 1, len - 1, 2, 4096, &total),
		0);
	ck_assert_uint_eq(total, 66);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, unit + 3, 64, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 4);
	ck_assert_mem_eq(plain, "test", 4);
	ck_assert_int_eq(kylo_frame_header(unit + 67, len - 67, 4, 560, &total),
		0);
	ck_assert_uint_eq(total, 84);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, unit + 71, 80, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 16);
	ck_assert_mem_eq(plain, KF_MESSAGE, 16);
	host->free(unit);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(test_message_unit_refusals)
{
	const struct polychat_host *host = stub_host();
	uint8_t iv[16];
	uint8_t *unit = iv;
	uint8_t *name = malloc(KYLO_SHORT_PLAIN_MAX + 1);
	size_t len = 4242;

	ck_assert_ptr_nonnull(name);
	memset(name, 'n', KYLO_SHORT_PLAIN_MAX + 1);
	kf_fill_iv(iv, 0x01);
	ck_assert_int_eq(kylo_unit_message(host, &kf_keys, iv, iv,
		(const uint8_t *)"", 0, (const uint8_t *)"x", 1, &unit, &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_unit_message(host, &kf_keys, iv, iv,
		(const uint8_t *)"SERVER", 6, (const uint8_t *)"", 0, &unit, &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_unit_message(host, &kf_keys, iv, iv,
		name, KYLO_SHORT_PLAIN_MAX + 1, (const uint8_t *)"x", 1, &unit,
		&len), POLYCHAT_ETOOBIG);
	free(name);
	stub_alloc_fail_after(0);
	ck_assert_int_eq(kylo_unit_message(host, &kf_keys, iv, iv,
		(const uint8_t *)"SERVER", 6, (const uint8_t *)"x", 1, &unit,
		&len), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_ptr_eq(unit, iv);
	ck_assert_uint_eq(len, 4242);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(test_notices)
{
	const struct polychat_host *host = stub_host();
	uint8_t text[64], iv[16], plain[64];
	uint8_t *unit = NULL;
	size_t len = 0, ulen = 0, got = 0;

	ck_assert_int_eq(kylo_notice_login((const uint8_t *)"test", 4, text,
		sizeof(text), &len), 0);
	ck_assert_uint_eq(len, 29);
	kf_assert_hex(text, len, kf_login_notice_hex);
	ck_assert_int_eq(kylo_notice_exit((const uint8_t *)"test", 4, text,
		sizeof(text), &len), 0);
	ck_assert_uint_eq(len, 22);
	kf_assert_hex(text, len, kf_exit_notice_hex);

	/* Too small by one: nothing written. */
	memset(text, 0xaa, sizeof(text));
	len = 77;
	ck_assert_int_eq(kylo_notice_login((const uint8_t *)"test", 4, text, 28,
		&len), POLYCHAT_ENOSPACE);
	ck_assert_int_eq(kylo_notice_exit((const uint8_t *)"test", 4, text, 21,
		&len), POLYCHAT_ENOSPACE);
	ck_assert(kf_all_bytes(text, sizeof(text), 0xaa));
	ck_assert_uint_eq(len, 77);

	/* As it travels: MESSAGE from SERVER. */
	ck_assert_int_eq(kylo_notice_login((const uint8_t *)"test", 4, text,
		sizeof(text), &len), 0);
	kf_fill_iv(iv, 0x5e);
	ck_assert_int_eq(kylo_unit_message(host, &kf_keys, iv, iv,
		(const uint8_t *)KYLO_SERVER_NAME, 6, text, len, &unit, &ulen), 0);
	ck_assert_uint_eq(ulen, 1 + 66 + 84);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, unit + 3, 64, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 6);
	ck_assert_mem_eq(plain, "SERVER", got);
	ck_assert_int_eq(kylo_frame_open(&kf_keys, unit + 71, 80, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 29);
	kf_assert_hex(plain, got, kf_login_notice_hex);
	host->free(unit);
}
END_TEST

static Suite *kylochat_frames_suite(void)
{
	Suite *s = suite_create("kylochat-frames");
	TCase *tc;

	tc = tcase_create("frames");
	tcase_add_checked_fixture(tc, kf_setup, kf_teardown);
	tcase_add_loop_test(tc, test_frame_vectors, 0, KF_N_FRAMES);
	tcase_add_test(tc, test_chat_plaintext);
	tcase_add_test(tc, test_frame_sizes);
	tcase_add_test(tc, test_frame_seal_refusals);
	tcase_add_test(tc, test_frame_header);
	tcase_add_test(tc, test_open_tampered);
	tcase_add_test(tc, test_open_tampered_iv);
	tcase_add_test(tc, test_open_bad_padding);
	tcase_add_test(tc, test_open_empty_plaintext);
	tcase_add_test(tc, test_open_bad_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("units");
	tcase_add_checked_fixture(tc, kf_setup, kf_teardown);
	tcase_add_test(tc, test_status_units);
	tcase_add_test(tc, test_message_unit);
	tcase_add_test(tc, test_message_unit_refusals);
	tcase_add_test(tc, test_notices);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suite = kylochat_frames_suite();

	return pc_check_run(suite);
}
