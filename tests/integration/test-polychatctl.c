/* SPDX-License-Identifier: MIT */
/* polychatctl end to end: users and tokens on the real store and auth, errors, beside polychatd. */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/loader.h"
#include "tests/stubs/stub-host.h"
#include "harness.h"
#include "../check-run.h"

#define REALM "kylo"

/* One listener with accounts: testline speaks on it, bcrypt (cost 4, to be
 * quick) hashes its passwords into the one sqlite store. */
static const char listener_kylo[] =
	"  - {name: kylo, port: 0, suite: testline, auth: bcrypt,"
	" auth_options: {cost: 4}}\n";

static struct h_daemon d;
static char plugin_path[4096];
static struct pc_loader *loader;
static const struct polychat_store_ops *store_ops;
static const struct polychat_auth_ops *auth_ops;

/* One run of polychatctl: what it is given, and what it answered. */
struct run {
	const char *input;        /* standard input; NULL: /dev/null */
	const char *password;     /* $POLYCHAT_PASSWORD; NULL: unset */
	const char *plugin_env;   /* $POLYCHAT_PLUGIN_PATH; NULL: unset */
	int raw;                  /* no "-c CONFIG -p PLUGINS" in front */
	char out[16384];
	char err[16384];
};

/* The fixture's configuration with these listeners; `plugin_dir` sets
 * daemon.plugin_dir unless NULL. */
static void write_config_in(const char *plugin_dir, const char *listeners)
{
	char yaml[8192];
	snprintf(yaml, sizeof(yaml),
		"daemon:\n"
		"  state_dir: %s\n"
		"%s%s%s"
		"stores:\n"
		"  main: {backend: sqlite, options: {path: ctl.db}}\n"
		"listeners:\n%s", d.dir, plugin_dir ? "  plugin_dir: " : "",
		plugin_dir ? plugin_dir : "", plugin_dir ? "\n" : "", listeners);
	h_write_config(&d, yaml);
}

static void write_config(const char *listeners)
{
	write_config_in(NULL, listeners);
}

static const char *plugin_file(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/plugins/%s/%s.la", h_builddir(), name, name);
	return path;
}

static void setup(void)
{
	h_daemon_init(&d);
	/* The harness's path: test suites and the built plugins. */
	snprintf(plugin_path, sizeof(plugin_path), "%s", h_plugin_path());
	write_config(listener_kylo);

	/* The test reads and seeds the store through the same plugins. */
	char err[1024];
	stub_host_reset();
	loader = pc_loader_new(stub_host());
	ck_assert_ptr_nonnull(loader);
	ck_assert_msg(pc_loader_load(loader, plugin_file("store-sqlite"), err,
		sizeof(err)) == 0, "%s", err);
	ck_assert_msg(pc_loader_load(loader, plugin_file("auth-bcrypt"), err,
		sizeof(err)) == 0, "%s", err);
	store_ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_STORE, "sqlite")->ops.store;
	auth_ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, "bcrypt")->ops.auth;
}

static void teardown(void)
{
	pc_loader_free(loader);
	h_daemon_cleanup(&d);
}

/* Run polychatctl with `args` to completion; returns its exit status, or
 * -1 if it died by a signal or outlived the bound. */
