/*
 * This file implements sched_getaffinity(2) and sched_setaffinity(2) as
 * the application sees them. The host runs both, so their errors and
 * lengths are the host's; what the kernel adds is the affinity itself.
 * The platform may run a thread whose affinity is the sandbox's default
 * on its own CPU (platform.h, release_affinity), which would show through
 * the host's answer: a thread with the default affinity is told the
 * default (kernel.default_cpus), and a sched_setaffinity first takes its
 * target out of the platform's hands, so the host applies the
 * application's choice to a thread nobody moves again.
 */
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/syscalls/syscalls.h"
#include "platform/platform.h"

/* The thread a sched_*affinity call names (pid 0: the caller; else a TID,
 * which the sandbox shares with the host), with a reference, or NULL. */
static struct task *affinity_target(struct kernel *k, struct task *t,
				    pid_t pid)
{
	if (pid == 0 || pid == t->tid)
		return task_tryget(t) ? t : NULL;
	return task_get_by_tid(k, pid);
}

enum sc_action sys_sched_setaffinity(struct kernel *k, struct task *t,
				     struct syscall_frame *f)
{
	struct task *target = affinity_target(k, t, (pid_t)f->args[0]);

	if (!target)
		return SC_HOST; /* the host answers ESRCH */
	if (k->plat && k->plat->ops->release_affinity)
		k->plat->ops->release_affinity(k->plat, target);
	task_put(target);
	return SC_HOST_EXIT;
}

void sys_sched_setaffinity_exit(struct kernel *k, struct task *t,
				struct syscall_frame *f)
{
	struct task *target;

	if (f->ret != 0)
		return;
	target = affinity_target(k, t, (pid_t)t->sc.args[0]);
	if (!target)
		return;
	/* From now on the host's affinity is the application's. */
	pthread_mutex_lock(&target->mu);
	target->default_affinity = false;
	pthread_mutex_unlock(&target->mu);
	task_put(target);
}

void sys_sched_getaffinity_exit(struct kernel *k, struct task *t,
				struct syscall_frame *f)
{
	struct task *target;
	size_t len;

	/* The host returns how many bytes of the mask it wrote. */
	if (f->ret <= 0 || !k->default_cpus_hex)
		return;
	target = affinity_target(k, t, (pid_t)t->sc.args[0]);
	if (!target)
		return;
	if (target->default_affinity) {
		len = (size_t)f->ret < sizeof(k->default_cpus)
			      ? (size_t)f->ret
			      : sizeof(k->default_cpus);
		plat_write_mem(k->plat, t, t->sc.args[2], &k->default_cpus,
			       len);
	}
	task_put(target);
}
