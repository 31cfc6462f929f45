/*
 * signal_deliver.h - sending signals into the emulated pending queues and
 * delivering them at the host's doorbell (DESIGN §2, "Signals are
 * emulated").
 *
 * A signal is queued in the kernel first (task-private or thread-group
 * shared pending, with its siginfo) and the host is rung for the same
 * signal; every traced thread reaches a host signal-delivery-stop for it,
 * where the platform asks kernel_signal_deliver() what to do: the kernel
 * dequeues its own entry, decides (deliver or suppress) and hands back the
 * siginfo the application sees.
 */
#ifndef SENTRY_KERNEL_SIGNAL_DELIVER_H
#define SENTRY_KERNEL_SIGNAL_DELIVER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct kernel;
struct task;

/*
 * kernel_signal_deliver is called by the platform at a host
 * signal-delivery-stop of t for info->si_signo. It dequeues the kernel's
 * matching pending entry (if any) into *info and returns the signal to
 * deliver, or 0 to suppress it (ignored by the emulated disposition), or
 * KERNEL_SIGNAL_PTRACE_STOP when t is traced: t is then in its emulated
 * signal-delivery-stop, held, and the platform asks
 * ptrace_signal_resume() what to deliver once the kernel lets it go.
 */
#define KERNEL_SIGNAL_PTRACE_STOP (-1)
int kernel_signal_deliver(struct kernel *k, struct task *t, siginfo_t *info);

/* The disposition half of kernel_signal_deliver() for a signal already
 * dequeued (info): returns the signal to deliver, or 0 when the emulated
 * disposition ignores it. */
int kernel_signal_dispose(struct kernel *k, struct task *t,
			  const siginfo_t *info);

/* Whether delivering sig to t kills it with a core dump (default action
 * "core" under the emulated disposition). */
bool kernel_signal_is_fatal_core(struct kernel *k, struct task *t, int sig);

/* The host put t into (entering) or took it out of a group stop for sig. */
void kernel_group_stop_host(struct kernel *k, struct task *t, int sig,
			    bool entering);

/*
 * sig_enqueue_locked queues info for t (shared: for its thread group),
 * counted against t's real user (k->sig_users). Standard signals already
 * pending are coalesced. Returns true when the signal was queued (a new
 * host doorbell is needed). Preconditions: the signal mutex of t's group
 * is held, t.mu is not.
 */
bool sig_enqueue_locked(struct kernel *k, struct task *t, bool shared,
			const siginfo_t *info, bool external);

/*
 * sig_discard_ignored_locked drops sig from the queues of tg and of each
 * of its tasks if tg's disposition now ignores it, as Linux's
 * do_sigaction() does (and the host then does to its own queues: no
 * delivery stop would ever take the entries). Preconditions: ts.mu held
 * for reading (tg's task list), the signal mutex.
 */
void sig_discard_ignored_locked(struct thread_group *tg, int sig);

/* The host consumed sig for t without a delivery stop (sigtimedwait):
 * drop the kernel's matching entry. */
void sig_consumed(struct kernel *k, struct task *t, int sig);

/*
 * sig_send queues info for a task, thread group or process group (see
 * kernel_send_external_signal()) and, with ring_host, rings the host for
 * each newly queued entry. The syscalls pass ring_host = false because the
 * host executes the application's kill itself. A target that ignores the
 * signal and does not block it discards it instead (Linux's
 * prepare_signal()), and must not be rung at all: the syscalls answer
 * the kill themselves when no target took it. Returns how many targets
 * took the signal (queued or coalesced), -EINVAL, -ESRCH or -ENOMEM.
 * Preconditions: no kernel lock held except ext_mu.
 */
enum signal_target;
int sig_send(struct kernel *k, enum signal_target kind, pid_t id,
	     const siginfo_t *info, bool ring_host);

#endif
