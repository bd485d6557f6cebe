/* SPDX-License-Identifier: MIT */
/* Example out-of-tree suite `hello`: greets, echoes lines, writes messages. */

/*
 * The protocol is one line of text per message, ended by "\n":
 *
 *   server -> client  "hello\n"              once, when the connection opens
 *   client -> server  "<line>\n"             any number of times
 *   server -> client  "echo: <line>\n"       the reply to each line
 *   server -> client  "<body>\n"             a message the core delivered
 *   server -> client  "bye\n"                when the daemon stops
 *
 * Options (all optional, under the listener's `options:`):
 *   greeting   string, default "hello"
 *   max_line   integer 16..65536, default 1024 (longer lines close the
 *              connection)
 *   broadcast  boolean, default false: also deliver every line to the
 *              other sessions of the listener
 *
 * Everything is static except the descriptor at the end of the file.
 */
#include <stdint.h>
#include <string.h>

#include <polychat/polychat.h>

#define HELLO_DEFAULT_GREETING "hello"
#define HELLO_DEFAULT_MAX_LINE 1024
#define HELLO_MIN_LINE 16
#define HELLO_MAX_LINE 65536

/* One instance per listener: the host table and the parsed options. */
struct hello_instance {
	const struct polychat_host *host;
	struct polychat_listener *listener;
	const char *greeting; /* borrowed: options live as long as we do */
	size_t max_line;
	int broadcast;
};

/* One session per connection (server half or client half). */
struct hello_session {
	const struct polychat_host *host;
	struct polychat_conn *conn;
	const struct hello_instance *inst; /* NULL in the client half */
	int greeted; /* client half: the greeting arrived */
};

/*
 * Each method is declared through its SDK typedef first, so the compiler
 * checks every signature against the header.
 */
static polychat_suite_check_fn hello_check;
static polychat_suite_create_fn hello_create;
static polychat_suite_destroy_fn hello_destroy;
static polychat_session_open_fn hello_open;
static polychat_session_input_fn hello_input;
static polychat_session_deliver_fn hello_deliver;
static polychat_session_shutdown_fn hello_shutdown;
static polychat_session_close_fn hello_close;
static polychat_client_open_fn hello_client_open;
static polychat_session_input_fn hello_client_input;
static polychat_client_line_fn hello_client_line;
static polychat_session_close_fn hello_client_close;

/* Read the options into `inst` (NULL: only validate them).
 * Reading an option marks it as known; ones we never read are reported as
 * unknown by the core, so check and create read exactly the same keys. */
static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, struct hello_instance *inst)
{
	const char *greeting = HELLO_DEFAULT_GREETING;
	int64_t max_line = HELLO_DEFAULT_MAX_LINE;
	int broadcast = 0;
	int rc;

	rc = host->opt_string(opts, "greeting", &greeting);
	if (rc != 0 && rc != POLYCHAT_ENOTFOUND)
		return rc;
	rc = host->opt_int(opts, "max_line", HELLO_MIN_LINE, HELLO_MAX_LINE,
		&max_line);
	if (rc != 0 && rc != POLYCHAT_ENOTFOUND)
		return rc;
	rc = host->opt_bool(opts, "broadcast", &broadcast);
	if (rc != 0 && rc != POLYCHAT_ENOTFOUND)
		return rc;

	/* A semantic check the core cannot do for us. */
	if (strchr(greeting, '\n') || strchr(greeting, '\r'))
		return host->opt_error(opts, "greeting",
			"must be a single line (no line breaks)");

	if (inst) {
		inst->greeting = greeting;
		inst->max_line = (size_t)max_line;
		inst->broadcast = broadcast;
	}
	return 0;
}

/* Validate the option block without side effects (--configtest, reload). */
static int hello_check(const struct polychat_host *host,
	const struct polychat_options *opts)
{
	return read_options(host, opts, NULL);
}

/* Create the instance of one listener. */
static int hello_create(const struct polychat_suite_env *env, void **instance)
{
	const struct polychat_host *host = env->host;
	struct hello_instance *inst = host->calloc(1, sizeof(*inst));
	if (!inst)
		return POLYCHAT_ENOMEM;
	inst->host = host;
	inst->listener = env->listener;
	int rc = read_options(host, env->options, inst);
	if (rc != 0) {
		host->free(inst);
		return rc;
	}
	/* Out-parameters are set only on success. */
	*instance = inst;
	return 0;
}

