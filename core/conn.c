/* SPDX-License-Identifier: MIT */
/* One TCP connection: bounded input buffer, whole-message paced writes, close. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"

/* Reads land in one loop-wide buffer; only what a suite leaves unconsumed
 * is copied into the connection, so idle sessions cost no read buffer. */
#define READ_CHUNK 65536
static uint8_t read_buffer[READ_CHUNK];

/* Above this an emptied input buffer is given back to the allocator. */
#define KEEP_INPUT_CAPACITY 4096

struct pc_wmsg {
	struct pc_wmsg *next;
	polychat_done_fn *done; /* told when the message has left, or NULL */
	void *done_arg;
	size_t len;
	uint8_t data[];
};

static uint64_t next_conn_id = 1;

static void finish_close(struct polychat_conn *conn);
static void kick_writes(struct polychat_conn *conn);

/* pc_conn_init - see conn.h. */
int pc_conn_init(struct polychat_conn *conn, uv_loop_t *loop,
	const struct pc_conn_driver *driver, void *owner, size_t in_limit,
	size_t out_limit, uint32_t close_timeout_ms)
{
	memset(conn, 0, sizeof(*conn));
	int rc = uv_tcp_init(loop, &conn->tcp);
	if (rc < 0)
		return POLYCHAT_EIO;
	uv_timer_init(loop, &conn->pace_timer);
	uv_timer_init(loop, &conn->resume_timer);
	uv_timer_init(loop, &conn->close_timer);
	conn->tcp.data = conn;
	conn->pace_timer.data = conn;
	conn->resume_timer.data = conn;
	conn->close_timer.data = conn;
	conn->handles_open = 4;
	conn->id = next_conn_id++;
	conn->driver = driver;
	conn->owner = owner;
	conn->in_limit = in_limit;
	conn->out_limit = out_limit;
	conn->close_timeout_ms = close_timeout_ms;
	snprintf(conn->peer, sizeof(conn->peer), "?");
	snprintf(conn->peer_ip, sizeof(conn->peer_ip), "?");
	snprintf(conn->local_ip, sizeof(conn->local_ip), "?");
	return 0;
}

static void describe_local(struct polychat_conn *conn)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	if (uv_tcp_getsockname(&conn->tcp, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&ss)->sin_addr,
			conn->local_ip, sizeof(conn->local_ip));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&ss)->sin6_addr,
			conn->local_ip, sizeof(conn->local_ip));
}

static void describe_peer(struct polychat_conn *conn)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	describe_local(conn);
	if (uv_tcp_getpeername(&conn->tcp, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, conn->peer_ip, sizeof(conn->peer_ip));
		snprintf(conn->peer, sizeof(conn->peer), "%s:%u", conn->peer_ip,
			ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, conn->peer_ip, sizeof(conn->peer_ip));
		snprintf(conn->peer, sizeof(conn->peer), "[%s]:%u", conn->peer_ip,
			ntohs(in6->sin6_port));
	}
}

/* Keep `len` unconsumed bytes for the next read. */
static int keep_input(struct polychat_conn *conn, const uint8_t *data, size_t len)
{
	if (len == 0) {
		conn->in_len = 0;
		if (conn->in_cap > KEEP_INPUT_CAPACITY) {
			free(conn->in);
			conn->in = NULL;
			conn->in_cap = 0;
		}
		return 0;
	}
	if (data == conn->in) {
		conn->in_len = len;
		return 0;
	}
	if (data > conn->in && data < conn->in + conn->in_len) {
		memmove(conn->in, data, len);
		conn->in_len = len;
		return 0;
	}
	if (len > conn->in_cap) {
		uint8_t *grown = realloc(conn->in, len);
		if (!grown)
			return POLYCHAT_ENOMEM;
		conn->in = grown;
		conn->in_cap = len;
	}
	memmove(conn->in, data, len);
	conn->in_len = len;
	return 0;
}

