/* SPDX-License-Identifier: MIT */
/* A listener: its socket, its suite/auth instances, its store binding, its sessions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "listener.h"
#include "log.h"
#include "router.h"

#define LISTEN_BACKLOG 511

static void check_drained(struct polychat_listener *listener);

/* pc_listener_check_options - see listener.h. */
int pc_listener_check_options(const struct pc_component *comp,
	struct polychat_options *opts, struct pc_diag *diag)
{
	size_t before = diag->count;
	int rc;
	opts->diag = diag;
	pc_options_reset_used(opts);
	if (comp->kind == POLYCHAT_COMPONENT_SUITE)
		rc = comp->ops.suite.check(pc_host(), opts);
	else if (comp->kind == POLYCHAT_COMPONENT_AUTH)
		rc = comp->ops.auth.check(pc_host(), opts);
	else
		rc = comp->ops.store.check(pc_host(), opts);
	/* A check that failed without saying why still gets a line. */
	if (rc != 0 && diag->count == before)
		pc_diag_add(diag, &opts->pos, opts->path, "%s '%s' refused these options: %s",
			pc_component_kind_name(comp->kind), comp->name, polychat_strerror(rc));
	char what[96];
	snprintf(what, sizeof(what), "%s '%s'", pc_component_kind_name(comp->kind), comp->name);
	if (pc_options_report_unused(opts, what) > 0 && rc == 0)
		rc = POLYCHAT_ECONFIG;
	return rc;
}

/* pc_listener_check - see listener.h. */
int pc_listener_check(const struct pc_config_listener *cfg,
	const struct pc_loader *loader, struct pc_diag *diag)
{
	char explain[1024], path[96];
	int failed = 0;

	snprintf(path, sizeof(path), "listener '%s'", cfg->name);
	const struct pc_component *suite =
		pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, cfg->suite);
	if (!suite) {
		pc_loader_explain(loader, POLYCHAT_COMPONENT_SUITE, cfg->suite,
			explain, sizeof(explain));
		pc_diag_add(diag, &cfg->pos, path, "%s", explain);
		failed = 1;
	} else if (!suite->has_server) {
		pc_diag_add(diag, &cfg->pos, path,
			"suite '%s' of plugin %s (%s) has no server half",
			suite->name, pc_plugin_name(suite->plugin),
			pc_plugin_path(suite->plugin));
		failed = 1;
	} else if (pc_listener_check_options(suite, cfg->suite_options, diag) != 0) {
		failed = 1;
	}

	if (cfg->auth) {
		const struct pc_component *auth =
			pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, cfg->auth);
		if (!auth) {
			pc_loader_explain(loader, POLYCHAT_COMPONENT_AUTH, cfg->auth,
				explain, sizeof(explain));
			pc_diag_add(diag, &cfg->pos, path, "%s", explain);
			failed = 1;
		} else if (pc_listener_check_options(auth, cfg->auth_options, diag) != 0) {
			failed = 1;
		}
	} else if (cfg->auth_options && cfg->auth_options->count) {
		pc_diag_add(diag, &cfg->auth_options->pos, cfg->auth_options->path,
			"auth_options given but the listener names no auth method");
		failed = 1;
	}
	return failed ? POLYCHAT_ECONFIG : 0;
}

/* pc_listener_auth_create - see listener.h. */
int pc_listener_auth_create(const struct pc_component *auth,
	const struct polychat_options *opts, const struct polychat_store_ref *store,
	const char *who, void **instance)
{
	struct polychat_auth_env env = { pc_host(), opts, store };
	int rc = auth->ops.auth.create(&env, instance);
	if (rc != 0)
		pc_log(POLYCHAT_LOG_ERROR, who, "auth '%s' failed to start: %s",
			auth->name, polychat_strerror(rc));
	return rc;
}

static void cfg_clear(struct pc_config_listener *cfg)
{
	free(cfg->name);
	free(cfg->bind);
	free(cfg->suite);
	free(cfg->auth);
	free(cfg->store);
	free(cfg->realm);
	pc_options_free(cfg->suite_options);
	pc_options_free(cfg->auth_options);
	memset(cfg, 0, sizeof(*cfg));
}

static long server_input(struct polychat_conn *conn, const uint8_t *data, size_t len)
{
	return conn->suite->ops.suite.session_input(conn->session, data, len);
}

static void server_closing(struct polychat_conn *conn)
{
	pc_router_forget(conn);
}

static void server_session_close(struct polychat_conn *conn)
{
	conn->suite->ops.suite.session_close(conn->session, conn->status);
}

static void server_gone(void *owner, struct polychat_conn *conn)
{
	struct polychat_listener *listener = owner;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		listener->conns_head = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	else
		listener->conns_tail = conn->prev;
	listener->n_conns--;
	check_drained(listener);
}

static const struct pc_conn_driver server_driver = {
	.input = server_input,
	.closing = server_closing,
	.session_close = server_session_close,
	.gone = server_gone,
};

