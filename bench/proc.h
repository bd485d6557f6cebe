/* SPDX-License-Identifier: MIT */
/* polychat-bench: the servers under test as child processes (polychatd, ngIRCd, the null relay), and what /proc says about them. */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

#include <stddef.h>
#include <sys/types.h>

#define PROC_MAX_LISTENERS 1024
/* Bound on start-up (readiness lines) and on a stop before SIGKILL. */
#define PROC_TIMEOUT_MS 30000

struct proc {
	pid_t pid;
	int out_fd;               /* the child's stdout: readiness lines */
	char dir[256];            /* private temp dir: config, state, logs */
	char log[320];            /* the child's stderr (and ngIRCd's stdout) */
	char what[32];            /* "polychatd", "ngircd", "null relay" */
	char outbuf[8192];
	size_t outlen;
	struct {
		char name[64];
		int port;
	} *ready;                 /* PROC_MAX_LISTENERS entries */
	size_t n_ready;
};

/* A private temp dir under $TMPDIR (or /tmp). 0 or -1. */
int proc_init(struct proc *p, const char *what);
/* Write `text` to dir/name (mode 0600); path of it into `path`. 0 or -1. */
int proc_write_file(const struct proc *p, const char *name, const char *text,
	char *path, size_t path_len);

/*
 * Start the built polychatd on dir/`config` with the plugins of the build,
 * its stdout a pipe, stderr into p->log; wait for `listeners` readiness
 * lines ("listening on ADDR:PORT suite=S listener=NAME"), bounded. 0, or
 * -1 after printing the child's log.
 */
int proc_start_polychatd(struct proc *p, const char *builddir, const char *config,
	size_t listeners);
/* Start this program as the null relay (--serve-null), same contract. */
int proc_start_null(struct proc *p, const char *self);
/* Start ngIRCd in the foreground on dir/`config` and wait for its "Now
 * listening on [ADDR]:PORT" line (its log is its stdout). The port is
 * recorded under the name "ngircd". 0 or -1. */
int proc_start_ngircd(struct proc *p, const char *config);

/* The port a readiness line gave `listener`, or -1. */
int proc_port(const struct proc *p, const char *listener);
/* SIGTERM, wait (SIGKILL after the bound). Returns the exit status, or -1
 * when it had to be killed or died of a signal (the log is printed). */
int proc_stop(struct proc *p);
/* Stop it if running, remove the temp dir, free what proc_init took. */
void proc_cleanup(struct proc *p);

/* VmRSS of a process in KiB, or -1. */
long proc_rss_kib(pid_t pid);
/* CPU seconds (user + system) a process has used, or -1. */
double proc_cpu_s(pid_t pid);
/* CPU seconds this process has used, every thread. */
double proc_self_cpu_s(void);
/* A free loopback TCP port, for servers that cannot take port 0. -1 on error. */
int proc_free_port(void);
/* The first line of `cmd`'s output into `out` (popen, bounded), or "". */
void proc_first_line(const char *cmd, char *out, size_t len);

#endif /* BENCH_PROC_H */
