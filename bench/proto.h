/* SPDX-License-Identifier: MIT */
/* polychat-bench: the protocol drivers, each on its suite's codec library (or plain IRC for the peer). */
#ifndef BENCH_PROTO_H
#define BENCH_PROTO_H

#include <polychat/host.h>

#include "client.h"

/* kylochat: ServerHello, RSA-OAEP key blocks, bcrypt login, AES-CBC +
 * HMAC units (libkylocrypto). The handshake is complete when the server
 * answers the username: that answer needs the opened key blocks. */
extern const struct bench_proto proto_kylochat;
/* pychat: group-14 DH, AES-256-CFB8 JSON envelopes (libpychatcodec).
 * Complete when `setuser` is approved: the first sealed answer. */
extern const struct bench_proto proto_pychat;
/* fernet-hybrid: NICK / NICKACCEPT, then JSON objects relayed opaque
 * (libfernetcodec's shape reader). Also spoken to the null relay. */
extern const struct bench_proto proto_fernet;
/* IRC (RFC 2812 NICK/USER/JOIN/PRIVMSG) for ngIRCd. Complete at the end
 * of the welcome burst (376 or 422); ready once JOIN's 366 came. */
extern const struct bench_proto proto_irc;

/*
 * Process-wide client state: the host table the codecs use, and the
 * pychat key pair. One pair per process is what the original pychat
 * client does (pychat.md §4.1), and it keeps the generator's share of the
 * DH work at one modexp per handshake. 0 or negative.
 */
int proto_init(const struct polychat_host *host);
void proto_fini(void);

/* The host table given to proto_init. */
const struct polychat_host *proto_host(void);

/* For proto.c: each driver's share of proto_init / proto_fini. */
int proto_pychat_init(void);
void proto_pychat_fini(void);
void proto_kylochat_fini(void);

#endif /* BENCH_PROTO_H */
