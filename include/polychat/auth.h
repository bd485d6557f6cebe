/* SPDX-License-Identifier: MIT */
/* Auth plugins: prove who a user is (passwords, one-time codes). */
#ifndef POLYCHAT_AUTH_H
#define POLYCHAT_AUTH_H

#include <polychat/host.h>
#include <polychat/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an auth instance (one per listener) is given; borrowed for its life. */
struct polychat_auth_env {
	const struct polychat_host *host;
	const struct polychat_options *options;
	const struct polychat_store_ref *store; /* where credentials live */
};

/*
 * Method types. Instance methods run on the loop thread; credential methods
 * may block (bcrypt, a store query, an SMS command) and are called only from
 * thread-pool workers, concurrently: they must be thread-safe.
 */
typedef int polychat_auth_check_fn(const struct polychat_host *host,
	const struct polychat_options *opts);
typedef int polychat_auth_create_fn(const struct polychat_auth_env *env,
	void **instance);
typedef void polychat_auth_destroy_fn(void *instance);

/* Check `secret` for `subject` in `realm` (a password, a code). Returns 0,
 * POLYCHAT_EAUTH (wrong secret), POLYCHAT_ENOTFOUND (no such subject or no
 * pending challenge), POLYCHAT_EDENIED (banned, locked), POLYCHAT_EEXPIRED
 * (challenge too old; it is removed), POLYCHAT_EINVAL (a secret the method
 * cannot check at all, e.g. with a NUL byte or over its length limit), or a
 * store error. [worker] */
typedef int polychat_auth_verify_fn(void *instance, const char *realm,
	const char *subject, const uint8_t *secret, size_t len);
/* Set the secret of `subject` (hash and store a password). Creates the
 * account when `create` is non-zero (POLYCHAT_EEXIST if it exists).
 * Returns POLYCHAT_ENOTSUP for methods without secrets. [worker] */
typedef int polychat_auth_set_secret_fn(void *instance, const char *realm,
	const char *subject, const uint8_t *secret, size_t len, int create);
/* Issue a challenge for `subject` (for example a one-time code) and deliver
 * it the way the instance is configured. If the configured delivery hands
 * the code back to the caller, it is written to `echo` (NUL-terminated, at
 * most `echo_len` bytes) and *echoed is set to 1. Returns 0,
 * POLYCHAT_EEXIST (a challenge is pending), POLYCHAT_ENOTSUP, POLYCHAT_EIO
 * (delivery failed). [worker] */
typedef int polychat_auth_issue_fn(void *instance, const char *realm,
	const char *subject, char *echo, size_t echo_len, int *echoed);

/* The ops of one auth method, ABI 1.0, append-only. */
struct polychat_auth_ops {
	polychat_auth_check_fn *check;            /* optional */
	polychat_auth_create_fn *create;          /* mandatory */
	polychat_auth_destroy_fn *destroy;        /* mandatory */
	polychat_auth_verify_fn *verify;          /* mandatory */
	polychat_auth_set_secret_fn *set_secret;  /* optional: ENOTSUP */
	polychat_auth_issue_fn *issue;            /* optional: ENOTSUP */
};

/* A listener's auth binding as handed to a suite. */
struct polychat_auth_ref {
	const struct polychat_auth_ops *ops;
	void *instance;
};

#ifdef __cplusplus
}
#endif

#endif /* POLYCHAT_AUTH_H */
