/* SPDX-License-Identifier: MIT */
/* polychatctl: the fields of its tab-separated output. */
#include <stdio.h>
#include <time.h>

#include "ctl.h"

/* ctl_put_field - see ctl.h. Names come from clients, so they may hold any
 * byte; escaping keeps one record per line and one field per column. */
void ctl_put_field(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

/* ctl_put_time - see ctl.h. A time gmtime cannot express is printed as
 * its number of seconds. */
void ctl_put_time(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];
	if ((int64_t)tt == t && gmtime_r(&tt, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		fputs(buf, stdout);
	else
		printf("%lld", (long long)t);
}
