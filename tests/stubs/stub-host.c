/* SPDX-License-Identifier: MIT */
/* The stub host table: real log, memory, random and options for tests. */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include <polychat/plugin.h>

#include "core/options.h"
#include "stub-host.h"
#include "stub-internal.h"

/*
 * What a test reads back must be exactly what the plugin did, so the
 * members a plugin may call from worker threads (log, memory, random)
 * are thread-safe here as they are in the daemon: a mutex for the log, and
 * atomics for the allocation counters.
 */

/* --- log --- */

static const char *const level_names[] = {
	[POLYCHAT_LOG_ERROR] = "error",
	[POLYCHAT_LOG_WARNING] = "warning",
	[POLYCHAT_LOG_NOTICE] = "notice",
	[POLYCHAT_LOG_INFO] = "info",
	[POLYCHAT_LOG_DEBUG] = "debug",
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char **log_lines;
static int *log_levels;
static size_t log_n;
static size_t log_cap;
static int echo_level = -1; /* read from $STUB_HOST_LOG on first use */

static int clamp_level(int level)
{
	if (level < POLYCHAT_LOG_ERROR)
		return POLYCHAT_LOG_ERROR;
	if (level > POLYCHAT_LOG_DEBUG)
		return POLYCHAT_LOG_DEBUG;
	return level;
}

/* Under log_lock. */
static int echo_threshold(void)
{
	if (echo_level < 0) {
		const char *env = getenv("STUB_HOST_LOG");
		/* "none" matches no level name: nothing is echoed. */
		echo_level = env && strcasecmp(env, "none") == 0 ? 0
			: POLYCHAT_LOG_WARNING;
		for (int i = POLYCHAT_LOG_ERROR; env && i <= POLYCHAT_LOG_DEBUG;
				i++)
			if (strcasecmp(env, level_names[i]) == 0)
				echo_level = i;
	}
	return echo_level;
}

/* Under log_lock. Out of memory drops the line: the log is best effort in
 * the daemon too. */
static void record_line(int level, char *line)
{
	if (log_n == log_cap) {
		size_t cap = log_cap ? log_cap * 2 : 64;
		char **lines = realloc(log_lines, cap * sizeof(*lines));
		if (!lines) {
			free(line);
			return;
		}
		log_lines = lines;
		int *levels = realloc(log_levels, cap * sizeof(*levels));
		if (!levels) {
			free(line);
			return;
		}
		log_levels = levels;
		log_cap = cap;
	}
	log_lines[log_n] = line;
	log_levels[log_n] = level;
	log_n++;
}

static void stub_vlog(int level, const char *who, const char *fmt,
	va_list ap)
{
	level = clamp_level(level);
	char text[1024];
	vsnprintf(text, sizeof(text), fmt, ap);

	size_t need = strlen(level_names[level]) + (who ? strlen(who) : 0)
		+ strlen(text) + 4;
	char *line = malloc(need);
	if (line)
		snprintf(line, need, "%s %s%s%s", level_names[level],
			who ? who : "", who ? ": " : "", text);

	pthread_mutex_lock(&log_lock);
	if (line && level <= echo_threshold())
		fprintf(stderr, "[stub-host] %s\n", line);
	if (line)
		record_line(level, line);
	pthread_mutex_unlock(&log_lock);
}

static void stub_log(int level, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void stub_log(int level, const char *who, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stub_vlog(level, who, fmt, ap);
	va_end(ap);
}

/* stub_log_count - see stub-host.h. */
size_t stub_log_count(void)
{
	pthread_mutex_lock(&log_lock);
	size_t n = log_n;
	pthread_mutex_unlock(&log_lock);
	return n;
}

/* stub_log_line - see stub-host.h. */
const char *stub_log_line(size_t i)
{
	pthread_mutex_lock(&log_lock);
	const char *line = i < log_n ? log_lines[i] : NULL;
	pthread_mutex_unlock(&log_lock);
	return line;
}

/* stub_log_contains - see stub-host.h. */
int stub_log_contains(const char *needle)
{
	int found = 0;

	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < log_n && !found; i++)
		found = strstr(log_lines[i], needle) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

/* stub_log_count_level - see stub-host.h. */
size_t stub_log_count_level(int level)
{
	size_t n = 0;

	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < log_n; i++)
		n += log_levels[i] == level;
	pthread_mutex_unlock(&log_lock);
	return n;
}

/* stub_log_clear - see stub-host.h. */
void stub_log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < log_n; i++)
		free(log_lines[i]);
	free(log_lines);
	free(log_levels);
	log_lines = NULL;
	log_levels = NULL;
	log_n = log_cap = 0;
	pthread_mutex_unlock(&log_lock);
}

