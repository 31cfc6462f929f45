/*
 * This file implements the kernel's side of execve(2) and execveat(2).
 *
 * The host replaces the image; the kernel commits, when the host reports a
 * successful exec, what Linux's begin_new_exec() changes in the process
 * model:
 *
 * 1. de_thread(): a non-leader that execs takes over the leader's TID (the
 *    host does the same), the old leader leaves the tree; the other
 *    threads are killed by the host and reported dead one by one.
 * 2. Shared dispositions are unshared, caught signals reset to SIG_DFL,
 *    the alternate signal stack is cleared.
 * 3. A shared FD table is unshared (the descriptors stay; identity splits).
 * 4. comm and the command line become those of the new program.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/task_set_internal.h"

struct task *task_exec(struct kernel *k, struct task *t)
{
	struct thread_group *tg;
	struct task *old_leader = NULL;
	struct sighand *sh;

	pthread_rwlock_wrlock(&k->ts.mu);
	tg = t->tg;
	if (tg->leader != t) {
		old_leader = tg->leader;
		ts_remove_task_locked(k, old_leader);
		cds_list_del_init(&old_leader->tg_node);
		if (old_leader->exit_state < TASK_EXIT_ZOMBIE)
			tg->nr_tasks--;
		old_leader->exit_state = TASK_EXIT_DEAD;
		ts_remove_task_locked(k, t);
		t->tid = old_leader->tid;
		t->host_tid = old_leader->host_tid;
		/* The new leader reports to the parent as the old one did
		 * (Linux's de_thread()). */
		t->exit_signal = old_leader->exit_signal;
		old_leader->exit_signal = -1;
		t->start_ns = old_leader->start_ns;
		ts_insert_task_locked(k, t);
		tg->leader = t;
		/* Keep the leader first in the group's task list. */
		cds_list_del(&t->tg_node);
		cds_list_add(&t->tg_node, &tg->tasks);
	}
	tg->execed = true;
	sh = tg->sighand;
	if (__atomic_load_n(&sh->refs, __ATOMIC_ACQUIRE) > 1) {
		struct sighand *copy = sighand_copy(sh);

		if (copy) {
			tg->sighand = copy;
			sighand_put(sh);
			sh = copy;
		}
	}
	pthread_rwlock_unlock(&k->ts.mu);

	pthread_mutex_lock(&sh->mu);
	sighand_reset_for_exec_locked(sh);
	memset(&t->altstack, 0, sizeof(t->altstack));
	t->altstack.flags = SS_DISABLE;
	if (t->stop == TASK_STOP_EXEC)
		t->stop = TASK_STOP_NONE;
	pthread_mutex_unlock(&sh->mu);

	pthread_mutex_lock(&t->mu);
	if (t->sc.exec_captured) {
		t->sc.exec_captured = false;
		free(t->cmdline);
		t->cmdline = t->sc.exec_argv;
		t->cmdline_len = t->sc.exec_argv_len;
		t->sc.exec_argv = NULL;
		t->sc.exec_argv_len = 0;
		memcpy(t->comm, t->sc.exec_comm, sizeof(t->comm));
	}
	if (t->fdt && fdt_users(t->fdt) > 1) {
		struct fd_table *nt = fdt_new();

		if (nt) {
			fdt_put(t->fdt);
			t->fdt = nt;
		}
	}
	pthread_mutex_unlock(&t->mu);

	if (kernel_event(k, KERNEL_EVENT_EXEC, t->tid, 0))
		kernel_pause(k);
	return old_leader;
}
