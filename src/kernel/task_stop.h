/*
 * task_stop.h - external stops of single tasks (the debugger's stop TID
 * and cont TID). kernel_pause()/kernel_unpause() are in kernel.h.
 */
#ifndef SENTRY_KERNEL_TASK_STOP_H
#define SENTRY_KERNEL_TASK_STOP_H

#include <sys/types.h>

struct kernel;
struct task;

/* Adds delta to t's external stop count and has the platform interrupt
 * (delta > 0) or release (count back to 0) the task. Preconditions:
 * k->ext_mu held. */
void task_external_stop(struct kernel *k, struct task *t, int delta);

/* stop TID: one more external stop of the task. Returns 0 or -ESRCH. */
int task_stop_external(struct kernel *k, pid_t tid);
/* cont TID: undoes one stop TID. Returns 0, -ESRCH, or -EINVAL when the
 * task has no stop of its own to undo. */
int task_cont_external(struct kernel *k, pid_t tid);

#endif
