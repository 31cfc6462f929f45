/*
 * This file implements the kernel's side of signal delivery: queueing into
 * the emulated pending sets (Linux's __send_signal()), dequeueing at the
 * host's delivery stop (dequeue_signal()) and the default-action decisions
 * (sig_ignored(), sig_kernel_coredump()).
 *
 * Divergence from Linux, for now: the choice of the thread that takes a
 * group signal is the host's, which applies Linux's rules to the masks,
 * which are the host's too (sigmask.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/signal_deliver.h"
#include "kernel/task_set_internal.h"
#include "platform/platform.h"

/* Signals whose default action is to ignore them. */
#define SIG_DEFAULT_IGNORE                                                \
	(sig_bit(SIGCHLD) | sig_bit(SIGURG) | sig_bit(SIGWINCH) |          \
	 sig_bit(SIGCONT))
/* Signals whose default action dumps core. */
#define SIG_DEFAULT_CORE                                                  \
	(sig_bit(SIGQUIT) | sig_bit(SIGILL) | sig_bit(SIGTRAP) |           \
	 sig_bit(SIGABRT) | sig_bit(SIGBUS) | sig_bit(SIGFPE) |            \
	 sig_bit(SIGSEGV) | sig_bit(SIGXCPU) | sig_bit(SIGXFSZ) |          \
	 sig_bit(SIGSYS))

/* A live task of tg, the leader first; NULL when none is left.
 * Preconditions: ts.mu held. */
static struct task *tg_any_live_task_locked(struct thread_group *tg)
{
	struct task *t;

	if (tg->state != TG_LIVE)
		return NULL;
	if (tg->leader && tg->leader->exit_state < TASK_EXIT_ZOMBIE)
		return tg->leader;
	cds_list_for_each_entry(t, &tg->tasks, tg_node)
		if (t->exit_state < TASK_EXIT_ZOMBIE)
			return t;
	return NULL;
}

bool sig_enqueue_locked(struct kernel *k, struct task *t, bool shared,
			const siginfo_t *info, bool external)
{
	struct sig_pending *p = shared ? &t->tg->shared_pending : &t->pending;
	int sig = info->si_signo;
	struct sig_queued *q;
	uint32_t uid;

	if (!sig_is_rt(sig) && (p->set & sig_bit(sig)))
		return false; /* standard signals coalesce */
	q = calloc(1, sizeof(*q));
	if (!q)
		return false;
	q->info = *info;
	q->external = external;
	/* Linux charges the target's real user (__sigqueue_alloc). */
	pthread_mutex_lock(&t->mu);
	uid = t->uid;
	pthread_mutex_unlock(&t->mu);
	q->charged = sig_users_charge(&k->sig_users, uid);
	cds_list_add_tail(&q->node, &p->queue);
	p->nr_queued++;
	p->set |= sig_bit(sig);
	return true;
}

/* Whether the queued entry q is the one the host is delivering with the
 * siginfo host. */
static bool sig_entry_matches(const struct sig_queued *q,
			      const siginfo_t *host)
{
	if (!host)
		return true;
	if (q->external)
		/* The sentry's own kill: a sender outside the namespace is
		 * reported as PID 0. */
		return host->si_pid == 0 &&
		       (host->si_code == SI_USER || host->si_code == SI_TKILL ||
			host->si_code == SI_QUEUE);
	if (q->info.si_code != host->si_code || q->info.si_pid != host->si_pid)
		return false;
	return host->si_code != SI_QUEUE ||
	       q->info.si_value.sival_ptr == host->si_value.sival_ptr;
}

/*
 * Removes from p the entry for sig that the host's delivery (siginfo
 * host; NULL for "the oldest") corresponds to, into *info. Entries for sig
 * queued before it are dropped too: the host consumed them without a
 * delivery stop (signalfd, sigtimedwait), since it delivers each signal's
 * queue in order. Returns whether an entry was found.
 */
