/* SPDX-License-Identifier: MIT */
/* polychat-bench: the servers under test as child processes (polychatd, ngIRCd, the null relay), and what /proc says about them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "proc.h"

static long long now_ms(void)
{
	return (long long)(bench_now_ns() / 1000000u);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* proc_init - see proc.h. */
int proc_init(struct proc *p, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->out_fd = -1;
	snprintf(p->what, sizeof(p->what), "%s", what);
	const char *tmp = getenv("TMPDIR");
	snprintf(p->dir, sizeof(p->dir), "%s/polychat-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->log, sizeof(p->log), "%s/server.log", p->dir);
	p->ready = calloc(PROC_MAX_LISTENERS, sizeof(*p->ready));
	return p->ready ? 0 : -1;
}

/* proc_write_file - see proc.h. */
int proc_write_file(const struct proc *p, const char *name, const char *text,
	char *path, size_t path_len)
{
	snprintf(path, path_len, "%s/%s", p->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	return close(fd);
}

static void dump_log(const struct proc *p)
{
	FILE *fp = fopen(p->log, "r");
	if (!fp)
		return;
	char line[1024];
	int lines = 0;
	fprintf(stderr, "--- %s log (%s), first lines ---\n", p->what, p->log);
	while (fgets(line, sizeof(line), fp) && lines++ < 40)
		fputs(line, stderr);
	fclose(fp);
}

/* Record a port under a name, as a readiness line gave them. */
static void note(struct proc *p, const char *name, size_t name_len, int port)
{
	if (p->n_ready >= PROC_MAX_LISTENERS || port <= 0)
		return;
	snprintf(p->ready[p->n_ready].name, sizeof(p->ready[0].name), "%.*s",
		(int)name_len, name);
	p->ready[p->n_ready].port = port;
	p->n_ready++;
}

/* "listening on ADDR:PORT suite=S listener=NAME": the port is after the
 * last ':' before " suite=" ("[::1]:5000" has more than one). */
static void note_polychat_line(struct proc *p, const char *line)
{
	const char *on = strstr(line, "listening on ");
	const char *suite = strstr(line, " suite=");
	const char *name = strstr(line, " listener=");
	if (!on || !suite || !name)
		return;
	const char *colon = NULL;
	for (const char *c = on; c < suite; c++)
		if (*c == ':')
			colon = c;
	if (colon)
		note(p, name + 10, strlen(name + 10), atoi(colon + 1));
}

/* Wait until `want` readiness lines have come on p->out_fd. */
static int wait_ready(struct proc *p, size_t want)
{
	long long deadline = now_ms() + PROC_TIMEOUT_MS;
	while (p->n_ready < want) {
		char *nl;
		while ((nl = memchr(p->outbuf, '\n', p->outlen)) != NULL) {
			*nl = '\0';
			note_polychat_line(p, p->outbuf);
			size_t used = (size_t)(nl - p->outbuf) + 1;
			memmove(p->outbuf, nl + 1, p->outlen - used);
			p->outlen -= used;
		}
		if (p->n_ready >= want)
			break;
		long long left = deadline - now_ms();
		struct pollfd pfd = { p->out_fd, POLLIN, 0 };
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			goto fail;
		if (p->outlen + 1 >= sizeof(p->outbuf))
			p->outlen = 0; /* a line that long is no readiness line */
		ssize_t n = read(p->out_fd, p->outbuf + p->outlen, sizeof(p->outbuf) - p->outlen - 1);
		if (n <= 0)
			goto fail;
		p->outlen += (size_t)n;
	}
	return 0;
fail:
	fprintf(stderr, "polychat-bench: %s reported %zu of %zu listeners in time\n", p->what,
		p->n_ready, want);
	dump_log(p);
	return -1;
}

/* fork + exec argv with stdout on a pipe (or into the log file when
 * `stdout_to_log`) and stderr into the log file. */
static int spawn(struct proc *p, char *const argv[], int stdout_to_log)
{
	int pipefd[2] = { -1, -1 };
	if (!stdout_to_log && pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	/* A fresh log per start, gone before the child runs: ngIRCd's
	 * readiness line is read from it, and an older one names an older
	 * port. */
	unlink(p->log);
	p->pid = fork();
	if (p->pid == 0) {
		int err = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (err >= 0)
			dup2(err, STDERR_FILENO);
		dup2(stdout_to_log ? err : pipefd[1], STDOUT_FILENO);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	if (!stdout_to_log) {
		close(pipefd[1]);
		p->out_fd = pipefd[0];
	}
	if (p->pid < 0) {
		if (p->out_fd >= 0)
			close(p->out_fd);
		p->out_fd = -1;
		return -1;
	}
	return 0;
}

/* proc_start_polychatd - see proc.h. */
int proc_start_polychatd(struct proc *p, const char *builddir, const char *config,
	size_t listeners)
{
	char exe[1024], cfg[512], path[4096];
	snprintf(exe, sizeof(exe), "%s/core/polychatd", builddir);
	snprintf(cfg, sizeof(cfg), "%s/%s", p->dir, config);
	snprintf(path, sizeof(path),
		"%s/plugins/store-sqlite:%s/plugins/auth-bcrypt:%s/plugins/crypto-rsa-cbc:"
		"%s/plugins/crypto-dh-aes:%s/plugins/crypto-hybrid-fernet",
		builddir, builddir, builddir, builddir, builddir);
	char *argv[] = { exe, "-c", cfg, "-p", path, NULL };
	p->n_ready = 0;
	p->outlen = 0;
	if (spawn(p, argv, 0) != 0)
		return -1;
	return wait_ready(p, listeners);
}

/* proc_start_null - see proc.h. */
int proc_start_null(struct proc *p, const char *self)
{
	char exe[1024];
	snprintf(exe, sizeof(exe), "%s", self);
	char *argv[] = { exe, "--serve-null", NULL };
	p->n_ready = 0;
	p->outlen = 0;
	if (spawn(p, argv, 0) != 0)
		return -1;
	return wait_ready(p, 1);
}

/* proc_start_ngircd - see proc.h. */
int proc_start_ngircd(struct proc *p, const char *config)
{
	char cfg[512];
	snprintf(cfg, sizeof(cfg), "%s/%s", p->dir, config);
	char exe[] = "/usr/sbin/ngircd", n[] = "-n", f[] = "-f";
	char *argv[] = { exe, n, f, cfg, NULL };
	p->n_ready = 0;
	/* ngIRCd in the foreground logs every connection on stdout: into the
	 * file, which we read for its readiness line, so it never blocks on
	 * a pipe nobody drains. */
	if (spawn(p, argv, 1) != 0)
		return -1;
	long long deadline = now_ms() + PROC_TIMEOUT_MS;
	while (now_ms() < deadline) {
		FILE *fp = fopen(p->log, "r");
		char line[1024];
		while (fp && fgets(line, sizeof(line), fp)) {
			const char *at = strstr(line, "Now listening on [");
			const char *close_br = at ? strstr(at, "]:") : NULL;
			if (close_br) {
				fclose(fp);
				note(p, "ngircd", 6, atoi(close_br + 2));
				return 0;
			}
		}
		if (fp)
			fclose(fp);
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = -1;
			break;
		}
		sleep_ms(20);
	}
	fprintf(stderr, "polychat-bench: ngIRCd did not report its port in time\n");
	dump_log(p);
	return -1;
}

/* proc_port - see proc.h. */
int proc_port(const struct proc *p, const char *listener)
{
	for (size_t i = 0; i < p->n_ready; i++)
		if (strcmp(p->ready[i].name, listener) == 0)
			return p->ready[i].port;
	return -1;
}

/* proc_stop - see proc.h. */
int proc_stop(struct proc *p)
{
	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	long long deadline = now_ms() + PROC_TIMEOUT_MS;
	int status = 0, rc = -1;
	for (;;) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			break;
		}
		if (r < 0 && errno != EINTR)
			break;
		if (now_ms() >= deadline) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			break;
		}
		sleep_ms(10);
	}
	p->pid = -1;
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->out_fd = -1;
	if (rc != 0) {
		fprintf(stderr, "polychat-bench: %s exited with status %d\n", p->what, rc);
		dump_log(p);
	}
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* proc_cleanup - see proc.h. */
void proc_cleanup(struct proc *p)
{
	if (p->pid > 0)
		proc_stop(p);
	if (p->dir[0] && nftw(p->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "polychat-bench: could not remove %s\n", p->dir);
	p->dir[0] = '\0';
	free(p->ready);
	p->ready = NULL;
}

/* proc_rss_kib - see proc.h. */
long proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *fp = fopen(path, "r");
	long kib = -1;
	while (fp && fgets(line, sizeof(line), fp))
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	if (fp)
		fclose(fp);
	return kib;
}

/* proc_cpu_s - see proc.h. */
double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* Fields 14 and 15 (utime, stime) follow the command name, which
	 * is in parentheses and may itself hold spaces. */
	char *rp = strrchr(buf, ')');
	if (!rp)
		return -1;
	unsigned long utime = 0, stime = 0;
	if (sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		    &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* proc_self_cpu_s - see proc.h. */
double proc_self_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* proc_free_port - see proc.h. */
int proc_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* proc_first_line - see proc.h. */
void proc_first_line(const char *cmd, char *out, size_t len)
{
	out[0] = '\0';
	FILE *fp = popen(cmd, "r");
	if (!fp)
		return;
	if (fgets(out, (int)len, fp))
		out[strcspn(out, "\r\n")] = '\0';
	/* Drain the rest so the command is not killed by SIGPIPE mid-way. */
	char scratch[256];
	while (fgets(scratch, sizeof(scratch), fp))
		;
	pclose(fp);
}
