/*
 * This file implements the resource-limit syscalls that change a limit:
 * setrlimit, and prlimit64 with a new limit (the seccomp filter traps
 * prlimit64 only then; reads run untrapped). The host applies them; when
 * one succeeds the kernel rereads the target thread group's limits
 * (limits.c).
 */
#include "kernel/kernel.h"
#include "kernel/limits.h"
#include "kernel/syscalls/syscalls.h"

void sys_setrlimit_exit(struct kernel *k, struct task *t,
			struct syscall_frame *f)
{
	struct task *target = t;
	pid_t pid = 0;

	if (f->ret != 0)
		return;
	/* prlimit64(pid, resource, new, old): pid 0 is the caller; another
	 * PID names a process in the sandbox, whose TIDs are the host's. */
	if (t->sc.nr == SYS_prlimit64)
		pid = (pid_t)t->sc.args[0];
	if (pid != 0 && pid != task_tgid(t)) {
		target = task_get_by_tid(k, pid);
		if (!target)
			return; /* gone since the host changed its limit */
	}
	tg_refresh_limits(k, target);
	if (target != t)
		task_put(target);
}
