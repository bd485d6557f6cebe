/* SPDX-License-Identifier: MIT */
/* polychatctl's user commands: add, show, list, remove, passwd, admin, ban. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

static int no_such_user(const struct ctl *ctl, const char *cmd, const char *name)
{
	fprintf(stderr, "polychatctl: %s: no user '%s' in realm '%s'\n", cmd, name,
		ctl->realm);
	return CTL_FAILED;
}

/* The account of `name` (its exact spelling) in the listener's realm.
 * Returns CTL_OK, or CTL_FAILED after saying why. The caller wipes *acct,
 * which holds the password hash. */
static int get_account(struct ctl *ctl, const char *cmd, const char *name,
	struct polychat_account *acct)
{
	int rc = ctl->store.ops->account_get(ctl->store.db, ctl->realm, name, 0, acct);
	if (rc == POLYCHAT_ENOTFOUND)
		return no_such_user(ctl, cmd, name);
	return rc ? ctl_fail(cmd, name, rc) : CTL_OK;
}

/* Set or clear one flag of an account. Another writer (the daemon's admin
 * commands) may change flags between the read and the write: the store has
 * no compare-and-set, and the last writer wins. */
static int set_flag(struct ctl *ctl, const char *cmd, const char *name,
	uint32_t flag, int on)
{
	struct polychat_account acct;
	int rc = get_account(ctl, cmd, name, &acct);
	if (rc != CTL_OK)
		return rc;
	acct.flags = on ? acct.flags | flag : acct.flags & ~flag;
	rc = ctl->store.ops->account_update(ctl->store.db, &acct,
		POLYCHAT_ACCOUNT_SET_FLAGS);
	explicit_bzero(&acct, sizeof(acct));
	return rc ? ctl_fail(cmd, name, rc) : CTL_OK;
}

/* Hash and store a password through the listener's auth method (the tool
 * never hashes anything itself). A generated one is printed once, after it
 * was stored, with write(2) so that no stdio buffer keeps a copy. */
static int set_password(struct ctl *ctl, const struct ctl_args *a,
	struct ctl_password *pw, int create)
{
	const char *name = a->arg[0];
	int rc = ctl->auth_ref.ops->set_secret(ctl->auth_ref.instance, ctl->realm,
		name, pw->buf, pw->len, create);
	if (rc == POLYCHAT_EINVAL) {
		fprintf(stderr, "polychatctl: %s '%s': auth '%s' refused this name "
			"or password\n", a->cmd, name, ctl->auth->name);
		return CTL_FAILED;
	}
	if (rc != 0)
		return ctl_fail(a->cmd, name, rc);
	if (pw->generated) {
		pw->buf[pw->len] = '\n';
		fflush(stdout);
		if (write(STDOUT_FILENO, pw->buf, pw->len + 1) != (ssize_t)(pw->len + 1)) {
			fprintf(stderr, "polychatctl: %s '%s': the password was set but "
				"could not be printed\n", a->cmd, name);
			return CTL_FAILED;
		}
	}
	return CTL_OK;
}

/* Whether a name holds a byte an operator cannot mean to type. */
static int has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

/* Whether the account exists, for a check before asking for a password
 * (the store still refuses a race). CTL_OK if its existence is `want`. */
static int expect_account(struct ctl *ctl, const char *cmd, const char *name,
	int want)
{
	struct polychat_account acct;
	int rc = ctl->store.ops->account_get(ctl->store.db, ctl->realm, name, 0, &acct);
	explicit_bzero(&acct, sizeof(acct));
	if (rc == 0 && !want)
		return ctl_fail(cmd, name, POLYCHAT_EEXIST);
	if (rc == POLYCHAT_ENOTFOUND && want)
		return no_such_user(ctl, cmd, name);
	if (rc != 0 && rc != POLYCHAT_ENOTFOUND)
		return ctl_fail(cmd, name, rc);
	return CTL_OK;
}

