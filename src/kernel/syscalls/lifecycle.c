/*
 * This file implements the lifecycle syscalls at their entry: clone,
 * clone3, prctl and unshare. The host carries them out; the kernel
 * records what their completion needs (task_clone.c commits it when the
 * host reports the new task). fork and vfork are not trapped: their flags
 * are fixed, and the host's fork or vfork event says which it was
 * (task_clone_note_fork()).
 *
 * execve, exit and exit_group are not trapped: the host's exec and exit
 * events carry everything the kernel needs (task_exec.c reads the new
 * image's argv from its initial stack; task_exit.c takes the status from
 * the exit event), and each trap would cost a host stop on the hottest
 * path of every shell.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "kernel/kernel.h"
#include "kernel/user_mem.h"
#include "kernel/syscalls/syscalls.h"
#include "platform/platform.h"

/* The part of struct clone_args (linux/sched.h) the kernel needs. */
struct clone3_head {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
};

/* CLONE_UNTRACED would hide the new task from the platform, and a task the
 * kernel does not know cannot make a single trapped syscall (seccomp
 * answers ENOSYS when no tracer is attached). The kernel sees every task,
 * so the flag is dropped. */
enum sc_action sys_clone(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	if (f->args[0] & CLONE_UNTRACED) {
		f->args[0] &= ~(uint64_t)CLONE_UNTRACED;
		f->args_changed = true;
	}
	t->sc.clone_flags = f->args[0] & ~0xffUL;
	t->sc.clone_exit_signal = (int)(f->args[0] & 0xff);
	t->sc.clone_pending = true;
	return SC_HOST;
}

enum sc_action sys_clone3(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	struct clone3_head ca;

	if (f->args[1] < sizeof(ca) ||
	    plat_read_mem(k->plat, t, f->args[0], &ca, sizeof(ca)) !=
		    (ssize_t)sizeof(ca)) {
		/* Let the host give its own EINVAL/EFAULT; no task results. */
		t->sc.clone_flags = 0;
		return SC_HOST;
	}
	if (ca.flags & CLONE_UNTRACED) {
		ca.flags &= ~(uint64_t)CLONE_UNTRACED;
		plat_write_mem(k->plat, t, f->args[0], &ca.flags,
			       sizeof(ca.flags));
	}
	t->sc.clone_flags = ca.flags;
	t->sc.clone_exit_signal = (int)ca.exit_signal;
	t->sc.clone_pending = true;
	return SC_HOST;
}

enum sc_action sys_prctl(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	char name[16];

	switch (f->args[0]) {
	case PR_SET_NAME:
		if (user_read_string(k, t, f->args[1], name, sizeof(name)) >= 0) {
			pthread_mutex_lock(&t->mu);
			memcpy(t->comm, name, sizeof(name));
			pthread_mutex_unlock(&t->mu);
		}
		return SC_HOST;
	case PR_SET_CHILD_SUBREAPER:
		return SC_HOST_EXIT;
	case PR_GET_CHILD_SUBREAPER: {
		int v;

		pthread_rwlock_rdlock(&k->ts.mu);
		v = t->tg->subreaper;
		pthread_rwlock_unlock(&k->ts.mu);
		if (plat_write_mem(k->plat, t, f->args[1], &v, sizeof(v)) !=
		    sizeof(v)) {
			f->ret = -EFAULT;
			return SC_RETURN;
		}
		f->ret = 0;
		return SC_RETURN;
	}
	default:
		return SC_HOST;
	}
}

void sys_prctl_exit(struct kernel *k, struct task *t, struct syscall_frame *f)
{
	if (t->sc.args[0] != PR_SET_CHILD_SUBREAPER || f->ret != 0)
		return;
	/* The host is a subreaper too, so host and kernel reparent orphans
	 * to the same process. */
	pthread_rwlock_wrlock(&k->ts.mu);
	t->tg->subreaper = t->sc.args[1] != 0;
	pthread_rwlock_unlock(&k->ts.mu);
}

void sys_unshare_exit(struct kernel *k, struct task *t,
		      struct syscall_frame *f)
{
	struct fd_table *nt;

	if (f->ret != 0 || !(t->sc.args[0] & CLONE_FILES))
		return;
	nt = fdt_new();
	if (!nt)
		return;
	pthread_mutex_lock(&t->mu);
	if (fdt_users(t->fdt) > 1) {
		fdt_put(t->fdt);
		t->fdt = nt;
		nt = NULL;
	}
	pthread_mutex_unlock(&t->mu);
	fdt_put(nt);
}
