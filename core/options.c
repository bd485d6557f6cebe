/* SPDX-License-Identifier: MIT */
/* Plugin option blocks: typed reads with range checks and positioned errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <polychat/status.h>

#include "options.h"

/* How much of an offending value an error message quotes. */
#define QUOTE_MAX 60

static char *dup_string(const char *s)
{
	size_t len = strlen(s);
	char *copy = malloc(len + 1);
	if (copy)
		memcpy(copy, s, len + 1);
	return copy;
}

static struct pc_option *find(const struct polychat_options *opts,
	const char *key)
{
	if (!opts || !key)
		return NULL;
	for (size_t i = 0; i < opts->count; i++)
		if (strcmp(opts->items[i].key, key) == 0)
			return &opts->items[i];
	return NULL;
}

/* A value as an error message quotes it: control characters would break the
 * one-line-per-error output, so they become '?', and long values are cut. */
static void quote(const char *value, char *buf, size_t size)
{
	size_t n = 0;
	const char *p = value;
	for (; *p && n + 1 < size && n < QUOTE_MAX; p++, n++) {
		unsigned char c = (unsigned char)*p;
		buf[n] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[n] = '\0';
	if (*p && n + 4 <= size)
		memcpy(buf + n, "...", 4);
}

/*
 * Record one error. The option path is the block's path, followed by
 * ".key" when the error is about one option. With no diagnostics list the
 * line goes to stderr in the same form, so a plugin's error is never lost.
 */
static void vreport(const struct polychat_options *opts,
	const struct pc_pos *pos, const char *key, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	char *msg = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (msg)
		vsnprintf(msg, (size_t)len + 1, fmt, ap);

	const char *base = opts && opts->path ? opts->path : "";
	char *path = NULL;
	if (key) {
		size_t blen = strlen(base), klen = strlen(key);
		path = malloc(blen + klen + 2);
		if (path) {
			memcpy(path, base, blen);
			size_t at = blen;
			if (blen)
				path[at++] = '.';
			memcpy(path + at, key, klen + 1);
		}
	}

	struct pc_diag local = {0};
	struct pc_diag *diag = opts && opts->diag ? opts->diag : &local;
	pc_diag_add(diag, pos, path ? path : base, "%s",
		msg ? msg : "(error text lost: out of memory)");
	if (diag == &local) {
		pc_diag_print(&local, stderr);
		pc_diag_clear(&local);
	}
	free(path);
	free(msg);
}

static void report(const struct polychat_options *opts,
	const struct pc_pos *pos, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(const struct polychat_options *opts,
	const struct pc_pos *pos, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(opts, pos, key, fmt, ap);
	va_end(ap);
}

/* pc_options_new - see options.h. `path` NULL means an unnamed block. */
struct polychat_options *pc_options_new(const char *path,
	const struct pc_pos *pos)
{
	struct polychat_options *opts = calloc(1, sizeof(*opts));
	if (!opts)
		return NULL;
	opts->path = dup_string(path ? path : "");
	if (!opts->path) {
		free(opts);
		return NULL;
	}
	if (pos)
		opts->pos = *pos;
	return opts;
}

/* pc_options_add - see options.h. Returns POLYCHAT_EINVAL for a NULL or
 * empty key or a NULL value. `pos` NULL gives the option the block's
 * position (options from the command line have no position of their own). */
int pc_options_add(struct polychat_options *opts, const char *key,
	const char *value, const struct pc_pos *pos)
{
	if (!opts || !key || !*key || !value)
		return POLYCHAT_EINVAL;
	if (find(opts, key))
		return POLYCHAT_EEXIST;
	/* Grow by one: blocks are a handful of options and are built once. */
	struct pc_option *items = realloc(opts->items,
		(opts->count + 1) * sizeof(*items));
	if (!items)
		return POLYCHAT_ENOMEM;
	opts->items = items;
	struct pc_option *opt = &items[opts->count];
	memset(opt, 0, sizeof(*opt));
	opt->key = dup_string(key);
	opt->value = dup_string(value);
	if (!opt->key || !opt->value) {
		free(opt->key);
		free(opt->value);
		return POLYCHAT_ENOMEM;
	}
	opt->pos = pos ? *pos : opts->pos;
	opts->count++;
	return 0;
}

/* pc_options_add_arg - see options.h. The key ends at the first '=' so
 * values may contain '='. Returns POLYCHAT_EINVAL without '=' or with an
 * empty key, else as pc_options_add. */
int pc_options_add_arg(struct polychat_options *opts, const char *arg)
{
	if (!opts || !arg)
		return POLYCHAT_EINVAL;
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return POLYCHAT_EINVAL;
	size_t klen = (size_t)(eq - arg);
	char *key = malloc(klen + 1);
	if (!key)
		return POLYCHAT_ENOMEM;
	memcpy(key, arg, klen);
	key[klen] = '\0';
	int rc = pc_options_add(opts, key, eq + 1, NULL);
	free(key);
	return rc;
}

/* pc_options_report_unused - see options.h. Each error is placed at the
 * option's value and names the block; `plugin` may be NULL. */
int pc_options_report_unused(struct polychat_options *opts, const char *plugin)
{
	if (!opts)
		return 0;
	int n = 0;
	for (size_t i = 0; i < opts->count; i++) {
		const struct pc_option *opt = &opts->items[i];
		if (opt->used)
			continue;
		char key[QUOTE_MAX + 4];
		quote(opt->key, key, sizeof(key));
		if (plugin)
			report(opts, &opt->pos, NULL, "unknown option '%s' for %s",
				key, plugin);
		else
			report(opts, &opt->pos, NULL, "unknown option '%s'", key);
		n++;
	}
	return n;
}

/* pc_options_reset_used - see options.h. */
void pc_options_reset_used(struct polychat_options *opts)
{
	if (!opts)
		return;
	for (size_t i = 0; i < opts->count; i++)
		opts->items[i].used = 0;
}

/* pc_options_free - see options.h. Accepts NULL. */
void pc_options_free(struct polychat_options *opts)
{
	if (!opts)
		return;
	for (size_t i = 0; i < opts->count; i++) {
		free(opts->items[i].key);
		free(opts->items[i].value);
	}
	free(opts->items);
	free(opts->path);
	free(opts->own_file);
	free(opts->own_state_dir);
	free(opts);
}

/* pc_options_own - see options.h. */
int pc_options_own(struct polychat_options *opts)
{
	if (!opts || opts->own_file)
		return 0;
	char *file = strdup(opts->pos.file ? opts->pos.file : "");
	char *state = opts->state_dir ? strdup(opts->state_dir) : NULL;
	if (!file || (opts->state_dir && !state)) {
		free(file);
		free(state);
		return POLYCHAT_ENOMEM;
	}
	opts->own_file = file;
	opts->own_state_dir = state;
	opts->pos.file = file;
	for (size_t i = 0; i < opts->count; i++)
		opts->items[i].pos.file = file;
	if (state)
		opts->state_dir = state;
	return 0;
}

/* pc_options_string - see polychat_host.opt_string. */
int pc_options_string(const struct polychat_options *opts, const char *key,
	const char **out)
{
	if (!key || !out)
		return POLYCHAT_EINVAL;
	struct pc_option *opt = find(opts, key);
	if (!opt)
		return POLYCHAT_ENOTFOUND;
	/* The block is const to plugins, but the used marks belong to the core:
	 * they live in the items array, which the const does not cover. */
	opt->used = 1;
	*out = opt->value;
	return 0;
}

/* pc_options_parse_decimal - see options.h. Decimal only: YAML 1.1 would
 * also read 0x1f, 017 or 1_000, and a config that means something different
 * to another YAML tool is a trap. */
int pc_options_parse_decimal(const char *s, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -1;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return 0;
}

/* pc_options_int - see polychat_host.opt_int. POLYCHAT_EINVAL if
 * min > max. Out-of-int64 values are reported like any other out of range. */
int pc_options_int(const struct polychat_options *opts, const char *key,
	int64_t min, int64_t max, int64_t *out)
{
	if (!key || !out || min > max)
		return POLYCHAT_EINVAL;
	struct pc_option *opt = find(opts, key);
	if (!opt)
		return POLYCHAT_ENOTFOUND;
	opt->used = 1;
	int64_t v;
	if (pc_options_parse_decimal(opt->value, &v) != 0 || v < min || v > max) {
		char got[QUOTE_MAX + 4];
		quote(opt->value, got, sizeof(got));
		report(opts, &opt->pos, key,
			"expected an integer between %lld and %lld, got '%s'",
			(long long)min, (long long)max, got);
		return POLYCHAT_ECONFIG;
	}
	*out = v;
	return 0;
}

/* pc_options_bool - see polychat_host.opt_bool. The YAML 1.1 words, in any
 * case; *out becomes 1 or 0. */
int pc_options_bool(const struct polychat_options *opts, const char *key,
	int *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	if (!key || !out)
		return POLYCHAT_EINVAL;
	struct pc_option *opt = find(opts, key);
	if (!opt)
		return POLYCHAT_ENOTFOUND;
	opt->used = 1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(opt->value, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(opt->value, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	char got[QUOTE_MAX + 4];
	quote(opt->value, got, sizeof(got));
	report(opts, &opt->pos, key,
		"expected a boolean (true/false, yes/no, on/off), got '%s'", got);
	return POLYCHAT_ECONFIG;
}

/* pc_options_verror - see polychat_host.opt_error. */
int pc_options_verror(const struct polychat_options *opts, const char *key,
	const char *fmt, va_list ap)
{
	const struct pc_option *opt = find(opts, key);
	const struct pc_pos *pos = opt ? &opt->pos : opts ? &opts->pos : NULL;
	vreport(opts, pos, key, fmt, ap);
	return POLYCHAT_ECONFIG;
}

/* pc_options_error - see polychat_host.opt_error. */
int pc_options_error(const struct polychat_options *opts, const char *key,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = pc_options_verror(opts, key, fmt, ap);
	va_end(ap);
	return rc;
}

/* pc_options_state_path - see polychat_host.state_path. Without a state
 * directory a relative path is returned unchanged (relative to the current
 * directory). POLYCHAT_EINVAL for a NULL or empty path; `out` is written
 * only on success. */
int pc_options_state_path(const struct polychat_options *opts,
	const char *path, char *out, size_t len)
{
	if (!path || !*path || !out)
		return POLYCHAT_EINVAL;
	const char *dir = opts ? opts->state_dir : NULL;
	if (path[0] == '/' || !dir || !*dir) {
		size_t n = strlen(path);
		if (n >= len)
			return POLYCHAT_ETOOBIG;
		memcpy(out, path, n + 1);
		return 0;
	}
	size_t dlen = strlen(dir);
	/* "/" or "dir/" must not become "//x" or "dir//x". */
	const char *sep = dir[dlen - 1] == '/' ? "" : "/";
	size_t need = dlen + strlen(sep) + strlen(path);
	if (need >= len)
		return POLYCHAT_ETOOBIG;
	snprintf(out, len, "%s%s%s", dir, sep, path);
	return 0;
}