static int run_ctl(struct run *r, const char *const *args)
{
	int in[2], out[2], err[2];
	ck_assert(pipe(in) == 0 && pipe(out) == 0 && pipe(err) == 0);
	char exe[1024];
	snprintf(exe, sizeof(exe), "%s/ctl/polychatctl", h_builddir());
	const char *argv[40] = { exe };
	size_t n = 1;
	if (!r->raw) {
		argv[n++] = "-c";
		argv[n++] = d.config;
		argv[n++] = "-p";
		argv[n++] = plugin_path;
	}
	for (size_t i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(r->input ? in[0] : null, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		if (r->password)
			setenv("POLYCHAT_PASSWORD", r->password, 1);
		else
			unsetenv("POLYCHAT_PASSWORD");
		if (r->plugin_env)
			setenv("POLYCHAT_PLUGIN_PATH", r->plugin_env, 1);
		else
			unsetenv("POLYCHAT_PLUGIN_PATH");
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	/* A few bytes: the pipe takes them without a reader. */
	if (r->input)
		ck_assert_int_eq(write(in[1], r->input, strlen(r->input)),
			(ssize_t)strlen(r->input));
	close(in[1]);

	struct pollfd pfd[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
	char *buf[2] = { r->out, r->err };
	size_t used[2] = { 0, 0 };
	int open_fds = 2;
	long long deadline = h_now_ms() + H_TIMEOUT_MS;
	while (open_fds > 0 && h_now_ms() < deadline) {
		if (poll(pfd, 2, (int)(deadline - h_now_ms())) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			ssize_t got = read(pfd[i].fd, buf[i] + used[i],
				sizeof(r->out) - used[i] - 1);
			if (got <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			} else {
				used[i] += (size_t)got;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		buf[i][used[i]] = '\0';
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	}
	int status;
	if (open_fds > 0)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define CTL(r, ...) run_ctl((r), (const char *const[]){ __VA_ARGS__, NULL })

/* The store of the fixture, opened by the test itself; with `auth`, also
 * an auth-bcrypt instance on it. */
struct held {
	struct polychat_store_ref store;
	struct polychat_options *store_opts, *auth_opts;
	void *auth;
};

static void hold(struct held *h, int auth)
{
	memset(h, 0, sizeof(*h));
	h->store_opts = stub_options_new(d.dir, "path", "ctl.db", NULL);
	ck_assert_int_eq(store_ops->open(stub_host(), h->store_opts, &h->store.db), 0);
	h->store.ops = store_ops;
	if (auth) {
		h->auth_opts = stub_options_new(d.dir, "cost", "4", NULL);
		struct polychat_auth_env env = { stub_host(), h->auth_opts, &h->store };
		ck_assert_int_eq(auth_ops->create(&env, &h->auth), 0);
	}
}

static void release(struct held *h)
{
	if (h->auth)
		auth_ops->destroy(h->auth);
	store_ops->close(h->store.db);
	stub_options_free(h->store_opts);
	stub_options_free(h->auth_opts);
}

/* What auth-bcrypt says of this password now (0, EAUTH, EDENIED, ...). */
static int verify(const char *realm, const char *name, const char *password)
{
	struct held h;
	hold(&h, 1);
	int rc = auth_ops->verify(h.auth, realm, name, (const uint8_t *)password,
		strlen(password));
	release(&h);
	return rc;
}

static void put_token(const char *token, const char *realm, const char *name,
	int64_t issued_at, int64_t expires_at)
{
	struct polychat_token t = { .issued_at = issued_at, .expires_at = expires_at };
	snprintf(t.token, sizeof(t.token), "%s", token);
	snprintf(t.realm, sizeof(t.realm), "%s", realm);
	snprintf(t.name, sizeof(t.name), "%s", name);
	struct held h;
	hold(&h, 0);
	ck_assert_int_eq(store_ops->token_put(h.store.db, &t), 0);
	release(&h);
}

/* token_get: 0 and *revoked, or the store's error. */
static int get_token(const char *token, int *revoked)
{
	struct polychat_token t;
	struct held h;
	hold(&h, 0);
	int rc = store_ops->token_get(h.store.db, token, &t);
	release(&h);
	if (rc == 0)
		*revoked = t.revoked;
	return rc;
}

static void write_file(const char *name, const char *text, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", d.dir, name);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The row of `user show` after its header, without the id and created
 * columns: "name\tadmin\tbanned\tverified". */
static void show_flags(const char *name, char *row, size_t len)
{
	struct run r = { 0 };
	ck_assert_int_eq(CTL(&r, "user", "show", name), 0);
	const char *header = "id\tname\tadmin\tbanned\tverified\tcreated\tlast_seen\n";
	ck_assert_msg(strncmp(r.out, header, strlen(header)) == 0, "got: %s", r.out);
	const char *tab = strchr(r.out + strlen(header), '\t');
	ck_assert_ptr_nonnull(tab);
	/* name, admin, banned, verified: four fields. */
	const char *end = tab;
	for (int i = 0; i < 4 && end; i++)
		end = strchr(end + 1, '\t');
	ck_assert_ptr_nonnull(end);
	snprintf(row, len, "%.*s", (int)(end - tab - 1), tab + 1);
}

START_TEST(user_add_show_and_flags)
{
	char pwfile[400], row[256];
	write_file("pw", "first line\nsecond line\n", pwfile, sizeof(pwfile));
	struct run r = { 0 };
	ck_assert_int_eq(CTL(&r, "user", "add", "alice", "--password-file", pwfile), 0);
	/* Nothing printed, and the password in no message. */
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_null(strstr(r.err, "first line"));

	/* The hash went through auth-bcrypt: the first line is the password. */
	ck_assert_int_eq(verify(REALM, "alice", "first line"), 0);
	ck_assert_int_eq(verify(REALM, "alice", "second line"), POLYCHAT_EAUTH);
	ck_assert_int_eq(verify("other", "alice", "first line"), POLYCHAT_ENOTFOUND);

	show_flags("alice", row, sizeof(row));
	ck_assert_str_eq(row, "alice\tno\tno\tno");
	ck_assert_int_eq(CTL(&r, "user", "admin", "alice", "on"), 0);
	show_flags("alice", row, sizeof(row));
	ck_assert_str_eq(row, "alice\tyes\tno\tno");
	ck_assert_int_eq(CTL(&r, "user", "ban", "alice", "on"), 0);
	show_flags("alice", row, sizeof(row));
	ck_assert_str_eq(row, "alice\tyes\tyes\tno");
	/* The ban is what the auth method sees, and the password is kept. */
	ck_assert_int_eq(verify(REALM, "alice", "first line"), POLYCHAT_EDENIED);
	ck_assert_int_eq(CTL(&r, "user", "admin", "alice", "off"), 0);
	ck_assert_int_eq(CTL(&r, "user", "ban", "alice", "off"), 0);
	show_flags("alice", row, sizeof(row));
	ck_assert_str_eq(row, "alice\tno\tno\tno");
	ck_assert_int_eq(verify(REALM, "alice", "first line"), 0);

	/* --admin at creation, the password from the environment. */
	struct run env = { .password = "from the env" };
	ck_assert_int_eq(CTL(&env, "user", "add", "bob", "--admin"), 0);
	show_flags("bob", row, sizeof(row));
	ck_assert_str_eq(row, "bob\tyes\tno\tno");
	ck_assert_int_eq(verify(REALM, "bob", "from the env"), 0);

	/* From standard input with "-", CRLF line end dropped. */
	struct run in = { .input = "piped pw\r\nrest\n" };
	ck_assert_int_eq(CTL(&in, "user", "add", "carol", "--password-file", "-"), 0);
	ck_assert_int_eq(verify(REALM, "carol", "piped pw"), 0);

	/* The time columns: created is a UTC time, last_seen never. */
	ck_assert_int_eq(CTL(&r, "user", "show", "carol"), 0);
	ck_assert_msg(strstr(r.out, "Z\t-\n") != NULL, "got: %s", r.out);
}
END_TEST

START_TEST(user_passwd_and_random_passwords)
{
	struct run r = { 0 };
	ck_assert_int_eq(CTL(&r, "user", "add", "dave", "--random"), 0);
	/* Exactly one line: 16 letters and digits. */
	ck_assert_int_eq(strlen(r.out), 17);
	ck_assert_int_eq(r.out[16], '\n');
	ck_assert_int_eq(strspn(r.out, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789"), 16);
	char first[17];
	snprintf(first, sizeof(first), "%.16s", r.out);
	ck_assert_int_eq(verify(REALM, "dave", first), 0);

	/* passwd replaces it. */
	struct run in = { .input = "new secret\n" };
	ck_assert_int_eq(CTL(&in, "user", "passwd", "dave", "--password-file", "-"), 0);
	ck_assert_str_eq(in.out, "");
	ck_assert_int_eq(verify(REALM, "dave", "new secret"), 0);
	ck_assert_int_eq(verify(REALM, "dave", first), POLYCHAT_EAUTH);

	/* A second random one differs from the first. */
	ck_assert_int_eq(CTL(&r, "user", "passwd", "dave", "--random"), 0);
	ck_assert_int_eq(strlen(r.out), 17);
	ck_assert_int_ne(strncmp(r.out, first, 16), 0);
	char second[17];
	snprintf(second, sizeof(second), "%.16s", r.out);
	ck_assert_int_eq(verify(REALM, "dave", second), 0);
	ck_assert_int_eq(verify(REALM, "dave", "new secret"), POLYCHAT_EAUTH);
}
END_TEST

START_TEST(duplicates_and_unknown_users_fail)
{
	struct run r = { .password = "pw one" };
	ck_assert_int_eq(CTL(&r, "user", "add", "erin"), 0);
	r.password = "pw two";
	ck_assert_int_eq(CTL(&r, "user", "add", "erin"), 1);
	ck_assert_msg(strstr(r.err, "already exists") != NULL, "got: %s", r.err);
	/* The first password still holds. */
	ck_assert_int_eq(verify(REALM, "erin", "pw one"), 0);
	/* Names are exact: another spelling is another user. */
	ck_assert_int_eq(CTL(&r, "user", "show", "Erin"), 1);

	const char *const cmds[][5] = {
		{ "user", "show", "nobody", NULL },
		{ "user", "remove", "nobody", NULL },
		{ "user", "passwd", "nobody", NULL },
		{ "user", "admin", "nobody", "on" },
		{ "user", "ban", "nobody", "on" },
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ck_assert_int_eq(run_ctl(&r, cmds[i]), 1);
		ck_assert_msg(strstr(r.err, "no user 'nobody' in realm 'kylo'") != NULL,
			"%s %s: %s", cmds[i][0], cmds[i][1], r.err);
	}

	/* What the auth method refuses fails the operation (bcrypt: > 72 bytes). */
	char longpw[100];
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	r.password = longpw;
	ck_assert_int_eq(CTL(&r, "user", "add", "frank"), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "refused"));
	ck_assert_int_eq(CTL(&r, "user", "show", "frank"), 1);
}
END_TEST

START_TEST(user_remove_deletes_the_account_and_its_tokens)
{
	struct run r = { .password = "pw" };
	ck_assert_int_eq(CTL(&r, "user", "add", "gina"), 0);
	ck_assert_int_eq(CTL(&r, "user", "add", "hank"), 0);
	put_token("tok-g1", REALM, "gina", 100, 4000000000LL);
	put_token("tok-g2", REALM, "gina", 200, 4000000000LL);
	put_token("tok-h1", REALM, "hank", 300, 4000000000LL);

	ck_assert_int_eq(CTL(&r, "user", "remove", "gina"), 0);
	ck_assert_int_eq(CTL(&r, "user", "show", "gina"), 1);
	ck_assert_int_eq(verify(REALM, "gina", "pw"), POLYCHAT_ENOTFOUND);
	int revoked;
	ck_assert_int_eq(get_token("tok-g1", &revoked), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(get_token("tok-g2", &revoked), POLYCHAT_ENOTFOUND);
	/* Another user's token is untouched. */
	ck_assert_int_eq(get_token("tok-h1", &revoked), 0);
	ck_assert_int_eq(revoked, 0);
	ck_assert_int_eq(verify(REALM, "hank", "pw"), 0);
}
END_TEST

START_TEST(token_list_revoke_remove_and_purge)
{
	const int64_t future = 4000000000LL, past = 1000;
	put_token("tok-a1", REALM, "alice", 100, future);
	put_token("tok-a2", REALM, "alice", 200, past);
	put_token("tok-b1", REALM, "bob", 300, future);
	put_token("tok-x1", "elsewhere", "alice", 400, future);

	struct run r = { 0 };
	ck_assert_int_eq(CTL(&r, "token", "list"), 0);
	/* Newest first, this realm only, with the state of each. */
	ck_assert_str_eq(r.out,
		"token\tname\tissued\texpires\tstate\n"
		"tok-b1\tbob\t1970-01-01T00:05:00Z\t2096-10-02T07:06:40Z\tvalid\n"
		"tok-a2\talice\t1970-01-01T00:03:20Z\t1970-01-01T00:16:40Z\texpired\n"
		"tok-a1\talice\t1970-01-01T00:01:40Z\t2096-10-02T07:06:40Z\tvalid\n");
	ck_assert_int_eq(CTL(&r, "token", "list", "alice", "--limit", "1"), 0);
	ck_assert_str_eq(r.out,
		"token\tname\tissued\texpires\tstate\n"
		"tok-a2\talice\t1970-01-01T00:03:20Z\t1970-01-01T00:16:40Z\texpired\n");

	ck_assert_int_eq(CTL(&r, "token", "revoke", "tok-a1"), 0);
	int revoked;
	ck_assert_int_eq(get_token("tok-a1", &revoked), 0);
	ck_assert_int_eq(revoked, 1);
	ck_assert_int_eq(CTL(&r, "token", "list", "alice"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "tok-a1\talice\t1970-01-01T00:01:40Z\t"
		"2096-10-02T07:06:40Z\trevoked\n"));

	/* Tokens of another realm are out of reach, and unknown ones fail. */
	ck_assert_int_eq(CTL(&r, "token", "revoke", "tok-x1"), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no such token in realm 'kylo'"));
	ck_assert_int_eq(CTL(&r, "token", "remove", "tok-x1"), 1);
	ck_assert_int_eq(get_token("tok-x1", &revoked), 0);
	ck_assert_int_eq(revoked, 0);
	ck_assert_int_eq(CTL(&r, "token", "revoke", "no-such-token"), 1);

	ck_assert_int_eq(CTL(&r, "token", "remove", "tok-b1"), 0);
	ck_assert_int_eq(get_token("tok-b1", &revoked), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(CTL(&r, "token", "remove", "tok-b1"), 1);

	/* tok-a1 was revoked already: only tok-a2 is newly revoked. */
	ck_assert_int_eq(CTL(&r, "token", "revoke-user", "alice"), 0);
	ck_assert_str_eq(r.out, "revoked 1\n");
	ck_assert_int_eq(get_token("tok-a2", &revoked), 0);
	ck_assert_int_eq(revoked, 1);
	ck_assert_int_eq(get_token("tok-x1", &revoked), 0);
	ck_assert_int_eq(revoked, 0);

	/* Only the expired one goes. */
	ck_assert_int_eq(CTL(&r, "token", "purge"), 0);
	ck_assert_str_eq(r.out, "purged 1\n");
	ck_assert_int_eq(get_token("tok-a2", &revoked), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(get_token("tok-a1", &revoked), 0);
	ck_assert_int_eq(CTL(&r, "token", "list"), 0);
	ck_assert_str_eq(r.out,
		"token\tname\tissued\texpires\tstate\n"
		"tok-a1\talice\t1970-01-01T00:01:40Z\t2096-10-02T07:06:40Z\trevoked\n");

	/* Bytes a client could put in a name cannot break the columns. */
	put_token("tok-c1", REALM, "tab\there\\", 500, future);
	ck_assert_int_eq(CTL(&r, "token", "list", "--limit", "1"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\ntok-c1\ttab\\x09here\\x5c\t"));
}
END_TEST

START_TEST(usage_and_configuration_errors_exit_2)
{
	struct run r = { 0 };
	ck_assert_int_eq(CTL(&r, "user"), 2);
	ck_assert_int_eq(CTL(&r, "user", "frob", "x"), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'user frob'"));
	ck_assert_int_eq(CTL(&r, "user", "add"), 2);
	ck_assert_int_eq(CTL(&r, "user", "add", "a", "b"), 2);
	ck_assert_int_eq(CTL(&r, "user", "add", "a", "--bogus"), 2);
	ck_assert_int_eq(CTL(&r, "user", "show", "a", "--admin"), 2);
	ck_assert_int_eq(CTL(&r, "user", "add", "a", "--random", "--password-file", "f"), 2);
	ck_assert_int_eq(CTL(&r, "user", "admin", "a", "maybe"), 2);
	ck_assert_int_eq(CTL(&r, "token", "list", "--limit", "0"), 2);
	ck_assert_int_eq(CTL(&r, "token", "purge", "now"), 2);
	ck_assert_int_eq(CTL(&r, "-x", "token", "purge"), 2);
	ck_assert_int_eq(CTL(&r, "user", "add", "tab\tname", "--random"), 2);
	ck_assert_str_eq(r.out, "");
	/* No password source at all (not a terminal, nothing given). */
	ck_assert_int_eq(CTL(&r, "user", "add", "ivan"), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "no password given"));
	char path[400];
	ck_assert_int_eq(CTL(&r, "user", "add", "ivan", "--password-file",
		"/nonexistent/pw"), 2);
	write_file("empty", "\n", path, sizeof(path));
	ck_assert_int_eq(CTL(&r, "user", "add", "ivan", "--password-file", path), 2);
	/* None of them created anything. */
	ck_assert_int_eq(CTL(&r, "user", "show", "ivan"), 1);

	/* A missing or broken configuration, named. */
	struct run raw = { .raw = 1 };
	ck_assert_int_eq(CTL(&raw, "-c", "/nonexistent/polychatd.yaml", "token", "purge"), 2);
	ck_assert_ptr_nonnull(strstr(raw.err, "/nonexistent/polychatd.yaml"));
	write_config("  - {name: kylo, port: 0, suite: testline, auth: bcrypt, colour: red}\n");
	ck_assert_int_eq(CTL(&r, "token", "purge"), 2);
	char where[400];
	snprintf(where, sizeof(where), "%s:6:", d.config);
	ck_assert_msg(strstr(r.err, where) != NULL, "got: %s", r.err);
	/* The plugins check their options as for polychatd. */
	write_config("  - {name: kylo, port: 0, suite: testline, auth: bcrypt,"
		" auth_options: {cost: 99}}\n");
	ck_assert_int_eq(CTL(&r, "token", "purge"), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "cost"));
}
END_TEST

START_TEST(listener_choice_and_plugin_path)
{
	/* Two listeners with accounts, in two realms: -l is needed. */
	static const char listeners[] =
		"  - {name: kylo, port: 0, suite: testline, auth: bcrypt,"
		" auth_options: {cost: 4}}\n"
		"  - {name: other, port: 0, suite: testline2, auth: bcrypt,"
		" auth_options: {cost: 4}, realm: second}\n"
		"  - {name: plain, port: 0, suite: testline}\n";
	write_config(listeners);
	struct run r = { .password = "pw" };
	ck_assert_int_eq(CTL(&r, "user", "add", "jo"), 2);
	ck_assert_msg(strstr(r.err, "several listeners") && strstr(r.err, " kylo other\n"),
		"got: %s", r.err);
	ck_assert_int_eq(CTL(&r, "-l", "other", "user", "add", "jo"), 0);
	/* The realm is the listener's: jo exists in "second" only. */
	ck_assert_int_eq(verify("second", "jo", "pw"), 0);
	ck_assert_int_eq(verify(REALM, "jo", "pw"), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(CTL(&r, "-l", "kylo", "user", "show", "jo"), 1);
	ck_assert_int_eq(CTL(&r, "-l", "nosuch", "user", "show", "jo"), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "no listener named 'nosuch'"));

	/* A listener without an auth method: tokens yes, passwords no. */
	ck_assert_int_eq(CTL(&r, "-l", "plain", "token", "purge"), 0);
	ck_assert_int_eq(CTL(&r, "-l", "plain", "user", "add", "kim"), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "no auth method"));

	/* The plugin path as polychatd takes it: -p, else
	 * $POLYCHAT_PLUGIN_PATH (empty counts as unset), else
	 * daemon.plugin_dir, else the built-in directory, which has no
	 * testline suite. */
	r.raw = 1;
	r.plugin_env = plugin_path;
	ck_assert_int_eq(CTL(&r, "-c", d.config, "-l", "other", "user", "show", "jo"), 0);
	r.plugin_env = "/nonexistent";
	ck_assert_int_eq(CTL(&r, "-c", d.config, "-p", plugin_path, "-l", "other",
		"user", "show", "jo"), 0);
	ck_assert_int_eq(CTL(&r, "-c", d.config, "-l", "other", "user", "show", "jo"), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "suite 'testline'"));
	write_config_in(plugin_path, listeners);
	ck_assert_int_eq(CTL(&r, "-c", d.config, "-l", "other", "user", "show", "jo"), 2);
	r.plugin_env = "";
	ck_assert_int_eq(CTL(&r, "-c", d.config, "-l", "other", "user", "show", "jo"), 0);
}
END_TEST

/* A password hash as a store holds it: `user list` must never print it. */
#define SEEDED_HASH "$2b$04$SEEDEDHASHSEEDEDHASHSEEDEDHASHSEEDEDHASHSEEDEDHASHSEE"

/* Put accounts straight into the store, as polychatd or an earlier run
 * would have, with fixed times (so the output can be compared exactly):
 * `n` of them named PREFIX000.. from `names` if it is NULL, else those
 * of `names`. Returns the id of the last one. */
static uint64_t seed_accounts(const char *realm, const char *const *names,
	const char *prefix, size_t n, uint32_t flags, int64_t created_at,
	int64_t last_seen)
{
	struct held h;
	uint64_t id = 0;
	hold(&h, 0);
	for (size_t i = 0; i < n; i++) {
		struct polychat_account a = { .flags = flags,
			.created_at = created_at, .last_seen = last_seen };
		snprintf(a.realm, sizeof(a.realm), "%s", realm);
		if (names)
			snprintf(a.name, sizeof(a.name), "%s", names[i]);
		else
			snprintf(a.name, sizeof(a.name), "%s%03zu", prefix, i);
		snprintf(a.secret, sizeof(a.secret), "%s", SEEDED_HASH);
		ck_assert_int_eq(store_ops->account_put(h.store.db, &a, &id), 0);
	}
	release(&h);
	return id;
}

static uint64_t seed_account(const char *realm, const char *name,
	uint32_t flags, int64_t created_at, int64_t last_seen)
{
	return seed_accounts(realm, (const char *const[]){ name }, NULL, 1,
		flags, created_at, last_seen);
}

#define LIST_HEADER "id\tname\tadmin\tbanned\tverified\tcreated\tlast_seen\n"

START_TEST(user_list_prints_every_account_of_the_realm)
{
	struct run r = { 0 };
	/* An empty realm: the header alone. */
	ck_assert_int_eq(CTL(&r, "user", "list"), 0);
	ck_assert_str_eq(r.out, LIST_HEADER);
	/* Accounts of another realm are not this listener's. */
	seed_account("elsewhere", "eve", POLYCHAT_ACCOUNT_ADMIN, 50, 0);
	ck_assert_int_eq(CTL(&r, "user", "list"), 0);
	ck_assert_str_eq(r.out, LIST_HEADER);

	/* In id order, which is not the order of the names; every flag;
	 * bytes of a name that would break the columns escaped. */
	uint64_t zoe = seed_account(REALM, "zoe", POLYCHAT_ACCOUNT_ADMIN, 100, 0);
	uint64_t adam = seed_account(REALM, "adam", POLYCHAT_ACCOUNT_BANNED, 200,
		1700000000);
	seed_account("elsewhere", "fred", 0, 60, 0);
	uint64_t tab = seed_account(REALM, "tab\there\\",
		POLYCHAT_ACCOUNT_VERIFIED, 300, 0);
	uint64_t mia = seed_account(REALM, "mia", POLYCHAT_ACCOUNT_ADMIN
		| POLYCHAT_ACCOUNT_BANNED | POLYCHAT_ACCOUNT_VERIFIED, 400, 400);
	char want[2048];
	snprintf(want, sizeof(want), LIST_HEADER
		"%llu\tzoe\tyes\tno\tno\t1970-01-01T00:01:40Z\t-\n"
		"%llu\tadam\tno\tyes\tno\t1970-01-01T00:03:20Z\t2023-11-14T22:13:20Z\n"
		"%llu\ttab\\x09here\\x5c\tno\tno\tyes\t1970-01-01T00:05:00Z\t-\n"
		"%llu\tmia\tyes\tyes\tyes\t1970-01-01T00:06:40Z\t1970-01-01T00:06:40Z\n",
		(unsigned long long)zoe, (unsigned long long)adam,
		(unsigned long long)tab, (unsigned long long)mia);
	ck_assert_int_eq(CTL(&r, "user", "list"), 0);
	ck_assert_str_eq(r.out, want);
	/* No hash, not even a piece of one. */
	ck_assert_ptr_null(strstr(r.out, "$2b$"));
	ck_assert_ptr_null(strstr(r.out, "SEEDED"));

	/* What the tool itself changes shows; each row is `user show`'s. */
	struct run add = { .password = "bob pw" };
	ck_assert_int_eq(CTL(&add, "user", "add", "bob", "--admin"), 0);
	ck_assert_int_eq(CTL(&r, "user", "ban", "zoe", "on"), 0);
	ck_assert_int_eq(CTL(&r, "user", "remove", "adam"), 0);
	ck_assert_int_eq(CTL(&r, "user", "list"), 0);
	ck_assert_ptr_null(strstr(r.out, "$2b$"));
	const char *names[] = { "zoe", "tab\there\\", "mia", "bob" };
	const char *row = r.out + strlen(LIST_HEADER);
	ck_assert_int_eq(strncmp(r.out, LIST_HEADER, strlen(LIST_HEADER)), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct run show = { 0 };
		ck_assert_int_eq(CTL(&show, "user", "show", names[i]), 0);
		const char *shown = show.out + strlen(LIST_HEADER);
		size_t len = strlen(shown);
		ck_assert_msg(strncmp(row, shown, len) == 0,
			"row %zu of the list differs from user show's %s: %s", i,
			shown, row);
		row += len;
	}
	ck_assert_str_eq(row, "");
	ck_assert_ptr_nonnull(strstr(r.out, "\tzoe\tyes\tyes\tno\t"));
	ck_assert_ptr_nonnull(strstr(r.out, "\tbob\tyes\tno\tno\t"));
	ck_assert_ptr_null(strstr(r.out, "adam"));

	/* Takes no argument. */
	ck_assert_int_eq(CTL(&r, "user", "list", "zoe"), 2);
	ck_assert_int_eq(CTL(&r, "user", "list", "--limit", "5"), 2);
}
END_TEST

/* Count the rows after the header and check that their ids increase and
 * their names are PREFIX000, PREFIX001, ... */
static size_t list_rows(const char *out, const char *prefix)
{
	ck_assert_int_eq(strncmp(out, LIST_HEADER, strlen(LIST_HEADER)), 0);
	size_t rows = 0;
	unsigned long long last = 0;
	for (const char *p = out + strlen(LIST_HEADER); *p; rows++) {
		char *end;
		unsigned long long id = strtoull(p, &end, 10);
		ck_assert_uint_gt(id, last);
		last = id;
		char name[32];
		snprintf(name, sizeof(name), "\t%s%03zu\t", prefix, rows);
		ck_assert_msg(strncmp(end, name, strlen(name)) == 0,
			"row %zu: %.40s", rows, p);
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	return rows;
}

START_TEST(user_list_pages_through_many_accounts)
{
	struct run r = { 0 };
	/* The tool asks for 100 at a time: exactly one page, then one more
	 * than two, interleaved with another realm's accounts. */
	seed_accounts(REALM, NULL, "u", 100, 0, 1000, 0);
	seed_accounts("elsewhere", NULL, "x", 30, 0, 1000, 0);
	ck_assert_int_eq(CTL(&r, "user", "list"), 0);
	ck_assert_uint_eq(list_rows(r.out, "u"), 100);

	struct held h;
	hold(&h, 0);
	for (int i = 100; i < 201; i++) {
		struct polychat_account a = { .created_at = 1000 };
		snprintf(a.realm, sizeof(a.realm), "%s", REALM);
		snprintf(a.name, sizeof(a.name), "u%03d", i);
		snprintf(a.secret, sizeof(a.secret), "%s", SEEDED_HASH);
		ck_assert_int_eq(store_ops->account_put(h.store.db, &a, NULL), 0);
		if (i % 50 == 0) {
			snprintf(a.realm, sizeof(a.realm), "elsewhere");
			ck_assert_int_eq(store_ops->account_put(h.store.db, &a,
				NULL), 0);
		}
	}
	release(&h);
	ck_assert_int_eq(CTL(&r, "user", "list"), 0);
	ck_assert_uint_eq(list_rows(r.out, "u"), 201);
	ck_assert_ptr_null(strstr(r.out, "$2b$"));
}
END_TEST

/* Start polychatd on the fixture's configuration with auth-bcrypt on its
 * plugin path (the harness's start gives it the test plugins only). */
START_TEST(works_while_polychatd_runs_on_the_same_store)
{
	ck_assert_int_eq(h_daemon_start(&d, 1), 0);
	struct h_client c;
	ck_assert_int_eq(h_connect(&c, h_port(&d, "kylo")), 0);
	ck_assert_int_eq(h_expect(&c, "HELLO testline kylo"), 0);
	h_sendf(&c, "NICK watcher");
	ck_assert_int_eq(h_expect(&c, "OK nick watcher"), 0);
	/* The daemon has the database open and has written to it. */
	h_sendf(&c, "PUT colour blue");
	ck_assert_int_eq(h_expect(&c, "PUT ok"), 0);
	/* polychatd created no account of its own. */
	ck_assert_int_eq(verify(REALM, "admin", "admin"), POLYCHAT_ENOTFOUND);

	struct run r = { .input = "lima pw\n" };
	ck_assert_int_eq(CTL(&r, "user", "add", "lima", "--password-file", "-"), 0);
	ck_assert_int_eq(CTL(&r, "user", "ban", "lima", "on"), 0);
	char row[256];
	show_flags("lima", row, sizeof(row));
	ck_assert_str_eq(row, "lima\tno\tyes\tno");
	put_token("tok-l1", REALM, "lima", 100, 4000000000LL);
	ck_assert_int_eq(CTL(&r, "token", "revoke-user", "lima"), 0);
	ck_assert_str_eq(r.out, "revoked 1\n");
	ck_assert_int_eq(verify(REALM, "lima", "lima pw"), POLYCHAT_EDENIED);

	/* The daemon keeps reading and writing its store meanwhile. */
	h_sendf(&c, "PUT size 9");
	ck_assert_int_eq(h_expect(&c, "PUT ok"), 0);
	h_sendf(&c, "GET colour");
	ck_assert_int_eq(h_expect(&c, "GET blue"), 0);
	ck_assert_int_eq(CTL(&r, "user", "remove", "lima"), 0);
	ck_assert_int_eq(get_token("tok-l1", &(int){ 0 }), POLYCHAT_ENOTFOUND);
	h_close(&c);
	ck_assert_int_eq(h_daemon_stop(&d), 0);

	/* What the tool wrote while the daemon ran is still there. */
	r.input = NULL;
	r.password = "mike pw";
	ck_assert_int_eq(CTL(&r, "user", "add", "mike"), 0);
	ck_assert_int_eq(h_daemon_start(&d, 1), 0);
	ck_assert_int_eq(CTL(&r, "user", "show", "lima"), 1);
	show_flags("mike", row, sizeof(row));
	ck_assert_str_eq(row, "mike\tno\tno\tno");
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	ck_assert_int_eq(verify(REALM, "mike", "mike pw"), 0);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("polychatctl");
	TCase *tc = tcase_create("polychatctl");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, user_add_show_and_flags);
	tcase_add_test(tc, user_passwd_and_random_passwords);
	tcase_add_test(tc, duplicates_and_unknown_users_fail);
	tcase_add_test(tc, user_remove_deletes_the_account_and_its_tokens);
	tcase_add_test(tc, user_list_prints_every_account_of_the_realm);
	tcase_add_test(tc, user_list_pages_through_many_accounts);
	tcase_add_test(tc, token_list_revoke_remove_and_purge);
	tcase_add_test(tc, usage_and_configuration_errors_exit_2);
	tcase_add_test(tc, listener_choice_and_plugin_path);
	tcase_add_test(tc, works_while_polychatd_runs_on_the_same_store);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(ctl_suite());
}
