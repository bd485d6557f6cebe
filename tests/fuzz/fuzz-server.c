/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: arbitrary bytes into one suite's server half from the first byte, with its real auth and store plugins behind it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loader.h"
#include "tests/stubs/stub-feed.h"
#include "tests/stubs/stub-host.h"

/*
 * Built once per suite (tests/fuzz/local.mk), FUZZ_TARGET choosing which.
 * The options are small bounds and no write gaps, so that inputs reach
 * the limits and nothing waits.
 */
#if FUZZ_TARGET == 1
#define FUZZ_SUITE "e2ee-chat"
#define FUZZ_PLUGIN "crypto-x25519-gcm"
#define FUZZ_AUTH "otp"
#define FUZZ_AUTH_PLUGIN "auth-otp"
#define FUZZ_AUTH_OPTIONS "max_attempts", "3"
#define FUZZ_OPTIONS "max_queue", "3", "frame_timeout_ms", "1000", "write_gap_ms", "0"
#elif FUZZ_TARGET == 2
#define FUZZ_SUITE "kylochat"
#define FUZZ_PLUGIN "crypto-rsa-cbc"
#define FUZZ_AUTH "bcrypt"
#define FUZZ_AUTH_PLUGIN "auth-bcrypt"
#define FUZZ_AUTH_OPTIONS "cost", "4"
/* One key file: a rotation every 30 inputs (the clock moves 2 s each)
 * would spend the run generating RSA keys. */
#define FUZZ_OPTIONS "max_frame", "4096", "max_login_frame", "512", \
	"handshake_timeout_ms", "1000", "key_mode", "file"
#elif FUZZ_TARGET == 3
#define FUZZ_SUITE "pychat"
#define FUZZ_PLUGIN "crypto-dh-aes"
#define FUZZ_OPTIONS "max_frame", "4096", "write_gap_ms", "0", "max_rate", "0"
#elif FUZZ_TARGET == 4
#define FUZZ_SUITE "fernet-hybrid"
#define FUZZ_PLUGIN "crypto-hybrid-fernet"
#define FUZZ_OPTIONS "max_message", "1024", "write_gap_ms", "0", "max_rate", "0"
#else
#error "FUZZ_TARGET: 1 e2ee-chat, 2 kylochat, 3 pychat, 4 fernet-hybrid"
#endif

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
	char err[1024], dir[] = "/tmp/polychat-fuzz-XXXXXX";
	if (!build || !mkdtemp(dir)) {
		fprintf(stderr, "fuzz-server: set POLYCHAT_BUILDDIR\n");
		abort();
	}
	setenv("STUB_HOST_LOG", "none", 1);
	static struct pc_loader *loader; /* lives for the run */
	loader = pc_loader_new(stub_host());
	const char *names[] = { "store-sqlite", FUZZ_PLUGIN,
#ifdef FUZZ_AUTH
		FUZZ_AUTH_PLUGIN,
#endif
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (pc_loader_load(loader, plugin(build, names[i]), err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz-server: %s\n", err);
			abort();
		}
	store.ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_STORE, "sqlite")->ops.store;
	suite = &pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, FUZZ_SUITE)->ops.suite;
	struct polychat_options *so = stub_options_new(dir, "path", "fuzz.db",
		"synchronous", "normal", NULL);
	/* Small bounds so that inputs reach them. */
	struct polychat_options *o = stub_options_new(dir, FUZZ_OPTIONS, NULL);
	if (!o || store.ops->open(stub_host(), so, &store.db) != 0)
		abort();
#ifdef FUZZ_AUTH
	auth.ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, FUZZ_AUTH)->ops.auth;
	/* The lowest bcrypt cost: hashing is not what is fuzzed. */
	struct polychat_options *ao = stub_options_new(dir, FUZZ_AUTH_OPTIONS, NULL);
	struct polychat_auth_env aenv = { stub_host(), ao, &store };
	if (auth.ops->create(&aenv, &auth.instance) != 0)
		abort();
#endif
	listener = stub_listener_new("fuzz", NULL);
	struct polychat_suite_env env = { stub_host(), listener, o, &auth, &store };
	if (suite->create(&env, &instance) != 0)
		abort();
	/* Key generations create started (e2ee-chat, kylochat). */
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
	/* The stub keeps every log line and routed message for tests to
	 * read: not here, where it would only grow. */
	stub_log_clear();
	stub_deliveries_clear();
	return 0;
}
