/* SPDX-License-Identifier: MIT */
/* The real auth-otp plugin on the real SQLite store: codes, attempts, expiry, the delivery command. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/loader.h"
#include "tests/stubs/stub-host.h"
#include "../check-run.h"

#define REALM "phones"
#define PHONE "0501234567"

static struct pc_loader *loader;
static const struct polychat_store_ops *store_ops;
static const struct polychat_auth_ops *auth_ops;
static struct polychat_store_ref store;
static struct polychat_options *store_opts, *auth_opts;
static void *auth;
static char dir[256];

static const char *plugin(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/plugins/%s/%s.la", getenv("POLYCHAT_BUILDDIR"),
		name, name);
	return path;
}

static void setup(void)
{
	char err[1024];
	stub_host_reset();
	loader = pc_loader_new(stub_host());
	ck_assert_ptr_nonnull(loader);
	ck_assert_msg(pc_loader_load(loader, plugin("auth-otp"), err, sizeof(err)) == 0,
		"%s", err);
	ck_assert_msg(pc_loader_load(loader, plugin("store-sqlite"), err, sizeof(err)) == 0,
		"%s", err);
	auth_ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, "otp")->ops.auth;
	store_ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_STORE, "sqlite")->ops.store;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/otp-XXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	store_opts = stub_options_new(dir, "path", "otp.db", NULL);
	ck_assert_int_eq(store_ops->open(stub_host(), store_opts, &store.db), 0);
	store.ops = store_ops;
	auth = NULL;
	auth_opts = NULL;
}

/* An instance with these options (key, value pairs, NULL-terminated). */
static void create(const char *key, ...)
{
	va_list ap;
	auth_opts = stub_options_new(dir, NULL);
	ck_assert_ptr_nonnull(auth_opts);
	va_start(ap, key);
	for (const char *k = key; k; k = va_arg(ap, const char *))
		ck_assert_int_eq(stub_options_set(auth_opts, k, va_arg(ap, const char *)), 0);
	va_end(ap);
	struct polychat_auth_env env = { stub_host(), auth_opts, &store };
	ck_assert_int_eq(auth_ops->create(&env, &auth), 0);
}

