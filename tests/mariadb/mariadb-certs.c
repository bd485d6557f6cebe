/* SPDX-License-Identifier: MIT */
/* Throwaway TLS certificates for a test mariadbd: a CA and a server certificate it signed. */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mariadb-certs.h"

/* Add the extension `nid` = `value` (openssl.cnf syntax) to `cert`. */
static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	int rc = X509_add_ext(cert, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

/*
 * A certificate for `key` named `cn`, signed by `signer` as `issuer`
 * (NULL: self-signed). A CA may sign certificates; a server certificate
 * names localhost and 127.0.0.1, what the client checks it against.
 */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
	EVP_PKEY *signer, long serial)
{
	X509 *cert = X509_new();
	int is_ca = issuer == NULL;
	int ok = cert != NULL;

	ok = ok && X509_set_version(cert, 2);
	ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 86400);
	ok = ok && X509_set_pubkey(cert, key);
	X509_NAME *name = ok ? X509_get_subject_name(cert) : NULL;
	ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		(const unsigned char *)cn, -1, -1, 0);
	ok = ok && X509_set_issuer_name(cert, is_ca ? name
		: X509_get_subject_name(issuer));
	X509 *ctx_issuer = is_ca ? cert : issuer;
	ok = ok && add_ext(cert, ctx_issuer, NID_subject_key_identifier,
		"hash") == 0;
	if (is_ca) {
		ok = ok && add_ext(cert, ctx_issuer, NID_basic_constraints,
			"critical,CA:TRUE") == 0;
		ok = ok && add_ext(cert, ctx_issuer, NID_key_usage,
			"critical,keyCertSign,cRLSign") == 0;
	} else {
		ok = ok && add_ext(cert, ctx_issuer, NID_basic_constraints,
			"CA:FALSE") == 0;
		ok = ok && add_ext(cert, ctx_issuer,
			NID_authority_key_identifier, "keyid") == 0;
		ok = ok && add_ext(cert, ctx_issuer, NID_subject_alt_name,
			"DNS:localhost,IP:127.0.0.1") == 0;
		ok = ok && add_ext(cert, ctx_issuer, NID_ext_key_usage,
			"serverAuth") == 0;
	}
	ok = ok && X509_sign(cert, signer, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static int write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	int ok = cert ? PEM_write_X509(fp, cert)
		: PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
	return fclose(fp) == 0 && ok ? 0 : -1;
}

/* mdb_make_certs - see mariadb-certs.h. */
int mdb_make_certs(const char *dir, const char *name, struct mdb_certs *out)
{
	snprintf(out->ca, sizeof(out->ca), "%s/%s-ca.pem", dir, name);
	snprintf(out->cert, sizeof(out->cert), "%s/%s-cert.pem", dir, name);
	snprintf(out->key, sizeof(out->key), "%s/%s-key.pem", dir, name);

	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	EVP_PKEY *server_key = EVP_EC_gen("P-256");
	X509 *ca = ca_key ? make_cert(ca_key, "polychat test CA", NULL,
		ca_key, 1) : NULL;
	X509 *server = ca && server_key ? make_cert(server_key, "localhost",
		ca, ca_key, 2) : NULL;
	int rc = server && write_pem(out->ca, ca, NULL) == 0
		&& write_pem(out->cert, server, NULL) == 0
		&& write_pem(out->key, NULL, server_key) == 0 ? 0 : -1;
	if (rc != 0) {
		fprintf(stderr, "cannot make the test certificates in %s:\n",
			dir);
		ERR_print_errors_fp(stderr);
	}
	X509_free(server);
	X509_free(ca);
	EVP_PKEY_free(server_key);
	EVP_PKEY_free(ca_key);
	return rc;
}
