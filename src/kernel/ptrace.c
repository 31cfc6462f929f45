/*
 * This file implements the emulated ptrace state machine (Linux's
 * kernel/ptrace.c and ptrace_stop()/ptrace_signal() of kernel/signal.c):
 * how a tracee enters each ptrace-stop, what its tracer's wait reports,
 * and what happens when either of them dies. The ptrace(2) requests
 * themselves are in syscalls/ptrace.c.
 *
 * A tracee enters a stop at one of its host stops: the platform tells the
 * kernel what the host reported (a signal, a syscall entry or exit, an
 * event) and keeps the host thread stopped while ptrace_holds() says so.
 * Entering a stop records its wait(2) code, marks it unreported, sends
 * the tracer SIGCHLD (CLD_TRAPPED) and wakes the tracer's parked waits.
 *
 * Divergences from Linux, documented in sentry(1):
 *   - the tracer is a thread group's leader for PTRACE_TRACEME;
 *   - a tracee's real parent may reap it on the host before its tracer's
 *     wait reported the death (the tracer still gets the report).
 */
#include <errno.h>
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kernel/kernel.h"
#include "kernel/ptrace.h"
#include "kernel/signal_deliver.h"
#include "kernel/task_set_internal.h"
#include "platform/platform.h"

void ptrace_state_init(struct ptrace_state *p)
{
	memset(p, 0, sizeof(*p));
	CDS_INIT_LIST_HEAD(&p->tracees);
	CDS_INIT_LIST_HEAD(&p->tracee_node);
	CDS_INIT_LIST_HEAD(&p->exits);
}

