/* SPDX-License-Identifier: MIT */
/* Thread-pool jobs with completion on the loop thread, tied to an owner. */
#ifndef PC_JOB_H
#define PC_JOB_H

#include <uv.h>

#include <polychat/host.h>

/* Submit a job owned by `conn` or `listener` (exactly one non-NULL); see
 * polychat_host.conn_job. */
int pc_job_submit(uv_loop_t *loop, struct polychat_conn *conn,
	struct polychat_listener *listener, polychat_work_fn *work,
	polychat_done_fn *done, void *arg);
/* Cancel every job that has not started (shutdown): their done callbacks
 * run with POLYCHAT_ECANCELED. */
void pc_job_cancel_pending(void);
/* Jobs submitted and not yet done. */
unsigned pc_job_pending(void);

#endif /* PC_JOB_H */
