/*
 * This file implements the signal syscalls at their entry.
 *
 * The kernel records dispositions (rt_sigaction) and the alternate stack
 * (sigaltstack) in its own state, queues what kill, tkill, tgkill and the
 * sigqueueinfo calls send after checking them against its own tree, and
 * the host carries the signals out (signal_deliver.c). The blocked mask
 * is the host's (sigmask.h): rt_sigprocmask is not trapped.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/creds.h"
#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/signal_deliver.h"
#include "kernel/syscalls/syscalls.h"
#include "kernel/task_set_internal.h"
#include "platform/platform.h"

enum sc_action sys_rt_sigaction(struct kernel *k, struct task *t,
				struct syscall_frame *f)
{
	int sig = (int)f->args[0];
	struct sig_action act;

	if (!sig_valid(sig) || f->args[3] != sizeof(sigset64_t)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (!f->args[1])
		return SC_HOST;
	if ((sig == SIGKILL || sig == SIGSTOP)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (plat_read_mem(k->plat, t, f->args[1], &act, sizeof(act)) !=
	    sizeof(act)) {
		f->ret = -EFAULT;
		return SC_RETURN;
	}
	act.mask &= ~SIG_UNBLOCKABLE;
	pthread_rwlock_rdlock(&k->ts.mu);
	task_lock_signals(t);
	t->tg->sighand->actions[sig - 1] = act;
	/* Ignoring a pending signal discards it (POSIX; Linux's
	 * do_sigaction()), from the caller's process only. */
	sig_discard_ignored_locked(t->tg, sig);
	task_unlock_signals(t);
	pthread_rwlock_unlock(&k->ts.mu);
	return SC_HOST;
}

enum sc_action sys_sigaltstack(struct kernel *k, struct task *t,
			       struct syscall_frame *f)
{
	return f->args[0] ? SC_HOST_EXIT : SC_HOST;
}

void sys_sigaltstack_exit(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	stack_t ss;

	if (f->ret != 0 ||
	    plat_read_mem(k->plat, t, t->sc.args[0], &ss, sizeof(ss)) !=
		    sizeof(ss))
		return;
	task_lock_signals(t);
	t->altstack.sp = (uint64_t)(uintptr_t)ss.ss_sp;
	t->altstack.size = ss.ss_size;
	t->altstack.flags = ss.ss_flags;
	task_unlock_signals(t);
}

/*
 * The senders: kill, tkill, tgkill (and the siginfo-carrying variants
 * below). Linux's order of checks is kept because applications can tell
 * it apart: the target is looked up first (ESRCH), then the signal number
 * is checked (EINVAL), then the permission (EPERM). A permitted signal is
 * queued in the kernel with the sender's siginfo, then the host executes
 * the same kill, whose delivery stop the kernel answers. A signal that no
 * target took (each ignores it without blocking it: Linux discards it at
 * send, sig_send()) is answered here without the host, which would
 * otherwise interrupt the target's wait for a signal it never sees.
 */

/* Collects, under ts.mu, the thread groups kill(pid) targets, with a
 * reference each on a live task of the group (for sig_send). */
struct kill_targets {
	pid_t *tgids;
	int n, permitted;
};

static void kill_collect_locked(struct kernel *k, struct task *t, pid_t pid,
				int sig, struct kill_targets *kt)
{
	struct thread_group *tg;
	struct process_group *pg = NULL;
	int cap = 0;

#define KT_ADD(g)                                                          \
	do {                                                               \
		if (kt->n == cap) {                                        \
			pid_t *nv;                                         \
			cap = cap ? cap * 2 : 16;                          \
			nv = realloc(kt->tgids, sizeof(pid_t) * (size_t)cap); \
			if (!nv)                                           \
				return;                                    \
			kt->tgids = nv;                                    \
		}                                                          \
		kt->tgids[kt->n++] = (g)->tgid;                            \
		if (task_may_signal(t, (g)->leader, sig))                  \
			kt->permitted++;                                   \
		else                                                       \
			kt->tgids[kt->n - 1] = 0;                          \
	} while (0)

	if (pid > 0) {
		struct task *target;

		/* kill(2) takes any thread's TID and signals its group; a
		 * zombie can still be signalled (to no effect). */
		rcu_read_lock();
		target = task_lookup_rcu(k, pid);
		rcu_read_unlock();
		if (target && target->exit_state != TASK_EXIT_DEAD)
			KT_ADD(target->tg);
		return;
	}
	if (pid == -1) {
		struct cds_lfht_iter iter;
		struct cds_lfht_node *node;

		/* Everything but init and the caller's own group. */
		rcu_read_lock();
		ts_for_each_node(k->ts.tgs, &iter, node) {
			tg = caa_container_of(node, struct thread_group,
					      ts_node);
			if (tg->tgid > 1 && tg != t->tg && tg->state != TG_DEAD)
				KT_ADD(tg);
		}
		rcu_read_unlock();
		return;
	}
	pg = pgrp_find_locked(k, pid == 0 ? (t->tg->pgrp ? t->tg->pgrp->pgid
							  : 0)
					  : -pid);
	if (pg)
		cds_list_for_each_entry(tg, &pg->members, pgrp_node)
			KT_ADD(tg);
#undef KT_ADD
}