static void hello_destroy(void *instance)
{
	struct hello_instance *inst = instance;
	if (!inst)
		return;
	inst->host->free(inst);
}

/* Queue `prefix` + `text` + "\n" as one message (one write on the wire). */
static int write_line(const struct polychat_host *host,
	struct polychat_conn *conn, const char *prefix, const uint8_t *text,
	size_t len)
{
	size_t plen = strlen(prefix);
	uint8_t *buf = host->alloc(plen + len + 1);
	if (!buf)
		return POLYCHAT_ENOMEM;
	memcpy(buf, prefix, plen);
	if (len)
		memcpy(buf + plen, text, len);
	/* A delivered body may contain line breaks or other control bytes;
	 * they would break this line protocol, so they are replaced. */
	for (size_t i = plen; i < plen + len; i++)
		if (buf[i] < 0x20 && buf[i] != '\t')
			buf[i] = '?';
	buf[plen + len] = '\n';
	/* conn_write copies the bytes, so the buffer is ours to free. */
	int rc = host->conn_write(conn, buf, plen + len + 1);
	host->free(buf);
	return rc;
}

/* A connection was accepted: greet the peer. */
static int hello_open(void *instance, struct polychat_conn *conn,
	void **session)
{
	struct hello_instance *inst = instance;
	const struct polychat_host *host = inst->host;

	struct hello_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->host = host;
	s->conn = conn;
	s->inst = inst;

	/* The longest unconsumed input is one line plus its "\n". */
	host->conn_set_input_limit(conn, inst->max_line + 1);
	int rc = write_line(host, conn, "", (const uint8_t *)inst->greeting,
		strlen(inst->greeting));
	if (rc != 0) {
		/* On failure the core closes the connection and never calls
		 * close, so the session is freed here. */
		host->free(s);
		return rc;
	}
	*session = s;
	return 0;
}

/* Handle one complete line (without "\n" and a trailing "\r"). */
static int handle_line(struct hello_session *s, const uint8_t *line,
	size_t len)
{
	const struct polychat_host *host = s->host;
	int rc = write_line(host, s->conn, "echo: ", line, len);
	if (rc != 0 || !s->inst->broadcast)
		return rc;

	struct polychat_message msg = {
		.kind = POLYCHAT_MSG_TEXT,
		.body_kind = POLYCHAT_BODY_PLAIN,
		.from = host->conn_peer(s->conn),
		.body = line,
		.body_len = len,
	};
	struct polychat_target to = {
		.kind = POLYCHAT_TO_LISTENER,
		.flags = POLYCHAT_DELIVER_NO_ECHO,
	};
	/* Returns how many sessions were reached; 0 is not an error. */
	int reached = host->deliver(s->conn, &to, &msg);
	return reached < 0 ? reached : 0;
}

/*
 * The next complete line of data[*used..len): sets *line and *line_len
 * (without "\n" or a "\r" before it), advances *used past it, returns 1;
 * returns 0 when only a partial line is left. Both halves split this way.
 */
static int next_line(const uint8_t *data, size_t len, size_t *used,
	const uint8_t **line, size_t *line_len)
{
	const uint8_t *start = data + *used;
	const uint8_t *nl = memchr(start, '\n', len - *used);
	if (!nl)
		return 0;
	size_t n = (size_t)(nl - start);
	*used += n + 1;
	if (n && start[n - 1] == '\r')
		n--;
	*line = start;
	*line_len = n;
	return 1;
}

/* Consume every complete line; leave a partial line for the next call. */
static long hello_input(void *session, const uint8_t *data, size_t len)
{
	struct hello_session *s = session;
	const uint8_t *start;
	size_t used = 0, line_len;

	while (next_line(data, len, &used, &start, &line_len)) {
		if (line_len > s->inst->max_line)
			return POLYCHAT_ETOOBIG;
		int rc = handle_line(s, start, line_len);
		if (rc == POLYCHAT_ECLOSED || rc == POLYCHAT_EBUSY)
			return (long)used; /* the core is already closing it */
		if (rc != 0)
			return rc;
	}
	/* A partial line longer than allowed will never become valid. */
	if (len - used > s->inst->max_line)
		return POLYCHAT_ETOOBIG;
	return (long)used;
}

