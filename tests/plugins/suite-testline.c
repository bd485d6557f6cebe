/* SPDX-License-Identifier: MIT */
/* Test-only suites `testline` and `testline2`: a line protocol that exercises every host service. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <polychat/polychat.h>

/*
 * Server half, one command per line ("\n"-terminated):
 *   NICK name          bind the identity           -> OK nick NAME | ERR taken | ERR invalid
 *   SAY text           everyone bound on the listener but me -> SENT n
 *   TELL user text     one user of my realm        -> SENT n (0: offline)
 *   JOIN r / PART r    rooms (core-wide)           -> OK join R | OK part R
 *   ROOM r text        a room, not me              -> SENT n
 *   OPAQUE r text      like ROOM but an end-to-end body -> SENT n
 *   JOB ms             sleep on the thread pool, input paused meanwhile -> JOBDONE status
 *   PUT key value      store key_put (write-once) via a job -> PUT ok | PUT <status name>
 *   GET key            store key_get via a job     -> GET value | GET <status name>
 *   IDENT              -> IDENT identity | IDENT -
 *   QUIT               -> BYE, then the server closes
 * Delivered messages arrive as "MSG suite from text" (from "-" = system).
 * Options: greeting (string), nick_timeout_ms, write_gap_ms, max_line.
 */

#define LINE_MAX_DEFAULT 4096

struct instance {
	const struct polychat_host *host;
	struct polychat_listener *listener;
	const struct polychat_store_ref *store;
	const char *suite;
	const char *greeting;
	int64_t nick_timeout_ms;
	int64_t write_gap_ms;
	int64_t max_line;
	/* Held for the instance's life and stopped in destroy, as suites
	 * with background work do (the core must keep it valid till then). */
	struct polychat_timer *idle_tick;
};

struct session {
	struct instance *inst;
	struct polychat_conn *conn;
	struct polychat_timer *nick_timer;
	char nick[256];
};

/* A store or sleep request run on the thread pool. */
struct job {
	struct session *s;
	int op;              /* 'J' sleep, 'P' put, 'G' get */
	long ms;
	char key[128];
	char value[512];
	uint8_t *got;
	size_t got_len;
	int status;
};

/* Write one formatted line ("\n" appended) as one message. */
static void vwrite_line(const struct polychat_host *host, struct polychat_conn *conn,
	const char *fmt, va_list ap)
{
	char line[2048];
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	host->conn_write(conn, (const uint8_t *)line, (size_t)n);
}

