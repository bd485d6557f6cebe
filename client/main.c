/* SPDX-License-Identifier: MIT */
/* polychat: a line-oriented client that speaks any suite through its plugin's client half. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#include <polychat/plugin.h>

#include "../core/conn.h"
#include "../core/host.h"
#include "../core/loader.h"
#include "../core/log.h"
#include "../core/options.h"
#include "input.h"
#include "show.h"

struct client {
	uv_loop_t *loop;
	const struct pc_component *suite;
	struct polychat_conn *conn;
	struct polychat_client_env env;
	struct pc_input input;
	uv_connect_t connect_req;
	uv_timer_t linger;
	unsigned linger_ms;
	int quitting;
	int exit_code;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: polychat --suite NAME --port PORT [options]\n"
		"  -s, --suite NAME         the protocol to speak (a suite with a client half)\n"
		"  -H, --host ADDR          server address (default 127.0.0.1)\n"
		"  -P, --port PORT          server port\n"
		"  -u, --user NAME          user name / nickname / phone, as the suite uses it\n"
		"      --password-file F    read the password from the first line of F\n"
		"                           (or set $POLYCHAT_PASSWORD)\n"
		"  -d, --state-dir DIR      where the suite keeps keys and ids\n"
		"                           (default $HOME/.local/state/polychat/SUITE)\n"
		"  -o, --opt KEY=VALUE      a suite option (repeatable)\n"
		"  -p, --plugins DIRS       colon-separated plugin directories\n"
		"                           (default $POLYCHAT_PLUGIN_PATH, else %s)\n"
		"      --linger MS          after end of input, wait MS for replies (default 0)\n"
		"  -v, --verbose            log protocol events to stderr\n"
		"Lines read from stdin go to the server; /help lists commands, /quit leaves.\n"
		"Output, one line per event: \"<from> text\", \"* notice\", \"! error\".\n",
		PC_PLUGIN_DIR);
}

static void print_help(const struct client *c)
{
	printf("* commands:\n");
	printf("*   /help             this list\n");
	printf("*   /quit             leave\n");
	const char *help = c->suite->ops.suite.client_help();
	if (!help)
		return;
	/* One "* " line per help line, so scripts can skip them uniformly. */
	for (const char *line = help; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		printf("* %.*s\n", (int)n, line);
		line += n + (end != NULL);
	}
}

static void quit(struct client *c)
{
	if (c->quitting)
		return;
	c->quitting = 1;
	pc_input_stop(&c->input);
	if (c->conn)
		pc_conn_close(c->conn, 1, "user quit");
}

static void linger_done(uv_timer_t *timer)
{
	quit(timer->data);
}

static void on_line(void *arg, const char *line, size_t len)
{
	struct client *c = arg;
	if (!line) {
		/* End of input: leave, after the optional grace period. */
		if (c->linger_ms)
			uv_timer_start(&c->linger, linger_done, c->linger_ms, 0);
		else
			quit(c);
		return;
	}
	if (c->quitting || !c->conn || !c->conn->session_open)
		return;
	if (len == 5 && memcmp(line, "/quit", 5) == 0) {
		quit(c);
		return;
	}
	if (len == 5 && memcmp(line, "/help", 5) == 0) {
		print_help(c);
		return;
	}
	int rc = c->suite->ops.suite.client_line(c->conn->session, line, len);
	if (rc == POLYCHAT_ENOTSUP)
		printf("! unknown command %.*s (/help lists commands)\n", (int)len, line);
	else if (rc != 0)
		printf("! %s\n", polychat_strerror(rc));
}

/* host->ui_secret for the client: echo off for the next line, then the
 * prompt, so nothing typed after the prompt shows. */
static void client_ui_secret(struct polychat_conn *conn, const char *prompt)
{
	struct client *c = conn->owner;
	if (c->quitting)
		return;
	pc_input_secret(&c->input);
	if (prompt)
		pc_show(conn, POLYCHAT_UI_NOTICE, NULL, (const uint8_t *)prompt,
			strlen(prompt));
}