static bool sig_dequeue(struct sig_pending *p, int sig, siginfo_t *info,
			const siginfo_t *host)
{
	struct sig_queued *q, *tmp, *found = NULL;
	bool more = false;

	cds_list_for_each_entry(q, &p->queue, node) {
		if (q->info.si_signo != sig)
			continue;
		if (!found && sig_entry_matches(q, host))
			found = q;
		else if (found) {
			more = true;
			break;
		}
	}
	if (!found)
		return false;
	*info = found->info;
	cds_list_for_each_entry_safe(q, tmp, &p->queue, node) {
		if (q->info.si_signo != sig)
			continue;
		bool last = q == found;

		sig_pending_remove(p, q);
		if (last)
			break;
	}
	if (!more)
		p->set &= ~sig_bit(sig);
	return true;
}

/* Whether the disposition ignores sig. Preconditions: signal mutex. */
static bool sig_ignored_locked(const struct sighand *sh, int sig)
{
	uint64_t h = sh->actions[sig - 1].handler;

	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	if (h == (uint64_t)(uintptr_t)SIG_IGN)
		return true;
	return h == (uint64_t)(uintptr_t)SIG_DFL &&
	       (SIG_DEFAULT_IGNORE & sig_bit(sig));
}

/* Drops every entry for sig from p. Preconditions: signal mutex. */
static void sig_discard_locked(struct sig_pending *p, int sig)
{
	struct sig_queued *q, *tmp;

	if (!(p->set & sig_bit(sig)))
		return;
	cds_list_for_each_entry_safe(q, tmp, &p->queue, node) {
		if (q->info.si_signo == sig)
			sig_pending_remove(p, q);
	}
	p->set &= ~sig_bit(sig);
}

/* Drops sigs from the queues of tg and of each of its tasks.
 * Preconditions: ts.mu for reading, signal mutex. */
static void sig_discard_set_locked(struct thread_group *tg, sigset64_t sigs)
{
	struct task *t;

	for (int sig = 1; sig <= SIG_MAX; sig++) {
		if (!(sigs & sig_bit(sig)))
			continue;
		sig_discard_locked(&tg->shared_pending, sig);
		cds_list_for_each_entry(t, &tg->tasks, tg_node)
			sig_discard_locked(&t->pending, sig);
	}
}

static bool group_stop_clear_locked(struct thread_group *tg, bool continued);
static pid_t group_stop_waiter_locked(struct thread_group *tg);

/* Linux's prepare_signal(): a stop signal discards a pending SIGCONT
 * and SIGCONT discards pending stop signals, in every queue of the
 * target process, before the new one is queued. SIGCONT ends a group
 * stop at once, as the sender's kill(2) returns (the host's threads
 * follow when the host runs the kill): a WCONTINUED wait right after
 * the kill reports it, as on Linux; its running seized tracees trap
 * (ptrace_sigcont_locked()). Returns the TGID of a parent whose
 * kernel wait must look again (group_stop_waiter_locked()), or 0.
 * Preconditions: ts.mu for reading, signal mutex. */
static pid_t sig_prepare_locked(struct kernel *k, struct thread_group *tg,
				int sig)
{
	const sigset64_t stops = sig_bit(SIGSTOP) | sig_bit(SIGTSTP) |
				 sig_bit(SIGTTIN) | sig_bit(SIGTTOU);

	if (stops & sig_bit(sig)) {
		sig_discard_set_locked(tg, sig_bit(SIGCONT));
	} else if (sig == SIGCONT) {
		sig_discard_set_locked(tg, stops);
		ptrace_sigcont_locked(k, tg);
		if (group_stop_clear_locked(tg, true))
			return group_stop_waiter_locked(tg);
	}
	return 0;
}

void sig_discard_ignored_locked(struct thread_group *tg, int sig)
{
	if (sig_ignored_locked(tg->sighand, sig))
		sig_discard_set_locked(tg, sig_bit(sig));
}

