/*
 * This file implements the identity syscalls: getpid, gettid, getppid,
 * getpgid, getpgrp, getsid (answered from emulated state) and setpgid,
 * setsid (decided by the kernel with Linux's rules from kernel/sys.c,
 * mirrored onto the host so the terminal's job control follows, and
 * committed once the host agreed).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "kernel/kernel.h"
#include "kernel/syscalls/syscalls.h"
#include "kernel/task_set_internal.h"
#include "platform/platform.h"

/* getpid and gettid: emulated TIDs are the host's TIDs in the sandbox's
 * PID namespace by construction (DESIGN §2), so the host computes the
 * kernel's answer and the kernel lets it: that saves rewriting the
 * registers on the most frequent trapped syscalls. The kernel still sees,
 * counts and can catch every call. */
enum sc_action sys_getpid(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	return SC_HOST;
}

enum sc_action sys_gettid(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	return SC_HOST;
}

enum sc_action sys_getppid(struct kernel *k, struct task *t,
			   struct syscall_frame *f)
{
	pthread_rwlock_rdlock(&k->ts.mu);
	f->ret = tg_ppid(t->tg);
	pthread_rwlock_unlock(&k->ts.mu);
	return SC_RETURN;
}

/* Finds the thread group a pid argument names: 0 is the caller's; any
 * thread's TID names its process, as Linux's find_task_by_vpid() does. */
static struct thread_group *tg_from_arg_locked(struct kernel *k,
					       struct task *t, pid_t pid)
{
	struct task *target;

	if (pid == 0)
		return t->tg;
	/* ts.mu keeps the task and its group alive past the read side. */
	rcu_read_lock();
	target = task_lookup_rcu(k, pid);
	rcu_read_unlock();
	if (!target || target->exit_state == TASK_EXIT_DEAD ||
	    target->tg->state == TG_DEAD)
		return NULL;
	return target->tg;
}

enum sc_action sys_getpgid(struct kernel *k, struct task *t,
			   struct syscall_frame *f)
{
	pid_t pid = (pid_t)f->args[0];
	struct thread_group *tg;

	pthread_rwlock_rdlock(&k->ts.mu);
	tg = tg_from_arg_locked(k, t, pid);
	f->ret = (tg && tg->pgrp) ? tg->pgrp->pgid : -ESRCH;
	pthread_rwlock_unlock(&k->ts.mu);
	return SC_RETURN;
}

enum sc_action sys_getpgrp(struct kernel *k, struct task *t,
			   struct syscall_frame *f)
{
	f->args[0] = 0;
	return sys_getpgid(k, t, f);
}

enum sc_action sys_getsid(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	pid_t pid = (pid_t)f->args[0];
	struct thread_group *tg;

	pthread_rwlock_rdlock(&k->ts.mu);
	tg = tg_from_arg_locked(k, t, pid);
	f->ret = (tg && tg->pgrp) ? tg->pgrp->session->sid : -ESRCH;
	pthread_rwlock_unlock(&k->ts.mu);
	return SC_RETURN;
}

/* Whether tg leads its session. */
static bool tg_is_session_leader(const struct thread_group *tg)
{
	return tg->pgrp && tg->pgrp->session->sid == tg->tgid;
}

/* Linux's setpgid() checks. Returns 0 or -errno. Preconditions: ts.mu
 * held. */
static int setpgid_check_locked(struct kernel *k, struct task *t, pid_t pid,
				pid_t pgid, struct thread_group **out)
{
	struct thread_group *tg;
	struct process_group *pg;

	if (pgid < 0)
		return -EINVAL;
	tg = tg_from_arg_locked(k, t, pid);
	if (!tg)
		return -ESRCH;
	/* setpgid() moves processes: a non-leader thread's TID is refused. */
	if (pid != 0 && tg->tgid != pid)
		return -EINVAL;
	if (pgid == 0)
		pgid = tg->tgid;
	if (tg != t->tg) {
		if (tg->parent != t->tg)
			return -ESRCH;
		if (tg->pgrp->session != t->tg->pgrp->session)
			return -EPERM;
		if (tg->execed)
			return -EACCES;
	}
	if (tg_is_session_leader(tg))
		return -EPERM;
	if (pgid != tg->tgid) {
		pg = pgrp_find_locked(k, pgid);
		if (!pg || pg->session != t->tg->pgrp->session)
			return -EPERM;
	}
	*out = tg;
	return 0;
}