static void on_connection(uv_stream_t *server, int status)
{
	struct polychat_listener *listener = server->data;
	if (status < 0) {
		pc_log(POLYCHAT_LOG_WARNING, listener->cfg.name, "accept failed: %s",
			uv_strerror(status));
		return;
	}
	const struct pc_limits *lim = &listener->cfg.limits;
	struct polychat_conn *conn = malloc(sizeof(*conn));
	if (!conn || pc_conn_init(conn, server->loop, &server_driver, listener,
			lim->max_frame, lim->output_limit, lim->close_timeout_ms) != 0) {
		free(conn);
		pc_log(POLYCHAT_LOG_ERROR, listener->cfg.name, "out of memory accepting");
		return;
	}
	conn->listener = listener;
	conn->who = listener->cfg.name;
	conn->suite = listener->suite;
	conn->prev = listener->conns_tail;
	if (listener->conns_tail)
		listener->conns_tail->next = conn;
	else
		listener->conns_head = conn;
	listener->conns_tail = conn;
	listener->n_conns++;

	if (uv_accept(server, (uv_stream_t *)&conn->tcp) != 0) {
		pc_conn_abort(conn, POLYCHAT_EIO, "accept failed");
		return;
	}
	if (pc_conn_start(conn) != 0) {
		pc_conn_abort(conn, POLYCHAT_EIO, "cannot read from the connection");
		return;
	}
	if (listener->draining) {
		pc_conn_abort(conn, POLYCHAT_ECLOSED, "listener is stopping");
		return;
	}
	if (listener->n_conns > lim->max_connections) {
		char why[80];
		snprintf(why, sizeof(why), "connection limit of %u reached", lim->max_connections);
		pc_conn_abort(conn, POLYCHAT_EBUSY, why);
		return;
	}
	pc_log(POLYCHAT_LOG_INFO, conn->who, "%s: connection %llu accepted", conn->peer,
		(unsigned long long)conn->id);
	void *session = NULL;
	int rc = listener->suite->ops.suite.session_open(listener->suite_instance, conn, &session);
	if (rc != 0) {
		char why[96];
		snprintf(why, sizeof(why), "suite refused the connection: %s", polychat_strerror(rc));
		pc_conn_abort(conn, rc, why);
		return;
	}
	conn->session = session;
	conn->session_open = 1;
}

static int bind_socket(struct polychat_listener *listener, uv_loop_t *loop)
{
	struct sockaddr_storage ss;
	const struct pc_config_listener *cfg = &listener->cfg;
	if (uv_ip4_addr(cfg->bind, cfg->port, (struct sockaddr_in *)&ss) != 0 &&
	    uv_ip6_addr(cfg->bind, cfg->port, (struct sockaddr_in6 *)&ss) != 0)
		return UV_EINVAL;
	int rc = uv_tcp_init(loop, &listener->server);
	if (rc < 0)
		return rc;
	listener->server.data = listener;
	listener->server_open = 1;
	if ((rc = uv_tcp_bind(&listener->server, (struct sockaddr *)&ss, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&listener->server, LISTEN_BACKLOG, on_connection)) < 0)
		return rc;

	int len = sizeof(ss);
	char ip[64] = "?";
	unsigned port = 0;
	uv_tcp_getsockname(&listener->server, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		uv_ip6_name(in6, ip, sizeof(ip));
		port = ntohs(in6->sin6_port);
		snprintf(listener->address, sizeof(listener->address), "[%s]:%u", ip, port);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		uv_ip4_name(in, ip, sizeof(ip));
		port = ntohs(in->sin_port);
		snprintf(listener->address, sizeof(listener->address), "%s:%u", ip, port);
	}
	return 0;
}

static void server_closed(uv_handle_t *handle)
{
	struct polychat_listener *listener = handle->data;
	listener->server_open = 0;
	check_drained(listener);
}

static void free_after_close(uv_handle_t *handle)
{
	free(handle->data);
}

/* Destroy the instances of a listener that never served or has drained. */
static void destroy_instances(struct polychat_listener *listener)
{
	/* Silenced timers stay valid until destroy returns: an instance may
	 * stop the handles it saved. */
	pc_timer_stop_all(&listener->timers);
	/* The suite holds the auth binding for its whole life: it goes first. */
	if (listener->suite_instance)
		listener->suite->ops.suite.destroy(listener->suite_instance);
	if (listener->auth_instance)
		listener->auth->ops.auth.destroy(listener->auth_instance);
	listener->auth_instance = NULL;
	listener->suite_instance = NULL;
	pc_timer_release_all(&listener->timers);
}

