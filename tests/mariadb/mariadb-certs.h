/* SPDX-License-Identifier: MIT */
/* Throwaway TLS certificates for a test mariadbd: a CA and a server certificate it signed. */
#ifndef PC_MARIADB_CERTS_H
#define PC_MARIADB_CERTS_H

#include <stddef.h>

/* The files one call of mdb_make_certs writes. */
struct mdb_certs {
	char ca[600];          /* the CA certificate (PEM) */
	char cert[600];        /* the server certificate, for localhost and
	                        * 127.0.0.1, signed by that CA */
	char key[600];         /* the server certificate's private key */
};

/*
 * mdb_make_certs - write a new P-256 CA and a server certificate it
 * signed (valid from an hour ago for 30 days) as `dir`/`name`-ca.pem,
 * -cert.pem and -key.pem, made with libcrypto (no openssl command
 * needed), and set their paths in `out`. Two calls with two names make two
 * CAs that do not trust each other. Returns 0, or -1 with the reason
 * printed.
 */
int mdb_make_certs(const char *dir, const char *name, struct mdb_certs *out);

#endif /* PC_MARIADB_CERTS_H */
