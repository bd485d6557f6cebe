/* SPDX-License-Identifier: MIT */
/* Plugin timers owned by a connection or a listener, stopped with their owner. */
#ifndef PC_TIMER_H
#define PC_TIMER_H

#include <stdint.h>
#include <uv.h>

#include <polychat/host.h>

struct pc_timer_list {
	struct polychat_timer *head;
};

/* Start a timer on `list`; see polychat_host.conn_timer. NULL on ENOMEM. */
struct polychat_timer *pc_timer_start(uv_loop_t *loop, struct pc_timer_list *list,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg);
/* Stop one timer (a plugin's call); its callback is never called again and
 * the handle is gone. Accepts NULL and a timer its owner already stopped. */
void pc_timer_stop(struct polychat_timer *timer);
/* Silence every timer of a list (the owner is closing); the handles stay
 * valid, so a plugin may still pass them to pc_timer_stop. */
void pc_timer_stop_all(struct pc_timer_list *list);
/* Free every timer of a list (the owner is being released). */
void pc_timer_release_all(struct pc_timer_list *list);

#endif /* PC_TIMER_H */
