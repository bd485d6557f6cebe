/* SPDX-License-Identifier: MIT */
/* Plugin timers owned by a connection or a listener, stopped with their owner. */
#include <stdlib.h>

#include "timer.h"

struct polychat_timer {
	uv_timer_t handle;
	struct pc_timer_list *list;
	struct polychat_timer *prev, *next;
	polychat_timer_fn *fn;
	void *arg;
	int firing;   /* inside fn: a stop must not free under its feet */
	int stopped;
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
	uv_timer_stop(&t->handle);
}

static void timer_fired(uv_timer_t *handle)
{
	struct polychat_timer *t = handle->data;

	t->firing = 1;
	t->fn(t->arg);
	t->firing = 0;
	/* A one-shot timer is done after its call; one stopped from within
	 * its own callback is closed only now that the callback returned. */
	if (t->stopped || uv_timer_get_repeat(handle) == 0) {
		timer_unlink(t);
		uv_close((uv_handle_t *)&t->handle, timer_closed);
	}
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
	if (!t || t->stopped)
		return;
	t->stopped = 1;
	timer_unlink(t);
	if (!t->firing)
		uv_close((uv_handle_t *)&t->handle, timer_closed);
}

/* pc_timer_stop_all - see timer.h. */
void pc_timer_stop_all(struct pc_timer_list *list)
{
	while (list->head)
		pc_timer_stop(list->head);
}
