/* SPDX-License-Identifier: MIT */
/* polychatctl's shared state and the commands each file provides. */
#ifndef PC_CTL_H
#define PC_CTL_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/auth.h>
#include <polychat/store.h>

#include "../core/config.h"
#include "../core/loader.h"

/* Exit codes: the operation succeeded, the operation failed (the store or
 * the auth method said no), or the command line, the configuration or the
 * password input was wrong (nothing was attempted). */
enum { CTL_OK = 0, CTL_FAILED = 1, CTL_USAGE = 2 };

/*
 * One run of polychatctl: the global options, then what ctl_open set up for
 * the listener the tool acts for. polychatctl has no event loop: it calls
 * store and auth methods, documented as called from worker threads, directly
 * from its main thread, one at a time, which their thread-safety contract
 * covers. Each store method is its own transaction, so the tool never holds
 * a database lock between two calls, and the store is closed as soon as the
 * command is done: polychatd can run on the same configuration meanwhile.
 */
struct ctl {
	const char *config_path;
	const char *plugin_path;      /* -p or $POLYCHAT_PLUGIN_PATH, or NULL */
	const char *listener_name;    /* -l, or NULL for the default */

	struct pc_loader *loader;
	struct pc_config *cfg;
	const struct pc_config_listener *listener;
	const char *realm;            /* the listener's realm */
	struct polychat_store_ref store;
	const struct pc_component *store_comp; /* NULL until the store is open */
	const struct pc_component *auth;
	struct polychat_auth_ref auth_ref;     /* instance NULL unless created */
};

/* A command's arguments, as main parsed them against its table entry. */
struct ctl_args {
	const char *cmd;              /* "user add", for messages */
	const char *arg[2];           /* positional arguments */
	int n_args;
	int admin;                    /* --admin */
	int random;                   /* --random */
	const char *password_file;    /* --password-file */
	unsigned limit;               /* --limit, or UINT_MAX */
};

typedef int ctl_cmd_fn(struct ctl *ctl, const struct ctl_args *a);

/* ctl-open.c */
/* Load the configuration and its plugins as polychatd does, pick the
 * listener, open its store and, with `need_auth`, create its auth
 * instance. Problems are printed. Returns a CTL_* code. */
int ctl_open(struct ctl *ctl, int need_auth);
/* Destroy the auth instance, close the store, free the configuration and
 * unload the plugins. Safe after a failed or no ctl_open. */
void ctl_close(struct ctl *ctl);
/* Print "polychatctl: WHAT: REASON" for a failed store or auth call and
 * return CTL_FAILED. */
int ctl_fail(const char *what, const char *name, int status);

/* ctl-users.c */
ctl_cmd_fn ctl_user_add, ctl_user_show, ctl_user_list, ctl_user_remove,
	ctl_user_passwd, ctl_user_admin, ctl_user_ban;

/* ctl-tokens.c */
ctl_cmd_fn ctl_token_list, ctl_token_revoke, ctl_token_revoke_user,
	ctl_token_remove, ctl_token_purge;

/* ctl-audit.c */
ctl_cmd_fn ctl_audit_list;

/* ctl-password.c */
#define CTL_PASSWORD_MAX 1024
struct ctl_password {
	uint8_t buf[CTL_PASSWORD_MAX + 1];
	size_t len;
	int generated;                /* --random: print it once on success */
};
/* Get the password of `name` from, in order: --random (`random`, a fresh
 * one from the host's CSPRNG), --password-file (`file`, its first line;
 * "-" is standard input), $POLYCHAT_PASSWORD, or a prompt on the terminal
 * with echo off, asked twice. Returns a CTL_* code after printing why. */
int ctl_password_get(struct ctl_password *pw, const char *name,
	const char *file, int random);
/* Wipe the buffer (explicit_bzero). */
void ctl_password_wipe(struct ctl_password *pw);

/* ctl-output.c */
/* Print a store string as one tab-separated field on stdout: bytes below
 * 0x20, 0x7f and the backslash are written as \xNN, so a field never holds
 * a tab or a newline. */
void ctl_put_field(const char *s);
/* Print a Unix time as 2024-01-31T12:00:00Z (UTC). */
void ctl_put_time(int64_t t);

/* main.c */
/* Print "polychatctl: MESSAGE" and the usage of `cmd` ("user add") to
 * stderr, and return CTL_USAGE. */
int ctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PC_CTL_H */
