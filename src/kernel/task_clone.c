/*
 * This file implements task creation: the init task and clone(2) in all
 * its forms (fork, vfork, clone, clone3, threads).
 *
 * The host creates the thread (the platform lets the trapped clone run);
 * the kernel then records the new task with the relationships Linux's
 * copy_process() would give it, from the flags the parent passed:
 *
 *   CLONE_THREAD    joins the parent's thread group, exit_signal unused
 *   CLONE_PARENT    the new group's parent is the caller's parent
 *   CLONE_SIGHAND   shares dispositions; otherwise they are copied
 *   CLONE_FILES     shares the FD table; otherwise a new table identity
 *   CLONE_VFORK     the parent is held in a vfork stop (task_vfork_begin)
 */
#include <errno.h>
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/creds.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/task_set_internal.h"

int kernel_start_init(struct kernel *k, pid_t host_tid,
		      enum init_job_mode mode, const char *argv,
		      size_t argv_len, struct task **out)
{
	struct task *t = task_alloc(k, 1, host_tid);
	struct thread_group *tg = tg_alloc(1);
	struct session *s;
	pid_t pgid;
	int err = -ENOMEM;

	if (!t || !tg)
		goto err_free;
	pthread_rwlock_rdlock(&k->ts.mu);
	err = k->ts.init ? -EEXIST : 0;
	pthread_rwlock_unlock(&k->ts.mu);
	if (err < 0)
		goto err_free;
	err = -ENOMEM;
	tg->sighand = sighand_new();
	t->fdt = fdt_new();
	t->cmdline = malloc(argv_len ? argv_len : 1);
	if (!tg->sighand || !t->fdt || !t->cmdline)
		goto err_free;
	memcpy(t->cmdline, argv, argv_len);
	t->cmdline_len = argv_len;
	snprintf(t->comm, sizeof(t->comm), "%s", argv);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &tg->limits[i]);
	t->tg = tg;
	tg->leader = t;
	cds_list_add_tail(&t->tg_node, &tg->tasks);
	tg->nr_tasks = 1;

	pthread_rwlock_wrlock(&k->ts.mu);
	/* With INIT_NEW_PGRP the session is the terminal's, outside the
	 * sandbox's PID namespace; Linux reports such IDs as 0. */
	pgid = 1;
	s = session_new_locked(k, mode == INIT_NEW_SESSION ? 1 : 0);
	if (!s || tg_join_pgrp_locked(k, tg, s, pgid) < 0) {
		pthread_rwlock_unlock(&k->ts.mu);
		goto err_free;
	}
	tg->cgroup = k->ts.cgroup_root;
	tg->cgroup->nr_procs++;
	t->stop_count = __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE);
	ts_insert_tg_locked(k, tg);
	ts_insert_task_locked(k, t);
	k->ts.init = tg;
	pthread_rwlock_unlock(&k->ts.mu);
	__atomic_add_fetch(&k->tasks_created, 1, __ATOMIC_RELAXED);
	task_refresh_creds(k, t);
	*out = t;
	return 0;

err_free:
	if (tg)
		sighand_put(tg->sighand);
	free(tg);
	if (t) {
		fdt_put(t->fdt);
		free(t->cmdline);
		free(t);
	}
	return err;
}

