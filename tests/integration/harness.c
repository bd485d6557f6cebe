/* SPDX-License-Identifier: MIT */
/* Integration-test harness: run the real polychatd and talk to it over loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* h_now_ms - see harness.h. */
long long h_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* h_pause_ms - see harness.h. */
void h_pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* h_builddir - see harness.h. */
const char *h_builddir(void)
{
	const char *b = getenv("POLYCHAT_BUILDDIR");
	return b ? b : ".";
}

/* h_plugin_path - see harness.h. */
const char *h_plugin_path(void)
{
	static char path[2048];
	snprintf(path, sizeof(path), "%s/tests/plugins:%s/plugins/store-sqlite:"
		"%s/plugins/store-mariadb:"
		"%s/plugins/auth-bcrypt:%s/plugins/crypto-rsa-cbc:%s/plugins/crypto-dh-aes:"
		"%s/plugins/crypto-hybrid-fernet:%s/plugins/auth-otp:"
		"%s/plugins/crypto-x25519-gcm",
		h_builddir(), h_builddir(), h_builddir(), h_builddir(), h_builddir(),
		h_builddir(), h_builddir(), h_builddir(), h_builddir());
	return path;
}

/* h_daemon_init - see harness.h. */
void h_daemon_init(struct h_daemon *d)
{
	memset(d, 0, sizeof(*d));
	d->pid = -1;
	d->out_fd = -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(d->dir, sizeof(d->dir), "%s/polychat-it-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(d->dir))
		abort();
	snprintf(d->config, sizeof(d->config), "%s/polychatd.yaml", d->dir);
	snprintf(d->errlog, sizeof(d->errlog), "%s/stderr.log", d->dir);
}

/* h_write_config - see harness.h. */
void h_write_config(struct h_daemon *d, const char *yaml)
{
	char tmp[320];
	snprintf(tmp, sizeof(tmp), "%s.new", d->config);
	FILE *fp = fopen(tmp, "w");
	if (!fp)
		abort();
	fputs(yaml, fp);
	fclose(fp);
	/* Atomic replace: a reload never sees half a file. */
	rename(tmp, d->config);
}

static void dump_log(const struct h_daemon *d)
{
	FILE *fp = fopen(d->errlog, "r");
	if (!fp)
		return;
	char line[1024];
	fprintf(stderr, "--- polychatd stderr (%s) ---\n", d->errlog);
	while (fgets(line, sizeof(line), fp))
		fputs(line, stderr);
	fclose(fp);
}

/* Parse one "listening on ADDR:PORT suite=S listener=NAME" line. */
static void note_ready(struct h_daemon *d, const char *line)
{
	const char *on = strstr(line, "listening on ");
	const char *suite = strstr(line, " suite=");
	const char *name = strstr(line, "listener=");
	if (!on || !suite || !name || d->n_listeners >= 16)
		return;
	/* The last ':' before " suite=" separates the port ("[::1]:5000"). */
	const char *colon = NULL;
	for (const char *p = on; p < suite; p++)
		if (*p == ':')
			colon = p;
	if (!colon)
		return;
	d->listeners[d->n_listeners].port = atoi(colon + 1);
	snprintf(d->listeners[d->n_listeners].name,
		sizeof(d->listeners[d->n_listeners].name), "%s", name + 9);
	d->n_listeners++;
}

/* h_daemon_wait_ready - see harness.h. */
int h_daemon_wait_ready(struct h_daemon *d, int count)
{
	int want = d->n_listeners + count;
	long long deadline = h_now_ms() + H_TIMEOUT_MS;
	while (d->n_listeners < want) {
		char *nl;
		while ((nl = memchr(d->outbuf, '\n', d->outlen)) != NULL) {
			*nl = '\0';
			note_ready(d, d->outbuf);
			size_t used = (size_t)(nl - d->outbuf) + 1;
			memmove(d->outbuf, nl + 1, d->outlen - used);
			d->outlen -= used;
		}
		if (d->n_listeners >= want)
			break;
		long long left = deadline - h_now_ms();
		struct pollfd pfd = { d->out_fd, POLLIN, 0 };
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			goto fail;
		ssize_t n = read(d->out_fd, d->outbuf + d->outlen,
			sizeof(d->outbuf) - d->outlen - 1);
		if (n <= 0)
			goto fail;
		d->outlen += (size_t)n;
	}
	return 0;
fail:
	fprintf(stderr, "polychatd did not report %d listener(s) in time\n", want);
	dump_log(d);
	return -1;
}

/* h_daemon_start - see harness.h. */
int h_daemon_start(struct h_daemon *d, int listeners)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return -1;
	char exe[1024];
	snprintf(exe, sizeof(exe), "%s/core/polychatd", h_builddir());
	d->n_listeners = 0;
	d->outlen = 0;
	d->pid = fork();
	if (d->pid == 0) {
		int err = open(d->errlog, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(pipefd[1], STDOUT_FILENO);
		if (err >= 0)
			dup2(err, STDERR_FILENO);
		close(pipefd[0]);
		execl(exe, exe, "-c", d->config, "-p", h_plugin_path(), (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	d->out_fd = pipefd[0];
	return d->pid > 0 ? h_daemon_wait_ready(d, listeners) : -1;
}

/* h_port - see harness.h. */
int h_port(const struct h_daemon *d, const char *listener)
{
	/* The newest line wins: a restarted listener reports again. */
	for (int i = d->n_listeners - 1; i >= 0; i--)
		if (strcmp(d->listeners[i].name, listener) == 0)
			return d->listeners[i].port;
	return -1;
}

static int wait_exit(pid_t pid, int timeout_ms)
{
	long long deadline = h_now_ms() + timeout_ms;
	int status;
	while (h_now_ms() < deadline) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		h_pause_ms(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* h_daemon_signal - see harness.h. */
void h_daemon_signal(struct h_daemon *d, int sig)
{
	if (sig == SIGTERM)
		d->term_sent = 1;
	kill(d->pid, sig);
}

/* h_daemon_stop - see harness.h. */
int h_daemon_stop(struct h_daemon *d)
{
	if (d->pid <= 0)
		return -1;
	/* A second SIGTERM during the shutdown would kill it outright. */
	if (!d->term_sent)
		kill(d->pid, SIGTERM);
	d->term_sent = 0;
	int rc = wait_exit(d->pid, H_TIMEOUT_MS);
	d->pid = -1;
	if (d->out_fd >= 0)
		close(d->out_fd);
	d->out_fd = -1;
	if (rc != 0)
		dump_log(d);
	return rc;
}

/* h_daemon_cleanup - see harness.h. */
void h_daemon_cleanup(struct h_daemon *d)
{
	if (d->pid > 0)
		h_daemon_stop(d);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d->dir);
}

/* h_daemon_finish - see harness.h. */
int h_daemon_finish(struct h_daemon *d)
{
	int status = d->pid > 0 ? h_daemon_stop(d) : 0;
	h_daemon_cleanup(d);
	return status;
}

/* The fixture's daemon: Check's fixtures take no argument. */
static struct h_daemon *fixture_daemon;

static void fixture_setup(void)
{
	h_daemon_init(fixture_daemon);
}

static void fixture_teardown(void)
{
	ck_assert_int_eq(h_daemon_finish(fixture_daemon), 0);
}

/* h_tcase - see harness.h. */
TCase *h_tcase(Suite *s, const char *name, struct h_daemon *d, int timeout_s)
{
	/* Two daemons would need two fixtures: refuse, not share one. */
	if (fixture_daemon && fixture_daemon != d)
		abort();
	fixture_daemon = d;
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_set_timeout(tc, timeout_s);
	suite_add_tcase(s, tc);
	return tc;
}

/* h_write_single - see harness.h. */
void h_write_single(struct h_daemon *d, const struct h_single *one)
{
	char yaml[8192], options[1024] = "";
	/* A cut config would fail later with a misleading error: stop here. */
	if (one->options && (size_t)snprintf(options, sizeof(options),
			"    options: {%s}\n", one->options) >= sizeof(options))
		abort();
	int n = snprintf(yaml, sizeof(yaml),
		"daemon:\n"
		"  state_dir: %s\n"
		"  log: {level: debug}\n"
		"%s"
		"listeners:\n"
		"  - name: %s\n"
		"    port: 0\n"
		"    suite: %s\n"
		"%s%s", d->dir, one->top ? one->top : "", one->name, one->suite,
		one->keys ? one->keys : "", options);
	if (n < 0 || (size_t)n >= sizeof(yaml))
		abort();
	h_write_config(d, yaml);
}

/* h_daemon_start_one - see harness.h. */
int h_daemon_start_one(struct h_daemon *d, const char *name)
{
	if (h_daemon_start(d, 1) != 0)
		return -1;
	int port = h_port(d, name);
	if (port <= 0)
		fprintf(stderr, "polychatd reported no port for listener %s\n", name);
	return port > 0 ? port : -1;
}

/* h_start_single - see harness.h. */
int h_start_single(struct h_daemon *d, const struct h_single *one)
{
	h_write_single(d, one);
	return h_daemon_start_one(d, one->name);
}

/* h_log_has - see harness.h. */
int h_log_has(const struct h_daemon *d, const char *text)
{
	FILE *fp = fopen(d->errlog, "r");
	char line[4096];
	int found = 0;
	while (fp && !found && fgets(line, sizeof(line), fp))
		found = strstr(line, text) != NULL;
	if (fp)
		fclose(fp);
	return found;
}

/* h_log_contains - see harness.h. */
int h_log_contains(const struct h_daemon *d, const char *text)
{
	long long deadline = h_now_ms() + H_TIMEOUT_MS;
	while (h_now_ms() < deadline) {
		if (h_log_has(d, text))
			return 1;
		h_pause_ms(50);
	}
	dump_log(d);
	return 0;
}

/* h_run_polychatd - see harness.h. */
int h_run_polychatd(const char *const *args, char *out, size_t out_len)
{
	return h_run("core/polychatd", args, out, out_len);
}

/* h_run - see harness.h. */
int h_run(const char *program, const char *const *args, char *out, size_t out_len)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return -1;
	char exe[1024];
	snprintf(exe, sizeof(exe), "%s/%s", h_builddir(), program);
	const char *argv[32] = { exe };
	size_t n = 1;
	for (; args[n - 1] && n < 31; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	size_t used = 0;
	long long deadline = h_now_ms() + H_TIMEOUT_MS;
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		long long left = deadline - h_now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		ssize_t r = read(pipefd[0], out + used, out_len - used - 1);
		if (r <= 0)
			break;
		used += (size_t)r;
		if (used + 1 >= out_len)
			break;
	}
	out[used] = '\0';
	close(pipefd[0]);
	return wait_exit(pid, H_TIMEOUT_MS);
}

/* h_ctl - see harness.h. */
int h_ctl(const struct h_daemon *d, const char *listener, const char *const *args,
	char *out, size_t out_len)
{
	const char *argv[32] = { "-c", d->config, "-p", h_plugin_path(), "-l", listener };
	size_t n = 6;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return h_run("ctl/polychatctl", argv, out, out_len);
}

/* h_add_user - see harness.h. */
int h_add_user(const struct h_daemon *d, const char *listener, const char *name,
	const char *password, int admin, char *out, size_t out_len)
{
	char file[400];
	snprintf(file, sizeof(file), "%s/pw-%s", d->dir, name);
	FILE *fp = fopen(file, "w");
	if (!fp) {
		snprintf(out, out_len, "cannot write %s\n", file);
		return -1;
	}
	fprintf(fp, "%s\n", password);
	fclose(fp);
	const char *args[] = { "user", "add", name, "--password-file", file,
		admin ? "--admin" : NULL, NULL };
	return h_ctl(d, listener, args, out, out_len);
}

/* h_connect - see harness.h. */
int h_connect(struct h_client *c, int port)
{
	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/* h_connect6 - see harness.h. */
int h_connect6(struct h_client *c, int port)
{
	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	sa.sin6_addr = in6addr_loopback;
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/* h_close - see harness.h. */
void h_close(struct h_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* h_send - see harness.h. */
int h_send(struct h_client *c, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* h_read - see harness.h. */
int h_read(struct h_client *c, void *out, size_t len, int timeout_ms)
{
	long long deadline = h_now_ms() + timeout_ms;
	while (c->len < len) {
		long long left = deadline - h_now_ms();
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		size_t room = sizeof(c->buf) - c->len;
		if (room == 0) {
			/* Longer than the buffer: hand over what is there. */
			memcpy(out, c->buf, c->len);
			out = (char *)out + c->len;
			len -= c->len;
			c->len = 0;
			continue;
		}
		ssize_t r = read(c->fd, c->buf + c->len, room);
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
	memcpy(out, c->buf, len);
	memmove(c->buf, c->buf + len, c->len - len);
	c->len -= len;
	return 0;
}

/* h_sendf - see harness.h. */
int h_sendf(struct h_client *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -1;
	line[n++] = '\n';
	return h_send(c, line, (size_t)n);
}

/* h_line - see harness.h. */
int h_line(struct h_client *c, char *line, size_t len, int timeout_ms)
{
	long long deadline = h_now_ms() + timeout_ms;
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			snprintf(line, len, "%.*s", (int)n, c->buf);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return 0;
		}
		long long left = deadline - h_now_ms();
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		if (left <= 0 || c->len == sizeof(c->buf) || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

/* h_expect - see harness.h. */
int h_expect(struct h_client *c, const char *want)
{
	char line[4096];
	long long deadline = h_now_ms() + H_TIMEOUT_MS;
	while (h_now_ms() < deadline) {
		if (h_line(c, line, sizeof(line), (int)(deadline - h_now_ms())) != 0)
			break;
		if (strcmp(line, want) == 0)
			return 0;
		fprintf(stderr, "  (skipped \"%s\" waiting for \"%s\")\n", line, want);
	}
	fprintf(stderr, "expected \"%s\": not received\n", want);
	return -1;
}

/* h_next - see harness.h. */
int h_next(struct h_client *c, const char *want)
{
	char line[4096];
	if (h_line(c, line, sizeof(line), H_TIMEOUT_MS) != 0) {
		fprintf(stderr, "expected \"%s\": nothing arrived\n", want);
		return -1;
	}
	if (strcmp(line, want) == 0)
		return 0;
	fprintf(stderr, "expected \"%s\", got \"%s\"\n", want, line);
	return -1;
}

/* h_expect_eof - see harness.h. */
int h_expect_eof(struct h_client *c)
{
	long long deadline = h_now_ms() + H_TIMEOUT_MS;
	char scratch[4096];
	while (h_now_ms() < deadline) {
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		if (poll(&pfd, 1, (int)(deadline - h_now_ms())) <= 0)
			return -1;
		ssize_t r = read(c->fd, scratch, sizeof(scratch));
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return 0;
		if (r < 0)
			return -1;
	}
	return -1;
}

/* h_cli_start - see harness.h. */
int h_cli_start(struct h_cli *cli, const char *suite, int port, const char *dir,
	const char *const *extra)
{
	int in[2], out[2];
	if (pipe(in) != 0)
		return -1;
	if (pipe(out) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	char exe[1024], port_text[16], state[400];
	snprintf(exe, sizeof(exe), "%s/client/polychat", h_builddir());
	snprintf(port_text, sizeof(port_text), "%d", port);
	snprintf(state, sizeof(state), "%s/client-state", dir);
	const char *argv[32] = { exe, "--suite", suite, "--port", port_text,
		"--state-dir", state, "-p", h_plugin_path() };
	size_t n = 9;
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	cli->pid = fork();
	if (cli->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[1]);
		close(out[0]);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	cli->in_fd = in[1];
	memset(&cli->out, 0, sizeof(cli->out));
	cli->out.fd = out[0];
	return cli->pid > 0 ? 0 : -1;
}

/* h_cli_say - see harness.h. */
int h_cli_say(struct h_cli *cli, const char *line)
{
	size_t n = strlen(line);
	return write(cli->in_fd, line, n) == (ssize_t)n &&
		write(cli->in_fd, "\n", 1) == 1 ? 0 : -1;
}

/* h_cli_wait - see harness.h. */
int h_cli_wait(struct h_cli *cli)
{
	return wait_exit(cli->pid, H_TIMEOUT_MS);
}

/* h_cli_close - see harness.h. */
void h_cli_close(struct h_cli *cli)
{
	if (cli->in_fd >= 0)
		close(cli->in_fd);
	cli->in_fd = -1;
	h_close(&cli->out);
}

/* h_cli_quit - see harness.h. */
int h_cli_quit(struct h_cli *cli, const char *command)
{
	int said = h_cli_say(cli, command);
	/* Waited for even when the line did not go out: no child outlives
	 * the test. */
	int status = h_cli_wait(cli);
	h_cli_close(cli);
	return said == 0 ? status : -1;
}

/* h_cli_relay - see harness.h. */
int h_cli_relay(struct h_cli *from, const char *line, const char *shown, ...)
{
	if (h_cli_say(from, line) != 0)
		return -1;
	va_list ap;
	va_start(ap, shown);
	int rc = 0;
	struct h_cli *to;
	/* Stop at the first that misses it: the rest would only wait out
	 * the bound too. */
	while (rc == 0 && (to = va_arg(ap, struct h_cli *)) != NULL)
		rc = h_expect(&to->out, shown);
	va_end(ap);
	return rc;
}
