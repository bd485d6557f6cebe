/* SPDX-License-Identifier: MIT */
/* The host API table handed to plugins, mapped onto the core's modules. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "conn.h"
#include "host.h"
#include "job.h"
#include "listener.h"
#include "log.h"
#include "options.h"
#include "router.h"
#include "timer.h"

static uv_loop_t *host_loop;
static pc_ui_fn *host_ui;

static void host_log(int level, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void host_log(int level, const char *who, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pc_vlog(level, who, fmt, ap);
	va_end(ap);
}

static void host_wipe(void *ptr, size_t len)
{
	if (ptr)
		OPENSSL_cleanse(ptr, len);
}

static void host_wipe_free(void *ptr, size_t len)
{
	host_wipe(ptr, len);
	free(ptr);
}

static int host_random(uint8_t *buf, size_t len)
{
	if (len > (size_t)INT32_MAX)
		return POLYCHAT_EINVAL;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : POLYCHAT_ECRYPTO;
}

static struct polychat_listener *host_conn_listener(const struct polychat_conn *conn)
{
	return conn->listener;
}

static const char *host_conn_identity(const struct polychat_conn *conn)
{
	return conn->identity;
}

static const char *host_listener_name(const struct polychat_listener *listener)
{
	return listener->cfg.name;
}

static const char *host_listener_realm(const struct polychat_listener *listener)
{
	return listener->cfg.realm;
}

static struct polychat_timer *host_conn_timer(struct polychat_conn *conn,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg)
{
	if (conn->closing)
		return NULL;
	return pc_timer_start(host_loop, &conn->timers, ms, repeat_ms, fn, arg);
}

static struct polychat_timer *host_listener_timer(struct polychat_listener *listener,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg)
{
	if (!listener || listener->draining)
		return NULL;
	return pc_timer_start(host_loop, &listener->timers, ms, repeat_ms, fn, arg);
}

static int host_conn_job(struct polychat_conn *conn, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	if (!conn)
		return POLYCHAT_EINVAL;
	/* A closing connection is about to be released: a job now could
	 * outlive it. */
	if (conn->closing)
		return POLYCHAT_ECLOSED;
	return pc_job_submit(host_loop, conn, NULL, work, done, arg);
}

static int host_listener_job(struct polychat_listener *listener,
	polychat_work_fn *work, polychat_done_fn *done, void *arg)
{
	if (!listener)
		return POLYCHAT_EINVAL;
	return pc_job_submit(host_loop, NULL, listener, work, done, arg);
}

static int host_conn_job_cpu(struct polychat_conn *conn, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	if (!conn)
		return POLYCHAT_EINVAL;
	if (conn->closing)
		return POLYCHAT_ECLOSED;
	return pc_job_submit_cpu(host_loop, conn, NULL, work, done, arg);
}

static int host_listener_job_cpu(struct polychat_listener *listener,
	polychat_work_fn *work, polychat_done_fn *done, void *arg)
{
	if (!listener)
		return POLYCHAT_EINVAL;
	return pc_job_submit_cpu(host_loop, NULL, listener, work, done, arg);
}

static void host_ui_show(struct polychat_conn *conn, int kind, const char *from,
	const uint8_t *text, size_t len)
{
	if (host_ui)
		host_ui(conn, kind, from, text, len);
}

/* A no-op in the daemon (no display). The client replaces this member in
 * its copy of the table with one that also turns echo off (client/main.c);
 * without it the prompt is at least shown. */
static void host_ui_secret(struct polychat_conn *conn, const char *prompt)
{
	if (host_ui && prompt)
		host_ui(conn, POLYCHAT_UI_NOTICE, NULL, (const uint8_t *)prompt,
			strlen(prompt));
}

static const struct polychat_host host_table = {
	.size = sizeof(struct polychat_host),
	.abi_major = POLYCHAT_ABI_MAJOR,
	.abi_minor = POLYCHAT_ABI_MINOR,
	.log = host_log,
	.vlog = pc_vlog,
	.alloc = malloc,
	.calloc = calloc,
	.free = free,
	.wipe_free = host_wipe_free,
	.wipe = host_wipe,
	.random = host_random,
	.conn_write = pc_conn_write,
	.conn_close = pc_conn_close,
	.conn_set_write_gap = pc_conn_set_write_gap,
	.conn_set_input_limit = pc_conn_set_input_limit,
	.conn_pause = pc_conn_pause,
	.conn_resume = pc_conn_resume,
	.conn_peer = pc_conn_peer,
	.conn_peer_ip = pc_conn_peer_ip,
	.conn_local_ip = pc_conn_local_ip,
	.conn_listener = host_conn_listener,
	.conn_identity = host_conn_identity,
	.listener_name = host_listener_name,
	.listener_realm = host_listener_realm,
	.conn_timer = host_conn_timer,
	.listener_timer = host_listener_timer,
	.timer_stop = pc_timer_stop,
	.conn_job = host_conn_job,
	.listener_job = host_listener_job,
	.conn_bind = pc_router_bind,
	.identity_lookup = pc_router_lookup,
	.room_join = pc_router_room_join,
	.room_leave = pc_router_room_leave,
	.deliver = pc_router_deliver,
	.listener_deliver = pc_router_listener_deliver,
	.opt_string = pc_options_string,
	.opt_int = pc_options_int,
	.opt_bool = pc_options_bool,
	.opt_error = pc_options_error,
	.state_path = pc_options_state_path,
	.ui_show = host_ui_show,
	.ui_secret = host_ui_secret,
	.conn_write_notify = pc_conn_write_notify,
	.conn_job_cpu = host_conn_job_cpu,
	.listener_job_cpu = host_listener_job_cpu,
};

/* pc_host_setup - see host.h. */
void pc_host_setup(uv_loop_t *loop, pc_ui_fn *ui)
{
	host_loop = loop;
	host_ui = ui;
}

/* pc_host - see host.h. */
const struct polychat_host *pc_host(void)
{
	return &host_table;
}

/* pc_host_loop - see host.h. */
uv_loop_t *pc_host_loop(void)
{
	return host_loop;
}
