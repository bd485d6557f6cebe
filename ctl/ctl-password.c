/* SPDX-License-Identifier: MIT */
/* polychatctl: where a new password comes from (random, file, environment, tty). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"
#include "../core/host.h"

/* --random: 16 characters of 62 carry 95 bits, typed or pasted easily and
 * safe in any shell. */
#define RANDOM_LEN 16
static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* read_line's answer for a line longer than the buffer. */
#define TOO_LONG (-2)

/* The terminal's settings while echo is off, for the signal handler. */
static struct termios saved_tty;

/* Read the first line of `fd` into `buf` (at most `cap` bytes kept; more
 * is TOO_LONG), without its "\n" or "\r\n". Whatever was read past the
 * line is wiped. 0, -1 (errno set) or TOO_LONG. */
static int read_line(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	size_t used = 0;
	uint8_t *nl = NULL;
	while (!(nl = memchr(buf, '\n', used))) {
		if (used == cap) {
			explicit_bzero(buf, cap);
			return TOO_LONG;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			explicit_bzero(buf, cap);
			return -1;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	size_t line = nl ? (size_t)(nl - buf) : used;
	if (line > 0 && buf[line - 1] == '\r')
		line--;
	explicit_bzero(buf + line, cap - line);
	*len = line;
	return 0;
}

static int random_password(struct ctl_password *pw)
{
	const struct polychat_host *host = pc_host();
	uint8_t bytes[64];
	size_t have = 0, next = 0;
	/* Rejection sampling: 248 is the largest multiple of 62 below 256,
	 * so every character is equally likely. */
	while (pw->len < RANDOM_LEN) {
		if (next == have) {
			if (host->random(bytes, sizeof(bytes)) != 0) {
				explicit_bzero(bytes, sizeof(bytes));
				fprintf(stderr, "polychatctl: the random generator failed\n");
				return CTL_FAILED;
			}
			have = sizeof(bytes);
			next = 0;
		}
		uint8_t b = bytes[next++];
		if (b < 248)
			pw->buf[pw->len++] = (uint8_t)alphabet[b % 62];
	}
	explicit_bzero(bytes, sizeof(bytes));
	pw->generated = 1;
	return CTL_OK;
}

static int file_password(struct ctl_password *pw, const char *file)
{
	int stdin_file = strcmp(file, "-") == 0;
	int fd = stdin_file ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
	int rc = fd < 0 ? -1 : read_line(fd, pw->buf, sizeof(pw->buf), &pw->len);
	int saved = errno;
	if (fd >= 0 && !stdin_file)
		close(fd);
	if (rc == -1) {
		fprintf(stderr, "polychatctl: cannot read the password from %s: %s\n",
			file, strerror(saved));
		return CTL_USAGE;
	}
	return rc == 0 ? CTL_OK : TOO_LONG;
}

static void restore_tty(int sig)
{
	/* tcsetattr, signal and raise are async-signal-safe. */
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Prompt on stderr and read one line from the terminal on stdin with echo
 * off; the terminal is restored even when a signal ends the program. */
static int tty_read(const char *prompt, uint8_t *buf, size_t cap, size_t *len)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction old[4], sa = { .sa_handler = restore_tty };
	struct termios quiet;
	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return -1;
	quiet = saved_tty;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	fputs(prompt, stderr);
	fflush(stderr);
	int rc = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	if (rc == 0) {
		rc = read_line(STDIN_FILENO, buf, cap, len);
		int saved = errno;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
		errno = saved;
	}
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	return rc;
}

static int tty_password(struct ctl_password *pw, const char *name)
{
	char prompt[POLYCHAT_NAME_MAX + 32];
	struct ctl_password again = { .len = 0 };
	snprintf(prompt, sizeof(prompt), "New password for %s: ", name);
	int rc = tty_read(prompt, pw->buf, sizeof(pw->buf), &pw->len);
	if (rc == 0)
		rc = tty_read("Again: ", again.buf, sizeof(again.buf), &again.len);
	if (rc == -1) {
		fprintf(stderr, "polychatctl: cannot read the password from the "
			"terminal: %s\n", strerror(errno));
		rc = CTL_USAGE;
	} else if (rc == 0 && (again.len != pw->len ||
			memcmp(again.buf, pw->buf, pw->len) != 0)) {
		fprintf(stderr, "polychatctl: the passwords do not match\n");
		rc = CTL_USAGE;
	}
	ctl_password_wipe(&again);
	return rc;
}

/* ctl_password_get - see ctl.h. */
int ctl_password_get(struct ctl_password *pw, const char *name,
	const char *file, int random)
{
	const char *env = getenv("POLYCHAT_PASSWORD");
	int rc;
	pw->len = 0;
	pw->generated = 0;
	if (random)
		return random_password(pw);
	if (file) {
		rc = file_password(pw, file);
	} else if (env && env[0]) {
		size_t n = strlen(env);
		rc = n < sizeof(pw->buf) ? CTL_OK : TOO_LONG;
		if (rc == CTL_OK) {
			memcpy(pw->buf, env, n);
			pw->len = n;
		}
	} else if (isatty(STDIN_FILENO)) {
		rc = tty_password(pw, name);
	} else {
		fprintf(stderr, "polychatctl: no password given: use --password-file "
			"FILE, --random or $POLYCHAT_PASSWORD, or run on a terminal\n");
		return CTL_USAGE;
	}
	if (rc == CTL_OK && pw->len > CTL_PASSWORD_MAX)
		rc = TOO_LONG;
	if (rc == TOO_LONG)
		fprintf(stderr, "polychatctl: the password is longer than %d bytes\n",
			CTL_PASSWORD_MAX);
	else if (rc == CTL_OK && pw->len == 0)
		fprintf(stderr, "polychatctl: the password is empty\n");
	if (rc == CTL_OK && pw->len > 0)
		return CTL_OK;
	ctl_password_wipe(pw);
	return CTL_USAGE;
}

/* ctl_password_wipe - see ctl.h. */
void ctl_password_wipe(struct ctl_password *pw)
{
	explicit_bzero(pw->buf, sizeof(pw->buf));
	pw->len = 0;
}