/* pc_listener_start - see listener.h. */
int pc_listener_start(uv_loop_t *loop, struct pc_config_listener *cfg,
	const struct pc_loader *loader, const struct polychat_store_ref *store,
	void *store_owner, struct polychat_listener **out)
{
	struct polychat_listener *listener = calloc(1, sizeof(*listener));
	if (!listener)
		return POLYCHAT_ENOMEM;
	/* The instances may ask for the listener's name while being created,
	 * so the entry moves in first and moves back on failure. */
	listener->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	listener->suite = pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, listener->cfg.suite);
	listener->auth = pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, listener->cfg.auth);
	listener->store_ref = *store;
	listener->store_owner = store_owner;
	const char *name = listener->cfg.name;
	int rc = POLYCHAT_ENOTFOUND;

	if (!listener->suite || (listener->cfg.auth && !listener->auth)) {
		pc_log(POLYCHAT_LOG_ERROR, name, "its plugins are not loaded");
		goto fail;
	}
	listener->cfg.suite_options->diag = NULL;
	listener->cfg.auth_options->diag = NULL;
	/* The instances keep these blocks for their life, which may outlast
	 * the configuration they came from (reloads). */
	if (pc_options_own(listener->cfg.suite_options) != 0 ||
	    pc_options_own(listener->cfg.auth_options) != 0) {
		rc = POLYCHAT_ENOMEM;
		goto fail;
	}
	listener->cfg.pos.file = listener->cfg.suite_options->own_file;
	if (listener->auth) {
		rc = pc_listener_auth_create(listener->auth, listener->cfg.auth_options,
			&listener->store_ref, name, &listener->auth_instance);
		if (rc != 0)
			goto fail;
		listener->auth_ref.ops = &listener->auth->ops.auth;
		listener->auth_ref.instance = listener->auth_instance;
	}
	struct polychat_suite_env env = {
		pc_host(), listener, listener->cfg.suite_options,
		&listener->auth_ref, &listener->store_ref,
	};
	rc = listener->suite->ops.suite.create(&env, &listener->suite_instance);
	if (rc != 0) {
		pc_log(POLYCHAT_LOG_ERROR, name, "suite '%s' failed to start: %s",
			listener->suite->name, polychat_strerror(rc));
		goto fail;
	}
	int uv_rc = bind_socket(listener, loop);
	if (uv_rc != 0) {
		pc_log(POLYCHAT_LOG_ERROR, name, "cannot listen on %s port %u: %s",
			listener->cfg.bind, listener->cfg.port, uv_strerror(uv_rc));
		rc = POLYCHAT_EIO;
		goto fail;
	}
	/* The readiness line: tests and operators learn the real port here. */
	printf("listening on %s suite=%s listener=%s\n", listener->address,
		listener->suite->name, name);
	fflush(stdout);
	pc_log(POLYCHAT_LOG_NOTICE, name, "listening on %s (suite %s)", listener->address,
		listener->suite->name);
	*out = listener;
	return 0;
fail:
	destroy_instances(listener);
	*cfg = listener->cfg;
	if (listener->server_open) {
		/* The handle must close before its memory goes: hand it a
		 * callback that frees the listener instead. */
		listener->cfg = (struct pc_config_listener){ 0 };
		listener->server.data = listener;
		uv_close((uv_handle_t *)&listener->server, free_after_close);
		return rc;
	}
	free(listener);
	return rc;
}

static void check_drained(struct polychat_listener *listener)
{
	if (!listener->draining || listener->n_conns || listener->jobs ||
	    listener->server_open)
		return;
	destroy_instances(listener);
	pc_log(POLYCHAT_LOG_NOTICE, listener->cfg.name, "stopped");
	pc_listener_drained_fn *drained = listener->drained;
	void *arg = listener->drained_arg;
	cfg_clear(&listener->cfg);
	if (drained)
		drained(listener, arg);
	free(listener);
}

/* pc_listener_drain - see listener.h. */
void pc_listener_drain(struct polychat_listener *listener, int notify,
	pc_listener_drained_fn *drained, void *arg)
{
	if (listener->draining)
		return;
	listener->draining = 1;
	listener->drained = drained;
	listener->drained_arg = arg;
	/* A repeating instance timer could otherwise keep the drain alive. */
	pc_timer_stop_all(&listener->timers);
	for (struct polychat_conn *c = listener->conns_head; c; c = c->next) {
		if (c->closing)
			continue;
		if (notify && c->session_open)
			listener->suite->ops.suite.session_shutdown(c->session);
		pc_conn_close(c, 1, notify ? "server shutting down" : "listener removed");
	}
	/* Closing the server socket is asynchronous, so `drained` never runs
	 * from within this call. */
	uv_close((uv_handle_t *)&listener->server, server_closed);
}

/* pc_listener_job_started - see listener.h. */
void pc_listener_job_started(struct polychat_listener *listener)
{
	listener->jobs++;
}

/* pc_listener_job_finished - see listener.h. */
void pc_listener_job_finished(struct polychat_listener *listener)
{
	listener->jobs--;
	check_drained(listener);
}
