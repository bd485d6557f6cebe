/* SPDX-License-Identifier: MIT */
/* polychatctl's token commands: list, revoke, revoke-user, remove, purge. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* token_list callback: one tab-separated row per token; `arg` points to
 * the time that decides "expired", as token_purge would. */
static int print_token(void *arg, const struct polychat_token *tok)
{
	const int64_t *now = arg;
	ctl_put_field(tok->token);
	putchar('\t');
	ctl_put_field(tok->name);
	putchar('\t');
	ctl_put_time(tok->issued_at);
	putchar('\t');
	ctl_put_time(tok->expires_at);
	printf("\t%s\n", tok->revoked ? "revoked"
		: tok->expires_at < *now ? "expired"
		: "valid");
	return 0;
}

/* token list [NAME] [--limit N]: the tokens of the realm, or of one user,
 * newest first, revoked and expired ones included. */
int ctl_token_list(struct ctl *ctl, const struct ctl_args *a)
{
	int rc = ctl_open(ctl, 0);
	if (rc != CTL_OK)
		return rc;
	int64_t now = (int64_t)time(NULL);
	printf("token\tname\tissued\texpires\tstate\n");
	rc = ctl->store.ops->token_list(ctl->store.db, ctl->realm,
		a->n_args ? a->arg[0] : NULL, a->limit, print_token, &now);
	return rc ? ctl_fail(a->cmd, NULL, rc) : CTL_OK;
}

/* Make sure a token exists in the listener's realm: tokens are keyed by
 * their value alone, and the tool acts for one realm. */
static int token_in_realm(struct ctl *ctl, const char *cmd, const char *token)
{
	struct polychat_token tok;
	int rc = ctl->store.ops->token_get(ctl->store.db, token, &tok);
	if (rc == 0 && strcmp(tok.realm, ctl->realm) != 0)
		rc = POLYCHAT_ENOTFOUND;
	if (rc == POLYCHAT_ENOTFOUND) {
		fprintf(stderr, "polychatctl: %s: no such token in realm '%s'\n",
			cmd, ctl->realm);
		return CTL_FAILED;
	}
	return rc ? ctl_fail(cmd, NULL, rc) : CTL_OK;
}

/* token revoke TOKEN: it stays, and is refused from now on. */
int ctl_token_revoke(struct ctl *ctl, const struct ctl_args *a)
{
	int rc = ctl_open(ctl, 0);
	if (rc == CTL_OK)
		rc = token_in_realm(ctl, a->cmd, a->arg[0]);
	if (rc != CTL_OK)
		return rc;
	rc = ctl->store.ops->token_revoke(ctl->store.db, a->arg[0]);
	return rc ? ctl_fail(a->cmd, NULL, rc) : CTL_OK;
}

/* token remove TOKEN: deleted for good. */
int ctl_token_remove(struct ctl *ctl, const struct ctl_args *a)
{
	int rc = ctl_open(ctl, 0);
	if (rc == CTL_OK)
		rc = token_in_realm(ctl, a->cmd, a->arg[0]);
	if (rc != CTL_OK)
		return rc;
	rc = ctl->store.ops->token_delete(ctl->store.db, a->arg[0]);
	return rc ? ctl_fail(a->cmd, NULL, rc) : CTL_OK;
}

/* token revoke-user NAME: prints "revoked N", the tokens newly revoked. */
int ctl_token_revoke_user(struct ctl *ctl, const struct ctl_args *a)
{
	uint64_t count = 0;
	int rc = ctl_open(ctl, 0);
	if (rc != CTL_OK)
		return rc;
	rc = ctl->store.ops->token_revoke_user(ctl->store.db, ctl->realm, a->arg[0],
		&count);
	if (rc != 0)
		return ctl_fail(a->cmd, a->arg[0], rc);
	printf("revoked %llu\n", (unsigned long long)count);
	return CTL_OK;
}

/* token purge: deletes the tokens that have expired, in every realm of the
 * store (the store's purge knows no realm); prints "purged N". */
int ctl_token_purge(struct ctl *ctl, const struct ctl_args *a)
{
	uint64_t count = 0;
	int rc = ctl_open(ctl, 0);
	if (rc != CTL_OK)
		return rc;
	rc = ctl->store.ops->token_purge(ctl->store.db, (int64_t)time(NULL), &count);
	if (rc != 0)
		return ctl_fail(a->cmd, NULL, rc);
	printf("purged %llu\n", (unsigned long long)count);
	return CTL_OK;
}
