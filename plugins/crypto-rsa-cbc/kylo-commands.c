/* SPDX-License-Identifier: MIT */
/* KyloChat's in-band admin commands (§5): parsing and the exact reply texts. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kylo-commands.h"
#include "kylo-text.h"

const char kylo_help_text[] =
	"\n"
	"/help           Display this message\n"
	"/user_id        print user id : /user_id <username : str>\n"
	"/ban            Ban a user : /ban <usr_id : int>\n"
	"/unban          Unban a user : /unban <usr_id : int>\n"
	"/isAdmin        Check if a user is admin : /isAdmin <usr_id : int>\n"
	"/isBanned       Check if a user is banned : /isBanned <usr_id : int>\n"
	"/usrpw          Change a password for a user : /usrpw <usr_id : int> <new_pwd : str>\n"
	"/lsip           List all the connected ip's : /lsusr\n"
	"/mkusr          Create a user on the database : /mkusr <username : str> <password : str> <email : str> <isadmin : bool>\n"
	"/rvktk          Revoke a token:  /rvktk <token : str>\n"
	"/rmtk           Remove permanently the token : /rmtk <token : str>\n"
	"/showtk         Show the tokens in the database : /showtk <limit : int>\n";

/* The original's users.username is VARCHAR(60): longer names fail to insert. */
#define MKUSR_NAME_MAX 60
/* /showtk has no bound in the original; a reply stops growing here. */
#define SHOWTK_ROWS_MAX 10000u
#define REPLY_MAX (256u * 1024u)
/* Pieces of a command line we look at; more means "wrong count". */
#define ARGS_MAX 5

/* An argument: bytes of the line, not NUL-terminated. */
struct arg {
	const char *p;
	size_t len;
};

struct reply {
	const struct polychat_host *host;
	char *buf;
	size_t len, cap;
	int oom;
};

enum cmd_id {
	CMD_HELP, CMD_USER_ID, CMD_BAN, CMD_UNBAN, CMD_IS_ADMIN, CMD_IS_BANNED,
	CMD_USRPW, CMD_LSIP, CMD_MKUSR, CMD_RVKTK, CMD_RMTK, CMD_SHOWTK,
};

static const struct {
	const char *name;
	unsigned args;
} commands[] = {
	[CMD_HELP] = { "help", 0 },
	[CMD_USER_ID] = { "user_id", 1 },
	[CMD_BAN] = { "ban", 1 },
	[CMD_UNBAN] = { "unban", 1 },
	[CMD_IS_ADMIN] = { "isAdmin", 1 },
	[CMD_IS_BANNED] = { "isBanned", 1 },
	[CMD_USRPW] = { "usrpw", 2 },
	[CMD_LSIP] = { "lsip", 0 },
	[CMD_MKUSR] = { "mkusr", 4 },
	[CMD_RVKTK] = { "rvktk", 1 },
	[CMD_RMTK] = { "rmtk", 1 },
	[CMD_SHOWTK] = { "showtk", 1 },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command id of `text`, or -1. */
static int command_of(const uint8_t *text, size_t len)
{
	if (len < 2 || text[0] != '/')
		return -1;
	const uint8_t *sp = memchr(text, ' ', len);
	size_t n = (size_t)((sp ? sp : text + len) - text) - 1;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strlen(commands[i].name) == n && memcmp(commands[i].name, text + 1, n) == 0)
			return (int)i;
	return -1;
}

int kylo_is_command(const uint8_t *text, size_t len, int *is_lsip)
{
	int id = command_of(text, len);
	if (is_lsip)
		*is_lsip = id == CMD_LSIP;
	return id >= 0;
}