const char *ptrace_stop_name(int kind)
{
	static const char *const names[] = {
		[PTRACE_STOP_NONE] = "none",
		[PTRACE_STOP_SIGNAL] = "signal",
		[PTRACE_STOP_GROUP] = "group",
		[PTRACE_STOP_SYSCALL_ENTER] = "syscall-enter",
		[PTRACE_STOP_SYSCALL_EXIT] = "syscall-exit",
		[PTRACE_STOP_EVENT] = "event",
	};

	if (kind < 0 || kind >= (int)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[kind];
}

static const struct {
	long req;
	const char *name;
} ptrace_requests[] = {
	{ PTRACE_TRACEME, "TRACEME" },
	{ PTRACE_PEEKTEXT, "PEEKTEXT" },
	{ PTRACE_PEEKDATA, "PEEKDATA" },
	{ PTRACE_PEEKUSER, "PEEKUSER" },
	{ PTRACE_POKETEXT, "POKETEXT" },
	{ PTRACE_POKEDATA, "POKEDATA" },
	{ PTRACE_POKEUSER, "POKEUSER" },
	{ PTRACE_CONT, "CONT" },
	{ PTRACE_KILL, "KILL" },
	{ PTRACE_SINGLESTEP, "SINGLESTEP" },
	{ PTRACE_GETREGS, "GETREGS" },
	{ PTRACE_SETREGS, "SETREGS" },
	{ PTRACE_GETFPREGS, "GETFPREGS" },
	{ PTRACE_SETFPREGS, "SETFPREGS" },
	{ PTRACE_ATTACH, "ATTACH" },
	{ PTRACE_DETACH, "DETACH" },
	{ PTRACE_SYSCALL, "SYSCALL" },
	{ PTRACE_ARCH_PRCTL, "ARCH_PRCTL" },
	{ PTRACE_SYSEMU, "SYSEMU" },
	{ PTRACE_SYSEMU_SINGLESTEP, "SYSEMU_SINGLESTEP" },
	{ PTRACE_SETOPTIONS, "SETOPTIONS" },
	{ PTRACE_GETEVENTMSG, "GETEVENTMSG" },
	{ PTRACE_GETSIGINFO, "GETSIGINFO" },
	{ PTRACE_SETSIGINFO, "SETSIGINFO" },
	{ PTRACE_GETREGSET, "GETREGSET" },
	{ PTRACE_SETREGSET, "SETREGSET" },
	{ PTRACE_SEIZE, "SEIZE" },
	{ PTRACE_INTERRUPT, "INTERRUPT" },
	{ PTRACE_LISTEN, "LISTEN" },
	{ PTRACE_PEEKSIGINFO, "PEEKSIGINFO" },
	{ PTRACE_GETSIGMASK, "GETSIGMASK" },
	{ PTRACE_SETSIGMASK, "SETSIGMASK" },
	{ PTRACE_SECCOMP_GET_FILTER, "SECCOMP_GET_FILTER" },
	{ PTRACE_GET_SYSCALL_INFO, "GET_SYSCALL_INFO" },
};

const char *ptrace_request_name(long req)
{
	for (size_t i = 0; i < sizeof(ptrace_requests) / sizeof(ptrace_requests[0]); i++)
		if (ptrace_requests[i].req == req)
			return ptrace_requests[i].name;
	return NULL;
}

long ptrace_request_parse(const char *s)
{
	if (!strncasecmp(s, "PTRACE_", 7))
		s += 7;
	for (size_t i = 0; i < sizeof(ptrace_requests) / sizeof(ptrace_requests[0]); i++)
		if (!strcasecmp(ptrace_requests[i].name, s))
			return ptrace_requests[i].req;
	return -EINVAL;
}

bool ptrace_holds(const struct task *t)
{
	return __atomic_load_n(&t->ptrace.stop, __ATOMIC_ACQUIRE) !=
	       PTRACE_STOP_NONE;
}

bool ptrace_traced(const struct task *t)
{
	return __atomic_load_n(&t->ptrace.tracer, __ATOMIC_ACQUIRE) != NULL;
}

enum ptrace_run_mode ptrace_run_mode(const struct task *t)
{
	const struct ptrace_state *p = &t->ptrace;

	if (!ptrace_traced(t))
		return PTRACE_RUN_CONT;
	if (p->syscall_mode == PTRACE_MODE_EMU)
		return PTRACE_RUN_SYSEMU;
	if (p->singlestep)
		return PTRACE_RUN_SINGLESTEP;
	if (p->syscall_mode == PTRACE_MODE_SYSCALL)
		return PTRACE_RUN_SYSCALL;
	return PTRACE_RUN_CONT;
}

bool ptrace_wants_exit_event(const struct task *t)
{
	return ptrace_traced(t) && (t->ptrace.options & PTRACE_O_TRACEEXIT);
}

/* The tracer of t (a new reference) and its thread group's ID, or NULL. */
static struct task *ptrace_get_tracer(struct kernel *k, struct task *t,
				      pid_t *tgid)
{
	struct task *tr;

	pthread_rwlock_rdlock(&k->ts.mu);
	tr = t->ptrace.tracer;
	if (tr && !task_tryget(tr))
		tr = NULL;
	*tgid = tr ? tr->tg->tgid : 0;
	pthread_rwlock_unlock(&k->ts.mu);
	return tr;
}

void ptrace_wake_waiters(struct kernel *k, pid_t tgid)
{
	struct task *v[16];
	struct task *t;
	size_t n = 0;
	struct thread_group *tg;

	if (!k->plat || !k->plat->ops->wake || tgid <= 0)
		return;
	pthread_rwlock_rdlock(&k->ts.mu);
	rcu_read_lock();
	t = task_lookup_rcu(k, tgid);
	tg = t ? t->tg : NULL;
	rcu_read_unlock();
	if (tg) {
		/* Waits in more than 16 threads of one tracer at once: the
		 * rest are woken by the next event (each wake is a hint). */
		cds_list_for_each_entry(t, &tg->tasks, tg_node) {
			if (n == sizeof(v) / sizeof(v[0]))
				break;
			/* sc is the platform thread's; so are we. A wait in
			 * the host (one that began before its caller became
			 * a tracer) must look again too. */
			if ((t->sc.parked || t->sc.nr == SYS_wait4 ||
			     t->sc.nr == SYS_waitid) &&
			    task_tryget(t))
				v[n++] = t;
		}
	}
	pthread_rwlock_unlock(&k->ts.mu);
	for (size_t i = 0; i < n; i++) {
		k->plat->ops->wake(k->plat, v[i]);
		task_put(v[i]);
	}
}

/* Tells t's tracer about t's new stop: SIGCHLD (CLD_TRAPPED) and its
 * parked waits (Linux's do_notify_parent_cldstop() for a ptrace stop). */
static void ptrace_notify_tracer(struct kernel *k, struct task *t, int code)
{
	siginfo_t si = { .si_signo = SIGCHLD, .si_code = CLD_TRAPPED };
	struct task *tr;
	pid_t tgid;

	tr = ptrace_get_tracer(k, t, &tgid);
	if (!tr)
		return;
	si.si_pid = t->tid;
	si.si_status = code & 0xff;
	pthread_mutex_lock(&t->mu);
	si.si_uid = t->uid;
	pthread_mutex_unlock(&t->mu);
	sig_send(k, SIGNAL_TARGET_TG, tgid, &si, true);
	ptrace_wake_waiters(k, tgid);
	task_put(tr);
}

/* Enters a ptrace-stop of kind with wait code code (and siginfo info,
 * when the stop has one). */
static void ptrace_enter_stop(struct kernel *k, struct task *t,
			      enum ptrace_stop_kind kind, int code,
			      const siginfo_t *info, unsigned long msg)
{
	struct ptrace_state *p = &t->ptrace;

	task_lock_signals(t);
	p->stop_code = code;
	p->reported = false;
	p->has_siginfo = info != NULL;
	if (info)
		p->siginfo = *info;
	else
		memset(&p->siginfo, 0, sizeof(p->siginfo));
	p->event_msg = msg;
	p->resume_sig = 0;
	p->resumed_from_signal = false;
	p->interrupt_pending = false;
	p->listening = false;
	p->run_in_group_stop = false;
	__atomic_store_n(&p->stop, kind, __ATOMIC_RELEASE);
	task_unlock_signals(t);
	ptrace_notify_tracer(k, t, code);
}

/* The siginfo Linux's ptrace_event()/ptrace_notify() shows for an event or
 * syscall stop: SIGTRAP with si_code the stop code. */
static siginfo_t ptrace_trap_info(struct task *t, int code)
{
	siginfo_t si = { .si_signo = SIGTRAP, .si_code = code };

	si.si_pid = t->tid;
	pthread_mutex_lock(&t->mu);
	si.si_uid = t->uid;
	pthread_mutex_unlock(&t->mu);
	return si;
}

static void ptrace_event_stop(struct kernel *k, struct task *t, int event,
			      unsigned long msg)
{
	int code = SIGTRAP | (event << 8);
	siginfo_t si = ptrace_trap_info(t, code);

	ptrace_enter_stop(k, t, PTRACE_STOP_EVENT, code, &si, msg);
}

bool ptrace_wants_vfork_done(const struct task *t)
{
	return ptrace_traced(t) &&
	       (t->ptrace.options & PTRACE_O_TRACEVFORKDONE);
}

bool ptrace_vfork_done(struct kernel *k, struct task *t)
{
	/* Linux's kernel_clone(): ptrace_event_pid(PTRACE_EVENT_VFORK_DONE)
	 * once wait_for_vfork_done() returns, whether or not the child was
	 * traced. */
	if (!ptrace_wants_vfork_done(t))
		return false;
	ptrace_event_stop(k, t, PTRACE_EVENT_VFORK_DONE,
			  (unsigned long)t->ptrace.vfork_child);
	return true;
}

bool ptrace_run_in_group_stop(struct task *t)
{
	bool run;

	task_lock_signals(t);
	run = t->ptrace.run_in_group_stop;
	t->ptrace.run_in_group_stop = false;
	task_unlock_signals(t);
	return run;
}

bool ptrace_syscall_stop(struct kernel *k, struct task *t, bool entry)
{
	struct ptrace_state *p = &t->ptrace;
	int code = SIGTRAP;
	siginfo_t si;

	if (!ptrace_traced(t) || p->syscall_mode == PTRACE_MODE_NONE)
		return false;
	if (p->options & PTRACE_O_TRACESYSGOOD)
		code |= 0x80;
	si = ptrace_trap_info(t, code);
	p->in_syscall = entry;
	ptrace_enter_stop(k, t, entry ? PTRACE_STOP_SYSCALL_ENTER
				      : PTRACE_STOP_SYSCALL_EXIT,
			  code, &si, 0);
	return true;
}

bool ptrace_interrupt_stop(struct kernel *k, struct task *t)
{
	if (!ptrace_traced(t) ||
	    !__atomic_load_n(&t->ptrace.interrupt_pending, __ATOMIC_ACQUIRE))
		return false;
	ptrace_event_stop(k, t, PTRACE_EVENT_STOP, 0);
	return true;
}

bool ptrace_group_stop(struct kernel *k, struct task *t, int sig,
		       bool entering)
{
	struct ptrace_state *p = &t->ptrace;

	if (!ptrace_traced(t))
		return false;
	if (entering) {
		/* ptrace(2) "group-stop": a seized tracee reports it as
		 * PTRACE_EVENT_STOP with the stop signal, any other with the
		 * stop signal alone. Only the seized one has a siginfo
		 * (Linux's do_jobctl_trap(): ptrace_do_notify() makes one,
		 * si_code the wait code; ptrace_stop() of a legacy tracee has
		 * none, so that PTRACE_GETSIGINFO's EINVAL tells a group-stop
		 * from a signal-delivery-stop). The host keeps the thread in
		 * its group stop; the kernel does not hold it otherwise. */
		int code = p->seized ? sig | (PTRACE_EVENT_STOP << 8) : sig;
		siginfo_t si = ptrace_trap_info(t, code);

		si.si_signo = sig;
		ptrace_enter_stop(k, t, PTRACE_STOP_GROUP, code,
				  p->seized ? &si : NULL, 0);
		return false;
	}
	/* SIGCONT ended the group stop. A seized tracee that was in it
	 * (reported or listening) traps again with PTRACE_EVENT_STOP and
	 * SIGTRAP (Linux's JOBCTL_TRAP_NOTIFY); the SIGCONT itself then
	 * comes as a signal-delivery-stop. */
	if (p->seized && (p->stop == PTRACE_STOP_GROUP || p->listening)) {
		ptrace_event_stop(k, t, PTRACE_EVENT_STOP, 0);
		return true;
	}
	if (p->stop == PTRACE_STOP_GROUP) {
		task_lock_signals(t);
		__atomic_store_n(&p->stop, PTRACE_STOP_NONE, __ATOMIC_RELEASE);
		task_unlock_signals(t);
	}
	return false;
}

void ptrace_sigcont_locked(struct kernel *k, struct thread_group *tg)
{
	struct task *t;

	cds_list_for_each_entry(t, &tg->tasks, tg_node) {
		struct ptrace_state *p = &t->ptrace;

		if (!ptrace_traced(t) || !p->seized || p->listening ||
		    t->exit_state != TASK_EXIT_NONE ||
		    __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE) !=
			    PTRACE_STOP_NONE)
			continue;
		/* Any thread may send: atomic for the platform thread's
		 * lock-free read. No interrupt is needed: the host traps its
		 * own seized thread when it runs the SIGCONT (its
		 * ptrace_trap_notify()), and that stop enters ours. One
		 * asked for now would come before the host's SIGCONT, in
		 * the host's group stop still in effect, and report the
		 * stop signal instead of SIGTRAP. */
		__atomic_store_n(&p->interrupt_pending, true, __ATOMIC_RELEASE);
	}
}

