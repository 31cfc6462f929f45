/*
 * sigmask.h - the blocked-signal mask: the host's, read by the kernel.
 *
 * Linux applies a thread's mask in rt_sigprocmask(2), on entry to a
 * handler (sa_mask and the signal itself) and in rt_sigreturn(2). The
 * host does all three for the same thread with the same rules, untrapped:
 * rt_sigreturn cannot be mirrored without a stop for every handler, and
 * rt_sigprocmask, the syscall shells make most around each fork, is not
 * worth the three host stops it cost every fork+exec. So the mask is
 * host-owned, like memory and FDs, and the kernel reads it when it must:
 *
 *  - when the platform holds a task in a stop (pause, stop TID), it notes
 *    the mask, which is then exact until the task runs again;
 *  - before the kernel decides with it (sigsuspend's saved mask), at the
 *    task's stop; a forced fault compares the host's dispositions, which
 *    the host has reset by then (signal_deliver.c);
 *  - when a reader shows it (task_snap_blocked()), from the host.
 *
 * The field and its lock are in task.h (sigmask, sigmask_exact).
 */
#ifndef SENTRY_KERNEL_SIGMASK_H
#define SENTRY_KERNEL_SIGMASK_H

#include <stdbool.h>

#include "kernel/signals.h"

struct kernel;
struct task;
struct task_snap;

/* The platform read t's mask from the host; exact: it holds t in a stop
 * until task_sigmask_running(). Takes the signal mutex. */
void task_note_sigmask(struct task *t, sigset64_t mask, bool exact);

/* The platform lets t run again: its mask may change. Takes the signal
 * mutex. */
void task_sigmask_running(struct task *t);

/* Reads t's mask from the host into the kernel's copy and returns it
 * (the copy when the platform cannot read it). For a task stopped on the
 * platform thread this costs one ptrace call. Must not be called with
 * the signal mutex held. */
sigset64_t task_refresh_sigmask(struct kernel *k, struct task *t);

/* The host's blocked, ignored and caught sets of t (its status file).
 * Returns 0 or -errno (-ENOSYS: the platform cannot tell). */
int task_host_sigsets(struct kernel *k, struct task *t, sigset64_t *blocked,
		      sigset64_t *ignored, sigset64_t *caught);

/* The blocked mask a reader should show for snapshot s: the snapshot's
 * copy when it was exact, else the host's now (falling back to the copy
 * when the host thread is gone). Call without kernel locks held. */
sigset64_t task_snap_blocked(struct kernel *k, const struct task_snap *s);

#endif
