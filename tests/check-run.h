/* SPDX-License-Identifier: MIT */
/* The one way every Check program runs its suite and turns it into an exit code. */
#ifndef PC_CHECK_RUN_H
#define PC_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Run every test of `s` (fork mode as CK_FORK says), free it, and return
 * EXIT_SUCCESS only if none failed. */
static inline int pc_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* PC_CHECK_RUN_H */
