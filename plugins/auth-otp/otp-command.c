/* SPDX-License-Identifier: MIT */
/* Auth method `otp`: handing a code to the operator's delivery program, bounded in time. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <polychat/status.h>

#include "otp-command.h"

extern char **environ;

/* Between two looks at the child: short beside any useful timeout. */
#define POLL_NS 5000000L

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for `pid` until the deadline; kill its group then. Returns the
 * wait status, or -1 when it had to be killed. */
static int reap(pid_t pid, long long deadline)
{
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = POLL_NS }, NULL);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int otp_command_run(const char *program, const char *realm, const char *subject,
	const char *code, unsigned timeout_ms, char *why, size_t why_len)
{
	/* A socket, not a pipe, for stdin: a program that exits without
	 * reading must not raise SIGPIPE in the daemon (MSG_NOSIGNAL). */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(why, why_len, "cannot make its input: %s", strerror(errno));
		return POLYCHAT_EIO;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	/* Its own process group, so a timeout kills what it started too;
	 * default signal handling, whatever the daemon ignores. */
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
		POSIX_SPAWN_SETSIGDEF);
	char *const argv[] = { (char *)program, (char *)realm, (char *)subject, NULL };
	pid_t pid;
	int err = posix_spawn(&pid, program, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	if (err != 0) {
		close(sv[0]);
		snprintf(why, why_len, "cannot start %s: %s", program, strerror(err));
		return POLYCHAT_EIO;
	}
	long long deadline = now_ms() + timeout_ms;
	char line[16];
	int len = snprintf(line, sizeof(line), "%s\n", code);
	/* A few bytes always fit the socket buffer: this does not block. */
	ssize_t sent = send(sv[0], line, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	memset(line, 0, sizeof(line));
	close(sv[0]);
	int status = reap(pid, deadline);
	if (status == -1) {
		snprintf(why, why_len, "%s did not finish within %u ms: killed", program, timeout_ms);
		return POLYCHAT_EIO;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, why_len, "%s died of signal %d", program, WTERMSIG(status));
		return POLYCHAT_EIO;
	}
	if (WEXITSTATUS(status) != 0) {
		snprintf(why, why_len, "%s exited with status %d", program, WEXITSTATUS(status));
		return POLYCHAT_EIO;
	}
	if (sent != len) {
		snprintf(why, why_len, "%s did not get the code", program);
		return POLYCHAT_EIO;
	}
	return 0;
}
