/* SPDX-License-Identifier: MIT */
/* Thread-pool jobs with completion on the loop thread, tied to an owner. */
#include <stdint.h>
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
	int cpu;                /* counted against cpu_limit */
	struct pc_job *waiting; /* next CPU job waiting for its turn */
};

/* Every job not yet done, so shutdown can cancel those still queued. */
static struct pc_job *jobs_head;
static unsigned jobs_pending;

/* CPU-heavy jobs (bcrypt, RSA key generation) run at most cpu_limit at a
 * time, one core fewer than the machine has, so the loop thread always
 * keeps a core: a burst of logins must not hold up every delivery. The
 * rest wait here, in order, before reaching the thread pool. */
static unsigned cpu_limit, cpu_running;
static struct pc_job *cpu_wait_head, *cpu_wait_tail;
static uv_loop_t *cpu_loop;

static void job_work(uv_work_t *req)
{
	struct pc_job *job = req->data;
	job->work(job->arg);
}

static void job_after(uv_work_t *req, int status);

/* Hand the next waiting CPU job to the thread pool, if its turn came. */
static void cpu_next(void)
{
	while (cpu_wait_head && cpu_running < cpu_limit) {
		struct pc_job *job = cpu_wait_head;
		cpu_wait_head = job->waiting;
		if (!cpu_wait_head)
			cpu_wait_tail = NULL;
		job->waiting = NULL;
		cpu_running++;
		/* uv_queue_work fails only for a NULL callback: not here. */
		uv_queue_work(cpu_loop, &job->req, job_work, job_after);
	}
}

static void job_after(uv_work_t *req, int status)
{
	struct pc_job *job = req->data;

	if (job->cpu) {
		cpu_running--;
		cpu_next();
	}

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

/* pc_job_cpu_limit - see job.h. */
unsigned pc_job_cpu_limit(void)
{
	if (!cpu_limit) {
		unsigned cores = uv_available_parallelism();
		cpu_limit = cores > 1 ? cores - 1 : 1;
	}
	return cpu_limit;
}

static int submit(uv_loop_t *loop, struct polychat_conn *conn,
	struct polychat_listener *listener, polychat_work_fn *work,
	polychat_done_fn *done, void *arg, int cpu)
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
	job->cpu = cpu;
	if (cpu && cpu_running >= pc_job_cpu_limit()) {
		cpu_loop = loop;
		if (cpu_wait_tail)
			cpu_wait_tail->waiting = job;
		else
			cpu_wait_head = job;
		cpu_wait_tail = job;
	} else if (uv_queue_work(loop, &job->req, job_work, job_after) != 0) {
		free(job);
		return POLYCHAT_EBUSY;
	} else if (cpu) {
		cpu_loop = loop;
		cpu_running++;
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

/* pc_job_submit - see job.h. */
int pc_job_submit(uv_loop_t *loop, struct polychat_conn *conn,
	struct polychat_listener *listener, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	return submit(loop, conn, listener, work, done, arg, 0);
}

/* pc_job_submit_cpu - see job.h. */
int pc_job_submit_cpu(uv_loop_t *loop, struct polychat_conn *conn,
	struct polychat_listener *listener, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	return submit(loop, conn, listener, work, done, arg, 1);
}

/* pc_job_cancel_pending - see job.h. */
void pc_job_cancel_pending(void)
{
	/* Waiting CPU jobs go to the pool now, to be cancelled with the
	 * rest (or run, if a worker takes one first: like any started job). */
	cpu_limit = UINT32_MAX;
	cpu_next();
	/* uv_cancel fails harmlessly for jobs already running. */
	for (struct pc_job *job = jobs_head; job; job = job->next)
		uv_cancel((uv_req_t *)&job->req);
}

/* pc_job_pending - see job.h. */
unsigned pc_job_pending(void)
{
	return jobs_pending;
}
