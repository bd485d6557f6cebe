/* SPDX-License-Identifier: MIT */
/* The client half of suite `pychat`: frames out, typed chat and commands, what the server sends once registered (pychat.md §5, §6.5). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pychat-client-session.h"

/* Exports asked for and not answered yet, at most. */
#define EXPORTS_PENDING 64

#define CMD_EXPORT "/export"
#define LINE_HELP "[help]"
#define LINE_EXPORT "[export_chat]"

/* U+FFFD, for a NUL in a sender's name (a C string for ui_show). */
#define REPLACEMENT "\xef\xbf\xbd"

static int line_is(const char *line, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(line, word, len) == 0;
}

/* pyc_typ_is - see pychat-client-session.h. */
int pyc_typ_is(const struct pychat_envelope *env, const char *typ)
{
	return line_is(env->typ, env->typ_len, typ);
}

/* pyc_from_server - see pychat-client-session.h. */
int pyc_from_server(const struct pychat_envelope *env)
{
	return line_is(env->username, env->username_len, PYCHAT_SERVER_NAME);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* --- frames out --- */

/* pyc_send - see pychat-client-session.h. */
int pyc_send(struct pyc_session *s, int sealed, const char *typ, const char *user,
	size_t user_len, const char *cont, size_t cont_len)
{
	const struct polychat_host *host = s->host;
	struct timespec now;
	char date[32];
	clock_gettime(CLOCK_REALTIME, &now);
	pychat_date((int64_t)now.tv_sec, now.tv_nsec / 1000, date);
	/* As the original client: its own address, the server's, its clock. */
	const char *shost = or_empty(host->conn_local_ip(s->conn));
	const char *dhost = or_empty(host->conn_peer_ip(s->conn));
	const struct pychat_envelope env = {
		.shost = shost, .shost_len = strlen(shost),
		.dhost = dhost, .dhost_len = strlen(dhost),
		.username = user, .username_len = user_len,
		.date = date, .date_len = strlen(date),
		.cont = cont, .cont_len = cont_len, .cont_type = PC_JSON_STRING,
		.typ = typ, .typ_len = strlen(typ),
	};
	uint8_t *frame = NULL;
	size_t len = 0;
	int rc = sealed
		? pychat_frame_sealed(host, s->key, s->iv, &env, PYCHAT_FRAME_PAD, &frame, &len)
		: pychat_frame_clear(host, &env, PYCHAT_FRAME_PAD, &frame, &len);
	if (rc < 0)
		return rc;
	/* ECLOSED and EBUSY mean the connection is going away: the session
	 * ends through client_close, nothing to report here. */
	if (host->conn_write(s->conn, frame, len) == POLYCHAT_ENOMEM)
		rc = POLYCHAT_ENOMEM;
	host->free(frame);
	return rc;
}

/* A sealed frame from our registered name. */
static int send_as_user(struct pyc_session *s, const char *typ, const char *cont, size_t len)
{
	return pyc_send(s, 1, typ, s->name, s->name_len, cont, len);
}

/* --- exports --- */

/* pyc_exports_free - see pychat-client-session.h. */
void pyc_exports_free(struct pyc_session *s)
{
	while (s->exports) {
		struct pyc_export *next = s->exports->next;
		s->host->free(s->exports);
		s->exports = next;
	}
	s->exports_tail = NULL;
	s->exports_pending = 0;
}

/* Ask for the chat log; its reply goes to `path` (len 0: the screen).
 * Replies come in the order asked: the server answers each export. */
static int request_export(struct pyc_session *s, const char *path, size_t len)
{
	const struct polychat_host *host = s->host;
	if (s->exports_pending >= EXPORTS_PENDING) {
		pyc_error(s, "%d exports are already waiting for the server: not asked",
			EXPORTS_PENDING);
		return 0;
	}
	struct pyc_export *e = host->alloc(sizeof(*e) + len + 1);
	if (!e)
		return POLYCHAT_ENOMEM;
	e->next = NULL;
	e->path_len = len;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	int rc = send_as_user(s, PYCHAT_T_EXPORT, LINE_EXPORT, strlen(LINE_EXPORT));
	if (rc < 0) {
		host->free(e);
		return rc;
	}
	if (s->exports_tail)
		s->exports_tail->next = e;
	else
		s->exports = e;
	s->exports_tail = e;
	s->exports_pending++;
	return 0;
}

/* "/export FILE": refused at once if FILE exists, so that nothing is
 * asked for in vain; the file itself is created when the reply comes. */
static int export_to_file(struct pyc_session *s, const char *arg, size_t len)
{
	while (len && *arg == ' ') {
		arg++;
		len--;
	}
	while (len && arg[len - 1] == ' ')
		len--;
	if (len == 0 || memchr(arg, '\0', len)) {
		pyc_error(s, "usage: /export FILE");
		return 0;
	}
	char *path = s->host->alloc(len + 1);
	if (!path)
		return POLYCHAT_ENOMEM;
	memcpy(path, arg, len);
	path[len] = '\0';
	struct stat st;
	int rc = 0;
	if (lstat(path, &st) == 0)
		pyc_error(s, "%s already exists: not overwritten, nothing exported", path);
	else
		rc = request_export(s, path, len);
	s->host->free(path);
	return rc;
}

/* Write the log to a file this call creates (never one that exists: it
 * may have appeared since /export was typed). Plain blocking I/O on the
 * loop: the client has one connection, and the user asked for it. */
static void write_export(struct pyc_session *s, const char *path, const char *text,
	size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		pyc_error(s, "cannot write the chat log to %s: %s%s", path, strerror(errno),
			errno == EEXIST ? " (not overwritten)" : "");
		return;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	int err = done < len ? errno : 0;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		/* O_EXCL made the file ours: no half-written log is left. */
		unlink(path);
		pyc_error(s, "cannot write the chat log to %s: %s", path, strerror(err));
		return;
	}
	char where[PATH_MAX];
	const char *shown = realpath(path, where) ? where : path;
	s->host->log(POLYCHAT_LOG_DEBUG, PYCHAT_CLIENT_WHO, "chat log exported (%zu bytes)", len);
	char text_done[PATH_MAX + 64];
	snprintf(text_done, sizeof(text_done), "chat log written to %s (%zu bytes)", shown, len);
	pyc_show(s, POLYCHAT_UI_NOTICE, NULL, text_done);
}

