/*
 * This file implements struct task allocation, references and freeing.
 * The task's life in the tree is in task_clone.c, task_exec.c and
 * task_exit.c.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/task_set_internal.h"

struct task *task_alloc(struct kernel *k, pid_t tid, pid_t host_tid)
{
	struct task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = tid;
	t->host_tid = host_tid;
	t->refs = 1;
	t->exit_signal = SIGCHLD;
	t->default_affinity = true;
	CDS_INIT_LIST_HEAD(&t->tg_node);
	sig_pending_init(&t->pending);
	ptrace_state_init(&t->ptrace);
	pthread_mutex_init(&t->mu, NULL);
	cds_lfht_node_init(&t->ts_node);
	t->start_ns = kernel_uptime_ns(k);
	t->parked_call.nr = -1;
	return t;
}

static void task_free_rcu(struct rcu_head *head)
{
	struct task *t = caa_container_of(head, struct task, rcu);

	rcu_callback_begin();
	sig_pending_clear(&t->pending);
	fdt_put(t->fdt);
	free(t->cmdline);
	free(t->sc.exec_argv);
	exec_env_put(t->env);
	exec_env_put(t->sc.exec_env);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

bool task_tryget(struct task *t)
{
	int r = __atomic_load_n(&t->refs, __ATOMIC_RELAXED);

	while (r > 0)
		if (__atomic_compare_exchange_n(&t->refs, &r, r + 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

void task_put(struct task *t)
{
	/* Readers that left the RCU read side may hold the last reference;
	 * freeing still waits a grace period for readers that found the task
	 * in the hash and have not yet tried to take a reference. */
	if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		call_rcu(&t->rcu, task_free_rcu);
}

void task_release(struct task *t)
{
	task_put(t);
}

void task_lock_signals(struct task *t)
{
	pthread_mutex_lock(&t->tg->sighand->mu);
}

void task_unlock_signals(struct task *t)
{
	pthread_mutex_unlock(&t->tg->sighand->mu);
}

pid_t task_tgid(const struct task *t)
{
	const struct thread_group *tg = CMM_LOAD_SHARED(t->tg);

	return tg ? CMM_LOAD_SHARED(tg->tgid) : 0;
}
