/*
 * This file implements the lifecycle syscalls at their entry: clone,
 * clone3, fork, vfork, execve, execveat, exit, exit_group,
 * set_tid_address, prctl and unshare. The host carries them out; the
 * kernel records what their completion needs (task_clone.c, task_exec.c,
 * task_exit.c commit it when the host reports the event).
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "kernel/kernel.h"
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
	return SC_HOST;
}

enum sc_action sys_fork(struct kernel *k, struct task *t,
			struct syscall_frame *f)
{
	t->sc.clone_flags = 0;
	t->sc.clone_exit_signal = SIGCHLD;
	return SC_HOST;
}

enum sc_action sys_vfork(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	t->sc.clone_flags = CLONE_VFORK | CLONE_VM;
	t->sc.clone_exit_signal = SIGCHLD;
	return SC_HOST;
}

/* Reads a NUL-terminated string of at most len-1 bytes. Returns its length
 * or -errno. */
static ssize_t read_string(struct kernel *k, struct task *t, uint64_t addr,
			   char *buf, size_t len)
{
	size_t done = 0;

	while (done < len - 1) {
		/* Read up to the end of the page so an unmapped next page
		 * does not fail a short string. */
		size_t chunk = 4096 - ((addr + done) & 4095);
		ssize_t n;
		char *nul;

		if (chunk > len - 1 - done)
			chunk = len - 1 - done;
		n = plat_read_mem(k->plat, t, addr + done, buf + done, chunk);
		if (n <= 0)
			return n < 0 ? n : -EFAULT;
		nul = memchr(buf + done, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		done += (size_t)n;
	}
	buf[done] = '\0';
	return (ssize_t)done;
}

/* Captures the path and argv of an exec in flight into t->sc, for
 * task_exec() to commit. Failure to read is not an error here: the host
 * will fail the exec with EFAULT itself. */
static void exec_capture(struct kernel *k, struct task *t, uint64_t path,
			 uint64_t argv)
{
	char name[4096];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const char *base;

	free(t->sc.exec_argv);
	t->sc.exec_argv = NULL;
	t->sc.exec_argv_len = 0;
	if (read_string(k, t, path, name, sizeof(name)) < 0)
		name[0] = '\0';
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	/* comm keeps the first 15 bytes of the name, as Linux's
	 * __set_task_comm() does. */
	memset(t->sc.exec_comm, 0, sizeof(t->sc.exec_comm));
	memcpy(t->sc.exec_comm, base,
	       strnlen(base, sizeof(t->sc.exec_comm) - 1));

	for (int i = 0; argv && i < 4096 && len < 65536; i++) {
		uint64_t p;
		char arg[4096];
		ssize_t n;

		if (plat_read_mem(k->plat, t, argv + 8 * (uint64_t)i, &p,
				  sizeof(p)) != sizeof(p) || !p)
			break;
		n = read_string(k, t, p, arg, sizeof(arg));
		if (n < 0)
			break;
		if (len + (size_t)n + 1 > cap) {
			size_t ncap = (len + (size_t)n + 1) * 2;
			char *nb = realloc(buf, ncap);

			if (!nb)
				break;
			buf = nb;
			cap = ncap;
		}
		memcpy(buf + len, arg, (size_t)n + 1);
		len += (size_t)n + 1;
	}
	t->sc.exec_argv = buf;
	t->sc.exec_argv_len = len;
	t->sc.exec_captured = true;
}

enum sc_action sys_execve(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	exec_capture(k, t, f->args[0], f->args[1]);
	return SC_HOST;
}

enum sc_action sys_execveat(struct kernel *k, struct task *t,
			    struct syscall_frame *f)
{
	exec_capture(k, t, f->args[1], f->args[2]);
	return SC_HOST;
}

enum sc_action sys_exit(struct kernel *k, struct task *t,
			struct syscall_frame *f)
{
	return SC_HOST;
}

enum sc_action sys_exit_group(struct kernel *k, struct task *t,
			      struct syscall_frame *f)
{
	pthread_rwlock_wrlock(&k->ts.mu);
	if (!t->tg->exiting) {
		t->tg->exiting = true;
		t->tg->exit_status = (int)((f->args[0] & 0xff) << 8);
	}
	pthread_rwlock_unlock(&k->ts.mu);
	return SC_HOST;
}

enum sc_action sys_set_tid_address(struct kernel *k, struct task *t,
				   struct syscall_frame *f)
{
	pthread_mutex_lock(&t->mu);
	t->clear_child_tid = f->args[0];
	pthread_mutex_unlock(&t->mu);
	/* The host keeps the address too: it clears it and wakes the futex
	 * at thread exit, which pthread_join relies on. */
	return SC_HOST;
}

enum sc_action sys_prctl(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	char name[16];

	switch (f->args[0]) {
	case PR_SET_NAME:
		if (read_string(k, t, f->args[1], name, sizeof(name)) >= 0) {
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

enum sc_action sys_unshare(struct kernel *k, struct task *t,
			   struct syscall_frame *f)
{
	return SC_HOST_EXIT;
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
