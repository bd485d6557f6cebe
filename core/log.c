/* SPDX-License-Identifier: MIT */
/* Logging to stderr and optionally syslog; never given message plaintext. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <polychat/host.h>

#include "log.h"

static atomic_int log_level = POLYCHAT_LOG_INFO;
static atomic_int log_syslog;

static const char *const level_names[] = {
	[POLYCHAT_LOG_ERROR] = "error",
	[POLYCHAT_LOG_WARNING] = "warning",
	[POLYCHAT_LOG_NOTICE] = "notice",
	[POLYCHAT_LOG_INFO] = "info",
	[POLYCHAT_LOG_DEBUG] = "debug",
};

/* pc_log_setup - see log.h. */
void pc_log_setup(int level, int use_syslog, const char *ident)
{
	atomic_store(&log_level, level);
	if (use_syslog && !atomic_load(&log_syslog))
		openlog(ident, LOG_PID, LOG_DAEMON);
	atomic_store(&log_syslog, use_syslog);
}

/* pc_log_level_parse - see log.h. */
int pc_log_level_parse(const char *name)
{
	for (int i = POLYCHAT_LOG_ERROR; i <= POLYCHAT_LOG_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

/* pc_vlog - see log.h. */
void pc_vlog(int level, const char *who, const char *fmt, va_list ap)
{
	if (level < POLYCHAT_LOG_ERROR)
		level = POLYCHAT_LOG_ERROR;
	if (level > POLYCHAT_LOG_DEBUG || level > atomic_load(&log_level))
		return;

	char text[1024];
	va_list copy;
	va_copy(copy, ap);
	vsnprintf(text, sizeof(text), fmt, copy);
	va_end(copy);
	/* One line per record even if a caller passes text with newlines. */
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';

	char stamp[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	char line[1200];
	int n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s%s%s\n", stamp,
		ts.tv_nsec / 1000000, level_names[level], who ? who : "",
		who ? ": " : "", text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* A single write keeps lines from different threads whole. */
	ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
	(void)ignored;
	if (atomic_load(&log_syslog))
		syslog(level, "%s%s%s", who ? who : "", who ? ": " : "", text);
}

/* pc_log - see log.h. */
void pc_log(int level, const char *who, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pc_vlog(level, who, fmt, ap);
	va_end(ap);
}
