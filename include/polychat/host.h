/* SPDX-License-Identifier: MIT */
/* The host API: the only way a plugin calls back into polychatd or polychat. */
#ifndef POLYCHAT_HOST_H
#define POLYCHAT_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <polychat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Opaque handles owned by the core. A plugin never frees them; it only
 * passes them back to the host functions below.
 *
 *  polychat_conn     one TCP connection: accepted by a listener (server half)
 *                    or opened by the client (client half). Valid from the
 *                    suite's open call until its close call returns.
 *  polychat_listener one listener of the daemon. Valid for the life of the
 *                    instance. The client has none (conn_listener is NULL).
 *  polychat_timer    a running timer. Valid until it fires for the last time,
 *                    is stopped, or its owner closes.
 *  polychat_options  one plugin's option block from the YAML file. Valid for
 *                    the call it is passed to, and for the instance's life
 *                    when passed to instance_create.
 */
struct polychat_conn;
struct polychat_listener;
struct polychat_timer;
struct polychat_options;

/* Log levels, lowest is most severe (syslog order). */
enum polychat_log_level {
	POLYCHAT_LOG_ERROR = 3,
	POLYCHAT_LOG_WARNING = 4,
	POLYCHAT_LOG_NOTICE = 5,
	POLYCHAT_LOG_INFO = 6,
	POLYCHAT_LOG_DEBUG = 7,
};

/* What a delivered message carries (struct polychat_message.kind). */
enum polychat_msg_kind {
	POLYCHAT_MSG_TEXT = 1,   /* a chat line */
	POLYCHAT_MSG_FILE = 2,   /* an image or file */
	POLYCHAT_MSG_KEY = 3,    /* key material announced by a peer */
	POLYCHAT_MSG_NOTICE = 4, /* a system notice (join, leave, shutdown) */
};

/*
 * Whether the server may read the body (struct polychat_message.body_kind).
 * PLAIN: hop-by-hop suites (kylochat, schiedchat, pychat) decrypted it; any
 * suite may re-encode it for its own peers. OPAQUE: an end-to-end envelope
 * (e2ee-chat, fernet-hybrid); the core delivers it only to sessions of the
 * suite that produced it, and nothing re-encodes it.
 */
enum polychat_body_kind {
	POLYCHAT_BODY_PLAIN = 1,
	POLYCHAT_BODY_OPAQUE = 2,
};

/* Who a message goes to (struct polychat_target.kind). */
enum polychat_target_kind {
	POLYCHAT_TO_USER = 1,     /* the session bound to an identity (realm of the sender's listener) */
	POLYCHAT_TO_ROOM = 2,     /* every member of a room; rooms may span listeners */
	POLYCHAT_TO_LISTENER = 3, /* every session of the sender's listener */
	POLYCHAT_TO_CONN = 4,     /* one given connection */
};

/* struct polychat_target.flags */
#define POLYCHAT_DELIVER_NO_ECHO 0x1u  /* never deliver to the sending connection */
#define POLYCHAT_DELIVER_BOUND 0x2u    /* only to sessions bound to an identity */

/* A protocol-neutral message inside the core. All pointers are borrowed for
 * the duration of the deliver call; a suite that keeps anything copies it. */
struct polychat_message {
	int kind;              /* enum polychat_msg_kind */
	int body_kind;         /* enum polychat_body_kind */
	const char *from;      /* sender identity; NULL for the system ("server") */
	/* The body as the sending peer gave it: text for TEXT/NOTICE, but a
	 * recipient treats it as bytes (it need not be valid UTF-8). */
	const uint8_t *body;
	size_t body_len;
	/* Suite-private data travelling with the message (for example pyChat's
	 * envelope members). The core hands it only to sessions of the same
	 * suite; other suites see NULL/0. */
	const uint8_t *extra;
	size_t extra_len;
	/* Filled in by the core on delivery, ignored on submission. */
	const char *suite;     /* suite name of the sending session (or "core") */
	const char *listener;  /* listener name of the sending session */
};

struct polychat_target {
	int kind;                     /* enum polychat_target_kind */
	const char *name;             /* identity (TO_USER) or room name (TO_ROOM) */
	struct polychat_conn *conn;   /* TO_CONN only */
	unsigned flags;               /* POLYCHAT_DELIVER_* */
};

