/* SPDX-License-Identifier: MIT */
/* The configuration's `listeners:` entries, and the checks across them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"

/*
 * The keys and their rules are in the schema comment of config.c. Entries
 * are read one by one first, keeping what the cross checks need (struct
 * lcheck); only then is each compared with the ones before it, so a
 * duplicate is reported at the later entry and names the earlier one.
 */

/* What the cross-listener checks need to know about each entry. */
struct lcheck {
	int has_name;
	int defaulted;            /* the name was made from suite and port */
	struct pc_pos name_pos;
	int has_addr;             /* bind and port both valid */
	int family;
	unsigned char addr[16];
	struct pc_pos port_pos;
};

static const char *const listener_keys[] = {"name", "bind", "port", "suite",
	"auth", "auth_options", "store", "realm", "options", "limits"};
enum {
	L_NAME, L_BIND, L_PORT, L_SUITE, L_AUTH, L_AUTH_OPTIONS, L_STORE,
	L_REALM, L_OPTIONS, L_LIMITS, L_COUNT
};

/* A listener's `store:` must name an entry of `stores:` (read before). */
static void store_reference(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path, const char *name)
{
	const struct pc_config *cfg = c->cfg;
	if (pc_config_store_find(cfg, name))
		return;
	char q[PC_YAML_QUOTE_SIZE], list[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < cfg->n_stores && used < sizeof(list); i++) {
		const char *name_i = cfg->stores[i].name;
		used += (size_t)snprintf(list + used, sizeof(list) - used,
			"%s%s", i ? ", " : "", name_i ? name_i : "?");
	}
	if (cfg->n_stores)
		pc_config_fail(c, &n->pos, path,
			"unknown store '%s'; defined stores: %s",
			pc_yaml_quote(name, q, sizeof(q)), list);
	else
		pc_config_fail(c, &n->pos, path,
			"unknown store '%s'; no stores are defined",
			pc_yaml_quote(name, q, sizeof(q)));
}

static void parse_listener(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, size_t index,
	struct pc_config_listener *l, struct lcheck *chk)
{
	char path[PC_CONFIG_PATH_LEN], sub[PC_CONFIG_PATH_LEN];
	snprintf(path, sizeof(path), "listeners[%zu]", index);
	l->pos = n->pos;
	l->limits = c->cfg->limits;
	struct pc_yaml_node *v[L_COUNT];
	for (size_t f = 0; f < L_COUNT; f++)
		v[f] = NULL;
	int is_map = pc_config_expect_map(c, n, path);
	if (is_map)
		pc_config_map_fields(c, n, path, listener_keys, L_COUNT, v);

	/* Option blocks exist even for a broken entry: "never NULL". */
	pc_config_subpath(sub, sizeof(sub), path, "options");
	l->suite_options = pc_config_get_block(c, v[L_OPTIONS], sub, &l->pos);
	pc_config_subpath(sub, sizeof(sub), path, "auth_options");
	l->auth_options = pc_config_get_block(c, v[L_AUTH_OPTIONS], sub,
		&l->pos);
	if (!is_map)
		return;

	const char *s;
	pc_config_subpath(sub, sizeof(sub), path, "name");
	if (v[L_NAME] && (s = pc_config_get_name(c, v[L_NAME], sub))) {
		l->name = pc_config_strdup(c, s);
		chk->has_name = l->name != NULL;
		chk->name_pos = v[L_NAME]->pos;
	}