enum sc_action sys_setpgid(struct kernel *k, struct task *t,
			   struct syscall_frame *f)
{
	struct thread_group *tg;
	int err;

	pthread_rwlock_rdlock(&k->ts.mu);
	err = setpgid_check_locked(k, t, (pid_t)f->args[0], (pid_t)f->args[1],
				   &tg);
	pthread_rwlock_unlock(&k->ts.mu);
	if (err < 0) {
		f->ret = err;
		return SC_RETURN;
	}
	return SC_HOST_EXIT;
}

void sys_setpgid_exit(struct kernel *k, struct task *t,
		      struct syscall_frame *f)
{
	struct thread_group *tg;
	pid_t pgid = (pid_t)t->sc.args[1];

	if (f->ret != 0)
		return;
	pthread_rwlock_wrlock(&k->ts.mu);
	/* Recheck: the tree may have changed while the host ran it. */
	if (setpgid_check_locked(k, t, (pid_t)t->sc.args[0], pgid, &tg) == 0)
		tg_join_pgrp_locked(k, tg, t->tg->pgrp->session,
				    pgid ? pgid : tg->tgid);
	pthread_rwlock_unlock(&k->ts.mu);
}

enum sc_action sys_setsid(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	bool leader;

	pthread_rwlock_rdlock(&k->ts.mu);
	/* A process group leader cannot start a session: the group would
	 * span two sessions. */
	leader = pgrp_find_locked(k, t->tg->tgid) != NULL;
	pthread_rwlock_unlock(&k->ts.mu);
	if (leader) {
		f->ret = -EPERM;
		return SC_RETURN;
	}
	return SC_HOST_EXIT;
}

void sys_setsid_exit(struct kernel *k, struct task *t,
		     struct syscall_frame *f)
{
	struct session *s;
	struct thread_group *tg = t->tg;

	if (f->ret < 0)
		return;
	pthread_rwlock_wrlock(&k->ts.mu);
	s = session_new_locked(k, tg->tgid);
	if (s) {
		tg_join_pgrp_locked(k, tg, s, tg->tgid);
		s->foreground = 0; /* no controlling terminal yet */
	}
	pthread_rwlock_unlock(&k->ts.mu);
}

/*
 * ioctl(fd, TIOCSPGRP, &pgid), tcsetpgrp(3), and ioctl(fd, TIOCSCTTY),
 * the only ioctls the seccomp filter traps. The host checks what Linux's
 * tiocspgrp() and tiocsctty() check (fd is the caller's controlling
 * terminal, pgid a group of its session; the caller leads a session with
 * no terminal yet); when it agrees, that group (for TIOCSCTTY, the
 * caller's) is the session's foreground group, which ps shows as tpgid
 * and with a "+".
 */
enum sc_action sys_ioctl(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	pid_t pgid;

	/* TIOCSCTTY: the terminal becomes the session's, with the caller's
	 * group in the foreground (Linux's __proc_set_tty()). */
	if ((unsigned int)f->args[1] == TIOCSCTTY)
		return SC_HOST_EXIT;
	if ((unsigned int)f->args[1] != TIOCSPGRP ||
	    plat_read_mem(k->plat, t, f->args[2], &pgid, sizeof(pgid)) !=
		    sizeof(pgid))
		return SC_HOST; /* not ours, or the host answers EFAULT */
	t->sc.tty_pgid = pgid;
	return SC_HOST_EXIT;
}

void sys_ioctl_exit(struct kernel *k, struct task *t, struct syscall_frame *f)
{
	struct process_group *pg;

	if (f->ret != 0)
		return;
	pthread_rwlock_wrlock(&k->ts.mu);
	if ((unsigned int)t->sc.args[1] == TIOCSCTTY)
		pg = t->tg->pgrp;
	else
		pg = pgrp_find_locked(k, t->sc.tty_pgid);
	if (pg && t->tg->pgrp && pg->session == t->tg->pgrp->session)
		pg->session->foreground = pg->pgid;
	pthread_rwlock_unlock(&k->ts.mu);
}