/* --- memory --- */

static atomic_long outstanding;
static atomic_long fail_budget = -1;

/* Whether the next allocation may succeed (consumes one of the budget). */
static int take_budget(void)
{
	long budget = atomic_load(&fail_budget);

	while (budget >= 0) {
		if (budget == 0)
			return 0;
		if (atomic_compare_exchange_weak(&fail_budget, &budget,
				budget - 1))
			return 1;
	}
	return 1;
}

static void *stub_alloc(size_t size)
{
	if (!take_budget())
		return NULL;
	/* One byte at least, so an empty result is still a valid pointer. */
	void *p = malloc(size ? size : 1);
	if (p)
		atomic_fetch_add(&outstanding, 1);
	return p;
}

static void *stub_calloc(size_t n, size_t size)
{
	if (!take_budget())
		return NULL;
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p)
		atomic_fetch_add(&outstanding, 1);
	return p;
}

static void stub_free(void *ptr)
{
	if (!ptr)
		return;
	atomic_fetch_sub(&outstanding, 1);
	free(ptr);
}

static void stub_wipe(void *ptr, size_t len)
{
	if (ptr && len)
		explicit_bzero(ptr, len);
}

static void stub_wipe_free(void *ptr, size_t len)
{
	stub_wipe(ptr, len);
	stub_free(ptr);
}

/* stub_alloc_outstanding - see stub-host.h. */
long stub_alloc_outstanding(void)
{
	return atomic_load(&outstanding);
}

/* stub_alloc_fail_after - see stub-host.h. */
void stub_alloc_fail_after(long n)
{
	atomic_store(&fail_budget, n < 0 ? -1 : n);
}

/* --- randomness --- */

static int stub_random(uint8_t *buf, size_t len)
{
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(buf, chunk) != 1)
			return POLYCHAT_ECRYPTO;
		buf += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

/* --- options --- */

/*
 * What the stub adds to an option block: the diagnostics list the block
 * reports into and the state directory it borrows, found again through a
 * list (blocks are few in a test).
 */
struct stub_opts {
	struct pc_diag diag;
	char *state_dir;
	struct polychat_options *opts;
	struct stub_opts *next;
};

static struct stub_opts *all_opts;

static struct stub_opts *extra_of(const struct polychat_options *opts)
{
	for (struct stub_opts *x = all_opts; x; x = x->next)
		if (x->opts == opts)
			return x;
	return NULL;
}

/* stub_options_new - see stub-host.h. */
struct polychat_options *stub_options_new(const char *state_dir, ...)
{
	struct stub_opts *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->opts = pc_options_new("options", NULL);
	if (state_dir)
		x->state_dir = strdup(state_dir);
	if (!x->opts || (state_dir && !x->state_dir)) {
		pc_options_free(x->opts);
		free(x->state_dir);
		free(x);
		return NULL;
	}
	x->opts->state_dir = x->state_dir;
	x->opts->diag = &x->diag;
	x->next = all_opts;
	all_opts = x;

	va_list ap;
	va_start(ap, state_dir);
	for (const char *k; (k = va_arg(ap, const char *));) {
		const char *value = va_arg(ap, const char *);
		if (stub_options_set(x->opts, k, value) != 0) {
			va_end(ap);
			stub_options_free(x->opts);
			return NULL;
		}
	}
	va_end(ap);
	return x->opts;
}