enum sc_action sys_kill(struct kernel *k, struct task *t,
			struct syscall_frame *f)
{
	pid_t pid = (pid_t)f->args[0];
	int sig = (int)f->args[1];
	struct kill_targets kt = { 0 };
	siginfo_t si = { .si_signo = sig, .si_code = SI_USER };
	int taken = 0;

	if (pid == INT32_MIN) { /* -INT_MIN overflows: Linux says ESRCH */
		f->ret = -ESRCH;
		return SC_RETURN;
	}
	pthread_rwlock_rdlock(&k->ts.mu);
	kill_collect_locked(k, t, pid, sig, &kt);
	pthread_rwlock_unlock(&k->ts.mu);
	if (kt.n == 0)
		f->ret = -ESRCH;
	else if (sig != 0 && !sig_valid(sig))
		f->ret = -EINVAL;
	else if (kt.permitted == 0 && pid != -1)
		/* kill(-1) ignores EPERM from each process it skips. */
		f->ret = -EPERM;
	else
		f->ret = 0;
	if (f->ret < 0 || sig == 0) {
		free(kt.tgids);
		return f->ret < 0 ? SC_RETURN : SC_HOST;
	}
	si.si_pid = task_tgid(t);
	si.si_uid = t->uid;
	for (int i = 0; i < kt.n; i++)
		/* An error (the target went meanwhile) leaves the answer
		 * to the host, as before. */
		if (kt.tgids[i] &&
		    sig_send(k, SIGNAL_TARGET_TG, kt.tgids[i], &si, false) != 0)
			taken++;
	free(kt.tgids);
	/* With some targets taking it, the host's kill reaches the others
	 * too: they see the interruption (a divergence left to a kill the
	 * kernel would carry out alone, target by target). */
	return taken ? SC_HOST : SC_RETURN;
}

/*
 * Looks up the task with TID tid (which must belong to thread group tgid,
 * unless tgid is -1) as a target of sig from t, and returns what Linux
 * answers, in its order: -ESRCH, -EINVAL for a bad signal, -EPERM, or 0.
 */
static int signal_target_check(struct kernel *k, struct task *t, pid_t tid,
			       pid_t tgid, int sig)
{
	struct task *target;
	bool found, permitted = false;

	pthread_rwlock_rdlock(&k->ts.mu);
	rcu_read_lock();
	target = task_lookup_rcu(k, tid);
	rcu_read_unlock();
	found = target && target->exit_state != TASK_EXIT_DEAD &&
		(tgid == -1 || task_tgid(target) == tgid);
	if (found)
		permitted = task_may_signal(t, target, sig);
	pthread_rwlock_unlock(&k->ts.mu);
	if (!found)
		return -ESRCH;
	if (sig != 0 && !sig_valid(sig))
		return -EINVAL;
	return permitted ? 0 : -EPERM;
}