	const char *bind = "127.0.0.1";
	int bind_ok = 1;
	pc_config_subpath(sub, sizeof(sub), path, "bind");
	if (v[L_BIND]) {
		bind = pc_config_get_text(c, v[L_BIND], sub,
			"an IPv4 or IPv6 address");
		bind_ok = bind != NULL;
	}
	if (bind_ok) {
		if (inet_pton(AF_INET, bind, chk->addr) == 1) {
			chk->family = AF_INET;
		} else if (inet_pton(AF_INET6, bind, chk->addr) == 1) {
			chk->family = AF_INET6;
		} else {
			char q[PC_YAML_QUOTE_SIZE];
			/* Only a written bind can fail: the default parses. */
			pc_config_fail(c, v[L_BIND] ? &v[L_BIND]->pos : &n->pos,
				sub, "expected an IPv4 or IPv6 address "
				"literal, got '%s'",
				pc_yaml_quote(bind, q, sizeof(q)));
			bind_ok = 0;
		}
	}
	if (bind_ok)
		l->bind = pc_config_strdup(c, bind);

	int64_t port = -1;
	pc_config_subpath(sub, sizeof(sub), path, "port");
	if (!v[L_PORT]) {
		pc_config_missing(c, n, path, "port");
	} else if (pc_config_get_int(c, v[L_PORT], sub, 0, 65535, &port) == 0) {
		l->port = (uint16_t)port;
		chk->port_pos = v[L_PORT]->pos;
		chk->has_addr = l->bind != NULL;
	}

	pc_config_subpath(sub, sizeof(sub), path, "suite");
	if (!v[L_SUITE])
		pc_config_missing(c, n, path, "suite");
	else if ((s = pc_config_get_name(c, v[L_SUITE], sub)))
		l->suite = pc_config_strdup(c, s);

	pc_config_subpath(sub, sizeof(sub), path, "auth");
	if (v[L_AUTH] && (s = pc_config_get_name(c, v[L_AUTH], sub)))
		l->auth = pc_config_strdup(c, s);

	pc_config_subpath(sub, sizeof(sub), path, "store");
	if (v[L_STORE] && (s = pc_config_get_name(c, v[L_STORE], sub))) {
		l->store = pc_config_strdup(c, s);
		store_reference(c, v[L_STORE], sub, s);
	}

	pc_config_subpath(sub, sizeof(sub), path, "limits");
	if (v[L_LIMITS])
		pc_config_get_limits(c, v[L_LIMITS], sub, &l->limits);

	if (!v[L_NAME] && l->suite && port >= 0) {
		char name[PC_CONFIG_NAME_MAX + 16];
		int len = snprintf(name, sizeof(name), "%s-%u", l->suite, (unsigned)port);
		/* The name is also the default realm, which stores bound. */
		if (len > PC_CONFIG_NAME_MAX) {
			pc_config_fail(c, &n->pos, path, "the default name '%s' is longer "
				"than %d characters; give the listener a name", name,
				PC_CONFIG_NAME_MAX);
			return;
		}
		l->name = pc_config_strdup(c, name);
		chk->has_name = l->name != NULL;
		chk->defaulted = 1;
		chk->name_pos = n->pos;
	}

	pc_config_subpath(sub, sizeof(sub), path, "realm");
	if (v[L_REALM]) {
		if ((s = pc_config_get_name(c, v[L_REALM], sub)))
			l->realm = pc_config_strdup(c, s);
	} else if (l->name) {
		l->realm = pc_config_strdup(c, l->name);
	}
}

static int addrs_same(const struct lcheck *a, const struct lcheck *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;
	return a->family == b->family && memcmp(a->addr, b->addr, len) == 0;
}

static int addr_is_any(const struct lcheck *k)
{
	size_t len = k->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < len; i++)
		if (k->addr[i])
			return 0;
	return 1;
}

/* Whether two listeners on the same port would fail to bind both. A
 * wildcard address takes the port on every address of its family, and the
 * IPv6 wildcard on the IPv4 ones too (libuv leaves IPV6_V6ONLY off). */
static int addrs_conflict(const struct lcheck *a, const struct lcheck *b)
{
	if (addrs_same(a, b))
		return 1;
	if (addr_is_any(a) && (a->family == b->family || a->family == AF_INET6))
		return 1;
	if (addr_is_any(b) && (b->family == a->family || b->family == AF_INET6))
		return 1;
	return 0;
}