/* user add NAME [--admin] [--password-file FILE | --random] */
int ctl_user_add(struct ctl *ctl, const struct ctl_args *a)
{
	const char *name = a->arg[0];
	if (has_control(name))
		return ctl_usage_error(a->cmd, "a user name holds no control characters");
	int rc = ctl_open(ctl, 1);
	if (rc == CTL_OK)
		rc = expect_account(ctl, a->cmd, name, 0);
	if (rc != CTL_OK)
		return rc;
	struct ctl_password pw;
	rc = ctl_password_get(&pw, name, a->password_file, a->random);
	if (rc == CTL_OK)
		rc = set_password(ctl, a, &pw, 1);
	ctl_password_wipe(&pw);
	/* The account exists from here on: a failure to flag it says so. */
	if (rc == CTL_OK && a->admin)
		rc = set_flag(ctl, a->cmd, name, POLYCHAT_ACCOUNT_ADMIN, 1);
	return rc;
}

/* The header of `user show` and `user list`. */
static void print_account_header(void)
{
	printf("id\tname\tadmin\tbanned\tverified\tcreated\tlast_seen\n");
}

/* One tab-separated row of `user show` and `user list`: never the secret. */
static void print_account(const struct polychat_account *acct)
{
	printf("%llu\t", (unsigned long long)acct->id);
	ctl_put_field(acct->name);
	printf("\t%s\t%s\t%s\t",
		acct->flags & POLYCHAT_ACCOUNT_ADMIN ? "yes" : "no",
		acct->flags & POLYCHAT_ACCOUNT_BANNED ? "yes" : "no",
		acct->flags & POLYCHAT_ACCOUNT_VERIFIED ? "yes" : "no");
	ctl_put_time(acct->created_at);
	putchar('\t');
	if (acct->last_seen)
		ctl_put_time(acct->last_seen);
	else
		fputs("-", stdout);   /* never seen */
	putchar('\n');
}

/* user show NAME: a header line and one tab-separated row. */
int ctl_user_show(struct ctl *ctl, const struct ctl_args *a)
{
	struct polychat_account acct;
	int rc = ctl_open(ctl, 0);
	if (rc == CTL_OK)
		rc = get_account(ctl, a->cmd, a->arg[0], &acct);
	if (rc != CTL_OK)
		return rc;
	print_account_header();
	print_account(&acct);
	explicit_bzero(&acct, sizeof(acct));
	return CTL_OK;
}

/* How many accounts `user list` asks the store for at a time. */
#define LIST_PAGE 100

/* Where `user list` is: the header printed yet, the last id printed, and
 * how many rows the current page gave. */
struct user_listing {
	int header;
	uint64_t last_id;
	unsigned rows;
};

/* account_list callback: one row per account. The header waits for the
 * first row or the end, so a store that cannot list prints nothing. */
static int print_listed(void *arg, const struct polychat_account *acct)
{
	struct user_listing *listing = arg;
	if (!listing->header)
		print_account_header();
	listing->header = 1;
	print_account(acct);
	listing->last_id = acct->id;
	listing->rows++;
	return 0;
}

/* user list: the header, then one row per account of the realm in
 * increasing id order, read a page at a time: each page is its own short
 * store call, continuing after the last id printed. */
int ctl_user_list(struct ctl *ctl, const struct ctl_args *a)
{
	int rc = ctl_open(ctl, 0);
	if (rc != CTL_OK)
		return rc;
	struct user_listing listing = { 0, 0, 0 };
	do {
		listing.rows = 0;
		rc = ctl->store.ops->account_list(ctl->store.db, ctl->realm,
			listing.last_id, LIST_PAGE, print_listed, &listing);
	} while (rc == 0 && listing.rows == LIST_PAGE);
	if (rc == POLYCHAT_ENOTSUP) {
		fprintf(stderr, "polychatctl: %s: store '%s' (plugin %s) cannot "
			"list accounts (account_list came with plugin ABI 1.1)\n",
			a->cmd, ctl->store_comp->name,
			pc_plugin_name(ctl->store_comp->plugin));
		return CTL_FAILED;
	}
	if (rc != 0)
		return ctl_fail(a->cmd, NULL, rc);
	if (!listing.header)
		print_account_header();
	return CTL_OK;
}

