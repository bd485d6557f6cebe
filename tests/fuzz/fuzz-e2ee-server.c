/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: arbitrary bytes into the e2ee-chat server half from the first byte, with the real auth-otp and store-sqlite behind it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loader.h"
#include "tests/stubs/stub-feed.h"
#include "tests/stubs/stub-host.h"

/*
 * One listener instance for the whole run (the store keeps what earlier
 * inputs registered, so later inputs reach deeper states); one connection
 * per input. The input is cut into reads by its first byte, so that the
 * fuzzer also explores splits; after every read the jobs the session
 * started run to the end, as the thread pool would finish them.
 */

static const struct polychat_suite_ops *suite;
static void *instance;
static struct polychat_listener *listener;

static const char *plugin(const char *build, const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/plugins/%s/%s.la", build, name, name);
	return path;
}

static void setup(void)
{
	static struct polychat_store_ref store;
	static struct polychat_auth_ref auth;
	const char *build = getenv("POLYCHAT_BUILDDIR");
	char err[1024], dir[] = "/tmp/fuzz-e2ee-XXXXXX";
	if (!build || !mkdtemp(dir)) {
		fprintf(stderr, "fuzz-e2ee-server: set POLYCHAT_BUILDDIR\n");
		abort();
	}
	setenv("STUB_HOST_LOG", "none", 1);
	static struct pc_loader *loader; /* lives for the run */
	loader = pc_loader_new(stub_host());
	const char *names[] = { "store-sqlite", "auth-otp", "crypto-x25519-gcm" };
	for (int i = 0; i < 3; i++)
		if (pc_loader_load(loader, plugin(build, names[i]), err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz-e2ee-server: %s\n", err);
			abort();
		}
	store.ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_STORE, "sqlite")->ops.store;
	auth.ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, "otp")->ops.auth;
	suite = &pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "e2ee-chat")->ops.suite;
	struct polychat_options *so = stub_options_new(dir, "path", "fuzz.db",
		"synchronous", "normal", NULL);
	struct polychat_options *ao = stub_options_new(dir, NULL);
	/* Small bounds so that inputs reach them. */
	struct polychat_options *o = stub_options_new(dir, "max_queue", "3",
		"frame_timeout_ms", "1000", NULL);
	if (store.ops->open(stub_host(), so, &store.db) != 0)
		abort();
	struct polychat_auth_env aenv = { stub_host(), ao, &store };
	if (auth.ops->create(&aenv, &auth.instance) != 0)
		abort();
	listener = stub_listener_new("fuzz", NULL);
	struct polychat_suite_env env = { stub_host(), listener, o, &auth, &store };
	if (suite->create(&env, &instance) != 0)
		abort();
	/* The signing key: generated once, by the job create started. */
	while (stub_jobs_run())
		;
}

/* libFuzzer's entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!suite)
		setup();
	struct polychat_conn *conn = stub_conn_new(listener, "127.0.0.1", 40000);
	void *session = NULL;
	if (suite->session_open(instance, conn, &session) != 0)
		abort();
	struct stub_feeder f;
	stub_feeder_init(&f, suite->session_input);
	size_t step = len ? (size_t)data[0] * 8 + 1 : 1;
	for (size_t off = len ? 1 : 0; off < len && !stub_conn_closed(conn, NULL, NULL);) {
		size_t n = len - off < step ? len - off : step;
		if (stub_feed(&f, session, conn, data + off, n) < 0)
			break;
		off += n;
		while (stub_jobs_run())
			;
	}
	stub_clock_advance(2000);
	while (stub_jobs_run())
		;
	suite->session_close(session, 0);
	stub_feeder_free(&f);
	stub_conn_free(conn);
	/* The stub keeps every log line for tests to read: not here. */
	stub_log_clear();
	return 0;
}
