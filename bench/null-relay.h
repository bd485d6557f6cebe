/* SPDX-License-Identifier: MIT */
/* polychat-bench --serve-null: the crypto-free relay fernet-hybrid is compared with. */
#ifndef BENCH_NULL_RELAY_H
#define BENCH_NULL_RELAY_H

/*
 * Serve fernet-hybrid's handshake (NICK, the nickname, NICKACCEPT, a join
 * notice) and relay every read to every other member with one write each,
 * on 127.0.0.1 and a port the system picks, announced on stdout as
 * "listening on 127.0.0.1:PORT suite=null listener=null". Nothing is
 * checked, parsed or paced: what is left is the event loop and the
 * kernel. Runs until SIGTERM or SIGINT; returns the exit status.
 */
int null_relay_main(void);

#endif /* BENCH_NULL_RELAY_H */
