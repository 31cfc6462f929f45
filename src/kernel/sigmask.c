/*
 * This file implements the kernel's view of the blocked-signal mask,
 * which the host owns (see sigmask.h for why and when it is read).
 */
#include <errno.h>

#include "kernel/sigmask.h"

#include "kernel/kernel.h"
#include "kernel/snapshot.h"
#include "platform/platform.h"

void task_note_sigmask(struct task *t, sigset64_t mask, bool exact)
{
	task_lock_signals(t);
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
	t->sigmask_exact = exact;
	task_unlock_signals(t);
}

void task_sigmask_running(struct task *t)
{
	task_lock_signals(t);
	t->sigmask_exact = false;
	task_unlock_signals(t);
}

static int host_sigmask(struct kernel *k, struct task *t, sigset64_t *mask)
{
	uint64_t m;
	int err;

	if (!k->plat || !k->plat->ops->read_sigmask)
		return -ENOSYS;
	err = k->plat->ops->read_sigmask(k->plat, t, &m);
	if (err == 0)
		*mask = m & ~SIG_UNBLOCKABLE;
	return err;
}

sigset64_t task_refresh_sigmask(struct kernel *k, struct task *t)
{
	sigset64_t mask;
	bool read = host_sigmask(k, t, &mask) == 0;

	task_lock_signals(t);
	if (read)
		t->sigmask = mask;
	else
		mask = t->sigmask;
	task_unlock_signals(t);
	return mask;
}

int task_host_sigsets(struct kernel *k, struct task *t, sigset64_t *blocked,
		      sigset64_t *ignored, sigset64_t *caught)
{
	uint64_t sets[3];
	int err;

	if (!k->plat || !k->plat->ops->read_sigsets)
		return -ENOSYS;
	err = k->plat->ops->read_sigsets(k->plat, t, sets);
	if (err < 0)
		return err;
	*blocked = sets[0] & ~SIG_UNBLOCKABLE;
	*ignored = sets[1];
	*caught = sets[2];
	return 0;
}

sigset64_t task_snap_blocked(struct kernel *k, const struct task_snap *s)
{
	sigset64_t mask = s->blocked;
	struct task *t;

	if (s->blocked_exact || !k->plat || !k->plat->ops->read_sigmask)
		return s->blocked;
	t = task_get_by_tid(k, s->tid);
	if (!t)
		return s->blocked;
	/* The same task, not a later one under a reused TID. */
	if (CMM_LOAD_SHARED(t->host_tid) != s->host_tid ||
	    host_sigmask(k, t, &mask) < 0)
		mask = s->blocked;
	task_put(t);
	return mask;
}