/* tkill/tgkill (tgid -1 means tkill, which has no thread group). */
static enum sc_action thread_kill(struct kernel *k, struct task *t,
				  struct syscall_frame *f, pid_t tgid, pid_t tid,
				  int sig)
{
	if (tid <= 0 || (tgid != -1 && tgid <= 0)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	f->ret = signal_target_check(k, t, tid, tgid, sig);
	if (f->ret < 0)
		return SC_RETURN;
	if (sig != 0) {
		siginfo_t si = { .si_signo = sig, .si_code = SI_TKILL };

		si.si_pid = task_tgid(t);
		si.si_uid = t->uid;
		if (sig_send(k, SIGNAL_TARGET_TASK, tid, &si, false) == 0)
			return SC_RETURN; /* discarded: f->ret is 0 */
	}
	return SC_HOST;
}

enum sc_action sys_tkill(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	return thread_kill(k, t, f, -1, (pid_t)f->args[0], (int)f->args[1]);
}

enum sc_action sys_tgkill(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	if ((pid_t)f->args[0] <= 0) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	return thread_kill(k, t, f, (pid_t)f->args[0], (pid_t)f->args[1],
			   (int)f->args[2]);
}

enum sc_action sys_sig_passthrough(struct kernel *k, struct task *t,
				   struct syscall_frame *f)
{
	return SC_HOST;
}

/* The host narrows the mask by the waited set for the wait; senders must
 * still see the mask from before (task.h, in_sigwait), noted here while
 * t is stopped. */
enum sc_action sys_rt_sigtimedwait(struct kernel *k, struct task *t,
				   struct syscall_frame *f)
{
	sigset64_t mask = task_refresh_sigmask(k, t);

	task_lock_signals(t);
	t->sigwait_blocked = mask;
	t->in_sigwait = true;
	task_unlock_signals(t);
	return SC_HOST_EXIT;
}

void sys_rt_sigtimedwait_exit(struct kernel *k, struct task *t,
			      struct syscall_frame *f)
{
	task_lock_signals(t);
	t->in_sigwait = false;
	task_unlock_signals(t);
	/* The host dequeued the signal itself: no delivery stop happens, so
	 * the kernel's entry goes here. */
	if (f->ret > 0)
		sig_consumed(k, t, (int)f->ret);
}

enum sc_action sys_rt_sigsuspend(struct kernel *k, struct task *t,
				 struct syscall_frame *f)
{
	sigset64_t set, saved;

	if (f->args[1] != sizeof(sigset64_t)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (plat_read_mem(k->plat, t, f->args[0], &set, sizeof(set)) !=
	    sizeof(set)) {
		f->ret = -EFAULT;
		return SC_RETURN;
	}
	/* The host replaces the mask until a handler runs; the handler's
	 * frame saves the original, which rt_sigreturn restores. */
	saved = task_refresh_sigmask(k, t);
	task_lock_signals(t);
	t->saved_sigmask = saved;
	t->has_saved_sigmask = true;
	t->sigmask = set & ~SIG_UNBLOCKABLE;
	task_unlock_signals(t);
	return SC_HOST;
}

/*
 * rt_sigqueueinfo (!thread: tgid names a process, by any of its TIDs)
 * and rt_tgsigqueueinfo (thread: thread tid of thread group tgid): the
 * application chooses the siginfo. Linux's do_rt_sigqueueinfo() and
 * do_rt_tgsigqueueinfo() check, in this order, which applications can
 * tell apart: the siginfo is copied in (EFAULT); rt_tgsigqueueinfo's IDs
 * must be positive (EINVAL; rt_sigqueueinfo has no such check); only
 * SI_QUEUE-style codes (negative, not SI_TKILL) may be forged towards
 * anyone but the caller itself, which is the calling *thread*
 * (task_pid_vnr(current) against the pid or tid argument: a thread
 * queueing to its own process's TGID gets EPERM); then the target is
 * looked up (ESRCH: kill_proc_info() has no process-group or "everyone"
 * forms, so a pid <= 0 names nobody), then the signal and the permission
 * are checked (check_kill_permission()).
 */
static enum sc_action sigqueueinfo(struct kernel *k, struct task *t,
				   struct syscall_frame *f, bool thread,
				   pid_t tgid, pid_t tid, int sig,
				   uint64_t uinfo)
{
	pid_t target = thread ? tid : tgid;
	siginfo_t si;

	if (plat_read_mem(k->plat, t, uinfo, &si, sizeof(si)) != sizeof(si)) {
		f->ret = -EFAULT;
		return SC_RETURN;
	}
	if (thread && (tgid <= 0 || tid <= 0)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	/* t is stopped in this syscall: its TID cannot change under us (only
	 * its own exec would change it). */
	if ((si.si_code >= 0 || si.si_code == SI_TKILL) && target != t->tid) {
		f->ret = -EPERM;
		return SC_RETURN;
	}
	if (target <= 0) {
		f->ret = -ESRCH;
		return SC_RETURN;
	}
	f->ret = signal_target_check(k, t, target, thread ? tgid : -1, sig);
	if (f->ret < 0)
		return SC_RETURN;
	if (sig != 0) {
		si.si_signo = sig;
		if (sig_send(k, thread ? SIGNAL_TARGET_TASK : SIGNAL_TARGET_TG,
			     thread ? tid : tgid, &si, false) == 0)
			return SC_RETURN; /* discarded: f->ret is 0 */
	}
	return SC_HOST;
}

enum sc_action sys_rt_sigqueueinfo(struct kernel *k, struct task *t,
				   struct syscall_frame *f)
{
	return sigqueueinfo(k, t, f, false, (pid_t)f->args[0], 0,
			    (int)f->args[1], f->args[2]);
}

enum sc_action sys_rt_tgsigqueueinfo(struct kernel *k, struct task *t,
				     struct syscall_frame *f)
{
	return sigqueueinfo(k, t, f, true, (pid_t)f->args[0],
			    (pid_t)f->args[1], (int)f->args[2], f->args[3]);
}
