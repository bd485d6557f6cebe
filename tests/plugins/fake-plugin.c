/* SPDX-License-Identifier: MIT */
/* Tiny plugins for the loader tests, one variant per FAKE_* macro. */
#include <stddef.h>

#include <polychat/polychat.h>

static int create(const struct polychat_suite_env *env, void **out)
{
	*out = (void *)env;
	return 0;
}

static void destroy(void *instance)
{
}

static int session_open(void *instance, struct polychat_conn *conn, void **out)
{
	*out = conn;
	return 0;
}

static __attribute__((unused)) long session_input(void *session, const uint8_t *data, size_t len)
{
	return (long)len;
}

static int session_deliver(void *session, const struct polychat_message *msg)
{
	return 0;
}

static void session_close(void *session, int status)
{
}

/* A table longer than this core's, as a later ABI minor would build. */
struct longer_ops {
	struct polychat_suite_ops ops;
	void (*later[2])(void);
};

static void later_method(void)
{
}

static const struct longer_ops suite_ops = {
	.ops = {
		.create = create,
		.destroy = destroy,
		.session_open = session_open,
#ifndef FAKE_MISSING
		.session_input = session_input,
#endif
		.session_deliver = session_deliver,
		.session_close = session_close,
	},
#ifdef FAKE_LONG_SET
	.later = { later_method, NULL },
#endif
};

#if defined(FAKE_SHORT)
/* Built before the client half existed: the table ends at session_close. */
#define OPS_SIZE (offsetof(struct polychat_suite_ops, session_close) + sizeof(void *))
#elif defined(FAKE_LONG_NULL) || defined(FAKE_LONG_SET)
#define OPS_SIZE sizeof(struct longer_ops)
#else
#define OPS_SIZE sizeof(struct polychat_suite_ops)
#endif

#ifdef FAKE_KIND
#define KIND 9
#else
#define KIND POLYCHAT_COMPONENT_SUITE
#endif

#ifdef FAKE_INIT_FAIL
static int init_fails(const struct polychat_host *host)
{
	return POLYCHAT_EUNAVAIL;
}
#define INIT_FN init_fails
#else
#define INIT_FN NULL
#endif

static const struct polychat_component components[] = {
	{ KIND, FAKE_NAME, &suite_ops },
};

#ifdef FAKE_NOSYM
/* The descriptor under another name: the loader must not find it. */
#define DESCRIPTOR not_the_descriptor
extern const struct polychat_plugin not_the_descriptor;
#else
#define DESCRIPTOR polychat_plugin
#endif

const struct polychat_plugin DESCRIPTOR = {
#ifdef FAKE_ABI
	.abi_major = POLYCHAT_ABI_MAJOR + 1,
	.abi_minor = 0,
#else
	.abi_major = POLYCHAT_ABI_MAJOR,
	.abi_minor = POLYCHAT_ABI_MINOR,
#endif
	.descriptor_size = sizeof(struct polychat_plugin),
	.suite_ops_size = OPS_SIZE,
	.auth_ops_size = sizeof(struct polychat_auth_ops),
	.store_ops_size = sizeof(struct polychat_store_ops),
	.name = "fake-" FAKE_NAME,
	.version = "0.0.1",
	.description = "loader test plugin",
	.components = components,
	.n_components = 1,
	.init = INIT_FN,
};

/* Keeps the compiler from calling later_method unused in every variant. */
void (*const fake_plugin_keep)(void) = later_method;