static void reply(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reply(struct session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwrite_line(s->inst->host, s->conn, fmt, ap);
	va_end(ap);
}

static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, struct instance *inst)
{
	int rc = 0;
	inst->greeting = "HELLO";
	inst->nick_timeout_ms = 0;
	inst->write_gap_ms = 0;
	inst->max_line = LINE_MAX_DEFAULT;
	if (host->opt_string(opts, "greeting", &inst->greeting) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (host->opt_int(opts, "nick_timeout_ms", 0, 3600000, &inst->nick_timeout_ms) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (host->opt_int(opts, "write_gap_ms", 0, 10000, &inst->write_gap_ms) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (host->opt_int(opts, "max_line", 16, 1 << 20, &inst->max_line) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	return rc;
}

static int check(const struct polychat_host *host, const struct polychat_options *opts)
{
	struct instance scratch;
	return read_options(host, opts, &scratch);
}

static void idle_tick(void *arg)
{
	(void)arg;
}

static int create_named(const struct polychat_suite_env *env, void **out,
	const char *suite)
{
	struct instance *inst = env->host->calloc(1, sizeof(*inst));
	if (!inst)
		return POLYCHAT_ENOMEM;
	inst->host = env->host;
	inst->listener = env->listener;
	inst->store = env->store;
	inst->suite = suite;
	int rc = read_options(env->host, env->options, inst);
	if (rc != 0) {
		env->host->free(inst);
		return rc;
	}
	inst->idle_tick = env->host->listener_timer(env->listener, 3600000, 3600000,
		idle_tick, inst);
	*out = inst;
	return 0;
}

static int create_one(const struct polychat_suite_env *env, void **out)
{
	return create_named(env, out, "testline");
}

static int create_two(const struct polychat_suite_env *env, void **out)
{
	return create_named(env, out, "testline2");
}

static void destroy(void *instance)
{
	if (instance) {
		struct instance *inst = instance;
		inst->host->timer_stop(inst->idle_tick);
		inst->host->free(inst);
	}
}

static void nick_timeout(void *arg)
{
	struct session *s = arg;
	s->nick_timer = NULL;
	reply(s, "ERR timeout");
	s->inst->host->conn_close(s->conn, 1, "no NICK in time");
}

static int session_open(void *instance, struct polychat_conn *conn, void **out)
{
	struct instance *inst = instance;
	struct session *s = inst->host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->inst = inst;
	s->conn = conn;
	inst->host->conn_set_input_limit(conn, (size_t)inst->max_line);
	inst->host->conn_set_write_gap(conn, (unsigned)inst->write_gap_ms);
	if (inst->nick_timeout_ms)
		s->nick_timer = inst->host->conn_timer(conn, (uint64_t)inst->nick_timeout_ms,
			0, nick_timeout, s);
	reply(s, "%s %s %s", inst->greeting, inst->suite,
		inst->host->listener_name(inst->listener));
	*out = s;
	return 0;
}

static void job_work(void *arg)
{
	struct job *j = arg;
	const struct polychat_store_ref *store = j->s->inst->store;
	const char *realm = j->s->inst->host->listener_realm(j->s->inst->listener);
	switch (j->op) {
	case 'J': {
		struct timespec ts = { j->ms / 1000, (j->ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		j->status = 0;
		break;
	}
	case 'P':
		j->status = store->ops->key_put(store->db, realm, j->key, "test",
			(const uint8_t *)j->value, strlen(j->value), 0);
		break;
	case 'G':
		j->status = store->ops->key_get(store->db, realm, j->key, "test",
			&j->got, &j->got_len);
		break;
	}
}

static void job_done(void *arg, int status)
{
	struct job *j = arg;
	struct session *s = j->s;
	const struct polychat_host *host = s->inst->host;
	if (status == 0) {
		if (j->op == 'J')
			reply(s, "JOBDONE %d", j->status);
		else if (j->op == 'P')
			reply(s, "PUT %s", j->status ? polychat_status_name(j->status) : "ok");
		else if (j->status)
			reply(s, "GET %s", polychat_status_name(j->status));
		else
			reply(s, "GET %.*s", (int)j->got_len, (const char *)j->got);
	}
	host->free(j->got);
	host->free(j);
	host->conn_resume(s->conn);
}

static void start_job(struct session *s, int op, const char *key, const char *value,
	long ms)
{
	const struct polychat_host *host = s->inst->host;
	if (op != 'J' && !s->inst->store->ops) {
		reply(s, "ERR nostore");
		return;
	}
	struct job *j = host->calloc(1, sizeof(*j));
	if (!j) {
		reply(s, "ERR nomem");
		return;
	}
	j->s = s;
	j->op = op;
	j->ms = ms;
	snprintf(j->key, sizeof(j->key), "%s", key ? key : "");
	snprintf(j->value, sizeof(j->value), "%s", value ? value : "");
	/* Later lines wait until this one is answered, as a real login would. */
	host->conn_pause(s->conn);
	if (host->conn_job(s->conn, job_work, job_done, j) != 0) {
		host->free(j);
		host->conn_resume(s->conn);
		reply(s, "ERR job");
	}
}

static int send_to(struct session *s, int kind, const char *name, const char *text,
	int body_kind)
{
	struct polychat_message msg = {
		.kind = POLYCHAT_MSG_TEXT,
		.body_kind = body_kind,
		.from = s->nick[0] ? s->nick : NULL,
		.body = (const uint8_t *)text,
		.body_len = strlen(text),
	};
	struct polychat_target to = {
		.kind = kind,
		.name = name,
		.flags = POLYCHAT_DELIVER_NO_ECHO | POLYCHAT_DELIVER_BOUND,
	};
	return s->inst->host->deliver(s->conn, &to, &msg);
}

/* Split "WORD rest" in place; returns rest (never NULL). */
static char *split(char *line)
{
	char *sp = strchr(line, ' ');
	if (!sp)
		return line + strlen(line);
	*sp = '\0';
	return sp + 1;
}

static void command(struct session *s, char *line)
{
	const struct polychat_host *host = s->inst->host;
	char *arg = split(line);
	int rc;

	if (strcmp(line, "NICK") == 0) {
		rc = host->conn_bind(s->conn, arg);
		if (rc == 0) {
			snprintf(s->nick, sizeof(s->nick), "%s", arg);
			host->timer_stop(s->nick_timer);
			s->nick_timer = NULL;
			reply(s, "OK nick %s", arg);
		} else {
			reply(s, "ERR %s", rc == POLYCHAT_EEXIST ? "taken" : "invalid");
		}
	} else if (strcmp(line, "SAY") == 0) {
		reply(s, "SENT %d", send_to(s, POLYCHAT_TO_LISTENER, NULL, arg,
			POLYCHAT_BODY_PLAIN));
	} else if (strcmp(line, "TELL") == 0) {
		char *text = split(arg);
		reply(s, "SENT %d", send_to(s, POLYCHAT_TO_USER, arg, text,
			POLYCHAT_BODY_PLAIN));
	} else if (strcmp(line, "JOIN") == 0) {
		rc = host->room_join(s->conn, arg);
		reply(s, rc ? "ERR %s" : "OK join %s", rc ? polychat_status_name(rc) : arg);
	} else if (strcmp(line, "PART") == 0) {
		rc = host->room_leave(s->conn, arg);
		reply(s, rc ? "ERR %s" : "OK part %s", rc ? polychat_status_name(rc) : arg);
	} else if (strcmp(line, "ROOM") == 0 || strcmp(line, "OPAQUE") == 0) {
		char *text = split(arg);
		reply(s, "SENT %d", send_to(s, POLYCHAT_TO_ROOM, arg, text,
			line[0] == 'R' ? POLYCHAT_BODY_PLAIN : POLYCHAT_BODY_OPAQUE));
	} else if (strcmp(line, "JOB") == 0) {
		start_job(s, 'J', NULL, NULL, strtol(arg, NULL, 10));
	} else if (strcmp(line, "PUT") == 0) {
		char *value = split(arg);
		start_job(s, 'P', arg, value, 0);
	} else if (strcmp(line, "GET") == 0) {
		start_job(s, 'G', arg, NULL, 0);
	} else if (strcmp(line, "IDENT") == 0) {
		const char *id = host->conn_identity(s->conn);
		reply(s, "IDENT %s", id ? id : "-");
	} else if (strcmp(line, "QUIT") == 0) {
		reply(s, "BYE");
		host->conn_close(s->conn, 1, "client said QUIT");
	} else {
		reply(s, "ERR unknown");
	}
}

static long session_input(void *session, const uint8_t *data, size_t len)
{
	struct session *s = session;
	const uint8_t *nl = memchr(data, '\n', len);
	if (!nl)
		return 0;
	/* One line per call: the core offers the rest again, which keeps a
	 * paused session from running ahead of its job. */
	size_t n = (size_t)(nl - data);
	char *line = s->inst->host->alloc(n + 1);
	if (!line)
		return POLYCHAT_ENOMEM;
	memcpy(line, data, n);
	line[n] = '\0';
	if (n && line[n - 1] == '\r')
		line[n - 1] = '\0';
	command(s, line);
	s->inst->host->free(line);
	return (long)(n + 1);
}

static int session_deliver(void *session, const struct polychat_message *msg)
{
	struct session *s = session;
	reply(s, "MSG %s %s %.*s", msg->suite, msg->from ? msg->from : "-",
		(int)msg->body_len, (const char *)msg->body);
	return 0;
}

static void session_shutdown(void *session)
{
	reply(session, "SHUTDOWN");
}

static void session_close(void *session, int status)
{
	struct session *s = session;
	if (s->nick[0]) {
		char text[300];
		snprintf(text, sizeof(text), "%s left", s->nick);
		struct polychat_message msg = {
			.kind = POLYCHAT_MSG_NOTICE,
			.body_kind = POLYCHAT_BODY_PLAIN,
			.body = (const uint8_t *)text,
			.body_len = strlen(text),
		};
		s->inst->host->listener_deliver(s->inst->listener, &msg);
	}
	s->inst->host->free(s);
}

/* --- client half --- */

struct client {
	const struct polychat_host *host;
	struct polychat_conn *conn;
	char user[256];
};

static void client_send(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void client_send(struct client *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwrite_line(c->host, c->conn, fmt, ap);
	va_end(ap);
}

static int client_open(const struct polychat_client_env *env,
	struct polychat_conn *conn, void **out)
{
	struct client *c = env->host->calloc(1, sizeof(*c));
	if (!c)
		return POLYCHAT_ENOMEM;
	c->host = env->host;
	c->conn = conn;
	if (env->user) {
		snprintf(c->user, sizeof(c->user), "%s", env->user);
		client_send(c, "NICK %s", c->user);
	}
	*out = c;
	return 0;
}

static long client_input(void *session, const uint8_t *data, size_t len)
{
	struct client *c = session;
	const uint8_t *nl = memchr(data, '\n', len);
	if (!nl)
		return 0;
	size_t n = (size_t)(nl - data);
	const char *line = (const char *)data;
	if (n > 4 && memcmp(line, "MSG ", 4) == 0) {
		/* "MSG suite from text" */
		const char *suite_end = memchr(line + 4, ' ', n - 4);
		const char *from = suite_end ? suite_end + 1 : NULL;
		const char *from_end = from ? memchr(from, ' ', (size_t)(line + n - from)) : NULL;
		if (from_end) {
			char who[256];
			snprintf(who, sizeof(who), "%.*s", (int)(from_end - from), from);
			c->host->ui_show(c->conn, POLYCHAT_UI_MESSAGE,
				strcmp(who, "-") ? who : NULL, (const uint8_t *)from_end + 1,
				(size_t)(line + n - from_end - 1));
			return (long)(n + 1);
		}
	}
	int kind = n >= 4 && memcmp(line, "ERR ", 4) == 0 ? POLYCHAT_UI_ERROR
		: POLYCHAT_UI_NOTICE;
	c->host->ui_show(c->conn, kind, NULL, data, n);
	if (n > 8 && memcmp(line, "OK nick ", 8) == 0)
		c->host->ui_show(c->conn, POLYCHAT_UI_READY, NULL, NULL, 0);
	return (long)(n + 1);
}

static int client_line(void *session, const char *line, size_t len)
{
	struct client *c = session;
	if (len == 0 || line[0] != '/') {
		client_send(c, "SAY %.*s", (int)len, line);
		return 0;
	}
	static const struct { const char *cmd, *wire; } map[] = {
		{ "/nick ", "NICK" }, { "/tell ", "TELL" }, { "/join ", "JOIN" },
		{ "/part ", "PART" }, { "/room ", "ROOM" }, { "/raw ", "" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t k = strlen(map[i].cmd);
		if (len >= k && memcmp(line, map[i].cmd, k) == 0) {
			client_send(c, "%s%s%.*s", map[i].wire, map[i].wire[0] ? " " : "",
				(int)(len - k), line + k);
			return 0;
		}
	}
	return POLYCHAT_ENOTSUP;
}

static void client_close(void *session, int status)
{
	struct client *c = session;
	c->host->free(c);
}

static const char *client_help(void)
{
	return "  /nick NAME        take a nickname\n"
	       "  /tell USER TEXT   message one user\n"
	       "  /join ROOM        join a room\n"
	       "  /part ROOM        leave a room\n"
	       "  /room ROOM TEXT   message a room\n"
	       "  /raw LINE         send a raw protocol line\n";
}

#define SUITE_OPS(create_fn)                                                 \
	{                                                                    \
		.check = check, .create = create_fn, .destroy = destroy,     \
		.session_open = session_open, .session_input = session_input, \
		.session_deliver = session_deliver,                          \
		.session_shutdown = session_shutdown,                        \
		.session_close = session_close, .client_open = client_open,  \
		.client_input = client_input, .client_line = client_line,    \
		.client_close = client_close, .client_help = client_help,    \
	}

static const struct polychat_suite_ops testline_ops = SUITE_OPS(create_one);
static const struct polychat_suite_ops testline2_ops = SUITE_OPS(create_two);

static const struct polychat_component components[] = {
	{ POLYCHAT_COMPONENT_SUITE, "testline", &testline_ops },
	{ POLYCHAT_COMPONENT_SUITE, "testline2", &testline2_ops },
};

const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "suite-testline",
	.version = "1.0.0",
	.description = "test-only line protocol exercising the host API",
	.components = components,
	.n_components = 2,
};