/* Offer `data` to the suite while it consumes, then keep the rest. */
static void feed(struct polychat_conn *conn, const uint8_t *data, size_t len)
{
	size_t off = 0;
	while (!conn->closing && !conn->paused && off < len) {
		long used = conn->driver->input(conn, data + off, len - off);
		if (used < 0) {
			char why[96];
			snprintf(why, sizeof(why), "suite refused input: %s",
				polychat_strerror((int)used));
			pc_conn_abort(conn, (int)used, why);
			return;
		}
		if (used == 0)
			break;
		off += (size_t)used < len - off ? (size_t)used : len - off;
	}
	if (conn->closing) {
		conn->in_len = 0;
		return;
	}
	if (keep_input(conn, data + off, len - off) != 0)
		pc_conn_abort(conn, POLYCHAT_ENOMEM, "out of memory buffering input");
}

static void alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct polychat_conn *conn = handle->data;
	size_t room = conn->in_limit > conn->in_len ? conn->in_limit - conn->in_len : 0;
	/* An empty buffer makes libuv report UV_ENOBUFS: the limit is hit. */
	*buf = uv_buf_init((char *)read_buffer, (unsigned)(room < READ_CHUNK ? room : READ_CHUNK));
}

static void read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct polychat_conn *conn = stream->data;

	if (nread == 0 || conn->closing)
		return;
	if (nread == UV_ENOBUFS) {
		if (conn->paused) {
			/* Back-pressure: stop reading until the suite resumes. */
			uv_read_stop(stream);
			conn->reading = 0;
			return;
		}
		char why[96];
		snprintf(why, sizeof(why), "more than %zu bytes of input without a complete frame",
			conn->in_limit);
		pc_conn_abort(conn, POLYCHAT_ETOOBIG, why);
		return;
	}
	if (nread == UV_EOF) {
		pc_conn_close(conn, 1, "peer closed the connection");
		return;
	}
	if (nread < 0) {
		char why[96];
		snprintf(why, sizeof(why), "read failed: %s", uv_strerror((int)nread));
		pc_conn_abort(conn, POLYCHAT_ECLOSED, why);
		return;
	}
	if (conn->in_len == 0 && !conn->paused) {
		feed(conn, (const uint8_t *)buf->base, (size_t)nread);
		return;
	}
	/* Append to what is waiting, then offer everything. */
	size_t total = conn->in_len + (size_t)nread;
	if (total > conn->in_cap) {
		uint8_t *grown = realloc(conn->in, total);
		if (!grown) {
			pc_conn_abort(conn, POLYCHAT_ENOMEM, "out of memory buffering input");
			return;
		}
		conn->in = grown;
		conn->in_cap = total;
	}
	memcpy(conn->in + conn->in_len, buf->base, (size_t)nread);
	conn->in_len = total;
	if (!conn->paused)
		feed(conn, conn->in, conn->in_len);
}

/* pc_conn_start - see conn.h. */
int pc_conn_start(struct polychat_conn *conn)
{
	describe_peer(conn);
	int rc = uv_read_start((uv_stream_t *)&conn->tcp, alloc_cb, read_cb);
	if (rc < 0)
		return POLYCHAT_EIO;
	conn->reading = 1;
	return 0;
}

static void resume_fired(uv_timer_t *timer)
{
	struct polychat_conn *conn = timer->data;
	if (conn->closing || conn->paused)
		return;
	if (conn->in_len)
		feed(conn, conn->in, conn->in_len);
	if (!conn->closing && !conn->paused && !conn->reading &&
	    uv_read_start((uv_stream_t *)&conn->tcp, alloc_cb, read_cb) == 0)
		conn->reading = 1;
}

/* pc_conn_pause - see conn.h. */
void pc_conn_pause(struct polychat_conn *conn)
{
	conn->paused = 1;
}

/* pc_conn_resume - see conn.h. */
void pc_conn_resume(struct polychat_conn *conn)
{
	if (!conn->paused || conn->closing)
		return;
	conn->paused = 0;
	/* Never re-enter the suite from within its own call. */
	uv_timer_start(&conn->resume_timer, resume_fired, 0, 0);
}

static void pace_fired(uv_timer_t *timer)
{
	kick_writes(timer->data);
}