/* The host is about to run sig's handler (if it has one): apply what
 * Linux's signal_delivered() and get_signal() do to the emulated state.
 * Preconditions: signal mutex. */
static void sig_handler_enter_locked(struct task *t, int sig)
{
	struct sig_action *a = &t->tg->sighand->actions[sig - 1];

	if (a->handler == (uint64_t)(uintptr_t)SIG_DFL ||
	    a->handler == (uint64_t)(uintptr_t)SIG_IGN)
		return;
	/* The host blocks the same in its mask; the kernel's copy follows. */
	t->sigmask |= a->mask;
	if (!(a->flags & SA_NODEFER))
		t->sigmask |= sig_bit(sig);
	t->sigmask &= ~SIG_UNBLOCKABLE;
	/* The frame keeps the sigsuspend-saved mask for rt_sigreturn. */
	t->has_saved_sigmask = false;
	if (a->flags & SA_RESETHAND) {
		a->handler = (uint64_t)(uintptr_t)SIG_DFL;
		a->flags &= ~(uint64_t)SA_SIGINFO;
	}
}

/* A fault the host raised on the faulting instruction (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP with a kernel si_code) cannot be ignored or
 * blocked: returning to the instruction would fault again forever. */
static bool sig_is_forced_fault(const siginfo_t *host)
{
	int sig = host->si_signo;

	return host->si_code > 0 &&
	       (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
		sig == SIGFPE || sig == SIGTRAP);
}

/* The host's signal state of a task at a forced fault's delivery stop. */
struct host_sigsets {
	bool valid;
	sigset64_t blocked, ignored, caught;
};

/* Linux's force_sig_info_to_task(): an ignored or blocked forced signal is
 * reset to SIG_DFL and unblocked. The host did that to its own state when
 * it raised the fault, so by the delivery stop its mask no longer says
 * whether the signal was blocked; but a handler (or SIG_IGN) the kernel
 * has and the host no longer has was reset, and the kernel follows. hs
 * not valid (the host cannot be read): the kernel's copy of the mask
 * decides. Preconditions: signal mutex. */
static void sig_force_locked(struct task *t, int sig,
			     const struct host_sigsets *hs)
{
	struct sig_action *a = &t->tg->sighand->actions[sig - 1];
	bool ign = a->handler == (uint64_t)(uintptr_t)SIG_IGN;
	bool reset;

	if (a->handler == (uint64_t)(uintptr_t)SIG_DFL)
		return;
	if (hs->valid) {
		reset = !((ign ? hs->ignored : hs->caught) & sig_bit(sig));
		t->sigmask = hs->blocked;
	} else {
		reset = ign || (t->sigmask & sig_bit(sig));
	}
	if (reset) {
		a->handler = (uint64_t)(uintptr_t)SIG_DFL;
		t->sigmask &= ~sig_bit(sig);
	}
}

/* The group stop of tg ends (by SIGCONT, continued: its parent's
 * WCONTINUED wait has it to report, Linux's SIGNAL_STOP_CONTINUED, and the
 * stop is no longer to be reported). Returns whether a stop was in
 * effect. Preconditions: ts.mu for reading, the signal mutex. */
static bool group_stop_clear_locked(struct thread_group *tg, bool continued)
{
	bool was = tg->group_stop_active;
	struct task *t;

	if (was && continued) {
		tg->group_stop_notify_pending = false;
		tg->group_cont_notify_pending = true;
	}
	tg->group_stop_active = false;
	tg->group_stop_signal = 0;
	cds_list_for_each_entry(t, &tg->tasks, tg_node)
		if (t->stop == TASK_STOP_GROUP)
			t->stop = TASK_STOP_NONE;
	return was;
}

/* Whether every live thread of tg is in the group stop: the stop is
 * complete, and reported to the parent's WUNTRACED wait (Linux's
 * SIGNAL_STOP_STOPPED once group_stop_count reaches 0). Preconditions:
 * ts.mu for reading, the signal mutex. */