/* The log on screen, a notice per line (ui_show prints one line per call
 * and would escape the newlines). */
static void show_export(struct pyc_session *s, const char *text, size_t len)
{
	if (len == 0) {
		pyc_show(s, POLYCHAT_UI_NOTICE, NULL, "the chat log is empty");
		return;
	}
	pyc_show(s, POLYCHAT_UI_NOTICE, NULL, "chat log:");
	while (len) {
		const char *end = memchr(text, '\n', len);
		size_t n = end ? (size_t)(end - text) : len;
		s->host->ui_show(s->conn, POLYCHAT_UI_NOTICE, NULL, (const uint8_t *)text, n);
		text += n;
		len -= n;
		if (end) {
			text++;
			len--;
		}
	}
}

static void on_export(struct pyc_session *s, const struct pychat_envelope *env)
{
	/* An answer nobody waits for is shown (the first asked, first answered). */
	struct pyc_export *e = s->exports;
	if (e) {
		s->exports = e->next;
		if (!s->exports)
			s->exports_tail = NULL;
		s->exports_pending--;
	}
	if (env->cont_type != PC_JSON_STRING)
		pyc_error(s, "the server's chat log is not text: dropped");
	else if (e && e->path_len)
		write_export(s, e->path, env->cont, env->cont_len);
	else
		show_export(s, env->cont, env->cont_len);
	s->host->free(e);
}

/* --- help --- */

struct help_walk {
	struct pyc_session *s;
	int show;
};

/* One command of the help reply: checked, or shown as "key : value", the
 * way the original client prints it. */
