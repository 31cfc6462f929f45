/*
 * This file implements wait4(2) and waitid(2) (Linux's do_wait()).
 *
 * The kernel decides from its own tree which children the wait can see:
 * no matching child gives ECHILD without asking the host; a matching
 * emulated zombie is the one reaped, by rewriting the host call to wait
 * for exactly that PID. Otherwise the host call runs as the application
 * made it (it blocks in the host, interruptible by signals, and the host's
 * parentage mirrors the kernel's, but for orphans whose parent's death the
 * platform has yet to collect: see wait_reap()). When it returns, the
 * exit handler reaps in the kernel the child the host reaped, so the
 * emulated and the host reap coincide and a TID is never reused while an
 * emulated zombie holds it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kernel/kernel.h"
#include "kernel/syscalls/syscalls.h"
#include "kernel/task_set_internal.h"
#include "platform/platform.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Linux's eligible_child(): the id and the clone-ness filters. */
static bool wait_eligible(const struct wait_opts *w,
			  const struct thread_group *c)
{
	bool is_clone;

	if (w->idtype == P_PID && c->tgid != w->id)
		return false;
	if (w->idtype == P_PGID && (!c->pgrp || c->pgrp->pgid != w->id))
		return false;
	if (w->options & __WALL)
		return true;
	/* A "clone" child reports to its parent with a signal other than
	 * SIGCHLD; only __WCLONE waits see those. */
	is_clone = c->leader->exit_signal != SIGCHLD;
	return is_clone == !!(w->options & __WCLONE);
}

/*
 * Scans the caller's children. Returns -ECHILD when none is eligible, 0
 * otherwise, with *zombie set to an eligible zombie if there is one.
 * Preconditions: ts.mu held.
 */
static int wait_scan_locked(struct task *t, const struct wait_opts *w,
			    struct thread_group **zombie)
{
	struct thread_group *c;
	bool any = false;

	*zombie = NULL;
	cds_list_for_each_entry(c, &t->tg->children, child_node) {
		if (!wait_eligible(w, c))
			continue;
		any = true;
		if (c->state == TG_ZOMBIE && (w->options & WEXITED)) {
			*zombie = c;
			break;
		}
	}
	return any ? 0 : -ECHILD;
}

/*
 * Linux's wait_task_stopped() and wait_task_continued() for the waits of
 * a tracer (wait_traced()): the first eligible live child whose group
 * stop (WUNTRACED/WSTOPPED) or continue (WCONTINUED) the parent has yet
 * to report, or NULL. A child the waiter's group traces reports its stop
 * as a ptrace-stop instead (ptrace_wait_scan_locked()). Preconditions:
 * ts.mu held.
 */
static struct thread_group *wait_scan_job_locked(struct task *t,
						 const struct wait_opts *w)
{
	struct thread_group *c;

	if (!(w->options & (WUNTRACED | WCONTINUED)))
		return NULL;
	cds_list_for_each_entry(c, &t->tg->children, child_node) {
		struct task *tracer;
		bool stop, cont;

		if (c->state != TG_LIVE || !wait_eligible(w, c))
			continue;
		tracer = c->leader ? c->leader->ptrace.tracer : NULL;
		pthread_mutex_lock(&c->sighand->mu);
		stop = c->group_stop_notify_pending &&
		       (w->options & WUNTRACED) &&
		       !(tracer && tracer->tg == t->tg);
		cont = c->group_cont_notify_pending &&
		       (w->options & WCONTINUED);
		pthread_mutex_unlock(&c->sighand->mu);
		if (stop || cont)
			return c;
	}
	return NULL;
}

/* What a wait's host call reported of a live child. */
enum wait_job_report {
	WAIT_REPORTED_STOP,
	WAIT_REPORTED_CONTINUE,
	/* A stop or a continue, unknown which (wait4 without a status
	 * pointer): the one Linux's wait_consider_task() looks at first. */
	WAIT_REPORTED_EITHER,
};

/*
 * A wait's host call reported a stop or a continue of the live child
 * tgid: the kernel's copy of what is left to report follows, so a later
 * wait of the kernel's (the caller became a tracer) does not report it
 * again.
 */
