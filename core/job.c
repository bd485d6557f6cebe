/* SPDX-License-Identifier: MIT */
/* Thread-pool jobs with completion on the loop thread, tied to an owner. */
#include <stdlib.h>

#include "conn.h"
#include "job.h"
#include "listener.h"

struct pc_job {
	uv_work_t req;
	polychat_work_fn *work;
	polychat_done_fn *done;
	void *arg;
	struct polychat_conn *conn;
	struct polychat_listener *listener;
	struct pc_job *prev, *next;
};

/* Every job not yet done, so shutdown can cancel those still queued. */
static struct pc_job *jobs_head;
static unsigned jobs_pending;

static void job_work(uv_work_t *req)
{
	struct pc_job *job = req->data;
	job->work(job->arg);
}

static void job_after(uv_work_t *req, int status)
{
	struct pc_job *job = req->data;

	if (job->prev)
		job->prev->next = job->next;
	else
		jobs_head = job->next;
	if (job->next)
		job->next->prev = job->prev;
	jobs_pending--;

	job->done(job->arg, status == UV_ECANCELED ? POLYCHAT_ECANCELED : 0);
	/* Only now may the owner go: its done callback has run. */
	if (job->conn)
		pc_conn_job_finished(job->conn);
	else
		pc_listener_job_finished(job->listener);
	free(job);
}

/* pc_job_submit - see job.h. */
int pc_job_submit(uv_loop_t *loop, struct polychat_conn *conn,
	struct polychat_listener *listener, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	if (!work || !done || (!conn == !listener))
		return POLYCHAT_EINVAL;
	struct pc_job *job = calloc(1, sizeof(*job));
	if (!job)
		return POLYCHAT_ENOMEM;
	job->req.data = job;
	job->work = work;
	job->done = done;
	job->arg = arg;
	job->conn = conn;
	job->listener = listener;
	if (uv_queue_work(loop, &job->req, job_work, job_after) != 0) {
		free(job);
		return POLYCHAT_EBUSY;
	}
	job->next = jobs_head;
	if (jobs_head)
		jobs_head->prev = job;
	jobs_head = job;
	jobs_pending++;
	if (conn)
		pc_conn_job_started(conn);
	else
		pc_listener_job_started(listener);
	return 0;
}

/* pc_job_cancel_pending - see job.h. */
void pc_job_cancel_pending(void)
{
	/* uv_cancel fails harmlessly for jobs already running. */
	for (struct pc_job *job = jobs_head; job; job = job->next)
		uv_cancel((uv_req_t *)&job->req);
}

/* pc_job_pending - see job.h. */
unsigned pc_job_pending(void)
{
	return jobs_pending;
}