static int help_member(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	struct help_walk *w = arg;
	if (value->type != PC_JSON_STRING)
		return POLYCHAT_EPROTO;
	if (!w->show)
		return 0;
	struct pc_buf b;
	pc_buf_init(&b, w->s->host);
	pc_buf_add(&b, key, key_len);
	pc_buf_adds(&b, " : ");
	pc_buf_add(&b, value->str, value->str_len);
	int rc = b.failed ? POLYCHAT_ENOMEM : 0;
	if (rc == 0)
		w->s->host->ui_show(w->s->conn, POLYCHAT_UI_NOTICE, NULL, (const uint8_t *)b.data,
			b.len);
	pc_buf_free(&b);
	return rc;
}

static int on_help(struct pyc_session *s, const struct pychat_envelope *env)
{
	struct help_walk w = { .s = s };
	int rc = POLYCHAT_EPROTO;
	/* Checked whole before the first line shows. */
	if (env->cont_type == PC_JSON_OBJECT)
		rc = pc_json_object(s->host, env->cont, env->cont_len, help_member, &w);
	if (rc == 0) {
		w.show = 1;
		rc = pc_json_object(s->host, env->cont, env->cont_len, help_member, &w);
	}
	if (rc == POLYCHAT_EPROTO) {
		pyc_error(s, "the server's help reply is not a list of commands: dropped");
		rc = 0;
	}
	return rc;
}

/* --- what the server sends --- */

/* A message from a user; the name goes to ui_show as a C string. */
static int show_message(struct pyc_session *s, const struct pychat_envelope *env)
{
	const struct polychat_host *host = s->host;
	if (!memchr(env->username, '\0', env->username_len)) {
		host->ui_show(s->conn, POLYCHAT_UI_MESSAGE, env->username,
			(const uint8_t *)env->cont, env->cont_len);
		return 0;
	}
	struct pc_buf name;
	pc_buf_init(&name, host);
	for (size_t i = 0; i < env->username_len; i++) {
		if (env->username[i])
			pc_buf_add(&name, env->username + i, 1);
		else
			pc_buf_adds(&name, REPLACEMENT);
	}
	int rc = name.failed ? POLYCHAT_ENOMEM : 0;
	if (rc == 0)
		host->ui_show(s->conn, POLYCHAT_UI_MESSAGE, name.data,
			(const uint8_t *)env->cont, env->cont_len);
	pc_buf_free(&name);
	return rc;
}

/* pyc_dispatch - see pychat-client-session.h. */
int pyc_dispatch(struct pyc_session *s, const struct pychat_envelope *env)
{
	if (pyc_typ_is(env, PYCHAT_T_HELP))
		return on_help(s, env);
	if (pyc_typ_is(env, PYCHAT_T_EXPORT)) {
		on_export(s, env);
		return 0;
	}
	if (env->cont_type != PC_JSON_STRING) {
		pyc_error(s, "a message that is not text was dropped");
		return 0;
	}
	/* Leave notices and replies; anyone may pose as the server (§10),
	 * which the original client cannot tell either. */
	if (pyc_from_server(env)) {
		s->host->ui_show(s->conn, POLYCHAT_UI_NOTICE, NULL, (const uint8_t *)env->cont,
			env->cont_len);
		return 0;
	}
	return show_message(s, env);
}

/* --- typed lines --- */

/* pyc_chat_line - see pychat-client-session.h. */
int pyc_chat_line(struct pyc_session *s, const char *line, size_t len)
{
	size_t cmd = strlen(CMD_EXPORT);
	if (len == 0)
		return 0;
	if (line[0] == '/') {
		if (len > 1 && line[1] == '/')
			return send_as_user(s, PYCHAT_T_DEFAULT, line + 1, len - 1);
		if (len >= cmd && memcmp(line, CMD_EXPORT, cmd) == 0 &&
		    (len == cmd || line[cmd] == ' '))
			return export_to_file(s, line + cmd, len - cmd);
		return POLYCHAT_ENOTSUP;
	}
	if (line_is(line, len, LINE_HELP))
		return send_as_user(s, PYCHAT_T_HELP, line, len);
	if (line_is(line, len, LINE_EXPORT))
		return request_export(s, "", 0);
	return send_as_user(s, PYCHAT_T_DEFAULT, line, len);
}