/* stub_options_set - see stub-host.h. */
int stub_options_set(struct polychat_options *opts, const char *key,
	const char *value)
{
	return pc_options_add(opts, key, value, NULL);
}

/* stub_options_errors - see stub-host.h. */
size_t stub_options_errors(const struct polychat_options *opts)
{
	const struct stub_opts *x = extra_of(opts);
	return x ? x->diag.count : 0;
}

/* stub_options_error - see stub-host.h. */
const char *stub_options_error(const struct polychat_options *opts, size_t i)
{
	const struct stub_opts *x = extra_of(opts);
	if (!x || i >= x->diag.count || i >= x->diag.cap)
		return NULL;
	return x->diag.entries[i].text;
}

/* stub_options_error_contains - see stub-host.h. */
int stub_options_error_contains(const struct polychat_options *opts,
	const char *needle)
{
	for (size_t i = 0; i < stub_options_errors(opts); i++) {
		const char *text = stub_options_error(opts, i);
		if (text && strstr(text, needle))
			return 1;
	}
	return 0;
}

/* stub_options_unused - see stub-host.h. */
int stub_options_unused(struct polychat_options *opts)
{
	return pc_options_report_unused(opts, "the plugin under test");
}

/* stub_options_free - see stub-host.h. */
void stub_options_free(struct polychat_options *opts)
{
	for (struct stub_opts **p = &all_opts; *p; p = &(*p)->next) {
		struct stub_opts *x = *p;
		if (x->opts != opts)
			continue;
		*p = x->next;
		pc_diag_clear(&x->diag);
		pc_options_free(x->opts);
		free(x->state_dir);
		free(x);
		return;
	}
}

/* --- the table --- */

static const struct polychat_host host_table = {
	.size = sizeof(struct polychat_host),
	.abi_major = POLYCHAT_ABI_MAJOR,
	.abi_minor = POLYCHAT_ABI_MINOR,

	.log = stub_log,
	.vlog = stub_vlog,

	.alloc = stub_alloc,
	.calloc = stub_calloc,
	.free = stub_free,
	.wipe_free = stub_wipe_free,
	.wipe = stub_wipe,

	.random = stub_random,

	.conn_write = stub_conn_write,
	.conn_close = stub_conn_close,
	.conn_set_write_gap = stub_conn_set_write_gap,
	.conn_set_input_limit = stub_conn_set_input_limit,
	.conn_pause = stub_conn_pause,
	.conn_resume = stub_conn_resume,
	.conn_peer = stub_conn_peer,
	.conn_peer_ip = stub_conn_peer_ip,
	.conn_local_ip = stub_conn_local_ip,
	.conn_listener = stub_conn_listener,
	.conn_identity = stub_conn_identity,

	.listener_name = stub_listener_name,
	.listener_realm = stub_listener_realm,

	.conn_timer = stub_conn_timer,
	.listener_timer = stub_listener_timer,
	.timer_stop = stub_timer_stop,

	.conn_job = stub_conn_job,
	.listener_job = stub_listener_job,

	.conn_bind = stub_conn_bind,
	.identity_lookup = stub_identity_lookup,
	.room_join = stub_room_join,
	.room_leave = stub_room_leave,
	.deliver = stub_deliver,
	.listener_deliver = stub_listener_deliver,

	.opt_string = pc_options_string,
	.opt_int = pc_options_int,
	.opt_bool = pc_options_bool,
	.opt_error = pc_options_error,
	.state_path = pc_options_state_path,

	.ui_show = stub_ui_show,
	.ui_secret = stub_ui_secret,
	.conn_write_notify = stub_conn_write_notify,
	.conn_job_cpu = stub_conn_job_cpu,
	.listener_job_cpu = stub_listener_job_cpu,
};

/* stub_host - see stub-host.h. */
const struct polychat_host *stub_host(void)
{
	return &host_table;
}

/* stub_host_reset - see stub-host.h. */
void stub_host_reset(void)
{
	stub_loop_reset();
	while (all_opts)
		stub_options_free(all_opts->opts);
	stub_log_clear();
	atomic_store(&outstanding, 0);
	atomic_store(&fail_budget, -1);
}
