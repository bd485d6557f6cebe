/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`, server half: handing out stored messages (1608), acknowledged to the store only once written, one at a time per client. */
#include <stdio.h>
#include <string.h>

#include "e2ee-session.h"

/* One 1608 on its way: who to tell, and what to remove from the store.
 * `s` is NULL once the session may be gone (the acknowledgement then runs
 * as a listener job, which the instance outlives). */
struct handout {
	struct e2ee_instance *inst;
	struct e2ee_session *s;
	uint64_t id;
	int rc;
};

static void ack_work(void *arg)
{
	struct handout *h = arg;
	h->rc = h->inst->store->ops->queue_ack(h->inst->store->db, h->id);
}

static void ack_done(void *arg, int status)
{
	struct handout *h = arg;
	const struct polychat_host *host = h->inst->host;
	/* ENOTFOUND: another connection of the same phone took it first. */
	if (status == 0 && h->rc != 0 && h->rc != POLYCHAT_ENOTFOUND)
		host->log(POLYCHAT_LOG_WARNING, h->inst->name,
			"queued message %llu was delivered but stays stored (%s): it will be delivered again",
			(unsigned long long)h->id, polychat_strerror(h->rc));
	if (h->s)
		e2ee_idle(h->s);
	host->free(h);
}

static void handout_written(void *arg, int status)
{
	struct handout *h = arg;
	const struct polychat_host *host = h->inst->host;

	if (status != 0) {
		/* Never written: it stays queued for the next login. */
		if (h->s)
			e2ee_idle(h->s);
		host->free(h);
		return;
	}
	int rc = host->conn_job(h->s->conn, ack_work, ack_done, h);
	if (rc == POLYCHAT_ECLOSED) {
		/* The connection is closing with its last frames flushed:
		 * the acknowledgement must not wait for the session. */
		h->s = NULL;
		rc = host->listener_job(h->inst->listener, ack_work, ack_done, h);
	}
	if (rc != 0) {
		host->log(POLYCHAT_LOG_WARNING, h->inst->name,
			"queued message %llu was delivered but stays stored (%s): it will be delivered again",
			(unsigned long long)h->id, polychat_strerror(rc));
		if (h->s)
			e2ee_idle(h->s);
		host->free(h);
	}
}

void e2ee_handout_write(struct e2ee_session *s, const char *sender, uint64_t id,
	const uint8_t *blob, size_t blob_len)
{
	struct e2ee_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	uint8_t phone[E2EE_PHONE_LEN];
	uint8_t frame[E2EE_PACKET_MAX];

	s->busy = 1;
	e2ee_phone_field(phone, sender);
	long n = e2ee_response_build(frame, sizeof(frame), E2EE_RESP_MESSAGE, phone,
		sizeof(phone), blob, blob_len, NULL, 0, NULL, 0);
	struct handout *h = n > 0 ? host->calloc(1, sizeof(*h)) : NULL;
	if (!h) {
		/* Too large cannot happen (829 bounds the blob); out of
		 * memory leaves it queued. */
		host->log(POLYCHAT_LOG_WARNING, inst->name,
			"%s: queued message %llu not handed out now: %s", host->conn_peer(s->conn),
			(unsigned long long)id, n > 0 ? "out of memory" : "too large");
		e2ee_idle(s);
		return;
	}
	h->inst = inst;
	h->s = s;
	h->id = id;
	if (id > s->last_handout)
		s->last_handout = id;
	if (host->conn_write_notify(s->conn, frame, (size_t)n, handout_written, h) != 0) {
		host->free(h);
		e2ee_idle(s);
	}
}

void e2ee_poke(struct e2ee_session *s, const char *sender)
{
	for (unsigned i = 0; i < s->n_pokes; i++)
		if (strcmp(s->pokes[i], sender) == 0)
			return;
	if (s->n_pokes == E2EE_POKES_MAX)
		return;
	snprintf(s->pokes[s->n_pokes++], sizeof(s->pokes[0]), "%s", sender);
	if (!s->busy)
		e2ee_idle(s);
}

static void peek_work(void *arg)
{
	struct e2ee_job *job = arg;
	struct e2ee_instance *inst = job->s->inst;
	struct polychat_queued item;
	job->rc = inst->store->ops->queue_peek(inst->store->db, inst->realm,
		job->s->phone, job->sender[0] ? job->sender : NULL, &item);
	if (job->rc == 0 && strlen(item.sender) >= sizeof(job->sender)) {
		/* Only 829 queues, with a 10-byte phone: not ours. */
		inst->host->free(item.body);
		job->rc = POLYCHAT_EPROTO;
	}
	if (job->rc == 0) {
		memcpy(job->sender, item.sender, strlen(item.sender) + 1);
		job->queued_id = item.id;
		job->payload = item.body;
		job->payload_len = item.body_len;
	}
}

static void peek_done(void *arg, int status)
{
	struct e2ee_job *job = arg;
	struct e2ee_session *s = job->s;
	const struct polychat_host *host = s->inst->host;

	if (status == 0 && job->rc == 0)
		e2ee_handout_write(s, job->sender, job->queued_id, job->payload,
			job->payload_len);
	else
		e2ee_idle(s);
	e2ee_job_free(host, job);
}

int e2ee_pump(struct e2ee_session *s)
{
	const struct polychat_host *host = s->inst->host;
	if (s->busy || s->n_pokes == 0 || !s->phone[0])
		return 0;
	struct e2ee_job *job = host->calloc(1, sizeof(*job));
	if (!job)
		return 0;
	job->s = s;
	memcpy(job->sender, s->pokes[0], sizeof(job->sender));
	s->n_pokes--;
	memmove(s->pokes[0], s->pokes[1], s->n_pokes * sizeof(s->pokes[0]));
	s->busy = 1;
	host->conn_pause(s->conn);
	if (host->conn_job(s->conn, peek_work, peek_done, job) != 0) {
		e2ee_job_free(host, job);
		s->busy = 0;
		return 0;
	}
	return 1;
}