static void teardown(void)
{
	if (auth)
		auth_ops->destroy(auth);
	store_ops->close(store.db);
	stub_options_free(auth_opts);
	stub_options_free(store_opts);
	pc_loader_free(loader);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

static int issue(char code[16])
{
	int echoed = 0;
	int rc = auth_ops->issue(auth, REALM, PHONE, code, 16, &echoed);
	if (rc == 0)
		ck_assert_int_eq(echoed, code[0] != '\0');
	return rc;
}

static int verify(const char *code)
{
	return auth_ops->verify(auth, REALM, PHONE, (const uint8_t *)code, strlen(code));
}

/* A code that is not `code`. */
static void other_code(const char *code, char out[7])
{
	unsigned v = (unsigned)strtoul(code, NULL, 10);
	v = v == 999999 ? 100000 : v + 1;
	snprintf(out, 7, "%06u", v % 1000000);
}

START_TEST(echo_code_verifies_once)
{
	create(NULL);
	ck_assert(stub_log_contains("proves nothing"));
	char code[16] = "", wrong[7];
	ck_assert_int_eq(issue(code), 0);
	ck_assert_uint_eq(strlen(code), 6);
	long v = strtol(code, NULL, 10);
	ck_assert(v >= 100000 && v <= 999999);
	/* Only a salted hash is kept. */
	struct polychat_challenge ch;
	ck_assert_int_eq(store_ops->challenge_get(store.db, REALM, PHONE, &ch), 0);
	ck_assert_ptr_null(strstr(ch.secret, code));
	ck_assert(strncmp(ch.secret, "sha256$", 7) == 0);
	ck_assert_int_eq(ch.expires_at - ch.created_at, 60);
	/* Pending: no second code. */
	char again[16] = "";
	ck_assert_int_eq(issue(again), POLYCHAT_EEXIST);
	other_code(code, wrong);
	ck_assert_int_eq(verify(wrong), POLYCHAT_EAUTH);
	ck_assert_int_eq(verify(code), 0);
	ck_assert_int_eq(verify(code), POLYCHAT_ENOTFOUND);
	/* Never logged. */
	ck_assert(!stub_log_contains(code));
}
END_TEST

START_TEST(codes_are_uniformish_and_in_range)
{
	create(NULL);
	int low = 0, high = 0;
	char first[16] = "";
	int differ = 0;
	for (int i = 0; i < 200; i++) {
		char code[16] = "";
		ck_assert_int_eq(issue(code), 0);
		long v = strtol(code, NULL, 10);
		ck_assert(v >= 100000 && v <= 999999);
		low += v < 550000;
		high += v >= 550000;
		if (i == 0)
			strcpy(first, code);
		differ += strcmp(first, code) != 0;
		ck_assert_int_eq(store_ops->challenge_delete(store.db, REALM, PHONE), 0);
	}
	/* 200 fair draws split below 20/180 with a probability under 1e-30. */
	ck_assert_int_gt(low, 20);
	ck_assert_int_gt(high, 20);
	ck_assert_int_gt(differ, 190);
}
END_TEST

START_TEST(attempts_are_bounded)
{
	create("max_attempts", "3", NULL);
	char code[16] = "", wrong[7];
	ck_assert_int_eq(issue(code), 0);
	other_code(code, wrong);
	ck_assert_int_eq(verify(wrong), POLYCHAT_EAUTH);
	/* Not six digits: a failed attempt too. */
	ck_assert_int_eq(verify("12345"), POLYCHAT_EAUTH);
	struct polychat_challenge ch;
	ck_assert_int_eq(store_ops->challenge_get(store.db, REALM, PHONE, &ch), 0);
	ck_assert_uint_eq(ch.attempts, 2);
	ck_assert_int_eq(verify("abcdef"), POLYCHAT_EDENIED);
	/* The code is gone: even the right one fails now. */
	ck_assert_int_eq(verify(code), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(issue(code), 0);
	ck_assert_int_eq(verify(code), 0);
}
END_TEST

START_TEST(expired_code_is_removed)
{
	create("validity_s", "1", NULL);
	char code[16] = "";
	ck_assert_int_eq(issue(code), 0);
	/* Validity is whole seconds of the wall clock: wait past it. */
	struct timespec ts = { .tv_sec = 2, .tv_nsec = 100000000 };
	nanosleep(&ts, NULL);
	ck_assert_int_eq(verify(code), POLYCHAT_EEXPIRED);
	ck_assert_int_eq(verify(code), POLYCHAT_ENOTFOUND);
	/* An expired pending code does not block a new one. */
	ck_assert_int_eq(issue(code), 0);
	nanosleep(&ts, NULL);
	ck_assert_int_eq(issue(code), 0);
	ck_assert_int_eq(verify(code), 0);
}
END_TEST

struct guesser {
	char wrong[7];
	int denied, auth;
};

static void *guess(void *arg)
{
	struct guesser *g = arg;
	for (int i = 0; i < 5; i++) {
		int rc = verify(g->wrong);
		g->denied += rc == POLYCHAT_EDENIED;
		g->auth += rc == POLYCHAT_EAUTH;
	}
	return NULL;
}

START_TEST(parallel_guesses_are_all_counted)
{
	create("max_attempts", "12", NULL);
	char code[16] = "";
	ck_assert_int_eq(issue(code), 0);
	struct guesser g[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		other_code(code, g[i].wrong);
		ck_assert_int_eq(pthread_create(&t[i], NULL, guess, &g[i]), 0);
	}
	int denied = 0, failed = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		denied += g[i].denied;
		failed += g[i].auth;
	}
	/* 20 guesses: 11 wrong, the 12th removes the code, 8 find none. */
	ck_assert_int_eq(failed, 11);
	ck_assert_int_eq(denied, 1);
	ck_assert_int_eq(verify(code), POLYCHAT_ENOTFOUND);
}
END_TEST

/* --- delivery: command --- */

static char script[400], record[400];

static void write_script(const char *body)
{
	snprintf(script, sizeof(script), "%s/deliver.sh", dir);
	snprintf(record, sizeof(record), "%s/delivered", dir);
	FILE *f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(script, 0700), 0);
}