bool ptrace_signal_stop(struct kernel *k, struct task *t,
			const siginfo_t *info)
{
	if (!ptrace_traced(t) || info->si_signo == SIGKILL)
		return false;
	ptrace_enter_stop(k, t, PTRACE_STOP_SIGNAL, info->si_signo, info, 0);
	return true;
}

int ptrace_signal_resume(struct kernel *k, struct task *t, siginfo_t *info)
{
	struct ptrace_state *p = &t->ptrace;
	int sig;

	task_lock_signals(t);
	if (!p->resumed_from_signal) {
		task_unlock_signals(t);
		return 0;
	}
	p->resumed_from_signal = false;
	sig = p->resume_sig;
	*info = p->siginfo;
	task_unlock_signals(t);
	if (sig <= 0)
		return 0;
	/* Linux's ptrace_signal(): a signal other than the one stopped for
	 * gets a siginfo of the tracer's own making. */
	if (info->si_signo != sig) {
		struct task *tr;

		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
		rcu_read_lock();
		tr = __atomic_load_n(&p->tracer, __ATOMIC_ACQUIRE);
		info->si_pid = tr ? task_tgid(tr) : 0;
		rcu_read_unlock();
	}
	return kernel_signal_dispose(k, t, info);
}

void ptrace_clone(struct kernel *k, struct task *parent, struct task *child,
		  unsigned long flags, int exit_signal)
{
	struct ptrace_state *pp = &parent->ptrace, *cp = &child->ptrace;
	int event;
	bool trace;

	/* Whoever traces the parent when the vfork ends learns the child. */
	if (flags & CLONE_VFORK)
		pp->vfork_child = child->tid;
	if (!ptrace_traced(parent))
		return;
	/* Linux's kernel_clone(): which event this clone is. */
	if (flags & CLONE_VFORK)
		event = PTRACE_EVENT_VFORK;
	else if (exit_signal != SIGCHLD || (flags & CLONE_THREAD))
		event = PTRACE_EVENT_CLONE;
	else
		event = PTRACE_EVENT_FORK;
	trace = (pp->options & (1u << event)) || (flags & CLONE_PTRACE);
	if (!trace)
		return;
	pthread_rwlock_wrlock(&k->ts.mu);
	if (pp->tracer && !cp->tracer) {
		cp->tracer = pp->tracer;
		cds_list_add_tail(&cp->tracee_node,
				  &pp->tracer->ptrace.tracees);
	}
	pthread_rwlock_unlock(&k->ts.mu);
	task_lock_signals(child);
	cp->seized = pp->seized;
	cp->options = pp->options;
	task_unlock_signals(child);
	/* The parent reports the event first, as Linux's kernel_clone()
	 * does before the child can run. */
	if (pp->options & (1u << event))
		ptrace_event_stop(k, parent, event, (unsigned long)child->tid);
	/* ptrace(2): an automatically attached child starts in
	 * PTRACE_EVENT_STOP when seized, with a SIGSTOP otherwise. */
	if (cp->seized) {
		ptrace_event_stop(k, child, PTRACE_EVENT_STOP, 0);
	} else {
		siginfo_t si = { .si_signo = SIGSTOP, .si_code = SI_USER };

		ptrace_enter_stop(k, child, PTRACE_STOP_SIGNAL, SIGSTOP, &si,
				  0);
	}
}

