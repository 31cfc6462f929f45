/*
 * This file implements the signal syscalls at their entry.
 *
 * Today the kernel records dispositions (rt_sigaction), masks
 * (rt_sigprocmask) and the alternate stack (sigaltstack) in its own state
 * and checks the targets of kill/tkill/tgkill against its own tree, and
 * the host carries the signals out. Emulated delivery (DESIGN §2,
 * "Signals are emulated") replaces the pass-through paths.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "kernel/kernel.h"
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
	task_lock_signals(t);
	t->tg->sighand->actions[sig - 1] = act;
	task_unlock_signals(t);
	return SC_HOST;
}

enum sc_action sys_rt_sigprocmask(struct kernel *k, struct task *t,
				  struct syscall_frame *f)
{
	int how = (int)f->args[0];
	sigset64_t set;

	if (f->args[3] != sizeof(sigset64_t)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (!f->args[1])
		return SC_HOST;
	if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (plat_read_mem(k->plat, t, f->args[1], &set, sizeof(set)) !=
	    sizeof(set)) {
		f->ret = -EFAULT;
		return SC_RETURN;
	}
	set &= ~SIG_UNBLOCKABLE;
	task_lock_signals(t);
	if (how == SIG_BLOCK)
		t->sigmask |= set;
	else if (how == SIG_UNBLOCK)
		t->sigmask &= ~set;
	else
		t->sigmask = set;
	task_unlock_signals(t);
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

static pid_t kill_own_pgid(struct kernel *k, struct task *t)
{
	pid_t pgid;

	pthread_rwlock_rdlock(&k->ts.mu);
	pgid = t->tg->pgrp ? t->tg->pgrp->pgid : 0;
	pthread_rwlock_unlock(&k->ts.mu);
	return pgid;
}

/* Whether a kill target exists in the emulated tree. */
static bool kill_target_exists(struct kernel *k, struct task *t, pid_t pid)
{
	bool found = false;

	if (pid == -1)
		return true;
	pthread_rwlock_rdlock(&k->ts.mu);
	if (pid > 0) {
		struct task *target;

		/* kill(2) takes any thread's TID and signals its group. */
		rcu_read_lock();
		target = task_lookup_rcu(k, pid);
		found = target && target->exit_state != TASK_EXIT_DEAD;
		rcu_read_unlock();
	} else {
		pid_t pgid = pid == 0 ? (t->tg->pgrp ? t->tg->pgrp->pgid : 0)
				      : -pid;

		found = pgrp_find_locked(k, pgid) != NULL;
	}
	pthread_rwlock_unlock(&k->ts.mu);
	return found;
}

enum sc_action sys_kill(struct kernel *k, struct task *t,
			struct syscall_frame *f)
{
	pid_t pid = (pid_t)f->args[0];
	int sig = (int)f->args[1];

