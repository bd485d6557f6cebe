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
/* The same for CPU-heavy work (see polychat_host.conn_job_cpu): at most
 * pc_job_cpu_limit() such jobs run at once, the others wait in order. */
int pc_job_submit_cpu(uv_loop_t *loop, struct polychat_conn *conn,
	struct polychat_listener *listener, polychat_work_fn *work,
	polychat_done_fn *done, void *arg);
/* One core fewer than the machine has, at least 1. */
unsigned pc_job_cpu_limit(void);
/* Cancel every job that has not started (shutdown): their done callbacks
 * run with POLYCHAT_ECANCELED. */
void pc_job_cancel_pending(void);
/* Jobs submitted and not yet done. */
unsigned pc_job_pending(void);

#endif /* PC_JOB_H */