/* Work run on the thread pool and its completion on the loop thread. */
typedef void polychat_work_fn(void *arg);
typedef void polychat_done_fn(void *arg, int status);
/* A timer callback, on the loop thread. */
typedef void polychat_timer_fn(void *arg);

/* What a client half shows its user (polychat_host.ui_show). */
enum polychat_ui_kind {
	POLYCHAT_UI_MESSAGE = 1, /* a message from a peer: "<from> text" */
	POLYCHAT_UI_NOTICE = 2,  /* a system notice: "* text" */
	POLYCHAT_UI_ERROR = 3,   /* an error the user should see: "! text" */
	POLYCHAT_UI_READY = 4,   /* the session is ready for input: "* ready" */
};

/*
 * The host API table. A plugin receives a pointer to it in its init and in
 * every env struct, and must not call anything else of the core.
 *
 * Threads: functions marked [any] may be called from any thread, including
 * thread-pool workers; [loop] only from the loop thread (every suite
 * callback runs there). None of the [loop] functions blocks.
 *
 * Versioning: `size` is sizeof(struct polychat_host) of the core. Members are
 * only ever appended; a plugin built against a later minor checks
 * `size > offsetof(struct polychat_host, member)` before using a member
 * added after ABI 1.0.
 */
struct polychat_host {
	size_t size;
	uint32_t abi_major;
	uint32_t abi_minor;

	/* --- logging [any] --- */

