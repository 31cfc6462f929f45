/*
 * This file implements external stops (gVisor's Task.stopCount and
 * TaskSet.BeginExternalStop): the debugger's pause of the whole kernel and
 * its stop of a single task. Internal stops (group stop, vfork, ptrace)
 * are recorded in task.stop by the code that causes them.
 *
 * The kernel counts; the platform holds. A task whose stop_count is
 * non-zero is kept in a host ptrace-stop by the platform at its next stop
 * (the platform interrupts running tasks to get there), and let go when
 * the count returns to zero.
 */
#include <errno.h>
#include <stdlib.h>

#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/task_stop.h"
#include "platform/platform.h"

bool task_should_hold(struct kernel *k, struct task *t)
{
	return __atomic_load_n(&t->stop_count, __ATOMIC_ACQUIRE) > 0;
}

/* Adjusts the external stop count of every task by delta and asks the
 * platform to interrupt or release each. Preconditions: ext_mu held. */
static void ts_external_stop_all(struct kernel *k, int delta)
{
	pid_t *tids;
	int n = ts_list_tids(k, false, &tids);

	/* Tasks created from here on copy pause_depth, which the caller has
	 * already changed, so none is missed or counted twice. */
	for (int i = 0; i < n; i++) {
		struct task *t = task_get_by_tid(k, tids[i]);

		if (!t)
			continue;
		task_external_stop(k, t, delta);
		task_put(t);
	}
	if (n > 0)
		free(tids);
}

void task_external_stop(struct kernel *k, struct task *t, int delta)
{
	int count;

	task_lock_signals(t);
	count = __atomic_add_fetch(&t->stop_count, delta, __ATOMIC_ACQ_REL);
	if (count < 0) /* a task that started while paused: already released */
		__atomic_store_n(&t->stop_count, 0, __ATOMIC_RELEASE);
	task_unlock_signals(t);
	if (!k->plat)
		return;
	if (delta > 0)
		k->plat->ops->interrupt(k->plat, t);
	else if (count <= 0)
		k->plat->ops->release(k->plat, t);
}

int kernel_pause(struct kernel *k)
{
	pthread_mutex_lock(&k->ext_mu);
	__atomic_add_fetch(&k->pause_depth, 1, __ATOMIC_ACQ_REL);
	ts_external_stop_all(k, 1);
	pthread_mutex_unlock(&k->ext_mu);
	/* Wait for the stops outside ext_mu: the platform thread may need
	 * ext_mu (a catchpoint pausing the kernel) to get there. */
	if (k->plat && k->plat->ops->quiesce)
		return k->plat->ops->quiesce(k->plat, 2000);
	return 0;
}

int kernel_unpause(struct kernel *k)
{
	pthread_mutex_lock(&k->ext_mu);
	if (k->pause_depth == 0) {
		pthread_mutex_unlock(&k->ext_mu);
		return -EINVAL;
	}
	__atomic_sub_fetch(&k->pause_depth, 1, __ATOMIC_ACQ_REL);
	ts_external_stop_all(k, -1);
	pthread_mutex_unlock(&k->ext_mu);
	return 0;
}

bool kernel_paused(const struct kernel *k)
{
	return __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE) > 0;
}

int task_stop_external(struct kernel *k, pid_t tid)
{
	struct task *t = task_get_by_tid(k, tid);

	if (!t)
		return -ESRCH;
	pthread_mutex_lock(&k->ext_mu);
	task_external_stop(k, t, 1);
	pthread_mutex_unlock(&k->ext_mu);
	task_put(t);
	return 0;
}

int task_cont_external(struct kernel *k, pid_t tid)
{
	struct task *t = task_get_by_tid(k, tid);
	int err = 0;

	if (!t)
		return -ESRCH;
	pthread_mutex_lock(&k->ext_mu);
	/* Only undo stops made by "stop TID"; the kernel's pause is undone
	 * by resume. */
	if (__atomic_load_n(&t->stop_count, __ATOMIC_ACQUIRE) <=
	    __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE))
		err = -EINVAL;
	else
		task_external_stop(k, t, -1);
	pthread_mutex_unlock(&k->ext_mu);
	task_put(t);
	return err;
}