static long client_input(struct polychat_conn *conn, const uint8_t *data, size_t len)
{
	struct client *c = conn->owner;
	return c->suite->ops.suite.client_input(conn->session, data, len);
}

static void client_session_close(struct polychat_conn *conn)
{
	struct client *c = conn->owner;
	c->suite->ops.suite.client_close(conn->session, conn->status);
}

static void client_gone(void *owner, struct polychat_conn *conn)
{
	struct client *c = owner;
	/* A failed connect already said so; don't add a second line. */
	if (!c->quitting && !c->exit_code) {
		printf("* connection closed%s%s\n", conn->status ? ": " : "",
			conn->status ? polychat_strerror(conn->status) : "");
		c->exit_code = conn->status ? 1 : 0;
	}
	c->conn = NULL;
	c->quitting = 1;
	pc_input_stop(&c->input);
	uv_close((uv_handle_t *)&c->linger, NULL);
}

static const struct pc_conn_driver client_driver = {
	.input = client_input,
	.session_close = client_session_close,
	.gone = client_gone,
};

static void on_connect(uv_connect_t *req, int status)
{
	struct client *c = req->data;
	if (status < 0) {
		printf("! cannot connect: %s\n", uv_strerror(status));
		c->exit_code = 1;
		pc_conn_abort(c->conn, POLYCHAT_EIO, "connect failed");
		return;
	}
	if (pc_conn_start(c->conn) != 0) {
		pc_conn_abort(c->conn, POLYCHAT_EIO, "cannot read");
		return;
	}
	void *session = NULL;
	int rc = c->suite->ops.suite.client_open(&c->env, c->conn, &session);
	if (rc != 0) {
		printf("! the %s client could not start: %s\n", c->suite->name,
			polychat_strerror(rc));
		c->exit_code = 1;
		pc_conn_abort(c->conn, rc, "client half refused to start");
		return;
	}
	c->conn->session = session;
	c->conn->session_open = 1;
	pc_input_start(&c->input);
}

