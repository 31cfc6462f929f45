/*
 * This file implements task exit, zombies, reaping and reparenting
 * (Linux's kernel/exit.c, gVisor's task_exit.go).
 *
 * A task goes NONE -> INITIATED (the host's PTRACE_EVENT_EXIT) -> dead
 * (the host reports the thread gone). A non-leader thread then leaves the
 * tree at once. When the last task of a thread group is gone the group
 * exits as a whole:
 *
 * 1. its children are reparented to the nearest live ancestor that is a
 *    child subreaper, or to init (find_new_reaper());
 * 2. its parent is notified: if the parent ignores SIGCHLD or set
 *    SA_NOCLDWAIT the group is released at once (the host autoreaps it
 *    too); otherwise it stays a zombie, holding its TID, until the parent
 *    reaps it with wait4/waitid (syscalls/wait.c), at which point the host
 *    reaps the same PID.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/signal_deliver.h"
#include "kernel/task_set_internal.h"

int tg_core_status_locked(const struct thread_group *tg, int status)
{
	if (tg->core_written && WIFSIGNALED(status))
		status |= 0x80; /* WCOREDUMP */
	return status;
}

void task_exit_begin(struct kernel *k, struct task *t, int status)
{
	struct task *o;
	bool all = true;

	pthread_rwlock_wrlock(&k->ts.mu);
	status = tg_core_status_locked(t->tg, status);
	if (t->exit_state == TASK_EXIT_NONE) {
		t->exit_state = TASK_EXIT_INITIATED;
		t->exit_status = status;
	}
	/* The group is exiting once every task is (exit_group, a fatal
	 * signal, or the last thread leaving). */
	cds_list_for_each_entry(o, &t->tg->tasks, tg_node)
		if (o->exit_state == TASK_EXIT_NONE)
			all = false;
	if (all && !t->tg->exiting) {
		t->tg->exiting = true;
		t->tg->exit_status = status;
	}
	pthread_rwlock_unlock(&k->ts.mu);
	task_vfork_release(k, t);
	ptrace_exit_begin(k, t, status);
}

/* Whether the parent's dispositions ask for children to be reaped
 * automatically (Linux's do_notify_parent(): SIGCHLD ignored or
 * SA_NOCLDWAIT). */
static bool tg_parent_autoreaps(struct thread_group *parent, int exit_signal)
{
	struct sig_action *a;
	bool reap;

	if (exit_signal != SIGCHLD)
		return false;
	pthread_mutex_lock(&parent->sighand->mu);
	a = &parent->sighand->actions[SIGCHLD - 1];
	reap = a->handler == (uint64_t)(uintptr_t)SIG_IGN ||
	       (a->flags & SA_NOCLDWAIT);
	pthread_mutex_unlock(&parent->sighand->mu);
	return reap;
}

/* Linux's find_new_reaper(): the closest ancestor that is a live child
 * subreaper, else init. Returns NULL when init itself is exiting. */
static struct thread_group *tg_find_reaper_locked(struct kernel *k,
						  struct thread_group *tg)
{
	for (struct thread_group *a = tg->parent; a; a = a->parent)
		if (a->subreaper && a->state == TG_LIVE && a->nr_tasks > 0)
			return a;
	if (k->ts.init && k->ts.init != tg && k->ts.init->state == TG_LIVE)
		return k->ts.init;
	return NULL;
}

void tg_reap_locked(struct kernel *k, struct thread_group *tg)
{
	struct task *t, *tmp;

	tg->state = TG_DEAD;
	cds_list_del_init(&tg->child_node);
	tg->parent = NULL;
	tg_leave_pgrp_locked(k, tg);
	if (tg->cgroup) {
		tg->cgroup->nr_procs--;
		tg->cgroup = NULL;
	}
	cds_list_for_each_entry_safe(t, tmp, &tg->tasks, tg_node) {
		cds_list_del_init(&t->tg_node);
		ptrace_reap_locked(t);
		t->exit_state = TASK_EXIT_DEAD;
		ts_remove_task_locked(k, t);
		task_release(t);
	}
	ts_remove_tg_locked(k, tg);
	if (k->ts.init == tg)
		k->ts.init = NULL;
	tg_release(tg);
}

static void tg_reparent_children_locked(struct kernel *k,
					struct thread_group *tg)
{
	struct thread_group *c, *tmp;
	struct thread_group *reaper = tg_find_reaper_locked(k, tg);

