/* SPDX-License-Identifier: MIT */
/* Lines from stdin delivered on the loop thread, whatever stdin is (tty, pipe, file). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "input.h"

/* A typed line longer than this is cut: chat protocols cap far lower. */
#define INPUT_LINE_MAX 65536

struct pc_input_line {
	struct pc_input_line *next;
	size_t len;
	int secret;          /* wiped before it is freed */
	char text[];
};

/*
 * The terminal while a secret is typed. It is process-wide, as the
 * terminal is: tty_saved holds the modes to put back while echo_off is
 * set. A signal handler reads both without a lock, so echo_off is set only
 * once tty_saved is complete. Lock order: pc_input.lock, then tty_lock.
 */
static struct termios tty_saved;
static volatile sig_atomic_t echo_off;
static pthread_mutex_t tty_lock = PTHREAD_MUTEX_INITIALIZER;
static int tty_hooked; /* under tty_lock: atexit and signal handlers set */
static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Put the saved modes back. Async-signal-safe (tcsetattr is), so the
 * signal handler and the exit hook call it without the lock. */
static void echo_restore_raw(void)
{
	if (echo_off) {
		tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
		echo_off = 0;
	}
}

static void echo_restore(void)
{
	pthread_mutex_lock(&tty_lock);
	echo_restore_raw();
	pthread_mutex_unlock(&tty_lock);
}

/* A signal that would end the process with echo off: give the terminal
 * back, then die of the same signal as before. */
static void on_fatal_signal(int sig)
{
	int saved_errno = errno;
	echo_restore_raw();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved_errno;
}

/* Under tty_lock. Only signals left at their default (ending the process)
 * get a handler, so nothing else about them changes. */
static void tty_hook(void)
{
	if (tty_hooked)
		return;
	tty_hooked = 1;
	atexit(echo_restore_raw);
	for (size_t i = 0; i < sizeof(tty_signals) / sizeof(tty_signals[0]); i++) {
		struct sigaction old, sa;
		if (sigaction(tty_signals[i], NULL, &old) != 0 ||
		    (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(tty_signals[i], &sa, NULL);
	}
}

/* Echo off (newlines still echoed) if stdin is our foreground terminal. */
static void echo_disable(void)
{
	struct termios quiet;
	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return;
	pthread_mutex_lock(&tty_lock);
	if (!echo_off && tcgetattr(STDIN_FILENO, &tty_saved) == 0) {
		tty_hook();
		quiet = tty_saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		quiet.c_lflag |= ECHONL;
		echo_off = 1;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0)
			echo_off = 0;
	}
	pthread_mutex_unlock(&tty_lock);
}

static void line_free(struct pc_input_line *line)
{
	if (line && line->secret)
		explicit_bzero(line->text, line->len);
	free(line);
}

static void on_async(uv_async_t *handle)
{
	struct pc_input *in = handle->data;
	for (;;) {
		pthread_mutex_lock(&in->lock);
		struct pc_input_line *line = in->head;
		if (line) {
			in->head = line->next;
			if (!in->head)
				in->tail = NULL;
		}
		int eof = !line && in->eof == 1;
		if (eof)
			in->eof = 2; /* reported once */
		pthread_mutex_unlock(&in->lock);
		if (line) {
			if (!in->stopped)
				in->fn(in->arg, line->text, line->len);
			line_free(line);
			continue;
		}
		if (eof && !in->stopped)
			in->fn(in->arg, NULL, 0);
		return;
	}
}

/* A blocking reader: a thread works for a tty, a pipe and a regular file
 * alike, where a poll-based reader would not. */
static void *reader(void *arg)
{
	struct pc_input *in = arg;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&buf, &cap, stdin)) >= 0) {
		/* This is the line a secret was asked for: echo comes back
		 * for the next one. */
		pthread_mutex_lock(&in->lock);
		int secret = in->secret;
		in->secret = 0;
		if (secret)
			echo_restore();
		pthread_mutex_unlock(&in->lock);
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		if (n > INPUT_LINE_MAX)
			n = INPUT_LINE_MAX;
		struct pc_input_line *line = malloc(sizeof(*line) + (size_t)n + 1);
		if (!line)
			break;
		line->next = NULL;
		line->len = (size_t)n;
		line->secret = secret;
		memcpy(line->text, buf, (size_t)n);
		line->text[n] = '\0';
		if (secret)
			explicit_bzero(buf, cap);
		pthread_mutex_lock(&in->lock);
		if (in->stopped) {
			pthread_mutex_unlock(&in->lock);
			line_free(line);
			break;
		}
		if (in->tail)
			in->tail->next = line;
		else
			in->head = line;
		in->tail = line;
		uv_async_send(&in->async);
		pthread_mutex_unlock(&in->lock);
	}
	if (buf)
		explicit_bzero(buf, cap);
	free(buf);
	pthread_mutex_lock(&in->lock);
	/* End of input while a secret was asked for: nothing more will be
	 * typed into this process. */
	in->secret = 0;
	echo_restore();
	if (!in->stopped) {
		in->eof = 1;
		uv_async_send(&in->async);
	}
	pthread_mutex_unlock(&in->lock);
	return NULL;
}

/* pc_input_init - see input.h. */
void pc_input_init(struct pc_input *in, uv_loop_t *loop, pc_input_fn *fn, void *arg)
{
	memset(in, 0, sizeof(*in));
	pthread_mutex_init(&in->lock, NULL);
	uv_async_init(loop, &in->async, on_async);
	in->async.data = in;
	in->fn = fn;
	in->arg = arg;
}

/* pc_input_start - see input.h. */
void pc_input_start(struct pc_input *in)
{
	pthread_t thread;
	if (in->started || in->stopped)
		return;
	in->started = 1;
	if (pthread_create(&thread, NULL, reader, in) == 0)
		pthread_detach(thread);
}

/* pc_input_secret - see input.h. */
void pc_input_secret(struct pc_input *in)
{
	/* One lock around the flag and the terminal, so the reader cannot
	 * take the flag (and restore echo) before echo is off. */
	pthread_mutex_lock(&in->lock);
	if (!in->stopped) {
		in->secret = 1;
		echo_disable();
	}
	pthread_mutex_unlock(&in->lock);
}

/* pc_input_stop - see input.h. */
void pc_input_stop(struct pc_input *in)
{
	pthread_mutex_lock(&in->lock);
	int was = in->stopped;
	in->stopped = 1;
	in->secret = 0;
	echo_restore();
	pthread_mutex_unlock(&in->lock);
	/* Under the lock the reader no longer signals, so closing is safe. */
	if (!was)
		uv_close((uv_handle_t *)&in->async, NULL);
}

/* pc_input_fini - see input.h. */
void pc_input_fini(struct pc_input *in)
{
	pthread_mutex_lock(&in->lock);
	while (in->head) {
		struct pc_input_line *next = in->head->next;
		line_free(in->head);
		in->head = next;
	}
	in->tail = NULL;
	in->secret = 0;
	echo_restore();
	pthread_mutex_unlock(&in->lock);
}