/* Copies what a child inherits from its creator's task and group. */
static int task_inherit(struct task *t, struct task *parent,
			unsigned long flags)
{
	pthread_mutex_lock(&parent->mu);
	memcpy(t->comm, parent->comm, sizeof(t->comm));
	t->cmdline = malloc(parent->cmdline_len ? parent->cmdline_len : 1);
	if (t->cmdline) {
		memcpy(t->cmdline, parent->cmdline, parent->cmdline_len);
		t->cmdline_len = parent->cmdline_len;
	}
	t->env = exec_env_get(parent->env);
	t->uid = parent->uid;
	t->euid = parent->euid;
	t->suid = parent->suid;
	t->fsuid = parent->fsuid;
	t->gid = parent->gid;
	t->egid = parent->egid;
	t->sgid = parent->sgid;
	t->fsgid = parent->fsgid;
	t->default_affinity = parent->default_affinity;
	if (flags & CLONE_FILES) {
		t->fdt = parent->fdt;
		fdt_get(t->fdt);
	} else {
		t->fdt = fdt_new();
	}
	pthread_mutex_unlock(&parent->mu);
	if (!t->cmdline || !t->fdt)
		return -ENOMEM;

	task_lock_signals(parent);
	t->sigmask = parent->sigmask;
	/* Linux clears the alternate stack of a thread sharing memory unless
	 * it is a vfork child (copy_process(): CLONE_VM without CLONE_VFORK). */
	if ((flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM)
		t->altstack = parent->altstack;
	task_unlock_signals(parent);
	return 0;
}

int task_clone(struct kernel *k, struct task *parent, pid_t tid,
	       pid_t host_tid, struct task **out)
{
	unsigned long flags = parent->sc.clone_flags;

	parent->sc.clone_pending = false;
	struct thread_group *ptg = parent->tg, *tg = NULL;
	struct task *t = task_alloc(k, tid, host_tid);
	int err = -ENOMEM;

	if (!t)
		return -ENOMEM;
	err = task_inherit(t, parent, flags);
	if (err < 0)
		goto err_free;
	if (!(flags & CLONE_THREAD)) {
		tg = tg_alloc(tid);
		if (!tg)
			goto err_free;
		if (flags & CLONE_SIGHAND) {
			tg->sighand = ptg->sighand;
			sighand_get(tg->sighand);
		} else {
			tg->sighand = sighand_copy(ptg->sighand);
			if (!tg->sighand)
				goto err_free;
		}
		pthread_mutex_lock(&ptg->sighand->mu);
		memcpy(tg->limits, ptg->limits, sizeof(tg->limits));
		pthread_mutex_unlock(&ptg->sighand->mu);
		/* A CLONE_PARENT child reports to the caller's parent with the
		 * caller's own exit signal (Linux's copy_process()). */
		t->exit_signal = (flags & CLONE_PARENT)
					 ? ptg->leader->exit_signal
					 : parent->sc.clone_exit_signal;
	} else {
		t->exit_signal = -1;
	}

	pthread_rwlock_wrlock(&k->ts.mu);
	if (tg) {
		struct thread_group *pparent =
			(flags & CLONE_PARENT) ? ptg->parent : ptg;

		tg->leader = t;
		tg->parent = pparent;
		if (pparent)
			cds_list_add_tail(&tg->child_node, &pparent->children);
		err = tg_join_pgrp_locked(k, tg, ptg->pgrp->session,
					  ptg->pgrp->pgid);
		if (err == 0)
			err = ts_insert_tg_locked(k, tg);
		if (err < 0) {
			cds_list_del(&tg->child_node);
			tg_leave_pgrp_locked(k, tg);
			pthread_rwlock_unlock(&k->ts.mu);
			goto err_free;
		}
		tg->cgroup = ptg->cgroup;
		tg->cgroup->nr_procs++;
		__atomic_add_fetch(&ptg->nr_forks, 1, __ATOMIC_RELAXED);
	} else {
		tg = ptg;
	}
	t->tg = tg;
	cds_list_add_tail(&t->tg_node, &tg->tasks);
	tg->nr_tasks++;
	/* pause_depth changes only with ts.mu held for writing, so the new
	 * task is counted by exactly the pauses in effect. */
	t->stop_count = __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE);
	err = ts_insert_task_locked(k, t);
	if (err < 0) {
		/* The host handed out a TID the kernel still holds: an
		 * emulated zombie was reaped by the host behind our back.
		 * Keep running with the newer task; report the bug. */
		struct task *stale = task_lookup_rcu(k, tid);

		if (stale) {
			ts_remove_task_locked(k, stale);
			stale->exit_state = TASK_EXIT_DEAD;
		}
		err = ts_insert_task_locked(k, t);
	}
	pthread_rwlock_unlock(&k->ts.mu);
	__atomic_add_fetch(&k->tasks_created, 1, __ATOMIC_RELAXED);
	*out = t;
	if (flags & CLONE_VFORK)
		t->vfork_parent = parent->tid;
	ptrace_clone(k, parent, t, flags, parent->sc.clone_exit_signal);
	if (kernel_event(k, KERNEL_EVENT_CLONE, t->tid, parent->tid))
		kernel_pause(k);
	return err;

err_free:
	if (tg && tg != ptg) {
		sighand_put(tg->sighand);
		free(tg);
	}
	fdt_put(t->fdt);
	t->fdt = NULL;
	free(t->cmdline);
	t->cmdline = NULL;
	free(t);
	return err;
}

void task_clone_note_fork(struct task *parent, bool vfork)
{
	if (parent->sc.clone_pending)
		return;
	parent->sc.clone_flags = vfork ? CLONE_VFORK | CLONE_VM : 0;
	parent->sc.clone_exit_signal = SIGCHLD;
}

void task_vfork_begin(struct kernel *k, struct task *parent)
{
	task_lock_signals(parent);
	parent->stop = TASK_STOP_VFORK;
	task_unlock_signals(parent);
}

void task_vfork_done(struct kernel *k, struct task *parent)
{
	task_lock_signals(parent);
	if (parent->stop == TASK_STOP_VFORK)
		parent->stop = TASK_STOP_NONE;
	task_unlock_signals(parent);
}

void task_vfork_release(struct kernel *k, struct task *child)
{
	struct task *parent;

	if (!child->vfork_parent)
		return;
	parent = task_get_by_tid(k, child->vfork_parent);
	child->vfork_parent = 0;
	if (parent) {
		task_vfork_done(k, parent);
		task_put(parent);
	}
}