struct token_sweep {
	struct ctl *ctl;
	int status;
};

/* token_list callback: delete each token of the account (the store allows
 * store calls from its listing callbacks). */
static int delete_token(void *arg, const struct polychat_token *tok)
{
	struct token_sweep *sweep = arg;
	int rc = sweep->ctl->store.ops->token_delete(sweep->ctl->store.db, tok->token);
	if (rc != 0 && rc != POLYCHAT_ENOTFOUND) {
		sweep->status = rc;
		return 1;
	}
	return 0;
}

/* user remove NAME: the account, then its tokens. The account goes first,
 * so that logins stop issuing tokens before the sweep (a token that a
 * racing login still writes names an owner who no longer exists, and
 * kylochat looks the owner up on every frame). Revoking them all in one
 * statement makes every token unusable at once; the rows are then deleted
 * for good, one by one. */
int ctl_user_remove(struct ctl *ctl, const struct ctl_args *a)
{
	const char *name = a->arg[0];
	int rc = ctl_open(ctl, 0);
	if (rc == CTL_OK)
		rc = expect_account(ctl, a->cmd, name, 1);
	if (rc != CTL_OK)
		return rc;
	const struct polychat_store_ops *ops = ctl->store.ops;
	rc = ops->account_delete(ctl->store.db, ctl->realm, name);
	if (rc != 0)
		return ctl_fail(a->cmd, name, rc);
	struct token_sweep sweep = { ctl, 0 };
	rc = ops->token_revoke_user(ctl->store.db, ctl->realm, name, NULL);
	if (rc == 0)
		rc = ops->token_list(ctl->store.db, ctl->realm, name, UINT32_MAX,
			delete_token, &sweep);
	if (rc == 0)
		rc = sweep.status;
	if (rc != 0) {
		fprintf(stderr, "polychatctl: %s '%s': the user is removed, but not "
			"all of its tokens: %s\n", a->cmd, name, polychat_strerror(rc));
		return CTL_FAILED;
	}
	return CTL_OK;
}

/* user passwd NAME [--password-file FILE | --random] */
int ctl_user_passwd(struct ctl *ctl, const struct ctl_args *a)
{
	const char *name = a->arg[0];
	int rc = ctl_open(ctl, 1);
	if (rc == CTL_OK)
		rc = expect_account(ctl, a->cmd, name, 1);
	if (rc != CTL_OK)
		return rc;
	struct ctl_password pw;
	rc = ctl_password_get(&pw, name, a->password_file, a->random);
	if (rc == CTL_OK)
		rc = set_password(ctl, a, &pw, 0);
	ctl_password_wipe(&pw);
	return rc;
}

static int flag_command(struct ctl *ctl, const struct ctl_args *a, uint32_t flag)
{
	int on = strcmp(a->arg[1], "on") == 0 ? 1
		: strcmp(a->arg[1], "off") == 0 ? 0 : -1;
	if (on < 0)
		return ctl_usage_error(a->cmd, "expected on or off, not '%s'", a->arg[1]);
	int rc = ctl_open(ctl, 0);
	return rc ? rc : set_flag(ctl, a->cmd, a->arg[0], flag, on);
}

/* user admin NAME on|off */
int ctl_user_admin(struct ctl *ctl, const struct ctl_args *a)
{
	return flag_command(ctl, a, POLYCHAT_ACCOUNT_ADMIN);
}

/* user ban NAME on|off: the flag only. Tokens stay: a kylochat session
 * checks the owner's ban flag on every frame, and `token revoke-user`
 * is there for an operator who wants them gone too. */
int ctl_user_ban(struct ctl *ctl, const struct ctl_args *a)
{
	return flag_command(ctl, a, POLYCHAT_ACCOUNT_BANNED);
}