/* A routed message for this session's peer: write its body as a line. */
static int hello_deliver(void *session, const struct polychat_message *msg)
{
	struct hello_session *s = session;

	/* Only readable text makes sense on this wire; anything else (files,
	 * key material, opaque envelopes) is skipped. */
	int text = msg->kind == POLYCHAT_MSG_TEXT ||
		msg->kind == POLYCHAT_MSG_NOTICE;
	if (msg->body_kind != POLYCHAT_BODY_PLAIN || !text)
		return POLYCHAT_ENOTSUP;
	return write_line(s->host, s->conn, "", msg->body, msg->body_len);
}

/* The daemon is stopping: say goodbye (the core flushes, then closes). */
static void hello_shutdown(void *session)
{
	struct hello_session *s = session;
	static const uint8_t bye[] = "bye";
	(void)write_line(s->host, s->conn, "", bye, sizeof(bye) - 1);
}

/* The connection is gone: free the session. */
static void hello_close(void *session, int status)
{
	struct hello_session *s = session;
	(void)status;
	s->host->free(s);
}

/* --- client half: used by `polychat --suite hello` --- */

static int hello_client_open(const struct polychat_client_env *env,
	struct polychat_conn *conn, void **session)
{
	const struct polychat_host *host = env->host;
	struct hello_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->host = host;
	s->conn = conn;
	host->conn_set_input_limit(conn, HELLO_MAX_LINE + 1);
	/* Nothing to send: the server speaks first. */
	*session = s;
	return 0;
}

/* Show each line from the server: greeting, echoes, deliveries. */
static long hello_client_input(void *session, const uint8_t *data, size_t len)
{
	struct hello_session *s = session;
	const struct polychat_host *host = s->host;
	static const char echo[] = "echo: ";
	const size_t echo_len = sizeof(echo) - 1;
	const uint8_t *start;
	size_t used = 0, line_len;

	while (next_line(data, len, &used, &start, &line_len)) {
		if (!s->greeted) {
			s->greeted = 1;
			host->ui_show(s->conn, POLYCHAT_UI_NOTICE, NULL, start,
				line_len);
			host->ui_show(s->conn, POLYCHAT_UI_READY, NULL, NULL,
				0);
		} else if (line_len >= echo_len &&
			   memcmp(start, echo, echo_len) == 0) {
			host->ui_show(s->conn, POLYCHAT_UI_MESSAGE, "echo",
				start + echo_len, line_len - echo_len);
		} else {
			host->ui_show(s->conn, POLYCHAT_UI_MESSAGE, "hello",
				start, line_len);
		}
	}
	if (len - used > HELLO_MAX_LINE)
		return POLYCHAT_ETOOBIG;
	return (long)used;
}

/* A line the user typed: send it; commands are not ours. */
static int hello_client_line(void *session, const char *line,
	size_t len)
{
	struct hello_session *s = session;
	if (len > 0 && line[0] == '/')
		return POLYCHAT_ENOTSUP;
	if (len > HELLO_MAX_LINE)
		return POLYCHAT_ETOOBIG;
	int rc = write_line(s->host, s->conn, "", (const uint8_t *)line, len);
	return rc == POLYCHAT_EBUSY ? POLYCHAT_ECLOSED : rc;
}

static void hello_client_close(void *session, int status)
{
	struct hello_session *s = session;
	(void)status;
	s->host->free(s);
}

/* --- the descriptor --- */

static const struct polychat_suite_ops hello_suite_ops = {
	.check = hello_check,
	.create = hello_create,
	.destroy = hello_destroy,
	.session_open = hello_open,
	.session_input = hello_input,
	.session_deliver = hello_deliver,
	.session_shutdown = hello_shutdown,
	.session_close = hello_close,
	.client_open = hello_client_open,
	.client_input = hello_client_input,
	.client_line = hello_client_line,
	.client_close = hello_client_close,
	/* client_help left NULL: the core fills in "no commands". */
};

static const struct polychat_component hello_components[] = {
	{
		.kind = POLYCHAT_COMPONENT_SUITE,
		.name = "hello",
		.ops = &hello_suite_ops,
	},
};

/* The only exported symbol. The loader reads it before running any code
 * of this file: ABI numbers and table sizes first, then the components. */
extern const struct polychat_plugin polychat_plugin;
__attribute__((visibility("default")))
const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "hello",
	.version = "1.0.0",
	.description = "example suite: greets, echoes lines, writes deliveries",
	.components = hello_components,
	.n_components = sizeof(hello_components) / sizeof(hello_components[0]),
};
