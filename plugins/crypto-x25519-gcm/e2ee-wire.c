/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`: framing and building the 17-byte request and 7-byte response frames, checked from the header alone. */
#include <string.h>

#include <polychat/status.h>

#include "../common/pc-json.h"
#include "e2ee-wire.h"

#define OTP_LEN 4
#define REQ_PAYLOAD_MAX (E2EE_PACKET_MAX - E2EE_REQ_HEADER)
#define RESP_PAYLOAD_MAX (E2EE_PACKET_MAX - E2EE_RESP_HEADER)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * A phone field as the original reads it (strict UTF-8 decode, then
 * trailing NULs stripped) into a C string. A NUL before the padding is
 * refused too: Python would keep it inside the string, a C string cannot,
 * and the original client never sends one.
 */
static int phone_read(const uint8_t f[E2EE_PHONE_LEN], char out[E2EE_PHONE_LEN + 1])
{
	size_t n = E2EE_PHONE_LEN;
	while (n > 0 && f[n - 1] == 0)
		n--;
	if (memchr(f, 0, n) || !pc_utf8_valid(f, n))
		return POLYCHAT_EPROTO;
	memcpy(out, f, n);
	out[n] = '\0';
	return 0;
}

/*
 * Whether payload_size fits `code` (§4.1): 0 when it does, else the
 * close-without-reply code. The server frames by payload_size (§10), so a
 * size the original's parser would reject is refused here before any of
 * the payload is waited for.
 */
static int size_fits(uint16_t code, uint32_t size)
{
	switch (code) {
	case E2EE_REQ_REGISTER:
	case E2EE_REQ_LOGIN:
		/* The original ignores bytes after these headers; framed by
		 * size, they would be a second request glued to this one. */
		return size == 0 ? 0 : POLYCHAT_EPROTO;
	case E2EE_REQ_OTP:
		return size == OTP_LEN ? 0 : POLYCHAT_EPROTO;
	case E2EE_REQ_RECIPIENT_KEYS:
	case E2EE_REQ_MESSAGE_RECEIVED:
	case E2EE_REQ_SENDER_KEYS:
		return size == E2EE_PHONE_LEN ? 0 : POLYCHAT_EPROTO;
	case E2EE_REQ_SEND_PUBLIC_KEYS:
		return size <= REQ_PAYLOAD_MAX ? 0 : POLYCHAT_ETOOBIG;
	case E2EE_REQ_MESSAGE:
		if (size < E2EE_PHONE_LEN)
			return POLYCHAT_EPROTO;
		return size <= REQ_PAYLOAD_MAX ? 0 : POLYCHAT_ETOOBIG;
	default:
		return POLYCHAT_EPROTO;
	}
}

/* e2ee_request_parse - see e2ee-wire.h. */
long e2ee_request_parse(const uint8_t *data, size_t len, struct e2ee_request *req)
{
	if (!data || len < E2EE_REQ_HEADER)
		return 0;
	struct e2ee_request r = {
		.version = data[10],
		.code = get16(data + 11),
	};
	uint32_t size = get32(data + 13);
	int rc = size_fits(r.code, size);
	if (rc == 0)
		rc = phone_read(data, r.phone);
	if (rc != 0)
		return rc;
	/* size_fits capped it: no overflow. */
	size_t total = E2EE_REQ_HEADER + (size_t)size;
	if (len < total)
		return 0;
	const uint8_t *p = data + E2EE_REQ_HEADER;
	switch (r.code) {
	case E2EE_REQ_OTP:
		r.otp = get32(p);
		break;
	case E2EE_REQ_RECIPIENT_KEYS:
	case E2EE_REQ_MESSAGE_RECEIVED:
	case E2EE_REQ_SENDER_KEYS:
		rc = phone_read(p, r.peer_phone);
		break;
	case E2EE_REQ_MESSAGE:
		rc = phone_read(p, r.peer_phone);
		r.blob = p + E2EE_PHONE_LEN;
		r.blob_len = size - E2EE_PHONE_LEN;
		break;
	case E2EE_REQ_SEND_PUBLIC_KEYS:
		/* Sliced as the original does: a short payload is all DH. */
		r.blob = p;
		r.blob_len = size;
		r.dh = p;
		r.dh_len = size < E2EE_DH_LEN ? size : E2EE_DH_LEN;
		r.pem = p + r.dh_len;
		r.pem_len = size - r.dh_len;
		break;
	default:
		break;
	}
	if (rc != 0)
		return rc;
	if (req)
		*req = r;
	return (long)total;
}

/* Whether parts[0..n) of (pointer, length) add up to at most `room`
 * bytes, each length backed by a pointer. */
static int parts_fit(const uint8_t *const *ptr, const size_t *len, int n, size_t room,
	size_t *total)
{
	size_t sum = 0;
	for (int i = 0; i < n; i++) {
		if (len[i] > room - sum)
			return POLYCHAT_ETOOBIG;
		if (len[i] && !ptr[i])
			return POLYCHAT_EINVAL;
		sum += len[i];
	}
	*total = sum;
	return 0;
}

static uint8_t *append(uint8_t *out, const uint8_t *part, size_t len)
{
	if (len)
		memcpy(out, part, len);
	return out + len;
}

/* e2ee_request_build - see e2ee-wire.h. */
long e2ee_request_build(uint8_t *out, size_t cap, uint16_t code,
	const char *phone, const uint8_t *a, size_t alen, const uint8_t *b,
	size_t blen)
{
	const uint8_t *ptr[] = { a, b };
	size_t len[] = { alen, blen }, payload = 0;
	if (!out || !phone || strlen(phone) > E2EE_PHONE_LEN)
		return POLYCHAT_EINVAL;
	int rc = parts_fit(ptr, len, 2, REQ_PAYLOAD_MAX, &payload);
	if (rc != 0)
		return rc;
	if (E2EE_REQ_HEADER + payload > cap)
		return POLYCHAT_ETOOBIG;
	e2ee_phone_field(out, phone);
	out[10] = E2EE_VERSION;
	put16(out + 11, code);
	put32(out + 13, (uint32_t)payload);
	uint8_t *p = append(out + E2EE_REQ_HEADER, a, alen);
	append(p, b, blen);
	return (long)(E2EE_REQ_HEADER + payload);
}

/* e2ee_response_build - see e2ee-wire.h. */
long e2ee_response_build(uint8_t *out, size_t cap, uint16_t code,
	const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
	const uint8_t *c, size_t clen, const uint8_t *d, size_t dlen)
{
	const uint8_t *ptr[] = { a, b, c, d };
	size_t len[] = { alen, blen, clen, dlen }, payload = 0;
	if (!out)
		return POLYCHAT_EINVAL;
	int rc = parts_fit(ptr, len, 4, RESP_PAYLOAD_MAX, &payload);
	if (rc != 0)
		return rc;
	if (E2EE_RESP_HEADER + payload > cap)
		return POLYCHAT_ETOOBIG;
	out[0] = E2EE_VERSION;
	put16(out + 1, code);
	put32(out + 3, (uint32_t)payload);
	uint8_t *p = out + E2EE_RESP_HEADER;
	p = append(p, a, alen);
	p = append(p, b, blen);
	p = append(p, c, clen);
	append(p, d, dlen);
	return (long)(E2EE_RESP_HEADER + payload);
}

/* e2ee_response_parse - see e2ee-wire.h. */
long e2ee_response_parse(const uint8_t *data, size_t len, uint16_t *code,
	const uint8_t **payload, size_t *payload_len)
{
	if (!data || len < E2EE_RESP_HEADER)
		return 0;
	uint32_t size = get32(data + 3);
	if (size > RESP_PAYLOAD_MAX)
		return POLYCHAT_ETOOBIG;
	size_t total = E2EE_RESP_HEADER + (size_t)size;
	if (len < total)
		return 0;
	*code = get16(data + 1);
	*payload = data + E2EE_RESP_HEADER;
	*payload_len = size;
	return (long)total;
}

/* e2ee_phone_field - see e2ee-wire.h. Longer strings are cut at 10
 * bytes, as the original's struct.pack("10s") does. */
void e2ee_phone_field(uint8_t out[E2EE_PHONE_LEN], const char *phone)
{
	size_t n = phone ? strnlen(phone, E2EE_PHONE_LEN) : 0;
	memset(out, 0, E2EE_PHONE_LEN);
	if (n)
		memcpy(out, phone, n);
}

/* e2ee_phone_is_digits - see e2ee-wire.h. */
int e2ee_phone_is_digits(const char *phone)
{
	if (!phone)
		return 0;
	size_t i = 0;
	for (; i < E2EE_PHONE_LEN; i++)
		if (phone[i] < '0' || phone[i] > '9')
			return 0;
	return phone[i] == '\0';
}