	/* Log one line. `who` names the plugin or listener (may be NULL).
	 * Never pass message plaintext, passwords, keys or OTPs. */
	void (*log)(int level, const char *who, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void (*vlog)(int level, const char *who, const char *fmt, va_list ap);

	/* --- memory [any] --- */

	/* Allocate; NULL on failure. Memory handed across the plugin boundary
	 * (store results) is always allocated with alloc and freed with free. */
	void *(*alloc)(size_t size);
	void *(*calloc)(size_t n, size_t size);
	void (*free)(void *ptr);
	/* Overwrite `len` bytes with zeros (not optimised away) then free.
	 * For key material and secrets. Accepts NULL. */
	void (*wipe_free)(void *ptr, size_t len);
	/* Overwrite without freeing. */
	void (*wipe)(void *ptr, size_t len);

	/* --- randomness [any] --- */

	/* Fill `buf` from the CSPRNG. Returns 0 or POLYCHAT_ECRYPTO. */
	int (*random)(uint8_t *buf, size_t len);

	/* --- connection I/O [loop] --- */

	/* Queue one message for the peer. The bytes are copied; the core writes
	 * them with a single write call, never merges them with another message,
	 * and keeps the connection's write gap before the next one. Returns 0,
	 * POLYCHAT_ECLOSED (connection closing: data dropped) or POLYCHAT_EBUSY
	 * (the peer does not read: the output limit is exceeded and the
	 * connection is being closed) or POLYCHAT_ENOMEM. */
	int (*conn_write)(struct polychat_conn *conn, const uint8_t *data, size_t len);
	/* Close the connection: queued writes are flushed (bounded by the
	 * listener's close timeout, and still paced by the write gap) unless
	 * `flush` is 0. `reason` is logged with listener and peer address.
	 * Before this returns the connection stops receiving deliveries and
	 * its identity and rooms are released (so a new connection may bind
	 * the same identity at once); its timers stop; input is dropped. The
	 * suite's close callback follows later (never from within this call).
	 * Idempotent. */
	void (*conn_close)(struct polychat_conn *conn, int flush, const char *reason);
	/* Minimum gap in milliseconds between the end of one message write and
	 * the start of the next to this connection (0 = none, the default).
	 * For peers that treat one recv() as one message. */
	void (*conn_set_write_gap)(struct polychat_conn *conn, unsigned ms);
	/* Cap on input the core buffers for this connection while the suite has
	 * not consumed it (default: the listener's max_frame). Exceeding it
	 * closes the connection with a log line. */
	void (*conn_set_input_limit)(struct polychat_conn *conn, size_t bytes);
	/* Stop / restart calling the suite's input callback (for example while
	 * a job for the previous frame runs). Bytes that arrive meanwhile are
	 * buffered up to the input limit. After resume the core calls input
	 * again (asynchronously) if buffered bytes remain. */
	void (*conn_pause)(struct polychat_conn *conn);
	void (*conn_resume)(struct polychat_conn *conn);
	/* The peer as "ip:port" ("[ip6]:port" for IPv6); valid while the
	 * connection is. */
	const char *(*conn_peer)(const struct polychat_conn *conn);
	/* The peer's IP address alone. */
	const char *(*conn_peer_ip)(const struct polychat_conn *conn);
	/* The local IP address the connection was accepted on (or made from). */
	const char *(*conn_local_ip)(const struct polychat_conn *conn);
	/* The listener the connection belongs to. */
	struct polychat_listener *(*conn_listener)(const struct polychat_conn *conn);
	/* The identity bound with conn_bind, or NULL (always NULL once the
	 * connection is closing: suites keep their own copy for notices). */
	const char *(*conn_identity)(const struct polychat_conn *conn);

	/* --- listeners [loop] --- */

	/* The listener's configured name and its identity realm. */
	const char *(*listener_name)(const struct polychat_listener *listener);
	const char *(*listener_realm)(const struct polychat_listener *listener);

	/* --- timers [loop] --- */

	/* Call `fn(arg)` after `ms` milliseconds, then every `repeat_ms` if
	 * non-zero. A connection's timers stop when it starts closing, a
	 * listener's when its instance is destroyed; `fn` is never called after
	 * that. The handle is dead once a one-shot timer has fired and once it
	 * is stopped; a timer silenced by its owner's close stays valid (and
	 * timer_stop on it is a no-op) until session_close / destroy returns.
	 * Returns the timer or NULL (out of memory, or the connection is
	 * closing). */
	struct polychat_timer *(*conn_timer)(struct polychat_conn *conn,
		uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg);
	struct polychat_timer *(*listener_timer)(struct polychat_listener *listener,
		uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg);
	/* Stop a timer; `fn` is not called afterwards. Accepts NULL. */
	void (*timer_stop)(struct polychat_timer *timer);

	/* --- thread-pool jobs [loop] --- */

	/* Run `work(arg)` on a worker thread, then `done(arg, status)` on the
	 * loop thread, exactly once and never from within this call; status is
	 * 0, or POLYCHAT_ECANCELED when the daemon shut down before the job
	 * started (work did not run). The connection (its session) stays alive
	 * until `done` has returned: the suite's close callback is delayed until
	 * every job of the connection is done. Returns 0, or a negative code
	 * (then neither callback is ever called): POLYCHAT_ECLOSED once the
	 * connection is closing (use listener_job for work that must outlive
	 * it), POLYCHAT_ENOMEM, POLYCHAT_EBUSY. */
	int (*conn_job)(struct polychat_conn *conn, polychat_work_fn *work,
		polychat_done_fn *done, void *arg);
	/* The same for instance-level work; the instance is destroyed only after
	 * every such job is done. */
	int (*listener_job)(struct polychat_listener *listener,
		polychat_work_fn *work, polychat_done_fn *done, void *arg);

	/* --- identities, rooms and delivery [loop] --- */

	/* Bind `identity` to the connection in its listener's realm (replacing
	 * the connection's previous identity). Returns 0, POLYCHAT_EEXIST if
	 * another live connection holds it, POLYCHAT_EINVAL for an empty or
	 * over-long (> 255 bytes) identity. Released when the connection closes. */
	int (*conn_bind)(struct polychat_conn *conn, const char *identity);
	/* The connection bound to `identity` in `listener`'s realm, or NULL. */
	struct polychat_conn *(*identity_lookup)(struct polychat_listener *listener,
		const char *identity);
	/* Join / leave a room (a core-wide name). Left automatically on close.
	 * Returns 0, POLYCHAT_ENOMEM, POLYCHAT_EINVAL. */
	int (*room_join)(struct polychat_conn *conn, const char *room);
	int (*room_leave)(struct polychat_conn *conn, const char *room);
	/* Deliver `msg` from the connection `from` (its identity, suite and
	 * listener describe the sender) to the target. The core calls the
	 * deliver callback of each recipient session synchronously, in a stable
	 * order (join order). Opaque bodies only reach sessions of the sender's
	 * suite. A session that starts closing during the walk is skipped
	 * safely. Returns the number of sessions reached, i.e. whose
	 * session_deliver returned 0 (>= 0; 0 for TO_USER means the user is not
	 * online: a suite with an offline queue stores the message then), or a
	 * negative code. */
	int (*deliver)(struct polychat_conn *from, const struct polychat_target *to,
		const struct polychat_message *msg);
	/* Deliver a system message to every bound session of a listener (for
	 * example a shutdown or join notice not tied to a sender). */
	int (*listener_deliver)(struct polychat_listener *listener,
		const struct polychat_message *msg);

	/* --- options [loop, or the thread calling check/create] --- */

	/* Read an option of the plugin's block. Each returns 0 and sets *out,
	 * POLYCHAT_ENOTFOUND (absent: *out keeps the caller's default), or
	 * POLYCHAT_ECONFIG (present but of the wrong type or range: an error
	 * naming file:line:col has already been recorded for the operator).
	 * Strings stay valid as long as the options do. Every option a plugin
	 * reads is marked as known; an option nobody reads is reported as
	 * unknown when the configuration is checked. */
	int (*opt_string)(const struct polychat_options *opts, const char *key,
		const char **out);
	int (*opt_int)(const struct polychat_options *opts, const char *key,
		int64_t min, int64_t max, int64_t *out);
	int (*opt_bool)(const struct polychat_options *opts, const char *key,
		int *out);
	/* Record a semantic error about option `key` (NULL: the block itself);
	 * the core prefixes file:line:col and the option path. Returns
	 * POLYCHAT_ECONFIG so a plugin can `return host->opt_error(...)`. */
	int (*opt_error)(const struct polychat_options *opts, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	/* Resolve a path option relative to the daemon's state directory (an
	 * absolute path is returned unchanged). Writes at most `len` bytes
	 * including the NUL; returns 0 or POLYCHAT_ETOOBIG. */
	int (*state_path)(const struct polychat_options *opts, const char *path,
		char *out, size_t len);

	/* --- client half only [loop] --- */

	/* Show something to the user of the polychat client. `from` may be
	 * NULL. Text is UTF-8; it is printed on one line per call with control
	 * characters escaped. In the daemon this is a no-op. */
	void (*ui_show)(struct polychat_conn *conn, int kind, const char *from,
		const uint8_t *text, size_t len);

	/* --- ABI 1.1 --- */

	/* Client half only [loop]: show `prompt` and read the next line the
	 * user types without echo when standard input is a terminal (echo
	 * comes back after that line, and whenever the client ends, signals
	 * included); that line reaches client_line as usual. In the daemon
	 * this is a no-op. Added in ABI 1.1: a plugin calls it only when
	 * `host->size > offsetof(struct polychat_host, ui_secret)` (a 1.0
	 * core has no such member; show the prompt with ui_show instead). */
	void (*ui_secret)(struct polychat_conn *conn, const char *prompt);

	/* --- ABI 1.2 --- */

	/* [loop] conn_write, and then `done(arg, status)` on the loop thread
	 * once the message has left: status 0 when all of it was handed to
	 * the kernel, POLYCHAT_ECLOSED when it never will be (the write
	 * failed, or the connection closed before it was written). Called
	 * exactly once when this returns 0, never from within this call, and
	 * always before the session's close callback; never called when this
	 * returns an error (the codes of conn_write, and POLYCHAT_EINVAL for
	 * an empty message). For data that must
	 * not be forgotten before it left, for example an offline message
	 * removed from the store only once it was written. A plugin calls it
	 * only when `host->size > offsetof(struct polychat_host,
	 * conn_write_notify)`. */
	int (*conn_write_notify)(struct polychat_conn *conn, const uint8_t *data,
		size_t len, polychat_done_fn *done, void *arg);
	/* [loop] conn_job and listener_job for work that burns CPU for
	 * milliseconds or more (bcrypt, RSA key generation): the same
	 * contract, but at most one job fewer than the machine has cores
	 * runs at once; the others wait, in order, so the loop thread always
	 * keeps a core for deliveries. Store queries and other waiting on
	 * I/O belong in conn_job. ABI 1.2, like conn_write_notify. */
	int (*conn_job_cpu)(struct polychat_conn *conn, polychat_work_fn *work,
		polychat_done_fn *done, void *arg);
	int (*listener_job_cpu)(struct polychat_listener *listener,
		polychat_work_fn *work, polychat_done_fn *done, void *arg);
};

#ifdef __cplusplus
}
#endif

#endif /* POLYCHAT_HOST_H */
