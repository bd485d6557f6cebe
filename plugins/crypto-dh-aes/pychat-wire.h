/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: whole frames, clear and sealed, in both directions (pychat.md §2, §4.3, §4.4). */
#ifndef PYCHAT_WIRE_H
#define PYCHAT_WIRE_H

#include "pychat-crypto.h"
#include "pychat-json.h"

/* The types of §5 that the suite itself produces or acts on. */
#define PYCHAT_T_IV "iv_exc"
#define PYCHAT_T_KEY "key_exc"
#define PYCHAT_T_SETUSER "setuser"
#define PYCHAT_T_APPROVED "approved_conn"
#define PYCHAT_T_TAKEN "username_taken"
#define PYCHAT_T_DEFAULT "default"
#define PYCHAT_T_EXPORT "export"
#define PYCHAT_T_HELP "help"

#define PYCHAT_SERVER_NAME "*server*"
#define PYCHAT_APPROVED_TEXT "[*] You have joined the chat!"
#define PYCHAT_TAKEN_TEXT "[*] Username already in use!"
/* The help reply's cont, byte for byte ("possibile" sic). */
#define PYCHAT_HELP_OBJECT \
	"{\"[export_chat]\": \"export current chat\", \"[help]\": \"display possibile commands\"}"

/*
 * Frame flag: pad the payload as §2.2 allows, so that N is a multiple of
 * 10 and the original's 10-byte reads end on the frame's last byte.
 */
#define PYCHAT_FRAME_PAD 0x1u

/*
 * Frame builders: header and payload in one buffer from host->alloc (for
 * one write) in *frame. Return 0 or a negative code.
 */
/* A clear frame; padded, the JSON gets spaces to a multiple of 10. */
int pychat_frame_clear(const struct polychat_host *host, const struct pychat_envelope *env,
	unsigned flags, uint8_t **frame, size_t *len);
/* An encrypted frame: the JSON (padded: with spaces to a multiple of
 * 15), AES-256-CFB8 from the IV, Base64. */
int pychat_frame_sealed(const struct polychat_host *host, const uint8_t key[PYCHAT_KEY_LEN],
	const uint8_t iv[PYCHAT_IV_LEN], const struct pychat_envelope *env, unsigned flags,
	uint8_t **frame, size_t *len);

/* The original's receive rule (§2): a payload that mentions iv_exc or
 * key_exc anywhere is clear JSON. */
int pychat_payload_is_clear(const uint8_t *payload, size_t len);

/* Parse a clear payload (see pychat_envelope_parse). */
int pychat_open_clear(const struct polychat_host *host, const uint8_t *payload, size_t len,
	int cont_any, struct pychat_envelope *env);
/* Base64-decode, decrypt and parse an encrypted payload. POLYCHAT_EPROTO
 * for bad Base64 or a plaintext that is not a valid envelope (the usual
 * outcome of a wrong key or tampering: there is no MAC). */
int pychat_open_sealed(const struct polychat_host *host, const uint8_t key[PYCHAT_KEY_LEN],
	const uint8_t iv[PYCHAT_IV_LEN], const uint8_t *payload, size_t len, int cont_any,
	struct pychat_envelope *env);

#endif /* PYCHAT_WIRE_H */
