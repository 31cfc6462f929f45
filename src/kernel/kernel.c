/*
 * This file implements struct kernel: initialisation, statistics and the
 * catchpoint hook. Pause and unpause are in task_stop.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/task_set_internal.h"
#include "kernel/timing.h"

int kernel_init(struct kernel *k, struct platform *plat, const char *name)
{
	int err;

	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->ext_mu, NULL);
	k->plat = plat;
	k->init_exit_status = -1;
	k->boot_realtime_ns = clock_now_ns(CLOCK_REALTIME);
	k->boot_monotonic_ns = clock_now_ns(CLOCK_MONOTONIC);
	snprintf(k->name, sizeof(k->name), "%s", name ? name : "sentry");
	sig_users_init(&k->sig_users);
	err = ts_init(&k->ts);
	if (err < 0)
		ts_destroy(&k->ts);
	return err;
}

void kernel_destroy(struct kernel *k)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	/* Release every thread group still in the tree as if reaped, then
	 * wait for the RCU callbacks that free them before the tables go. */
	pthread_rwlock_wrlock(&k->ts.mu);
	rcu_read_lock();
	ts_for_each_node(k->ts.tgs, &iter, node) {
		struct thread_group *tg =
			caa_container_of(node, struct thread_group, ts_node);

		if (tg->state != TG_DEAD) {
			/* Children first would be tidier; reaping detaches
			 * each group from its parent either way. */
			tg_reap_locked(k, tg);
		}
	}
	rcu_read_unlock();
	pthread_rwlock_unlock(&k->ts.mu);
	rcu_barrier();
	ts_destroy(&k->ts);
	sig_users_destroy(&k->sig_users); /* after the last queue is freed */
	pthread_mutex_destroy(&k->ext_mu);
	free(k->default_cpus_hex);
	free(k->default_cpus_list);
}

int kernel_set_default_affinity(struct kernel *k, const cpu_set_t *cpus,
				const char *hex, const char *list)
{
	char *h = strdup(hex), *l = strdup(list);

	if (!h || !l) {
		free(h);
		free(l);
		return -ENOMEM;
	}
	free(k->default_cpus_hex);
	free(k->default_cpus_list);
	k->default_cpus = *cpus;
	k->default_cpus_hex = h;
	k->default_cpus_list = l;
	return 0;
}

uint64_t kernel_uptime_ns(const struct kernel *k)
{
	return clock_now_ns(CLOCK_MONOTONIC) - k->boot_monotonic_ns;
}

void kernel_count_syscall(struct kernel *k, long nr, uint64_t ns,
			  bool enosys)
{
	struct syscall_stat *s;

	if (nr < 0 || nr >= KERNEL_NR_SYSCALLS)
		return;
	s = &k->syscalls[nr];
	__atomic_add_fetch(&s->count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->total_ns, ns, __ATOMIC_RELAXED);
	if (enosys)
		__atomic_add_fetch(&s->enosys, 1, __ATOMIC_RELAXED);
}

bool kernel_event(struct kernel *k, enum kernel_event ev, pid_t tid,
		  long detail)
{
	kernel_event_fn fn;
	bool pause = false;

	/* The hook runs inside an RCU read-side section so that whoever
	 * removes it can wait for calls in flight with synchronize_rcu(). */
	rcu_read_lock();
	fn = rcu_dereference(k->event_fn);
	if (fn)
		pause = fn(rcu_dereference(k->event_arg), ev, tid, detail);
	rcu_read_unlock();
	return pause;
}