static void wait_reported(struct kernel *k, pid_t tgid,
			  enum wait_job_report what, int options)
{
	struct thread_group *c;

	pthread_rwlock_rdlock(&k->ts.mu);
	rcu_read_lock();
	c = tg_lookup_rcu(k, tgid);
	rcu_read_unlock();
	if (c && c->state == TG_LIVE) {
		pthread_mutex_lock(&c->sighand->mu);
		if (what == WAIT_REPORTED_EITHER)
			what = c->group_stop_notify_pending &&
					       (options & WUNTRACED)
				       ? WAIT_REPORTED_STOP
				       : WAIT_REPORTED_CONTINUE;
		if (what == WAIT_REPORTED_STOP)
			c->group_stop_notify_pending = false;
		else
			c->group_cont_notify_pending = false;
		pthread_mutex_unlock(&c->sighand->mu);
	}
	pthread_rwlock_unlock(&k->ts.mu);
}

/*
 * Reaps the zombie tgid after the host reaped it for t. It is usually one
 * of t's children in the kernel too, but it need not be: the host hands
 * an orphan to its reaper (t) the moment its parent dies, the kernel only
 * once the platform collects that death, and the platform may collect the
 * orphan's own death first (its waitpid(-1) lists newer tracees first, so
 * two processes killed together are often collected child first). The
 * orphan is then the dying parent's zombie in the kernel while the host
 * lets t reap it. The host's word is final (the PID is free on the host
 * now), so the zombie goes wherever the kernel still has it: kept, it
 * would be reparented to t as a zombie the host no longer has, t's every
 * later wait would be rewritten to it and fail with ECHILD (issue #18).
 * A live group of that TGID is left alone: a stopped or continued report
 * names a live child, and the kernel never sees a death before the host.
 */
static void wait_reap(struct kernel *k, pid_t tgid)
{
	struct thread_group *c;

	pthread_rwlock_wrlock(&k->ts.mu);
	rcu_read_lock();
	c = tg_lookup_rcu(k, tgid);
	rcu_read_unlock();
	if (c && c->state == TG_ZOMBIE)
		tg_reap_locked(k, c);
	pthread_rwlock_unlock(&k->ts.mu);
}

/* Writes what a wait reports for r into the caller's memory: wait4's
 * status and rusage (zeroed: the sentry does not account tracees'
 * resources), or waitid's siginfo and rusage. */
static int wait_report(struct kernel *k, struct task *t,
		       const struct syscall_frame *f, bool is_waitid,
		       const struct ptrace_wait_result *r)
{
	struct rusage ru;
	uint64_t ru_addr = is_waitid ? f->args[4] : f->args[3];

	memset(&ru, 0, sizeof(ru));
	if (is_waitid && f->args[2]) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (r) {
			si.si_signo = SIGCHLD;
			si.si_code = r->code;
			si.si_pid = r->tid;
			si.si_uid = r->uid;
			si.si_status = r->child_status;
		}
		if (plat_write_mem(k->plat, t, f->args[2], &si, sizeof(si)) !=
		    sizeof(si))
			return -EFAULT;
	} else if (!is_waitid && f->args[1] && r) {
		int status = r->status;

		if (plat_write_mem(k->plat, t, f->args[1], &status,
				   sizeof(status)) != sizeof(status))
			return -EFAULT;
	}
	if (ru_addr && r &&
	    plat_write_mem(k->plat, t, ru_addr, &ru, sizeof(ru)) != sizeof(ru))
		return -EFAULT;
	return 0;
}

/*
 * The wait of a tracer (Linux's do_wait() with its ptrace_entry walk):
 * the kernel's own, since the host knows nothing of the emulated stops.
 * Tracees' stops and deaths are reported from the kernel's state; a real
 * child's zombie, and a real child's stop or continue the wait asks for
 * (WUNTRACED, WCONTINUED), are reported by the host, with the wait
 * rewritten to that child as in wait_enter(), so that the host's state of
 * what is left to report stays the kernel's; with nothing to report the
 * wait parks until a tracee or child changes.
 */