void ptrace_exec(struct kernel *k, struct task *t, pid_t former)
{
	struct ptrace_state *p = &t->ptrace;

	if (!ptrace_traced(t))
		return;
	p->in_syscall = false;
	if (p->options & PTRACE_O_TRACEEXEC) {
		ptrace_event_stop(k, t, PTRACE_EVENT_EXEC,
				  (unsigned long)former);
	} else if (!p->seized) {
		/* ptrace(2) "execve(2) under ptrace": the legacy SIGTRAP. */
		siginfo_t si = { .si_signo = SIGTRAP, .si_code = SI_USER };

		sig_send(k, SIGNAL_TARGET_TASK, t->tid, &si, true);
	}
}

void ptrace_exit_begin(struct kernel *k, struct task *t, int status)
{
	bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;

	if (!ptrace_traced(t))
		return;
	/* The task is on its way out of whatever stop it was in (a SIGKILL
	 * ends a ptrace-stop: Linux's TASK_WAKEKILL). A SIGKILL'd task does
	 * not stop at its exit either (ptrace_stop() refuses with a fatal
	 * signal pending). */
	if (ptrace_wants_exit_event(t) && !killed) {
		ptrace_event_stop(k, t, PTRACE_EVENT_EXIT,
				  (unsigned long)(unsigned)status);
		return;
	}
	task_lock_signals(t);
	__atomic_store_n(&t->ptrace.stop, PTRACE_STOP_NONE, __ATOMIC_RELEASE);
	t->ptrace.has_siginfo = false;
	task_unlock_signals(t);
}