static bool group_stop_complete_locked(struct thread_group *tg)
{
	struct task *t;

	cds_list_for_each_entry(t, &tg->tasks, tg_node)
		if (t->exit_state == TASK_EXIT_NONE &&
		    t->stop != TASK_STOP_GROUP)
			return false;
	return true;
}

/* The TGID of tg's parent when its waits are the kernel's (a tracer's:
 * wait.c), which must look again at a child's stop or continue, else 0
 * (the host's wait sees it by itself). Preconditions: ts.mu held. */
static pid_t group_stop_waiter_locked(struct thread_group *tg)
{
	struct thread_group *parent = tg->parent;

	return parent && ptrace_group_is_tracer_locked(parent) ? parent->tgid
							       : 0;
}

int kernel_signal_deliver(struct kernel *k, struct task *t, siginfo_t *info)
{
	int sig = info->si_signo;
	struct host_sigsets hs = { .valid = false };
	struct thread_group *tg;
	pid_t waiter = 0;
	siginfo_t host;

	if (!sig_valid(sig))
		return sig;
	if (sig_is_forced_fault(info))
		hs.valid = task_host_sigsets(k, t, &hs.blocked, &hs.ignored,
					     &hs.caught) == 0;
	/* ts.mu for reading keeps t->tg and its task list stable. */
	pthread_rwlock_rdlock(&k->ts.mu);
	tg = t->tg;
	pthread_mutex_lock(&tg->sighand->mu);
	host = *info;
	if (!sig_dequeue(&t->pending, sig, info, &host))
		sig_dequeue(&tg->shared_pending, sig, info, &host);
	/* Signals the host's kernel generated itself (SIGCHLD, faults,
	 * timers) carry details only the host knows (si_utime, si_addr):
	 * the kernel's entry was bookkeeping, the host's siginfo stands. */
	if (host.si_code > 0)
		*info = host;
	if ((sig == SIGCONT || sig == SIGKILL) &&
	    group_stop_clear_locked(tg, sig == SIGCONT) && sig == SIGCONT)
		waiter = group_stop_waiter_locked(tg);
	if (sig_is_forced_fault(&host))
		sig_force_locked(t, sig, &hs);
	pthread_mutex_unlock(&tg->sighand->mu);
	pthread_rwlock_unlock(&k->ts.mu);
	if (waiter)
		ptrace_wake_waiters(k, waiter);
	/* Linux's ptrace_signal(): a tracee stops before the disposition
	 * applies; its tracer decides what is delivered
	 * (ptrace_signal_resume()). */
	if (ptrace_signal_stop(k, t, info))
		return KERNEL_SIGNAL_PTRACE_STOP;
	return kernel_signal_dispose(k, t, info);
}

int kernel_signal_dispose(struct kernel *k, struct task *t,
			  const siginfo_t *info)
{
	int sig = info->si_signo;
	struct thread_group *tg;
	bool ignored;

	if (!sig_valid(sig))
		return sig;
	pthread_rwlock_rdlock(&k->ts.mu);
	tg = t->tg;
	pthread_mutex_lock(&tg->sighand->mu);
	ignored = sig_ignored_locked(tg->sighand, sig);
	if (!ignored)
		sig_handler_enter_locked(t, sig);
	pthread_mutex_unlock(&tg->sighand->mu);
	pthread_rwlock_unlock(&k->ts.mu);
	if (ignored)
		return 0;
	__atomic_add_fetch(&t->nr_signals, 1, __ATOMIC_RELAXED);
	if (kernel_event(k, KERNEL_EVENT_SIGNAL, t->tid, sig))
		kernel_pause(k);
	return sig;
}

bool kernel_signal_is_fatal_core(struct kernel *k, struct task *t, int sig)
{
	bool core;

	if (!sig_valid(sig) || !(SIG_DEFAULT_CORE & sig_bit(sig)))
		return false;
	task_lock_signals(t);
	core = t->tg->sighand->actions[sig - 1].handler ==
	       (uint64_t)(uintptr_t)SIG_DFL;
	task_unlock_signals(t);
	return core;
}