static enum sc_action wait_traced(struct kernel *k, struct task *t,
				  struct syscall_frame *f, struct wait_opts *w,
				  int id_arg, bool is_waitid)
{
	struct ptrace_wait_result r;
	struct thread_group *zombie = NULL;
	int traced, children;

	pthread_rwlock_wrlock(&k->ts.mu);
	traced = ptrace_wait_scan_locked(t, w->idtype, w->id, w->options, &r);
	children = traced == 1 ? 0 : wait_scan_locked(t, w, &zombie);
	if (traced != 1 && children == 0 && !zombie)
		zombie = wait_scan_job_locked(t, w);
	if (traced != 1 && zombie) {
		if (is_waitid)
			f->args[id_arg - 1] = P_PID;
		f->args[id_arg] = (uint64_t)zombie->tgid;
		f->args_changed = true;
	}
	pthread_rwlock_unlock(&k->ts.mu);
	if (traced == 1) {
		int err = wait_report(k, t, f, is_waitid, &r);

		f->ret = err < 0 ? err : is_waitid ? 0 : r.tid;
		return SC_RETURN;
	}
	if (traced != 1 && children == 0 && zombie)
		return SC_HOST_EXIT;
	if (traced < 0 && children < 0) {
		f->ret = -ECHILD;
		return SC_RETURN;
	}
	if (w->options & WNOHANG) {
		/* A real child may have died a moment ago; only the host
		 * can say. */
		if (children == 0)
			return SC_HOST_EXIT;
		f->ret = wait_report(k, t, f, is_waitid, NULL);
		return SC_RETURN;
	}
	return SC_PARK;
}

/* Common entry: decide from the tree; rewrite the target to a zombie. */
static enum sc_action wait_enter(struct kernel *k, struct task *t,
				 struct syscall_frame *f, struct wait_opts *w,
				 int id_arg, bool idtype_arg)
{
	struct thread_group *zombie;
	int err;

	pthread_rwlock_rdlock(&k->ts.mu);
	if (w->idtype == P_PGID && w->id == 0)
		w->id = t->tg->pgrp ? t->tg->pgrp->pgid : 0;
	if (ptrace_group_is_tracer_locked(t->tg)) {
		pthread_rwlock_unlock(&k->ts.mu);
		return wait_traced(k, t, f, w, id_arg, idtype_arg);
	}
	err = wait_scan_locked(t, w, &zombie);
	if (zombie) {
		if (idtype_arg)
			f->args[id_arg - 1] = P_PID;
		f->args[id_arg] = (uint64_t)zombie->tgid;
		f->args_changed = true;
	}
	pthread_rwlock_unlock(&k->ts.mu);
	if (err < 0) {
		f->ret = err;
		return SC_RETURN;
	}
	/* Every host wait is followed to its exit, WNOHANG ones too: the
	 * platform may collect a child's death (making it reapable on the
	 * host) after this entry was decided but before the resumed caller
	 * runs the host call, which then reaps a child the kernel had not
	 * yet seen as a zombie (tests/procfs stress catches this). And even
	 * with a zombie named, the kernel reaps only once the host has: a
	 * bad status pointer makes the host fail without reaping. */
	return SC_HOST_EXIT;
}

enum sc_action sys_wait4(struct kernel *k, struct task *t,
			 struct syscall_frame *f)
{
	pid_t pid = (pid_t)f->args[0];
	int options = (int)f->args[2];
	struct wait_opts w = { .options = options | WEXITED };

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL)) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	if (pid == -1) {
		w.idtype = P_ALL;
	} else if (pid < 0) {
		if (pid == INT32_MIN) { /* -INT_MIN overflows: Linux says ESRCH */
			f->ret = -ESRCH;
			return SC_RETURN;
		}
		w.idtype = P_PGID;
		w.id = -pid;
	} else if (pid == 0) {
		w.idtype = P_PGID;
		w.id = 0;
	} else {
		w.idtype = P_PID;
		w.id = pid;
	}
	return wait_enter(k, t, f, &w, 0, false);
}

/* Whether the sentry wrote the core of child tgid (coredump.h), whose
 * death the host just reported with its own status. */