/* Unlinks tracee from its tracer and clears its ptrace state.
 * Preconditions: ts.mu held for writing. */
static void ptrace_unlink_locked(struct task *tracee)
{
	struct ptrace_state *p = &tracee->ptrace;

	cds_list_del_init(&p->tracee_node);
	pthread_mutex_lock(&tracee->tg->sighand->mu);
	__atomic_store_n(&p->tracer, NULL, __ATOMIC_RELEASE);
	p->seized = false;
	p->options = 0;
	p->syscall_mode = PTRACE_MODE_NONE;
	p->singlestep = false;
	p->has_siginfo = false;
	p->interrupt_pending = false;
	p->listening = false;
	p->in_syscall = false;
	p->run_in_group_stop = false;
	__atomic_store_n(&p->stop, PTRACE_STOP_NONE, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tracee->tg->sighand->mu);
}

void ptrace_detach_locked(struct kernel *k, struct task *tracee)
{
	ptrace_unlink_locked(tracee);
}

void ptrace_exit_locked(struct kernel *k, struct task *t, int status,
			struct ptrace_detached *d)
{
	struct ptrace_state *p = &t->ptrace;
	struct task *tracee, *tmp;
	struct ptrace_exit_notice *n, *ntmp;
	struct task *tracer = p->tracer;

