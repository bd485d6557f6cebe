/* SPDX-License-Identifier: MIT */
/* A scripted pyChat client for integration tests: the original client's bytes and reads, and wrong ones on purpose. */
#ifndef PY_PEER_H
#define PY_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/crypto-dh-aes/pychat-wire.h"

struct py_peer {
	int fd;
	uint8_t iv[PYCHAT_IV_LEN];
	uint8_t key[PYCHAT_KEY_LEN];
	struct pychat_dh dh;
	char server_pub[PYCHAT_DH_DIGITS + 1];
	/* The handshake frames as read, for inspection. */
	struct pychat_envelope iv_frame, key_frame;
	size_t iv_frame_n, key_frame_n; /* their payload lengths */
	size_t last_n;                  /* the payload length of the last frame read */
	/* Set when a read took bytes of the next frame, as the original's
	 * recv(10) loop does when two frames arrive back to back (§2.1). */
	int over_read;
};

/* Connect and read the two clear handshake frames (iv_exc, key_exc)
 * with the original's reads; no key_exc of ours yet. 0 or -1. */
int pp_open(struct py_peer *p, int port);
/* Send a clear key_exc carrying `value` (decimal text, or anything). */
int pp_send_key(struct py_peer *p, const char *value);
/* pp_open, then our key_exc and the shared key. 0 or -1. */
int pp_connect(struct py_peer *p, int port);
/* Send one encrypted frame, unpadded, as the original client writes it:
 * shost/dhost 127.0.0.1, username `user`, the given typ and cont. */
int pp_send(struct py_peer *p, const char *user, const char *typ, const char *cont);
/* Send `len` payload bytes under a correct header. */
int pp_send_payload(struct py_peer *p, const void *payload, size_t len);
/* Send raw bytes. */
int pp_send_raw(struct py_peer *p, const void *data, size_t len);
/*
 * Read one frame the way the original does (one recv(10) for the header,
 * then recv(10) until N bytes are in) and open it by the original's rule
 * (clear if it mentions iv_exc/key_exc, else decrypt). 0 (free *env with
 * pp_free), or -1 on EOF, timeout, an over-read or a frame that does not
 * open (the reason is printed).
 */
int pp_read(struct py_peer *p, struct pychat_envelope *env);
void pp_free(struct pychat_envelope *env);
/* The next frame must have this typ, username and (string) cont; NULL
 * matches anything. 0 or -1 (what came is printed). */
int pp_expect(struct py_peer *p, const char *typ, const char *user, const char *cont);
/* setuser `name`: 0 approved, 1 taken, -1 anything else. */
int pp_register(struct py_peer *p, const char *name);
/* Connect and register `name`; 0 or -1. */
int pp_join(struct py_peer *p, int port, const char *name);
/* 0 if the server closes the connection within the bound (frames
 * before the close are skipped). */
int pp_expect_eof(struct py_peer *p);
void pp_close(struct py_peer *p);

#endif /* PY_PEER_H */