static int make_dirs(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static char *read_password(const char *file)
{
	if (!file) {
		const char *env = getenv("POLYCHAT_PASSWORD");
		return env ? strdup(env) : NULL;
	}
	FILE *fp = fopen(file, "r");
	if (!fp)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, fp);
	fclose(fp);
	if (n < 0) {
		free(line);
		return strdup("");
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* The command line, parsed. */
struct args {
	const char *suite, *host, *user, *password_file, *state_dir, *plugins;
	long port;
	unsigned linger_ms;
	int verbose;
};

/* Connect and run until the session ends; every path frees what it made. */
static int run(const struct args *a, struct polychat_options *options)
{
	struct client c = { .loop = uv_default_loop(), .linger_ms = a->linger_ms };
	pc_host_setup(c.loop, pc_show);
	/* The core's table with the one member only the client can provide:
	 * reading a line without echo needs the input thread. */
	static struct polychat_host host;
	host = *pc_host();
	host.ui_secret = client_ui_secret;
	struct pc_loader *loader = pc_loader_new(&host);
	char *password = NULL;
	int rc = 1;
	if (!loader)
		return 1;
	pc_loader_load_path(loader, a->plugins && a->plugins[0] ? a->plugins : PC_PLUGIN_DIR);
	c.suite = pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, a->suite);
	if (!c.suite || !c.suite->has_client) {
		char why[1024];
		if (c.suite)
			snprintf(why, sizeof(why), "suite '%s' has no client half", a->suite);
		else
			pc_loader_explain(loader, POLYCHAT_COMPONENT_SUITE, a->suite, why,
				sizeof(why));
		fprintf(stderr, "polychat: %s\n", why);
		goto out;
	}

	char state_dir[4096];
	const char *home = getenv("HOME");
	if (a->state_dir)
		snprintf(state_dir, sizeof(state_dir), "%s", a->state_dir);
	else
		snprintf(state_dir, sizeof(state_dir), "%s/.local/state/polychat/%s",
			home ? home : ".", a->suite);
	if (make_dirs(state_dir) != 0) {
		fprintf(stderr, "polychat: cannot create state directory %s: %s\n", state_dir,
			strerror(errno));
		goto out;
	}
	options->state_dir = state_dir;
	password = read_password(a->password_file);
	if (a->password_file && !password) {
		fprintf(stderr, "polychat: cannot read %s: %s\n", a->password_file,
			strerror(errno));
		goto out;
	}
	c.env = (struct polychat_client_env){ &host, options, a->user, password, state_dir };

	struct sockaddr_storage addr;
	if (uv_ip4_addr(a->host, (int)a->port, (struct sockaddr_in *)&addr) != 0 &&
	    uv_ip6_addr(a->host, (int)a->port, (struct sockaddr_in6 *)&addr) != 0) {
		fprintf(stderr, "polychat: '%s' is not an IPv4 or IPv6 address\n", a->host);
		rc = 2;
		goto out;
	}
	c.conn = malloc(sizeof(*c.conn));
	if (!c.conn || pc_conn_init(c.conn, c.loop, &client_driver, &c, 1 << 20,
			64 << 20, 2000) != 0) {
		free(c.conn);
		goto out;
	}
	uv_timer_init(c.loop, &c.linger);
	c.linger.data = &c;
	pc_input_init(&c.input, c.loop, on_line, &c);
	c.conn->who = a->suite;
	c.conn->suite = c.suite;
	c.connect_req.data = &c;
	if (uv_tcp_connect(&c.connect_req, &c.conn->tcp, (struct sockaddr *)&addr,
			on_connect) != 0) {
		printf("! cannot connect to %s:%ld\n", a->host, a->port);
		c.exit_code = 1;
		pc_conn_abort(c.conn, POLYCHAT_EIO, "connect failed");
	}
	uv_run(c.loop, UV_RUN_DEFAULT);
	pc_input_fini(&c.input);
	rc = c.exit_code;
out:
	uv_loop_close(c.loop);
	pc_loader_free(loader);
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'w' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "opt", required_argument, NULL, 'o' },
		{ "plugins", required_argument, NULL, 'p' },
		{ "linger", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct args a = { .host = "127.0.0.1", .port = -1,
		.plugins = getenv("POLYCHAT_PLUGIN_PATH") };
	struct pc_pos cmdline = { "command line", 0, 0 };
	struct polychat_options *options = pc_options_new("--opt", &cmdline);
	int opt, rc = 2;
	if (!options)
		return 1;

	while ((opt = getopt_long(argc, argv, "s:H:P:u:d:o:p:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': a.suite = optarg; break;
		case 'H': a.host = optarg; break;
		case 'P': {
			char *end;
			a.port = strtol(optarg, &end, 10);
			if (end == optarg || *end)
				a.port = -1;
			break;
		}
		case 'u': a.user = optarg; break;
		case 'w': a.password_file = optarg; break;
		case 'd': a.state_dir = optarg; break;
		case 'p': a.plugins = optarg; break;
		case 'l': a.linger_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'v': a.verbose = 1; break;
		case 'o':
			if (pc_options_add_arg(options, optarg) != 0) {
				fprintf(stderr, "polychat: --opt expects KEY=VALUE, got '%s'\n", optarg);
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (!a.suite || a.port < 1 || a.port > 65535 || optind != argc) {
		usage(stderr);
		goto out;
	}
	/* Scripts read our output through pipes: one flush per line. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	pc_log_setup(a.verbose ? POLYCHAT_LOG_DEBUG : POLYCHAT_LOG_WARNING, 0, "polychat");
	rc = run(&a, options);
out:
	pc_options_free(options);
	return rc;
}