static void slurp(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

START_TEST(command_gets_the_code_on_stdin)
{
	char body[1200];
	snprintf(body, sizeof(body),
		"read code\necho \"args=$* code=$code\" > '%s/delivered'", dir);
	write_script(body);
	create("delivery", "command", "command", script, NULL);
	char echo[16] = "";
	int echoed = 1;
	ck_assert_int_eq(auth_ops->issue(auth, REALM, PHONE, echo, sizeof(echo), &echoed), 0);
	ck_assert_int_eq(echoed, 0);
	ck_assert_str_eq(echo, "");
	char got[256];
	slurp(record, got, sizeof(got));
	char *code = strstr(got, "code=");
	ck_assert_ptr_nonnull(code);
	code += 5;
	code[strcspn(code, "\n")] = '\0';
	ck_assert_uint_eq(strlen(code), 6);
	/* The arguments name the realm and the subject, never the code. */
	static const char want[] = "args=" REALM " " PHONE " code=";
	ck_assert_msg(strncmp(got, want, sizeof(want) - 1) == 0, "%s", got);
	ck_assert_int_eq(verify(code), 0);
}
END_TEST

START_TEST(failing_command_leaves_no_code)
{
	write_script("exit 3");
	create("delivery", "command", "command", script, NULL);
	char echo[16] = "";
	ck_assert_int_eq(issue(echo), POLYCHAT_EIO);
	ck_assert(stub_log_contains("exited with status 3"));
	ck_assert_int_eq(verify("123456"), POLYCHAT_ENOTFOUND);
	/* Nothing pending: a retry may issue at once. */
	ck_assert_int_eq(issue(echo), POLYCHAT_EIO);
}
END_TEST

START_TEST(hanging_command_is_killed_and_reaped)
{
	char body[600];
	snprintf(body, sizeof(body), "echo $$ > '%s/pid'\nsleep 30 & wait", dir);
	write_script(body);
	create("delivery", "command", "command", script, "command_timeout_ms", "300", NULL);
	char echo[16] = "";
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(issue(echo), POLYCHAT_EIO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert(stub_log_contains("did not finish within 300 ms"));
	/* Bounded: not the 30 s the script asked for. */
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 20);
	char path[512], pid[32];
	snprintf(path, sizeof(path), "%s/pid", dir);
	slurp(path, pid, sizeof(pid));
	/* The script was reaped (no zombie of ours), its child killed with
	 * its group. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	/* Killed children are reaped by init: give it a moment. */
	int alive = 1;
	for (int i = 0; i < 200 && alive; i++) {
		alive = kill(-(pid_t)atol(pid), 0) == 0;
		if (alive)
			nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	ck_assert_msg(!alive, "the delivery program's group is still there");
	ck_assert_int_eq(verify("123456"), POLYCHAT_ENOTFOUND);
}
END_TEST

START_TEST(options_are_checked)
{
	static const char *const bad[][4] = {
		{ "delivery", "command", NULL, NULL },
		{ "delivery", "command", "command", "relative/script" },
		{ "delivery", "sms", NULL, NULL },
		{ "validity_s", "0", NULL, NULL },
		{ "max_attempts", "0", NULL, NULL },
		{ "command_timeout_ms", "5", NULL, NULL },
		{ "command", "/bin/true", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct polychat_options *o = stub_options_new(dir, bad[i][0], bad[i][1],
			bad[i][2], bad[i][3], NULL);
		ck_assert_ptr_nonnull(o);
		ck_assert_msg(auth_ops->check(stub_host(), o) == POLYCHAT_ECONFIG, "case %zu", i);
		ck_assert_uint_gt(stub_options_errors(o), 0);
		stub_options_free(o);
	}
	struct polychat_options *o = stub_options_new(dir, "delivery", "command",
		"command", "/bin/true", "validity_s", "300", NULL);
	ck_assert_int_eq(auth_ops->check(stub_host(), o), 0);
	ck_assert_int_eq(stub_options_unused(o), 0);
	stub_options_free(o);
	/* No store: refused at create. */
	struct polychat_store_ref none = { 0 };
	struct polychat_auth_env env = { stub_host(), store_opts, &none };
	void *inst = NULL;
	ck_assert_int_eq(auth_ops->create(&env, &inst), POLYCHAT_ECONFIG);
	/* Codes are issued, never set. */
	ck_assert_int_eq(auth_ops->set_secret(NULL, REALM, PHONE, (const uint8_t *)"x", 1, 1),
		POLYCHAT_ENOTSUP);
}
END_TEST

static Suite *otp_suite(void)
{
	Suite *s = suite_create("auth-otp");
	TCase *tc = tcase_create("otp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, echo_code_verifies_once);
	tcase_add_test(tc, codes_are_uniformish_and_in_range);
	tcase_add_test(tc, attempts_are_bounded);
	tcase_add_test(tc, expired_code_is_removed);
	tcase_add_test(tc, parallel_guesses_are_all_counted);
	tcase_add_test(tc, command_gets_the_code_on_stdin);
	tcase_add_test(tc, failing_command_leaves_no_code);
	tcase_add_test(tc, hanging_command_is_killed_and_reaped);
	tcase_add_test(tc, options_are_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(otp_suite());
}
