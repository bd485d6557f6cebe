/* SPDX-License-Identifier: MIT */
/* Plugin timers owned by a connection or a listener, stopped with their owner. */
#include <stdlib.h>

#include "timer.h"

/*
 * A handle stays valid until the plugin can no longer hold it legitimately:
 * until it stops it itself, until a one-shot timer has fired, or until the
 * owner is released (after session_close / instance destroy). Stopping the
 * owner only silences the timers, so a plugin that stops a saved handle in
 * its close callback touches live memory.
 */
struct polychat_timer {
	uv_timer_t handle;
	struct pc_timer_list *list;
	struct polychat_timer *prev, *next;
	polychat_timer_fn *fn;
	void *arg;
	int firing;         /* inside fn: nothing may free it now */
	int stopped;        /* stopped by the plugin: goes away at once */
	int owner_stopped;  /* silenced with its owner: freed at release */
};

static void timer_closed(uv_handle_t *handle)
{
	free(handle->data);
}

static void timer_unlink(struct polychat_timer *t)
{
	if (!t->list)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		t->list->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->list = NULL;
	t->prev = t->next = NULL;
}

static void timer_free(struct polychat_timer *t)
{
	timer_unlink(t);
	uv_timer_stop(&t->handle);
	uv_close((uv_handle_t *)&t->handle, timer_closed);
}

static void timer_fired(uv_timer_t *handle)
{
	struct polychat_timer *t = handle->data;

	t->firing = 1;
	t->fn(t->arg);
	t->firing = 0;
	if (t->stopped)
		timer_free(t);
	else if (t->owner_stopped)
		return; /* the owner's release frees it */
	else if (uv_timer_get_repeat(handle) == 0)
		timer_free(t);
}

/* pc_timer_start - see timer.h. */
struct polychat_timer *pc_timer_start(uv_loop_t *loop, struct pc_timer_list *list,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg)
{
	if (!fn)
		return NULL;
	struct polychat_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	uv_timer_init(loop, &t->handle);
	t->handle.data = t;
	t->fn = fn;
	t->arg = arg;
	t->list = list;
	t->next = list->head;
	if (list->head)
		list->head->prev = t;
	list->head = t;
	uv_timer_start(&t->handle, timer_fired, ms, repeat_ms);
	return t;
}

/* pc_timer_stop - see timer.h. */
void pc_timer_stop(struct polychat_timer *t)
{
	/* A timer silenced with its owner is freed when the owner is
	 * released; stopping it meanwhile is a no-op. */
	if (!t || t->stopped || t->owner_stopped)
		return;
	t->stopped = 1;
	uv_timer_stop(&t->handle);
	timer_unlink(t);
	if (!t->firing)
		timer_free(t);
}

/* pc_timer_stop_all - see timer.h. */
void pc_timer_stop_all(struct pc_timer_list *list)
{
	for (struct polychat_timer *t = list->head; t; t = t->next) {
		t->owner_stopped = 1;
		uv_timer_stop(&t->handle);
	}
}

/* pc_timer_release_all - see timer.h. */
void pc_timer_release_all(struct pc_timer_list *list)
{
	while (list->head) {
		struct polychat_timer *t = list->head;
		timer_unlink(t);
		if (t->firing)
			t->stopped = 1; /* timer_fired frees it when fn returns */
		else
			timer_free(t);
	}
}
