/* SPDX-License-Identifier: MIT */
/* The store conformance suite: every backend's duties, via its ops only. */
#ifndef STORE_CONFORMANCE_H
#define STORE_CONFORMANCE_H

#include <check.h>

#include <polychat/store.h>

/*
 * How the suite reaches one backend. The suite uses nothing but `ops` and
 * `host`, so a new backend (MariaDB next) runs the same tests by providing
 * a fixture: a test program loads the plugin, fills this in and runs
 * store_conformance_suite.
 */
struct store_fixture {
	/* The host the store is opened with (the stub host, typically). */
	const struct polychat_host *host;
	/* The backend under test; every method mandatory in store.h must be
	 * set, and account_list too (optional in the ABI only so that plugins
	 * built before 1.1 still load). */
	const struct polychat_store_ops *ops;
	/* Prepare a new, empty store and return the option block that opens
	 * it (owned by the fixture until discard), or NULL. Called once per
	 * test, in the process that runs the test. */
	struct polychat_options *(*fresh)(void *arg);
	/* Close nothing, but remove the store prepared by fresh (its files or
	 * its database) and free `opts`. */
	void (*discard)(void *arg, struct polychat_options *opts);
	/* Optional: allocations made through `host` and not yet freed. When
	 * set, every test checks that closing the store and freeing what it
	 * returned brings the count back to where it was before open. */
	long (*allocations)(void *arg);
	void *arg;
};

/*
 * store_conformance_suite - a Check suite named "store <backend_name>"
 * testing every method of the backend: accounts, their ids and their
 * listing, tokens (deleting and listing them too), keys, the queue,
 * challenges, the audit trail, untouched out-parameters on failure,
 * concurrent use from several threads, and data surviving a close and
 * reopen. Each test gets a fresh store from fx->fresh. `fx` is copied; a
 * process runs one conformance suite at a time. NULL on ENOMEM.
 */
Suite *store_conformance_suite(const char *backend_name,
	const struct store_fixture *fx);

#endif /* STORE_CONFORMANCE_H */
