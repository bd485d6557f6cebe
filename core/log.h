/* SPDX-License-Identifier: MIT */
/* Logging to stderr and optionally syslog; never given message plaintext. */
#ifndef PC_LOG_H
#define PC_LOG_H

#include <stdarg.h>

/* Set the most verbose level printed and whether lines also go to syslog.
 * `ident` names the program in syslog. */
void pc_log_setup(int level, int use_syslog, const char *ident);
/* Log one line "LEVEL who: text" (thread-safe: one write per line). */
void pc_log(int level, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pc_vlog(int level, const char *who, const char *fmt, va_list ap);
/* Parse "error".."debug"; returns the level or -1. */
int pc_log_level_parse(const char *name);

#endif /* PC_LOG_H */