static bool wait_core_written(struct kernel *k, pid_t tgid)
{
	struct thread_group *c;
	bool written = false;

	rcu_read_lock();
	c = tg_lookup_rcu(k, tgid);
	if (c)
		written = __atomic_load_n(&c->core_written, __ATOMIC_ACQUIRE);
	rcu_read_unlock();
	return written;
}

void sys_wait4_exit(struct kernel *k, struct task *t, struct syscall_frame *f)
{
	int options = (int)t->sc.args[2];
	int status = 0;

	/* The host reports a core only if it wrote one; the sentry's own
	 * core (--dump-on=fatal-signal) sets the bit too. */
	if (f->ret > 0 && t->sc.args[1] && wait_core_written(k, (pid_t)f->ret) &&
	    plat_read_mem(k->plat, t, t->sc.args[1], &status,
			  sizeof(status)) == sizeof(status) &&
	    WIFSIGNALED(status) && !WCOREDUMP(status)) {
		status |= 0x80;
		plat_write_mem(k->plat, t, t->sc.args[1], &status,
			       sizeof(status));
	}
	/* wait4 has no WNOWAIT: a returned PID that is an emulated zombie
	 * was reaped by the host just now. Stopped and continued reports
	 * name live children, which wait_reap() leaves alone. */
	if (f->ret <= 0)
		return;
	wait_reap(k, (pid_t)f->ret);
	if (!(options & (WUNTRACED | WCONTINUED)))
		return;
	if (!t->sc.args[1]) {
		wait_reported(k, (pid_t)f->ret, WAIT_REPORTED_EITHER, options);
		return;
	}
	if (plat_read_mem(k->plat, t, t->sc.args[1], &status,
			  sizeof(status)) != sizeof(status))
		return;
	if (WIFSTOPPED(status))
		wait_reported(k, (pid_t)f->ret, WAIT_REPORTED_STOP, options);
	else if (WIFCONTINUED(status))
		wait_reported(k, (pid_t)f->ret, WAIT_REPORTED_CONTINUE,
			      options);
}

enum sc_action sys_waitid(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	int idtype = (int)f->args[0];
	int options = (int)f->args[3];
	struct wait_opts w = { .idtype = idtype, .id = (pid_t)f->args[1],
			       .options = options };

	if ((options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED |
			 WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) ||
	    !(options & (WEXITED | WSTOPPED | WCONTINUED))) {
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (w.id <= 0) {
			f->ret = -EINVAL;
			return SC_RETURN;
		}
		break;
	case P_PGID:
		if (w.id < 0) {
			f->ret = -EINVAL;
			return SC_RETURN;
		}
		break;
	case P_PIDFD:
		/* The pidfd names the child on the host; the exit handler
		 * still reaps the emulated one. */
		return SC_HOST_EXIT;
	default:
		f->ret = -EINVAL;
		return SC_RETURN;
	}
	return wait_enter(k, t, f, &w, 1, true);
}

void sys_waitid_exit(struct kernel *k, struct task *t, struct syscall_frame *f)
{
	siginfo_t si;

	if (f->ret != 0 || (t->sc.args[3] & WNOWAIT) || !t->sc.args[2])
		return;
	if (plat_read_mem(k->plat, t, t->sc.args[2], &si, sizeof(si)) !=
	    sizeof(si))
		return;
	if (si.si_pid > 0 && si.si_code == CLD_KILLED &&
	    wait_core_written(k, si.si_pid)) {
		si.si_code = CLD_DUMPED;
		plat_write_mem(k->plat, t, t->sc.args[2], &si, sizeof(si));
	}
	if (si.si_pid > 0 && (si.si_code == CLD_EXITED ||
			      si.si_code == CLD_KILLED ||
			      si.si_code == CLD_DUMPED))
		wait_reap(k, si.si_pid);
	else if (si.si_pid > 0 && (si.si_code == CLD_STOPPED ||
				   si.si_code == CLD_CONTINUED))
		wait_reported(k, si.si_pid,
			      si.si_code == CLD_STOPPED
				      ? WAIT_REPORTED_STOP
				      : WAIT_REPORTED_CONTINUE,
			      (int)t->sc.args[3]);
}