	cds_list_for_each_entry_safe(c, tmp, &tg->children, child_node) {
		cds_list_del_init(&c->child_node);
		c->parent = reaper;
		if (!reaper)
			continue;
		cds_list_add_tail(&c->child_node, &reaper->children);
		/* A zombie handed to a reaper that ignores SIGCHLD is released
		 * now (Linux's reparent_leader()). */
		if (c->state == TG_ZOMBIE &&
		    tg_parent_autoreaps(reaper, c->leader->exit_signal))
			tg_reap_locked(k, c);
	}
}

/* Queues the exit signal (SIGCHLD) for tg's parent with the siginfo Linux's
 * do_notify_parent() builds; the host sends the same signal, and its
 * delivery stop consumes this entry. Preconditions: ts.mu held for
 * writing. */
static void tg_notify_parent_locked(struct kernel *k, struct thread_group *tg,
				    int status)
{
	struct thread_group *p = tg->parent;
	int sig = tg->leader->exit_signal;
	siginfo_t si = { .si_signo = sig };

	if (!p || !sig_valid(sig) || !p->leader)
		return;
	si.si_pid = tg->tgid;
	si.si_uid = tg->leader->uid;
	if (WIFEXITED(status)) {
		si.si_code = CLD_EXITED;
		si.si_status = WEXITSTATUS(status);
	} else {
		si.si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
		si.si_status = WTERMSIG(status);
	}
	pthread_mutex_lock(&p->sighand->mu);
	/* A parent that ignores SIGCHLD gets none (do_notify_parent() sets
	 * sig to 0): the host sends none either, so an entry queued here
	 * would never be consumed. */
	if (sig != SIGCHLD || p->sighand->actions[SIGCHLD - 1].handler !=
				      (uint64_t)(uintptr_t)SIG_IGN)
		sig_enqueue_locked(k, p->leader, true, &si, false);
	pthread_mutex_unlock(&p->sighand->mu);
}

/* The last task of tg is gone: the group exits. */
static void tg_exit_locked(struct kernel *k, struct thread_group *tg,
			   int status)
{
	tg->exit_status = status;
	tg->exit_ns = kernel_uptime_ns(k);
	tg_reparent_children_locked(k, tg);
	if (tg == k->ts.init)
		k->init_exit_status = status;
	tg_notify_parent_locked(k, tg, status);
	if (!tg->parent || tg_parent_autoreaps(tg->parent,
					       tg->leader->exit_signal)) {
		/* Init is reaped by the sentry itself; autoreaped children by
		 * the host. Either way nobody in the sandbox waits. */
		tg_reap_locked(k, tg);
		return;
	}
	tg->state = TG_ZOMBIE;
}

void task_exit_finish(struct kernel *k, struct task *t, int status)
{
	struct thread_group *tg;
	pid_t tid = t->tid, tracer_tgid, parent_tgid = 0;
	struct ptrace_detached detached;

	pthread_rwlock_wrlock(&k->ts.mu);
	tg = t->tg;
	status = tg_core_status_locked(tg, status);
	t->exit_status = status;
	/* Who waits for news of this death: the tracer (ptrace.c), and the
	 * parent when the group exits. */
	tracer_tgid = t->ptrace.tracer ? t->ptrace.tracer->tg->tgid : 0;
	ptrace_exit_locked(k, t, status, &detached);
	if (t->exit_state < TASK_EXIT_ZOMBIE)
		tg->nr_tasks--;
	__atomic_add_fetch(&k->tasks_exited, 1, __ATOMIC_RELAXED);
	if (t != tg->leader) {
		/* Threads are never waited for; they go at once. */
		cds_list_del_init(&t->tg_node);
		t->exit_state = TASK_EXIT_DEAD;
		ts_remove_task_locked(k, t);
		task_release(t);
	} else {
		t->exit_state = TASK_EXIT_ZOMBIE;
	}
	if (tg->nr_tasks == 0 && tg->state == TG_LIVE) {
		/* The host reports the leader last, with the group's exit
		 * status (Linux delays the leader's notification until the
		 * group is empty). */
		/* Only a tracer's wait is the kernel's (parked): any other
		 * parent's wait is the host's, which sees the death itself. */
		if (tg->parent && ptrace_group_is_tracer_locked(tg->parent))
			parent_tgid = tg->parent->tgid;
		tg_exit_locked(k, tg, tg->leader->exit_status);
	}
	pthread_rwlock_unlock(&k->ts.mu);
	ptrace_release_detached(k, &detached);
	ptrace_wake_waiters(k, tracer_tgid);
	if (parent_tgid != tracer_tgid)
		ptrace_wake_waiters(k, parent_tgid);
	if (kernel_event(k, KERNEL_EVENT_EXIT, tid, status))
		kernel_pause(k);
}
