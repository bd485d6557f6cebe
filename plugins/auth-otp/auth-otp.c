/* SPDX-License-Identifier: MIT */
/* Auth method `otp`: one-time codes for registrations, kept as challenges in the listener's store. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <polychat/polychat.h>

#include "otp-code.h"
#include "otp-command.h"

#define WHO "auth-otp"
/* Verifications of one subject are serialised by one of these locks
 * (picked by a hash of realm and subject), so concurrent wrong codes
 * are all counted. */
#define STRIPES 64

enum delivery { DELIVER_ECHO, DELIVER_COMMAND };

struct options {
	enum delivery delivery;
	const char *command;
	int64_t command_timeout_ms;
	int64_t validity_s;
	int64_t max_attempts;
};

struct instance {
	const struct polychat_host *host;
	const struct polychat_store_ref *store;
	struct options opt;
	pthread_mutex_t stripes[STRIPES];
};

static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, struct options *o)
{
	int rc = 0;
	const char *delivery = "echo";
	*o = (struct options){ .delivery = DELIVER_ECHO, .command_timeout_ms = 10000,
		.validity_s = 60, .max_attempts = 5 };
	if (host->opt_string(opts, "delivery", &delivery) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	else if (strcmp(delivery, "command") == 0)
		o->delivery = DELIVER_COMMAND;
	else if (strcmp(delivery, "echo") != 0)
		rc = host->opt_error(opts, "delivery", "'%s' is not one of echo, command", delivery);
	if (host->opt_string(opts, "command", &o->command) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (host->opt_int(opts, "command_timeout_ms", 100, 600000, &o->command_timeout_ms) ==
			POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (host->opt_int(opts, "validity_s", 1, 86400, &o->validity_s) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (host->opt_int(opts, "max_attempts", 1, 1000, &o->max_attempts) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (o->delivery == DELIVER_COMMAND && !o->command)
		rc = host->opt_error(opts, "command", "delivery: command needs the program's path");
	else if (o->command && o->command[0] != '/')
		rc = host->opt_error(opts, "command", "'%s' is not an absolute path", o->command);
	else if (o->command && o->delivery != DELIVER_COMMAND)
		rc = host->opt_error(opts, "command", "given, but delivery is echo");
	return rc;
}

static int otp_check(const struct polychat_host *host, const struct polychat_options *opts)
{
	struct options scratch;
	return read_options(host, opts, &scratch);
}

static int otp_create(const struct polychat_auth_env *env, void **out)
{
	const struct polychat_host *host = env->host;
	if (!env->store || !env->store->ops) {
		host->log(POLYCHAT_LOG_ERROR, WHO,
			"pending codes live in a store: give the listener a `store:`");
		return POLYCHAT_ECONFIG;
	}
	struct instance *inst = host->calloc(1, sizeof(*inst));
	if (!inst)
		return POLYCHAT_ENOMEM;
	int rc = read_options(host, env->options, &inst->opt);
	if (rc != 0) {
		host->free(inst);
		return rc;
	}
	inst->host = host;
	inst->store = env->store;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&inst->stripes[i], NULL);
	if (inst->opt.delivery == DELIVER_ECHO)
		host->log(POLYCHAT_LOG_NOTICE, WHO,
			"delivery: echo hands each code back to whoever asked for it: a "
			"registration proves nothing about the number (use delivery: command "
			"with a gateway to prove it)");
	*out = inst;
	return 0;
}

static void otp_destroy(void *instance)
{
	struct instance *inst = instance;
	if (!inst)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&inst->stripes[i]);
	inst->host->free(inst);
}

static pthread_mutex_t *stripe(struct instance *inst, const char *realm,
	const char *subject)
{
	/* FNV-1a: only spreads the locks, secrets play no part. */
	uint32_t h = 2166136261u;
	for (const char *p = realm; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (const char *p = subject; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return &inst->stripes[h % STRIPES];
}

static int valid_names(const char *realm, const char *subject)
{
	return realm && subject && *realm && *subject &&
		strlen(realm) <= POLYCHAT_REALM_MAX && strlen(subject) <= POLYCHAT_NAME_MAX;
}

static int issue_locked(struct instance *inst, const char *realm, const char *subject,
	char *echo, size_t echo_len, int *echoed)
{
	const struct polychat_store_ops *ops = inst->store->ops;
	void *db = inst->store->db;
	struct polychat_challenge ch;
	int64_t now = (int64_t)time(NULL);

	int rc = ops->challenge_get(db, realm, subject, &ch);
	if (rc == 0 && now < ch.expires_at)
		return POLYCHAT_EEXIST;
	if (rc != 0 && rc != POLYCHAT_ENOTFOUND)
		return rc;
	if (inst->opt.delivery == DELIVER_ECHO && echo_len < OTP_DIGITS + 1)
		return POLYCHAT_EINVAL;

	char code[OTP_DIGITS + 1];
	memset(&ch, 0, sizeof(ch));
	memcpy(ch.realm, realm, strlen(realm) + 1);
	memcpy(ch.subject, subject, strlen(subject) + 1);
	ch.created_at = now;
	ch.expires_at = now + inst->opt.validity_s;
	rc = otp_draw(inst->host, code);
	if (rc == 0)
		rc = otp_seal(inst->host, code, ch.secret);
	if (rc == 0)
		rc = ops->challenge_put(db, &ch);
	if (rc == 0 && inst->opt.delivery == DELIVER_ECHO) {
		memcpy(echo, code, sizeof(code));
		*echoed = 1;
	} else if (rc == 0) {
		char why[256];
		rc = otp_command_run(inst->opt.command, realm, subject, code,
			(unsigned)inst->opt.command_timeout_ms, why, sizeof(why));
		if (rc != 0) {
			inst->host->log(POLYCHAT_LOG_ERROR, WHO,
				"code for '%s' in realm '%s' not delivered: %s", subject, realm, why);
			ops->challenge_delete(db, realm, subject);
		}
	}
	inst->host->wipe(code, sizeof(code));
	inst->host->wipe(&ch, sizeof(ch));
	return rc;
}

static int otp_issue(void *instance, const char *realm, const char *subject,
	char *echo, size_t echo_len, int *echoed)
{
	struct instance *inst = instance;
	if (!valid_names(realm, subject) || !echoed)
		return POLYCHAT_EINVAL;
	*echoed = 0;
	pthread_mutex_t *lock = stripe(inst, realm, subject);
	pthread_mutex_lock(lock);
	int rc = issue_locked(inst, realm, subject, echo, echo_len, echoed);
	pthread_mutex_unlock(lock);
	return rc;
}

static int verify_locked(struct instance *inst, const char *realm, const char *subject,
	const uint8_t *secret, size_t len)
{
	const struct polychat_store_ops *ops = inst->store->ops;
	void *db = inst->store->db;
	struct polychat_challenge ch;

	int rc = ops->challenge_get(db, realm, subject, &ch);
	if (rc != 0)
		return rc;
	if ((int64_t)time(NULL) >= ch.expires_at) {
		ops->challenge_delete(db, realm, subject);
		rc = POLYCHAT_EEXPIRED;
	} else {
		rc = otp_matches(ch.secret, secret, len);
		if (rc == 0) {
			rc = ops->challenge_delete(db, realm, subject);
		} else if (rc == POLYCHAT_EAUTH) {
			/* Counted before answering, so no number of parallel
			 * guesses gets past the bound. */
			ch.attempts++;
			int st = ch.attempts >= (uint64_t)inst->opt.max_attempts
				? ops->challenge_delete(db, realm, subject)
				: ops->challenge_put(db, &ch);
			if (st != 0)
				rc = st;
			else if (ch.attempts >= (uint64_t)inst->opt.max_attempts)
				rc = POLYCHAT_EDENIED;
		} else if (rc == POLYCHAT_EIO) {
			inst->host->log(POLYCHAT_LOG_ERROR, WHO,
				"the pending code of '%s' in realm '%s' is not one auth-otp wrote",
				subject, realm);
		}
	}
	inst->host->wipe(&ch, sizeof(ch));
	return rc;
}

static int otp_verify(void *instance, const char *realm, const char *subject,
	const uint8_t *secret, size_t len)
{
	struct instance *inst = instance;
	if (!valid_names(realm, subject) || (!secret && len))
		return POLYCHAT_EINVAL;
	pthread_mutex_t *lock = stripe(inst, realm, subject);
	pthread_mutex_lock(lock);
	int rc = verify_locked(inst, realm, subject, secret, len);
	pthread_mutex_unlock(lock);
	return rc;
}

static const struct polychat_auth_ops otp_ops = {
	.check = otp_check,
	.create = otp_create,
	.destroy = otp_destroy,
	.verify = otp_verify,
	.issue = otp_issue,
};

static const struct polychat_component components[] = {
	{ POLYCHAT_COMPONENT_AUTH, "otp", &otp_ops },
};

const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "auth-otp",
	.version = "1.0.0",
	.description = "one-time registration codes: handed back (echo) or to a delivery program",
	.components = components,
	.n_components = 1,
};
