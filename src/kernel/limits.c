/*
 * This file implements the kernel's copy of resource limits: the host
 * applies setrlimit(2) and prlimit(2) and enforces every limit; the kernel
 * rereads the thread group's limits when one of those calls succeeds, so
 * that limits files and dumps show what the host enforces.
 */
#include <string.h>
#include <sys/resource.h>

#include "kernel/kernel.h"
#include "kernel/limits.h"
#include "platform/platform.h"

void tg_refresh_limits(struct kernel *k, struct task *t)
{
	struct rlimit lim[RLIM_NLIMITS];

	if (!k->plat || !k->plat->ops->read_limits ||
	    k->plat->ops->read_limits(k->plat, t, lim) < 0)
		return;
	task_lock_signals(t);
	memcpy(t->tg->limits, lim, sizeof(lim));
	task_unlock_signals(t);
}