void kernel_group_stop_host(struct kernel *k, struct task *t, int sig,
			    bool entering)
{
	struct thread_group *tg;
	pid_t waiter = 0;

	pthread_rwlock_rdlock(&k->ts.mu);
	tg = t->tg;
	pthread_mutex_lock(&tg->sighand->mu);
	if (entering) {
		bool was_complete = tg->group_stop_active &&
				    group_stop_complete_locked(tg);

		t->stop = TASK_STOP_GROUP;
		t->group_stop_acked = true;
		tg->group_stop_active = true;
		tg->group_stop_signal = sig;
		if (!was_complete && group_stop_complete_locked(tg)) {
			tg->group_stop_notify_pending = true;
			tg->group_cont_notify_pending = false;
			waiter = group_stop_waiter_locked(tg);
		}
	} else if (group_stop_clear_locked(tg, true)) {
		waiter = group_stop_waiter_locked(tg);
	}
	pthread_mutex_unlock(&tg->sighand->mu);
	pthread_rwlock_unlock(&k->ts.mu);
	if (waiter)
		ptrace_wake_waiters(k, waiter);
	ptrace_group_stop(k, t, sig, entering);
}

/* The mask Linux's sig_ignored() tests for t: blocked | real_blocked,
 * which is the mask from before the call while t is in rt_sigtimedwait
 * (the host has narrowed blocked by the waited set then), else the
 * host's. Preconditions: ts.mu for reading (t->tg), not the signal
 * mutex (the host's mask is read without it). */
static sigset64_t sig_send_blocked(struct kernel *k, struct task *t)
{
	sigset64_t mask;
	bool waiting;

	task_lock_signals(t);
	waiting = t->in_sigwait;
	mask = t->sigwait_blocked;
	task_unlock_signals(t);
	return waiting ? mask : task_refresh_sigmask(k, t);
}

/*
 * Whether sig sent to t is discarded at once, as Linux's prepare_signal()
 * does when sig_ignored(): the disposition ignores it and t does not
 * block it (a blocked one stays pending: the handler may change before
 * it is unblocked). The host cannot be left to do this: it never
 * discards a signal for a traced thread (its sig_ignored() lets the
 * tracer see every signal), so it queues it, wakes the thread and
 * interrupts the wait it is in, and waits that return EINTR instead of
 * restarting (rt_sigtimedwait, epoll_wait) end early, which Linux never
 * does for an ignored signal.
 *
 * SIGCONT is never discarded here: its effect on a stopped process
 * happens at send even when it is ignored, and the host carries that out
 * (the kernel follows at the host's stops). Preconditions: as
 * sig_send_blocked(). The disposition is checked again under the signal
 * mutex when the signal would be queued.
 */
static bool sig_send_discards(struct kernel *k, struct task *t, int sig)
{
	bool ignored;

	if (sig == SIGCONT)
		return false;
	task_lock_signals(t);
	ignored = sig_ignored_locked(t->tg->sighand, sig);
	task_unlock_signals(t);
	return ignored && !(sig_send_blocked(k, t) & sig_bit(sig));
}

int kernel_send_external_signal(struct kernel *k, enum signal_target kind,
				pid_t id, const siginfo_t *info)
{
	int err;

	pthread_mutex_lock(&k->ext_mu);
	err = sig_send(k, kind, id, info, true);
	pthread_mutex_unlock(&k->ext_mu);
	return err < 0 ? err : 0;
}

