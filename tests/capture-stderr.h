/* SPDX-License-Identifier: MIT */
/* Capturing what code under test writes to stderr, for tests of error output. */
#ifndef PC_CAPTURE_STDERR_H
#define PC_CAPTURE_STDERR_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct pc_capture {
	int fd;     /* the unlinked temp file that receives stderr */
	int saved;  /* the real stderr, restored by pc_capture_end */
};

/* Send stderr (fd 2) to a private unlinked temp file. */
static inline void pc_capture_begin(struct pc_capture *c)
{
	char name[] = "/tmp/pc-test-stderr-XXXXXX";
	c->fd = mkstemp(name);
	ck_assert_int_ge(c->fd, 0);
	unlink(name);
	fflush(stderr);
	c->saved = dup(2);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_eq(dup2(c->fd, 2), 2);
}

/* Restore stderr and copy what was written (NUL-terminated, at most
 * len - 1 bytes) into `buf`; fails the test if nothing was written. */
static inline void pc_capture_end(struct pc_capture *c, char *buf, size_t len)
{
	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	ssize_t n = pread(c->fd, buf, len - 1, 0);
	close(c->fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
}

#endif /* PC_CAPTURE_STDERR_H */