static void write_cb(uv_write_t *req, int status)
{
	struct polychat_conn *conn = req->data;
	struct pc_wmsg *msg = conn->out_head;
	polychat_done_fn *done = msg->done;
	void *done_arg = msg->done_arg;

	conn->writing = 0;
	conn->out_head = msg->next;
	if (!conn->out_head)
		conn->out_tail = NULL;
	conn->out_bytes -= msg->len;
	free(msg);
	conn->last_write_end = uv_now(conn->tcp.loop);

	if (status < 0) {
		if (conn->closing) {
			finish_close(conn);
		} else {
			char why[96];
			snprintf(why, sizeof(why), "write failed: %s", uv_strerror(status));
			pc_conn_abort(conn, POLYCHAT_ECLOSED, why);
		}
		if (done)
			done(done_arg, POLYCHAT_ECLOSED);
		return;
	}
	/* The suite may write or close from its callback: the queue is
	 * consistent before it runs, and looked at again after. */
	if (done)
		done(done_arg, 0);
	if (conn->closing && !conn->out_head) {
		finish_close(conn);
		return;
	}
	kick_writes(conn);
}

static void kick_writes(struct polychat_conn *conn)
{
	if (conn->writing || !conn->out_head || conn->handles_closed ||
	    uv_is_closing((uv_handle_t *)&conn->tcp))
		return;
	if (conn->gap_ms && conn->last_write_end) {
		uint64_t due = conn->last_write_end + conn->gap_ms;
		uint64_t now = uv_now(conn->tcp.loop);
		if (now < due) {
			uv_timer_start(&conn->pace_timer, pace_fired, due - now, 0);
			return;
		}
	}
	struct pc_wmsg *msg = conn->out_head;
	uv_buf_t buf = uv_buf_init((char *)msg->data, (unsigned)msg->len);
	conn->write_req.data = conn;
	if (uv_write(&conn->write_req, (uv_stream_t *)&conn->tcp, &buf, 1, write_cb) < 0) {
		pc_conn_abort(conn, POLYCHAT_ECLOSED, "write failed");
		return;
	}
	conn->writing = 1;
}

/* pc_conn_write_notify - see conn.h. */
int pc_conn_write_notify(struct polychat_conn *conn, const uint8_t *data,
	size_t len, polychat_done_fn *done, void *done_arg)
{
	if (conn->closing)
		return POLYCHAT_ECLOSED;
	if (len == 0)
		return done ? POLYCHAT_EINVAL : 0;
	if (len > conn->out_limit || conn->out_bytes > conn->out_limit - len) {
		char why[96];
		snprintf(why, sizeof(why), "peer does not read (output limit %zu bytes)",
			conn->out_limit);
		pc_conn_abort(conn, POLYCHAT_EBUSY, why);
		return POLYCHAT_EBUSY;
	}
	struct pc_wmsg *msg = malloc(sizeof(*msg) + len);
	if (!msg)
		return POLYCHAT_ENOMEM;
	msg->next = NULL;
	msg->done = done;
	msg->done_arg = done_arg;
	msg->len = len;
	memcpy(msg->data, data, len);
	if (conn->out_tail)
		conn->out_tail->next = msg;
	else
		conn->out_head = msg;
	conn->out_tail = msg;
	conn->out_bytes += len;
	kick_writes(conn);
	return 0;
}

/* pc_conn_write - see conn.h. */
int pc_conn_write(struct polychat_conn *conn, const uint8_t *data, size_t len)
{
	return pc_conn_write_notify(conn, data, len, NULL, NULL);
}

/* Tell the owners of messages that will never be written, before the
 * session they belong to is closed. */
static void drop_output(struct polychat_conn *conn)
{
	while (conn->out_head) {
		struct pc_wmsg *msg = conn->out_head;
		conn->out_head = msg->next;
		if (!conn->out_head)
			conn->out_tail = NULL;
		conn->out_bytes -= msg->len;
		polychat_done_fn *done = msg->done;
		void *done_arg = msg->done_arg;
		free(msg);
		if (done)
			done(done_arg, POLYCHAT_ECLOSED);
	}
}