	if (sig != 0 && !sig_valid(sig)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (pid == INT32_MIN || !kill_target_exists(k, t, pid)) {
		f->ret = -ESRCH;
		return SC_RETURN;
	}
	if (sig != 0 && pid != -1) {
		siginfo_t si = { .si_signo = sig, .si_code = SI_USER };

		si.si_pid = task_tgid(t);
		si.si_uid = t->uid;
		if (pid > 0)
			sig_send(k, SIGNAL_TARGET_TG, pid, &si, false);
		else
			sig_send(k, SIGNAL_TARGET_PGRP,
				 pid == 0 ? kill_own_pgid(k, t) : -pid, &si,
				 false);
	}
	return SC_HOST;
}

/* tkill/tgkill: the target thread must exist (and belong to tgid). */
static enum sc_action thread_kill(struct kernel *k, struct task *t,
				  struct syscall_frame *f, pid_t tgid, pid_t tid,
				  int sig)
{
	struct task *target;
	bool ok;

	/* tgid -1 means tkill(2), which has no thread group argument. */
	if ((sig != 0 && !sig_valid(sig)) || tid <= 0 ||
	    (tgid != -1 && tgid <= 0)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	rcu_read_lock();
	target = task_lookup_rcu(k, tid);
	ok = target && target->exit_state != TASK_EXIT_DEAD &&
	     (tgid == -1 || task_tgid(target) == tgid);
	rcu_read_unlock();
	if (!ok) {
		f->ret = -ESRCH;
		return SC_RETURN;
	}
	if (sig != 0) {
		siginfo_t si = { .si_signo = sig, .si_code = SI_TKILL };

		si.si_pid = task_tgid(t);
		si.si_uid = t->uid;
		sig_send(k, SIGNAL_TARGET_TASK, tid, &si, false);
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

enum sc_action sys_rt_sigtimedwait(struct kernel *k, struct task *t,
				   struct syscall_frame *f)
{
	return SC_HOST_EXIT;
}

void sys_rt_sigtimedwait_exit(struct kernel *k, struct task *t,
			      struct syscall_frame *f)
{
	/* The host dequeued the signal itself: no delivery stop happens, so
	 * the kernel's entry goes here. */
	if (f->ret > 0)
		sig_consumed(k, t, (int)f->ret);
}

enum sc_action sys_rt_sigsuspend(struct kernel *k, struct task *t,
				 struct syscall_frame *f)
{
	sigset64_t set;

	if (f->args[1] != sizeof(sigset64_t)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (plat_read_mem(k->plat, t, f->args[0], &set, sizeof(set)) !=
	    sizeof(set)) {
		f->ret = -EFAULT;
		return SC_RETURN;
	}
	/* The mask is replaced until a handler runs; the handler's frame
	 * saves the original, which rt_sigreturn restores. */
	task_lock_signals(t);
	t->saved_sigmask = t->sigmask;
	t->has_saved_sigmask = true;
	t->sigmask = set & ~SIG_UNBLOCKABLE;
	task_unlock_signals(t);
	return SC_HOST;
}

/* Offset of uc_sigmask in the x86_64 signal frame's struct ucontext, which
 * starts at the stack pointer when the handler's restorer calls
 * rt_sigreturn (Linux's arch/x86/kernel/signal.c: frame = sp - 8, and
 * pretcode is the first 8 bytes of the frame). */
#define UC_SIGMASK_OFFSET 296

enum sc_action sys_rt_sigreturn(struct kernel *k, struct task *t,
				struct syscall_frame *f)
{
	sigset64_t set;

	/* The host restores registers and mask from the frame; the kernel
	 * reads the same mask so its own stays true. */
	if (plat_read_mem(k->plat, t, f->sp + UC_SIGMASK_OFFSET, &set,
			  sizeof(set)) == sizeof(set)) {
		task_lock_signals(t);
		t->sigmask = set & ~SIG_UNBLOCKABLE;
		t->has_saved_sigmask = false;
		task_unlock_signals(t);
	}
	return SC_HOST;
}

/* rt_sigqueueinfo and rt_tgsigqueueinfo: the application chooses the
 * siginfo. Like Linux, only SI_QUEUE-style codes (negative, not SI_TKILL)
 * may be forged towards another process. */
static enum sc_action sigqueueinfo(struct kernel *k, struct task *t,
				   struct syscall_frame *f, pid_t tgid,
				   pid_t tid, int sig, uint64_t uinfo)
{
	siginfo_t si;
	struct task *target;
	bool ok, self;

	if (!sig_valid(sig) && sig != 0) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (plat_read_mem(k->plat, t, uinfo, &si, sizeof(si)) != sizeof(si)) {
		f->ret = -EFAULT;
		return SC_RETURN;
	}
	rcu_read_lock();
	target = task_lookup_rcu(k, tid > 0 ? tid : tgid);
	ok = target && target->exit_state != TASK_EXIT_DEAD &&
	     (tid <= 0 || tgid <= 0 || task_tgid(target) == tgid);
	self = ok && task_tgid(target) == task_tgid(t);
	rcu_read_unlock();
	if (tgid <= 0 || (tid != -1 && tid <= 0)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (!ok) {
		f->ret = -ESRCH;
		return SC_RETURN;
	}
	if (!self && (si.si_code >= 0 || si.si_code == SI_TKILL)) {
		f->ret = -EPERM;
		return SC_RETURN;
	}
	if (sig != 0) {
		si.si_signo = sig;
		if (tid > 0)
			sig_send(k, SIGNAL_TARGET_TASK, tid, &si, false);
		else
			sig_send(k, SIGNAL_TARGET_TG, tgid, &si, false);
	}
	return SC_HOST;
}

enum sc_action sys_rt_sigqueueinfo(struct kernel *k, struct task *t,
				   struct syscall_frame *f)
{
	return sigqueueinfo(k, t, f, (pid_t)f->args[0], -1, (int)f->args[1],
			    f->args[2]);
}

enum sc_action sys_rt_tgsigqueueinfo(struct kernel *k, struct task *t,
				     struct syscall_frame *f)
{
	return sigqueueinfo(k, t, f, (pid_t)f->args[0], (pid_t)f->args[1],
			    (int)f->args[2], f->args[3]);
}
