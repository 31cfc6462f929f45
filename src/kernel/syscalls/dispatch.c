/*
 * This file implements the syscall table: which syscalls the platform
 * traps, their names and handlers, and the entry/exit dispatch with
 * per-syscall statistics (/mnt/sentry/kernel/syscalls).
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/timing.h"
#include "kernel/lifecycle.h"
#include "kernel/syscalls/syscalls.h"

#define SC(nr, fn) [SYS_##nr] = { #nr, fn, NULL }
#define SCX(nr, fn, ex) [SYS_##nr] = { #nr, fn, ex }
#define SC_ENOSYS(nr) [SYS_##nr] = { #nr, NULL, NULL }
/* The host runs it as the application made it; the kernel follows up at
 * its exit (rereads what the host changed). */
#define SC_HOST_THEN(nr, ex) [SYS_##nr] = { #nr, host_then_exit, ex }

static enum sc_action host_then_exit(struct kernel *k, struct task *t,
				     struct syscall_frame *f)
{
	return SC_HOST_EXIT;
}

static const struct syscall_def syscall_table[KERNEL_NR_SYSCALLS] = {
	/* identity */
	SC(getpid, sys_getpid),
	SC(gettid, sys_gettid),
	SC(getppid, sys_getppid),
	SC(getpgid, sys_getpgid),
	SC(getpgrp, sys_getpgrp),
	SC(getsid, sys_getsid),
	SCX(setpgid, sys_setpgid, sys_setpgid_exit),
	SCX(setsid, sys_setsid, sys_setsid_exit),
	SCX(ioctl, sys_ioctl, sys_ioctl_exit), /* TIOCSPGRP, TIOCSCTTY */
	/* credentials */
	SC_HOST_THEN(setuid, sys_setid_exit),
	SC_HOST_THEN(setgid, sys_setid_exit),
	SC_HOST_THEN(setreuid, sys_setid_exit),
	SC_HOST_THEN(setregid, sys_setid_exit),
	SC_HOST_THEN(setresuid, sys_setid_exit),
	SC_HOST_THEN(setresgid, sys_setid_exit),
	SC_HOST_THEN(setfsuid, sys_setid_exit),
	SC_HOST_THEN(setfsgid, sys_setid_exit),
	/* resource limits */
	SC_HOST_THEN(setrlimit, sys_setrlimit_exit),
	SC_HOST_THEN(prlimit64, sys_setrlimit_exit),
	/* CPU affinity */
	SC_HOST_THEN(sched_getaffinity, sys_sched_getaffinity_exit),
	SCX(sched_setaffinity, sys_sched_setaffinity, sys_sched_setaffinity_exit),
	/* lifecycle */
	SC(clone, sys_clone),
	SC(clone3, sys_clone3),
	SCX(wait4, sys_wait4, sys_wait4_exit),
	SCX(waitid, sys_waitid, sys_waitid_exit),
	SCX(prctl, sys_prctl, sys_prctl_exit),
	SC_HOST_THEN(unshare, sys_unshare_exit),
	/* signals */
	SC(rt_sigaction, sys_rt_sigaction),
	SCX(sigaltstack, sys_sigaltstack, sys_sigaltstack_exit),
	SC(kill, sys_kill),
	SC(tkill, sys_tkill),
	SC(tgkill, sys_tgkill),
	SC(rt_sigpending, sys_sig_passthrough),
	SC(rt_sigsuspend, sys_rt_sigsuspend),
	SCX(rt_sigtimedwait, sys_rt_sigtimedwait, sys_rt_sigtimedwait_exit),
	SC(rt_sigqueueinfo, sys_rt_sigqueueinfo),
	SC(rt_tgsigqueueinfo, sys_rt_tgsigqueueinfo),
	SC(pause, sys_sig_passthrough),
	SC(pidfd_open, sys_sig_passthrough),
	SC(pidfd_send_signal, sys_sig_passthrough),
	/* ptrace between sandboxed tasks (kernel/ptrace.c) */
	SC(ptrace, sys_ptrace),
};