static void release(struct polychat_conn *conn)
{
	if (!conn->handles_closed || conn->jobs)
		return;
	const struct pc_conn_driver *driver = conn->driver;
	drop_output(conn);
	if (conn->session_open) {
		conn->session_open = 0;
		driver->session_close(conn);
	}
	/* Only now: the session may have stopped saved timer handles. */
	pc_timer_release_all(&conn->timers);
	free(conn->in);
	driver->gone(conn->owner, conn);
	free(conn);
}

static void handle_closed(uv_handle_t *handle)
{
	struct polychat_conn *conn = handle->data;
	if (--conn->handles_open == 0) {
		conn->handles_closed = 1;
		release(conn);
	}
}

static void finish_close(struct polychat_conn *conn)
{
	if (uv_is_closing((uv_handle_t *)&conn->tcp))
		return;
	uv_close((uv_handle_t *)&conn->tcp, handle_closed);
	uv_close((uv_handle_t *)&conn->pace_timer, handle_closed);
	uv_close((uv_handle_t *)&conn->resume_timer, handle_closed);
	uv_close((uv_handle_t *)&conn->close_timer, handle_closed);
}

static void close_timed_out(uv_timer_t *timer)
{
	struct polychat_conn *conn = timer->data;
	pc_log(POLYCHAT_LOG_INFO, conn->who, "%s: flush timed out, dropping %zu queued bytes",
		conn->peer, conn->out_bytes);
	finish_close(conn);
}

static void begin_close(struct polychat_conn *conn, int flush, int status,
	const char *reason)
{
	if (conn->closing)
		return;
	conn->closing = 1;
	conn->flush = flush != 0;
	conn->status = status;
	snprintf(conn->reason, sizeof(conn->reason), "%s", reason ? reason : "closed");
	pc_log(status ? POLYCHAT_LOG_NOTICE : POLYCHAT_LOG_INFO, conn->who,
		"%s: closing connection %llu: %s", conn->peer,
		(unsigned long long)conn->id, conn->reason);
	if (conn->reading) {
		uv_read_stop((uv_stream_t *)&conn->tcp);
		conn->reading = 0;
	}
	/* Whatever the suite did not consume is dropped now, and nothing of
	 * the suite's runs on its behalf any more. */
	conn->in_len = 0;
	pc_timer_stop_all(&conn->timers);
	if (conn->driver->closing)
		conn->driver->closing(conn);
	if (conn->flush && (conn->out_head || conn->writing)) {
		/* The gap still holds: a peer that reads one message per recv()
		 * must get the last ones apart too. The close timer bounds it. */
		kick_writes(conn);
		uv_timer_start(&conn->close_timer, close_timed_out, conn->close_timeout_ms, 0);
		return;
	}
	finish_close(conn);
}

/* pc_conn_close - see conn.h. */
void pc_conn_close(struct polychat_conn *conn, int flush, const char *reason)
{
	begin_close(conn, flush, 0, reason);
}

/* pc_conn_abort - see conn.h. */
void pc_conn_abort(struct polychat_conn *conn, int status, const char *reason)
{
	begin_close(conn, 0, status, reason);
}

/* pc_conn_set_write_gap - see conn.h. */
void pc_conn_set_write_gap(struct polychat_conn *conn, unsigned ms)
{
	conn->gap_ms = ms;
}

/* pc_conn_set_input_limit - see conn.h. */
void pc_conn_set_input_limit(struct polychat_conn *conn, size_t bytes)
{
	if (bytes > 0)
		conn->in_limit = bytes;
}

/* pc_conn_peer - see conn.h. */
const char *pc_conn_peer(const struct polychat_conn *conn)
{
	return conn->peer;
}

/* pc_conn_peer_ip - see conn.h. */
const char *pc_conn_peer_ip(const struct polychat_conn *conn)
{
	return conn->peer_ip;
}

/* pc_conn_local_ip - see conn.h. */
const char *pc_conn_local_ip(const struct polychat_conn *conn)
{
	return conn->local_ip;
}

/* pc_conn_job_started - see conn.h. */
void pc_conn_job_started(struct polychat_conn *conn)
{
	conn->jobs++;
}

/* pc_conn_job_finished - see conn.h. */
void pc_conn_job_finished(struct polychat_conn *conn)
{
	if (conn->jobs)
		conn->jobs--;
	release(conn);
}