static void put(struct reply *r, const char *s, size_t n)
{
	if (r->oom || r->len + n > REPLY_MAX)
		return;
	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		while (cap < r->len + n)
			cap *= 2;
		char *buf = r->host->alloc(cap);
		if (!buf) {
			r->oom = 1;
			return;
		}
		if (r->len)
			memcpy(buf, r->buf, r->len);
		r->host->free(r->buf);
		r->buf = buf;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

static void puts_(struct reply *r, const char *s)
{
	put(r, s, strlen(s));
}

static void putf(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct reply *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(r, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* The argument as a C string in `buf`; 0, or -1 when it holds a NUL byte
 * or does not fit (no record can have such a name, token or password). */
static int arg_string(const struct arg *a, char *buf, size_t cap)
{
	if (a->len >= cap || memchr(a->p, '\0', a->len))
		return -1;
	memcpy(buf, a->p, a->len);
	buf[a->len] = '\0';
	return 0;
}

/*
 * The account an id argument names, into *acct. Returns 1 when Python's
 * int() would refuse the argument (the caller answers "Invalid UserID"),
 * else the store's answer (POLYCHAT_ENOTFOUND for an id no row can have).
 * `canon` gets the id as the original prints it.
 */
static int arg_account(const struct kylo_cmd_env *env, const struct arg *a,
	char *canon, size_t cap, struct polychat_account *acct)
{
	char text[128];
	int64_t v;
	int over;
	if (arg_string(a, text, sizeof(text)) != 0 ||
	    kylo_parse_int(text, &v, &over, canon, cap) != 0)
		return 1;
	if (over || v <= 0)
		return POLYCHAT_ENOTFOUND;
	return env->store->ops->account_get_id(env->store->db, env->realm,
		(uint64_t)v, acct);
}

static void cmd_user_id(const struct kylo_cmd_env *env, const struct arg *args,
	struct reply *r)
{
	char name[POLYCHAT_NAME_MAX + 1];
	struct polychat_account acct;
	if (arg_string(&args[0], name, sizeof(name)) == 0 &&
	    env->store->ops->account_get(env->store->db, env->realm, name,
			POLYCHAT_LOOKUP_FOLD, &acct) == 0)
		putf(r, "UserID: %llu", (unsigned long long)acct.id);
	else
		puts_(r, "UserID: -1");
}

/* /ban and /unban: the flag must change, and admins are out of reach. */
static void cmd_ban(const struct kylo_cmd_env *env, const struct arg *args,
	int ban, struct reply *r)
{
	char canon[64];
	struct polychat_account acct;
	int rc = arg_account(env, &args[0], canon, sizeof(canon), &acct);
	if (rc == 1) {
		puts_(r, "Invalid UserID");
		return;
	}
	if (rc == 0 && (((acct.flags & POLYCHAT_ACCOUNT_BANNED) != 0) == ban ||
			(acct.flags & POLYCHAT_ACCOUNT_ADMIN)))
		rc = POLYCHAT_EEXIST;
	if (rc == 0) {
		acct.flags ^= POLYCHAT_ACCOUNT_BANNED;
		rc = env->store->ops->account_update(env->store->db, &acct,
			POLYCHAT_ACCOUNT_SET_FLAGS);
	}
	env->host->wipe(&acct, sizeof(acct));
	if (rc == 0)
		puts_(r, ban ? "User Banned" : "User Unbanned");
	else
		putf(r, "Error %s %s", ban ? "banning" : "unbanning", canon);
}

static void cmd_flag(const struct kylo_cmd_env *env, const struct arg *args,
	uint32_t flag, struct reply *r)
{
	char canon[64];
	struct polychat_account acct;
	int rc = arg_account(env, &args[0], canon, sizeof(canon), &acct);
	if (rc == 1)
		puts_(r, "Invalid UserID");
	else
		puts_(r, rc == 0 && (acct.flags & flag) ? "True" : "False");
	env->host->wipe(&acct, sizeof(acct));
}

static void cmd_usrpw(const struct kylo_cmd_env *env, const struct arg *args,
	struct reply *r)
{
	char canon[64];
	struct polychat_account acct;
	int rc = arg_account(env, &args[0], canon, sizeof(canon), &acct);
	if (rc == 1) {
		puts_(r, "Invalid UserID");
		return;
	}
	if (rc == 0 && (acct.flags & POLYCHAT_ACCOUNT_ADMIN))
		rc = POLYCHAT_EDENIED;
	if (rc == 0)
		rc = env->auth->ops->set_secret(env->auth->instance, env->realm,
			acct.name, (const uint8_t *)args[1].p, args[1].len, 0);
	env->host->wipe(&acct, sizeof(acct));
	if (rc == 0)
		puts_(r, "Password Changed");
	else
		putf(r, "Error changing password for %s", canon);
}

static int ascii_ieq(const struct arg *a, const char *word)
{
	return a->len == strlen(word) && strncasecmp(a->p, word, a->len) == 0;
}

static void cmd_mkusr(const struct kylo_cmd_env *env, const struct arg *args,
	struct reply *r)
{
	const struct arg *user = &args[0], *pw = &args[1], *email = &args[2],
		*flag = &args[3];
	int no_email = email->len == 0 || ascii_ieq(email, "none");
	/* The original tests the admin argument while it is still a string,
	 * so a non-empty one demands an email. */
	if (user->len == 0 || pw->len == 0 || (flag->len && no_email)) {
		puts_(r, "Missing parameters");
		return;
	}
	int admin = ascii_ieq(flag, "true");

	char name[MKUSR_NAME_MAX + 1];
	struct polychat_account acct;
	int rc = POLYCHAT_EINVAL;
	if (arg_string(user, name, sizeof(name)) == 0 && strcasecmp(name, "SERVER") != 0) {
		rc = env->store->ops->account_get(env->store->db, env->realm, name,
			POLYCHAT_LOOKUP_FOLD, &acct);
		rc = rc == 0 ? POLYCHAT_EEXIST : rc == POLYCHAT_ENOTFOUND ? 0 : rc;
	}
	if (rc == 0)
		rc = env->auth->ops->set_secret(env->auth->instance, env->realm, name,
			(const uint8_t *)pw->p, pw->len, 1);
	if (rc == 0 && admin) {
		memset(&acct, 0, sizeof(acct));
		snprintf(acct.realm, sizeof(acct.realm), "%s", env->realm);
		snprintf(acct.name, sizeof(acct.name), "%s", name);
		acct.flags = POLYCHAT_ACCOUNT_ADMIN;
		rc = env->store->ops->account_update(env->store->db, &acct,
			POLYCHAT_ACCOUNT_SET_FLAGS);
	}
	env->host->wipe(&acct, sizeof(acct));
	if (rc == 0) {
		puts_(r, "User created successfully");
		return;
	}
	/* The email is not kept (accounts have no such field); it only
	 * appears in this line, as the original prints it. */
	puts_(r, "Error creating: (");
	put(r, user->p, user->len);
	puts_(r, ", ");
	/* One '*' per character, as Python's len() counts them. */
	for (size_t i = 0; i < pw->len; i++)
		if (((unsigned char)pw->p[i] & 0xc0) != 0x80)
			puts_(r, "*");
	puts_(r, ", ");
	if (no_email)
		puts_(r, "None");
	else
		put(r, email->p, email->len);
	puts_(r, admin ? ", Admin=True)" : ", Admin=False)");
}

/* Tokens are lowercase UUIDs; the original finds them case-insensitively. */
static int arg_token(const struct arg *a, char *buf, size_t cap)
{
	if (arg_string(a, buf, cap) != 0)
		return -1;
	for (char *p = buf; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return 0;
}

static int token_of_realm(const struct kylo_cmd_env *env, const char *token)
{
	struct polychat_token tok;
	int rc = env->store->ops->token_get(env->store->db, token, &tok);
	if (rc == 0 && strcmp(tok.realm, env->realm) != 0)
		rc = POLYCHAT_ENOTFOUND;
	return rc;
}

static void cmd_token(const struct kylo_cmd_env *env, const struct arg *args,
	int remove, struct reply *r)
{
	char token[POLYCHAT_TOKEN_MAX + 1];
	int rc = arg_token(&args[0], token, sizeof(token)) == 0
		? token_of_realm(env, token) : POLYCHAT_ENOTFOUND;
	if (rc == POLYCHAT_ENOTFOUND) {
		puts_(r, "Token not found");
		return;
	}
	if (rc == 0)
		rc = remove ? env->store->ops->token_delete(env->store->db, token)
			: env->store->ops->token_revoke(env->store->db, token);
	if (rc == 0)
		puts_(r, remove ? "Token permanently removed" : "Token revoked");
	else
		puts_(r, remove ? "Error removing the token" : "Error revoking the token");
}

struct showtk {
	const struct kylo_cmd_env *env;
	struct reply *r;
	unsigned rows;
};

static int showtk_row(void *arg, const struct polychat_token *tok)
{
	struct showtk *s = arg;
	struct polychat_account acct;
	/* Like the original's inner join: tokens of deleted users are not shown. */
	if (s->env->store->ops->account_get(s->env->store->db, s->env->realm,
			tok->name, 0, &acct) != 0)
		return 0;
	putf(s->r, "%sToken: %s\nUser: %s\nUserID: %llu", s->rows ? "\n\n" : "\n",
		tok->token, acct.name, (unsigned long long)acct.id);
	s->rows++;
	return s->r->len >= REPLY_MAX;
}

static void cmd_showtk(const struct kylo_cmd_env *env, const struct arg *args,
	struct reply *r)
{
	char canon[64], text[128];
	int64_t limit;
	int over;
	if (arg_string(&args[0], text, sizeof(text)) != 0 ||
	    kylo_parse_int(text, &limit, &over, canon, sizeof(canon)) != 0 ||
	    (!over && limit < 1) || canon[0] == '-') {
		puts_(r, "Invalid limit");
		return;
	}
	unsigned rows = over || limit > SHOWTK_ROWS_MAX ? SHOWTK_ROWS_MAX : (unsigned)limit;
	struct showtk s = { env, r, 0 };
	int rc = env->store->ops->token_list(env->store->db, env->realm, NULL, rows,
		showtk_row, &s);
	if (rc != 0 || s.rows == 0) {
		r->len = 0;
		puts_(r, "No token found");
	}
}

int kylo_command_run(const struct kylo_cmd_env *env, const uint8_t *text,
	size_t len, uint8_t **reply, size_t *reply_len)
{
	struct reply r = { .host = env->host };
	int id = command_of(text, len);
	struct arg args[ARGS_MAX];
	unsigned n = 0;

	/* text.split(" "): every single space separates, so two spaces make
	 * an empty argument. The first piece is the command itself. */
	const char *p = (const char *)text, *end = p + len;
	const char *sp = memchr(p, ' ', len);
	while (sp && n < ARGS_MAX) {
		const char *start = sp + 1;
		sp = memchr(start, ' ', (size_t)(end - start));
		args[n].p = start;
		args[n].len = (size_t)((sp ? sp : end) - start);
		n++;
	}
	if (sp)
		n = ARGS_MAX; /* more pieces still: the count is wrong anyway */

	if (id < 0 || n != commands[id].args) {
		puts_(&r, kylo_help_text);
	} else {
		switch (id) {
		case CMD_HELP: puts_(&r, kylo_help_text); break;
		case CMD_USER_ID: cmd_user_id(env, args, &r); break;
		case CMD_BAN: cmd_ban(env, args, 1, &r); break;
		case CMD_UNBAN: cmd_ban(env, args, 0, &r); break;
		case CMD_IS_ADMIN: cmd_flag(env, args, POLYCHAT_ACCOUNT_ADMIN, &r); break;
		case CMD_IS_BANNED: cmd_flag(env, args, POLYCHAT_ACCOUNT_BANNED, &r); break;
		case CMD_USRPW: cmd_usrpw(env, args, &r); break;
		case CMD_LSIP: puts_(&r, env->lsip ? env->lsip : "()"); break;
		case CMD_MKUSR: cmd_mkusr(env, args, &r); break;
		case CMD_RVKTK: cmd_token(env, args, 0, &r); break;
		case CMD_RMTK: cmd_token(env, args, 1, &r); break;
		case CMD_SHOWTK: cmd_showtk(env, args, &r); break;
		}
	}
	if (r.oom || r.len == 0) {
		env->host->free(r.buf);
		return POLYCHAT_ENOMEM;
	}
	*reply = (uint8_t *)r.buf;
	*reply_len = r.len;
	return 0;
}