const int kernel_trapped_syscalls[] = {
	SYS_getpid, SYS_gettid, SYS_getppid, SYS_getpgid, SYS_getpgrp,
	SYS_getsid, SYS_setpgid, SYS_setsid,
	SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid, SYS_setresuid,
	SYS_setresgid, SYS_setfsuid, SYS_setfsgid, SYS_setrlimit,
	SYS_sched_getaffinity, SYS_sched_setaffinity,
	SYS_clone, SYS_clone3, SYS_wait4, SYS_waitid,
	SYS_unshare,
	SYS_rt_sigaction, SYS_sigaltstack, SYS_kill,
	SYS_tkill, SYS_tgkill, SYS_rt_sigpending, SYS_rt_sigsuspend,
	SYS_rt_sigtimedwait, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo,
	SYS_pause, SYS_pidfd_open, SYS_pidfd_send_signal,
	SYS_ptrace,
	/* prctl is trapped only for the options the kernel tracks,
	 * prlimit64 only when it sets a limit and ioctl only for TIOCSPGRP
	 * and TIOCSCTTY;
	 * the platform adds them with argument filters (see seccomp.c).
	 * execve,
	 * exit, exit_group and set_tid_address are not trapped: the host's
	 * ptrace events report exec and exit (see task_exec.c, task_exit.c),
	 * and clear_child_tid is the host's business. Nor are
	 * rt_sigprocmask and rt_sigreturn: the blocked mask is the host's
	 * (sigmask.h). */
	-1,
};

const char *kernel_syscall_name(long nr)
{
	if (nr < 0 || nr >= KERNEL_NR_SYSCALLS)
		return NULL;
	return syscall_table[nr].name;
}

/* Marks t's trapped syscall parked, publishing it for blocked-on
 * readers. */
static void task_park(struct task *t)
{
	t->sc.parked = true;
	pthread_mutex_lock(&t->mu);
	t->parked_call.nr = t->sc.nr;
	memcpy(t->parked_call.args, t->sc.args, sizeof(t->parked_call.args));
	pthread_mutex_unlock(&t->mu);
}

static void task_unpark(struct task *t)
{
	if (!t->sc.parked)
		return;
	t->sc.parked = false;
	pthread_mutex_lock(&t->mu);
	t->parked_call.nr = -1;
	pthread_mutex_unlock(&t->mu);
}

enum sc_action kernel_syscall_enter(struct kernel *k, struct task *t,
				    struct syscall_frame *f)
{
	const struct syscall_def *def = NULL;
	enum sc_action act;
	uint64_t start = clock_now_ns(CLOCK_MONOTONIC);

	if (f->nr >= 0 && f->nr < KERNEL_NR_SYSCALLS)
		def = &syscall_table[f->nr];
	t->sc.nr = f->nr;
	task_unpark(t);
	/* A clone that failed left no event; its flags must not be taken
	 * for a later untrapped fork's. */
	t->sc.clone_pending = false;
	/* A vfork parent making a syscall is running again: its child has
	 * exec'd or exited, even if the platform has not told us yet. */
	if (__atomic_load_n(&t->stop, __ATOMIC_RELAXED) == TASK_STOP_VFORK)
		task_vfork_done(k, t);
	for (int i = 0; i < 6; i++)
		t->sc.args[i] = f->args[i];
	__atomic_add_fetch(&t->nr_syscalls, 1, __ATOMIC_RELAXED);
	if (!def || !def->enter) {
		/* Never pass an unimplemented trapped syscall to the host:
		 * the kernel is the authority for everything it traps. */
		f->ret = -ENOSYS;
		kernel_count_syscall(k, f->nr, clock_now_ns(CLOCK_MONOTONIC) - start, true);
		return SC_RETURN;
	}
	act = def->enter(k, t, f);
	if (act == SC_HOST_EXIT && !def->exit)
		act = SC_HOST;
	if (act == SC_PARK)
		task_park(t);
	kernel_count_syscall(k, f->nr, clock_now_ns(CLOCK_MONOTONIC) - start, false);
	if (kernel_event(k, KERNEL_EVENT_SYSCALL, t->tid, f->nr))
		kernel_pause(k);
	return act;
}

/* Linux's -ERESTART* codes (include/linux/errno.h). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513

long kernel_syscall_interrupted(struct kernel *k, struct task *t, long ret)
{
	struct syscall_frame f = { .nr = t->sc.nr };
	const struct syscall_def *def;
	enum sc_action act;

	if (f.nr != SYS_wait4 && f.nr != SYS_waitid)
		return ret;
	def = &syscall_table[f.nr];
	for (int i = 0; i < 6; i++)
		f.args[i] = t->sc.args[i];
	/* Linux's do_wait() looks for what it can report before it looks
	 * at signals: decide again. An answer of the kernel's own is
	 * returned (the handler runs on the way out); a zombie the host
	 * must reap has the host make the wait again after the handler,
	 * SA_RESTART or not; nothing to report stands as the host said. */
	act = def->enter(k, t, &f);
	task_unpark(t);
	if (act == SC_RETURN)
		return f.ret;
	if (f.args_changed)
		return -ERESTARTNOINTR;
	return ret;
}

void kernel_syscall_exit(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	long nr = t->sc.nr;

	if (nr >= 0 && nr < KERNEL_NR_SYSCALLS && syscall_table[nr].exit)
		syscall_table[nr].exit(k, t, f);
}