int sig_send(struct kernel *k, enum signal_target kind, pid_t id,
	     const siginfo_t *info, bool ring_host)
{
	int sig = info->si_signo;
	struct task **targets = NULL;
	bool *shared = NULL;
	pid_t *waiters = NULL;
	int n = 0, cap = 0, err = 0, taken = 0;

	if (!sig_valid(sig))
		return -EINVAL;
	pthread_rwlock_rdlock(&k->ts.mu);
	/* Collect the targets with a reference each, queue under their
	 * signal mutexes, ring the host after dropping the locks. */
	if (kind == SIGNAL_TARGET_TASK || kind == SIGNAL_TARGET_TG) {
		struct task *t;

		rcu_read_lock();
		t = task_lookup_rcu(k, id);
		if (t && kind == SIGNAL_TARGET_TG)
			/* Any thread's TID names its process; the signal goes
			 * to the shared queue, through any live thread (the
			 * leader may have exited already). */
			t = tg_any_live_task_locked(t->tg);
		else if (t && t->exit_state >= TASK_EXIT_ZOMBIE)
			t = NULL;
		if (t && task_tryget(t)) {
			targets = calloc(1, sizeof(*targets));
			shared = calloc(1, sizeof(*shared));
			if (targets && shared) {
				targets[0] = t;
				shared[0] = kind == SIGNAL_TARGET_TG;
				n = 1;
			} else {
				task_put(t);
				err = -ENOMEM;
			}
		}
		rcu_read_unlock();
	} else {
		struct process_group *pg = pgrp_find_locked(k, id);
		struct thread_group *tg;

		if (pg)
			cds_list_for_each_entry(tg, &pg->members, pgrp_node) {
				if (tg->state != TG_LIVE)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 8;
					targets = realloc(targets, sizeof(*targets) * (size_t)cap);
					shared = realloc(shared, sizeof(*shared) * (size_t)cap);
					if (!targets || !shared) {
						err = -ENOMEM;
						break;
					}
				}
				struct task *lt = tg_any_live_task_locked(tg);

				if (lt && task_tryget(lt)) {
					targets[n] = lt;
					shared[n++] = true;
				}
			}
	}
	if (sig == SIGCONT && n > 0)
		waiters = calloc((size_t)n, sizeof(*waiters));
	for (int i = 0; !err && i < n; i++) {
		struct task *t = targets[i];
		bool discard = sig_send_discards(k, t, sig);
		bool ring = false;
		pid_t waiter;

		pthread_mutex_lock(&t->tg->sighand->mu);
		waiter = sig_prepare_locked(k, t->tg, info->si_signo);
		if (waiters)
			waiters[i] = waiter;
		/* A rt_sigaction since sig_send_discards() decides. */
		if (!discard || !sig_ignored_locked(t->tg->sighand, sig)) {
			taken++;
			ring = sig_enqueue_locked(k, t, shared[i], info,
						  ring_host);
		}
		pthread_mutex_unlock(&t->tg->sighand->mu);
		/* Only a newly queued signal needs the host rung: a
		 * coalesced one is already on its way. */
		if (!ring) {
			task_put(targets[i]);
			targets[i] = NULL;
		}
	}
	pthread_rwlock_unlock(&k->ts.mu);
	if (!err && n == 0)
		err = -ESRCH;
	for (int i = 0; waiters && i < n; i++)
		if (waiters[i])
			ptrace_wake_waiters(k, waiters[i]);
	free(waiters);
	for (int i = 0; i < n; i++) {
		if (!targets[i])
			continue;
		if (!err && ring_host && k->plat)
			k->plat->ops->notify_signal(k->plat, targets[i], sig,
						    shared[i]);
		task_put(targets[i]);
	}
	free(targets);
	free(shared);
	return err < 0 ? err : taken;
}

void sig_consumed(struct kernel *k, struct task *t, int sig)
{
	siginfo_t info;

	if (!sig_valid(sig))
		return;
	pthread_rwlock_rdlock(&k->ts.mu);
	pthread_mutex_lock(&t->tg->sighand->mu);
	if (!sig_dequeue(&t->pending, sig, &info, NULL))
		sig_dequeue(&t->tg->shared_pending, sig, &info, NULL);
	pthread_mutex_unlock(&t->tg->sighand->mu);
	pthread_rwlock_unlock(&k->ts.mu);
}
