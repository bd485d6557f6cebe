/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`: the 17-byte request and 7-byte response frames and their payloads (e2ee-chat.md §2-§4). */
#ifndef E2EE_WIRE_H
#define E2EE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define E2EE_VERSION 1
#define E2EE_PHONE_LEN 10
#define E2EE_REQ_HEADER 17
#define E2EE_RESP_HEADER 7
/* The original's packet size: one recv(2048) on either side (§2.3). */
#define E2EE_PACKET_MAX 2048
#define E2EE_DH_LEN 32
#define E2EE_SIG_LEN 512
/* Server-side cap on each uploaded key blob (§5.3). */
#define E2EE_KEY_BLOB_MAX 1000
#define E2EE_OTP_MIN 100000u
#define E2EE_OTP_MAX 999999u

enum e2ee_request_code {
	E2EE_REQ_REGISTER = 825,
	E2EE_REQ_SEND_PUBLIC_KEYS = 826,
	E2EE_REQ_LOGIN = 827,
	E2EE_REQ_RECIPIENT_KEYS = 828,
	E2EE_REQ_MESSAGE = 829,
	E2EE_REQ_MESSAGE_RECEIVED = 830,
	E2EE_REQ_OTP = 831,
	E2EE_REQ_SENDER_KEYS = 832,
};

enum e2ee_response_code {
	E2EE_RESP_REGISTRATION = 1600,
	E2EE_RESP_REGISTRATION_FAILED = 1601,
	E2EE_RESP_KEYS_SET = 1602,
	E2EE_RESP_RECIPIENT_KEYS = 1603,
	E2EE_RESP_OTP_OK = 1604,
	E2EE_RESP_LOGIN = 1605,
	E2EE_RESP_LOGIN_FAILED = 1606,
	E2EE_RESP_ERROR = 1607,
	E2EE_RESP_MESSAGE = 1608,
	E2EE_RESP_MESSAGE_SENT = 1609,
	E2EE_RESP_SENDER_KEYS = 1610,
	E2EE_RESP_LISTENING = 1611,
};

/*
 * One parsed request. Pointers point into the caller's buffer. `phone` is
 * the header phone with trailing NULs stripped, NUL-terminated here;
 * `peer_phone` likewise for 828/830/832 and the recipient of 829 (else
 * ""). `blob` is the DH||PEM of 826 or the message blob of 829 (else
 * NULL/0); for 826 `dh`/`dh_len` and `pem`/`pem_len` split it as the
 * original does (first 32 bytes, the rest; shorter payloads give a short
 * dh and an empty pem). `otp` is set for 831.
 */
struct e2ee_request {
	uint16_t code;
	uint8_t version;
	char phone[E2EE_PHONE_LEN + 1];
	char peer_phone[E2EE_PHONE_LEN + 1];
	uint32_t otp;
	const uint8_t *blob;
	size_t blob_len;
	const uint8_t *dh, *pem;
	size_t dh_len, pem_len;
};

/*
 * Frame one request from data[0..len). Returns the frame length (> 0) and
 * fills *req (may be NULL); 0 when more bytes are needed; or a negative
 * code meaning "close without reply" (§5.10, §10): POLYCHAT_EPROTO for an
 * unknown code, a payload_size wrong for the code (§4.1: 825/827 exactly
 * 0 - bytes behind them would be the next request -, 831 exactly 4,
 * 828/830/832 exactly 10, 829 at least 10), a phone field that is not
 * strict UTF-8 or holds a NUL before its padding, or a peer phone likewise;
 * POLYCHAT_ETOOBIG for an 826 or 829 over E2EE_PACKET_MAX. The version
 * byte is ignored (§5.10). The size checks and the header phone come from
 * the header alone, so a bad frame is refused before its payload arrives;
 * a peer phone is checked once the frame is complete. *req is untouched
 * unless the result is > 0.
 */
long e2ee_request_parse(const uint8_t *data, size_t len, struct e2ee_request *req);

/* Build a request (the client half): header with `phone` padded to 10
 * bytes, then the payload parts a (alen) and b (blen), either may be
 * NULL/0. Returns the frame length, or POLYCHAT_ETOOBIG when it would
 * exceed `cap` or E2EE_PACKET_MAX, POLYCHAT_EINVAL for a phone over 10
 * bytes or a NULL part of non-zero length. The code is not checked. */
long e2ee_request_build(uint8_t *out, size_t cap, uint16_t code,
	const char *phone, const uint8_t *a, size_t alen, const uint8_t *b,
	size_t blen);

/* Build a response: 7-byte header then the payload parts a, b, c, d (each
 * may be NULL/0). Returns the frame length, or POLYCHAT_ETOOBIG beyond
 * `cap` or E2EE_PACKET_MAX, POLYCHAT_EINVAL for a NULL part of non-zero
 * length. */
long e2ee_response_build(uint8_t *out, size_t cap, uint16_t code,
	const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
	const uint8_t *c, size_t clen, const uint8_t *d, size_t dlen);

/*
 * Frame one response (the client half) from data[0..len) by its
 * payload_size (two frames may arrive in one read, §10). Returns the
 * frame length and sets *code, *payload, *payload_len; 0 when more bytes
 * are needed; POLYCHAT_ETOOBIG for a payload_size over
 * E2EE_PACKET_MAX - E2EE_RESP_HEADER.
 */
long e2ee_response_parse(const uint8_t *data, size_t len, uint16_t *code,
	const uint8_t **payload, size_t *payload_len);

/* The 10-byte phone field: bytes of `phone` right-padded with NULs (a
 * longer string is cut at 10 bytes, as the original's "10s" does). */
void e2ee_phone_field(uint8_t out[E2EE_PHONE_LEN], const char *phone);

/* Whether `phone` is exactly 10 ASCII digits (what the original client
 * insists on; the server accepts any 10 characters, §5.1). */
int e2ee_phone_is_digits(const char *phone);

#endif /* E2EE_WIRE_H */
