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
	/* An external stop and an emulated tracer's stop are independent
	 * reasons: either holds the task, and ending one leaves the other
	 * (a pause over gdb's stop). */
	return __atomic_load_n(&t->stop_count, __ATOMIC_ACQUIRE) > 0 ||
	       ptrace_holds(t);
}

/*
 * Changes pause_depth by delta and the external stop count of every task
 * with it, then asks the platform to interrupt or release each task.
 * Depth and counts change together under ts.mu held for writing, the lock
 * task_clone() copies pause_depth under: a task is counted by exactly the
 * pauses in effect when it joined the tree. Preconditions: ext_mu held.
 */
static int ts_external_stop_all(struct kernel *k, int delta)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct task **v = NULL;
	size_t n = 0, cap = 0;

	pthread_rwlock_wrlock(&k->ts.mu);
	__atomic_add_fetch(&k->pause_depth, delta, __ATOMIC_ACQ_REL);
	rcu_read_lock();
	ts_for_each_node(k->ts.tasks, &iter, node) {
		struct task *t = caa_container_of(node, struct task, ts_node);

		__atomic_add_fetch(&t->stop_count, delta, __ATOMIC_ACQ_REL);
		if (n == cap) {
			struct task **nv;

			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				continue; /* counted; the platform sees it at its
					     next stop */
			v = nv;
		}
		if (task_tryget(t))
			v[n++] = t;
	}
	rcu_read_unlock();
	pthread_rwlock_unlock(&k->ts.mu);
	for (size_t i = 0; i < n; i++) {
		if (k->plat) {
			if (delta > 0)
				k->plat->ops->interrupt(k->plat, v[i]);
			else if (__atomic_load_n(&v[i]->stop_count,
						 __ATOMIC_ACQUIRE) <= 0)
				k->plat->ops->release(k->plat, v[i]);
		}
		task_put(v[i]);
	}
	free(v);
	return 0;
}

void task_external_stop(struct kernel *k, struct task *t, int delta)
{
	int count;

	task_lock_signals(t);
	count = __atomic_add_fetch(&t->stop_count, delta, __ATOMIC_ACQ_REL);
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