static void format_endpoint(const struct pc_config_listener *l,
	const struct lcheck *k, char *buf, size_t size)
{
	if (k->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", l->bind, (unsigned)l->port);
	else
		snprintf(buf, size, "%s:%u", l->bind, (unsigned)l->port);
}

/* Listener i against the earlier ones: its name must be new. */
static void check_name(struct pc_config_ctx *c, const struct lcheck *chk,
	size_t i)
{
	const struct pc_config_listener *ls = c->cfg->listeners;
	for (size_t j = 0; chk[i].has_name && j < i; j++) {
		if (!chk[j].has_name || strcmp(ls[i].name, ls[j].name) != 0)
			continue;
		char path[PC_CONFIG_PATH_LEN];
		snprintf(path, sizeof(path), "listeners[%zu].name", i);
		pc_config_fail(c, &chk[i].name_pos, path, "duplicate listener "
			"name '%s' (first used by listeners[%zu] at line %d, "
			"column %d)%s", ls[i].name, j, chk[j].name_pos.line,
			chk[j].name_pos.col, chk[i].defaulted ?
			"; give one of them a unique 'name'" : "");
		return;
	}
}

/* Listener i against the earlier ones: its address must be free. Port 0
 * asks the kernel for a free port, which never collides. */
static void check_address(struct pc_config_ctx *c, const struct lcheck *chk,
	size_t i)
{
	const struct pc_config_listener *ls = c->cfg->listeners;
	for (size_t j = 0; chk[i].has_addr && ls[i].port && j < i; j++) {
		if (!chk[j].has_addr || ls[j].port != ls[i].port ||
				!addrs_conflict(&chk[i], &chk[j]))
			continue;
		char path[PC_CONFIG_PATH_LEN], mine[80], theirs[80];
		format_endpoint(&ls[i], &chk[i], mine, sizeof(mine));
		format_endpoint(&ls[j], &chk[j], theirs, sizeof(theirs));
		snprintf(path, sizeof(path), "listeners[%zu].port", i);
		const struct pc_pos *at = &chk[j].port_pos;
		if (addrs_same(&chk[i], &chk[j]))
			pc_config_fail(c, &chk[i].port_pos, path, "%s is already "
				"used by listeners[%zu] at line %d, column %d",
				mine, j, at->line, at->col);
		else
			pc_config_fail(c, &chk[i].port_pos, path, "%s overlaps "
				"%s of listeners[%zu] at line %d, column %d",
				mine, theirs, j, at->line, at->col);
		return;
	}
}

/* pc_config_listeners_parse - see config-internal.h. */
void pc_config_listeners_parse(struct pc_config_ctx *c,
	const struct pc_yaml_node *n)
{
	struct pc_config *cfg = c->cfg;
	char buf[PC_YAML_DESCRIBE_SIZE];
	if (n->kind != PC_YAML_SEQ) {
		pc_config_fail(c, &n->pos, "listeners", "expected a sequence "
			"of listeners, got %s",
			pc_yaml_describe(n, buf, sizeof(buf)));
		return;
	}
	/* No listener is a valid, if idle, daemon: the sample configuration
	 * ships that way until a suite is enabled. */
	if (n->n == 0)
		return;
	cfg->listeners = calloc(n->n, sizeof(*cfg->listeners));
	struct lcheck *chk = calloc(n->n, sizeof(*chk));
	if (!cfg->listeners || !chk) {
		c->nomem = 1;
		free(chk);
		return;
	}
	cfg->n_listeners = n->n;
	for (size_t i = 0; i < n->n; i++)
		parse_listener(c, n->kids[i], i, &cfg->listeners[i], &chk[i]);
	for (size_t i = 0; i < n->n; i++) {
		check_name(c, chk, i);
		check_address(c, chk, i);
	}
	free(chk);
}
