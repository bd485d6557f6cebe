/* SPDX-License-Identifier: MIT */
/* A listener: its socket, its suite/auth instances, its store binding, its sessions. */
#ifndef PC_LISTENER_H
#define PC_LISTENER_H

#include <uv.h>

#include <polychat/plugin.h>

#include "config.h"
#include "conn.h"
#include "diag.h"
#include "loader.h"
#include "timer.h"

struct polychat_listener;
typedef void pc_listener_drained_fn(struct polychat_listener *listener, void *arg);

struct polychat_listener {
	struct pc_config_listener cfg;       /* owned copy of its config entry */
	const struct pc_component *suite;
	const struct pc_component *auth;     /* NULL if none */
	void *suite_instance;
	void *auth_instance;
	struct polychat_auth_ref auth_ref;
	struct polychat_store_ref store_ref;
	void *store_owner;                   /* the daemon's store entry (refcount) */

	uv_tcp_t server;
	int server_open;
	char address[80];                    /* "127.0.0.1:5000" once bound */

	struct polychat_conn *conns_head, *conns_tail;
	size_t n_conns;
	unsigned jobs;
	struct pc_timer_list timers;

	int draining;
	pc_listener_drained_fn *drained;
	void *drained_arg;
	struct polychat_listener *next;      /* the daemon's list */
};

/* Check a listener entry against the loaded plugins without side effects:
 * the suite exists and has a server half, the auth method exists, their
 * option blocks pass the plugins' checks, no option is unknown. Problems go
 * to `diag`. Returns 0 or POLYCHAT_ECONFIG. */
int pc_listener_check(const struct pc_config_listener *cfg,
	const struct pc_loader *loader, struct pc_diag *diag);

/* Run a plugin's check on its option block (suite, auth or store), with
 * errors going to `diag`; a failing check that recorded nothing gets one
 * line, and options nobody read are reported as unknown. Returns 0 or a
 * negative code. */
int pc_listener_check_options(const struct pc_component *comp,
	struct polychat_options *opts, struct pc_diag *diag);

/* Create the auth instance of a listener (or of polychatctl, which acts for
 * one): `opts` and `store` are borrowed for the instance's life. Logs one
 * line under `who` on failure. Returns 0 and sets *instance, or a negative
 * code. */
int pc_listener_auth_create(const struct pc_component *auth,
	const struct polychat_options *opts, const struct polychat_store_ref *store,
	const char *who, void **instance);

/* Create instances and bind the socket; on success print the readiness line
 * and take ownership of the strings and option blocks of `cfg` (they are
 * zeroed in the caller's entry). `store` may have ops NULL. Returns 0 and
 * sets *out, or a negative code after logging one line why. */
int pc_listener_start(uv_loop_t *loop, struct pc_config_listener *cfg,
	const struct pc_loader *loader, const struct polychat_store_ref *store,
	void *store_owner, struct polychat_listener **out);

/* Stop accepting, tell every session the service is ending (if `notify`),
 * close every connection with a flush, wait for jobs, destroy the instances,
 * then call `drained` (asynchronously) and free the listener. */
void pc_listener_drain(struct polychat_listener *listener, int notify,
	pc_listener_drained_fn *drained, void *arg);

/* Instance-level job accounting. */
void pc_listener_job_started(struct polychat_listener *listener);
void pc_listener_job_finished(struct polychat_listener *listener);

#endif /* PC_LISTENER_H */