	memset(d, 0, sizeof(*d));
	if (tracer) {
		/* The tracer's wait reports the death, unless the tracer's
		 * group is the real parent of t's process, whose wait reaps
		 * the zombie and reports it that way (a thread's death is
		 * reported by its tracer in any case). */
		bool parent_reports = t == t->tg->leader &&
				      t->tg->parent == tracer->tg;

		if (!parent_reports) {
			n = calloc(1, sizeof(*n));
			if (n) {
				n->tid = t->tid;
				n->status = status;
				n->uid = t->uid;
				cds_list_add_tail(&n->node,
						  &tracer->ptrace.exits);
			}
			ptrace_unlink_locked(t);
		} else {
			/* A zombie stays its tracer's tracee until reaped
			 * (ptrace_reap_locked()): PTRACE_KILL still finds
			 * it, as on Linux. */
			pthread_mutex_lock(&t->tg->sighand->mu);
			__atomic_store_n(&p->stop, PTRACE_STOP_NONE,
					 __ATOMIC_RELEASE);
			p->has_siginfo = false;
			pthread_mutex_unlock(&t->tg->sighand->mu);
		}
	}
	/* ptrace(2): "If the tracer dies, all tracees are automatically
	 * detached and restarted, unless they were in group-stop", or
	 * killed with PTRACE_O_EXITKILL. */
	cds_list_for_each_entry_safe(tracee, tmp, &p->tracees,
				     ptrace.tracee_node) {
		bool kill = tracee->ptrace.options & PTRACE_O_EXITKILL;
		struct task **v = realloc(d->tasks, sizeof(*v) *
						     (size_t)(d->n + 1));
		bool *kv = realloc(d->kill, sizeof(*kv) * (size_t)(d->n + 1));

		if (kv)
			d->kill = kv;
		if (v)
			d->tasks = v;
		ptrace_unlink_locked(tracee);
		/* Released once ts.mu is dropped: letting a task go may
		 * deliver the signal of its stop, which takes ts.mu. */
		if (v && kv && task_tryget(tracee)) {
			d->tasks[d->n] = tracee;
			d->kill[d->n++] = kill;
		}
	}
	cds_list_for_each_entry_safe(n, ntmp, &p->exits, node) {
		cds_list_del(&n->node);
		free(n);
	}
}

void ptrace_forget_locked(struct kernel *k, struct task *t,
			  struct ptrace_detached *d)
{
	if (t->ptrace.tracer)
		ptrace_unlink_locked(t);
	ptrace_exit_locked(k, t, 0, d);
}

void ptrace_reap_locked(struct task *t)
{
	if (t->ptrace.tracer)
		ptrace_unlink_locked(t);
}

bool ptrace_has_exit_notice_locked(struct task *tracer, pid_t tid)
{
	struct ptrace_exit_notice *n;

	cds_list_for_each_entry(n, &tracer->ptrace.exits, node)
		if (n->tid == tid)
			return true;
	return false;
}

void ptrace_release_detached(struct kernel *k, struct ptrace_detached *d)
{
	siginfo_t si = { .si_signo = SIGKILL, .si_code = SI_KERNEL };

	for (int i = 0; i < d->n; i++) {
		if (d->kill[i])
			sig_send(k, SIGNAL_TARGET_TG, task_tgid(d->tasks[i]),
				 &si, true);
		if (k->plat)
			k->plat->ops->release(k->plat, d->tasks[i]);
		task_put(d->tasks[i]);
	}
	free(d->tasks);
	free(d->kill);
	memset(d, 0, sizeof(*d));
}

bool ptrace_group_is_tracer_locked(struct thread_group *tg)
{
	struct task *t;

	cds_list_for_each_entry(t, &tg->tasks, tg_node)
		if (!cds_list_empty(&t->ptrace.tracees) ||
		    !cds_list_empty(&t->ptrace.exits))
			return true;
	return false;
}

/* Linux's eligible_pid() for a tracee (traced tasks are eligible whatever
 * __WCLONE says). */
static bool ptrace_eligible(const struct task *tracee, int idtype, pid_t id)
{
	if (idtype == P_PID)
		return tracee->tid == id;
	if (idtype == P_PGID)
		return tracee->tg->pgrp && tracee->tg->pgrp->pgid == id;
	return true;
}

int ptrace_wait_scan_locked(struct task *waiter, int idtype, pid_t id,
			    int options, struct ptrace_wait_result *r)
{
	struct thread_group *tg = waiter->tg;
	bool any = false;
	struct task *w;

	memset(r, 0, sizeof(*r));
	cds_list_for_each_entry(w, &tg->tasks, tg_node) {
		struct ptrace_exit_notice *n;
		struct task *tracee;

		if ((options & __WNOTHREAD) && w != waiter)
			continue;
		cds_list_for_each_entry(n, &w->ptrace.exits, node) {
			if (idtype == P_PID && n->tid != id)
				continue;
			if (idtype == P_PGID)
				continue; /* its group is gone with it */
			any = true;
			if (!(options & WEXITED))
				continue;
			r->tid = n->tid;
			r->status = n->status;
			r->uid = n->uid;
			r->exited = true;
			if (WIFEXITED(n->status)) {
				r->code = CLD_EXITED;
				r->child_status = WEXITSTATUS(n->status);
			} else {
				r->code = WCOREDUMP(n->status) ? CLD_DUMPED
								  : CLD_KILLED;
				r->child_status = WTERMSIG(n->status);
			}
			if (!(options & WNOWAIT)) {
				cds_list_del(&n->node);
				free(n);
			}
			return 1;
		}
		cds_list_for_each_entry(tracee, &w->ptrace.tracees,
					ptrace.tracee_node) {
			struct ptrace_state *p = &tracee->ptrace;

			if (!ptrace_eligible(tracee, idtype, id))
				continue;
			any = true;
			/* ptrace stops are reported whether or not WSTOPPED
			 * (WUNTRACED) was asked for: wait4 of a tracer. */
			if (p->stop == PTRACE_STOP_NONE || p->reported)
				continue;
			r->tid = tracee->tid;
			r->status = (p->stop_code << 8) | 0x7f;
			r->code = CLD_TRAPPED;
			r->child_status = p->stop_code;
			r->uid = tracee->uid;
			if (!(options & WNOWAIT)) {
				pthread_mutex_lock(&tracee->tg->sighand->mu);
				p->reported = true;
				pthread_mutex_unlock(&tracee->tg->sighand->mu);
			}
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}
