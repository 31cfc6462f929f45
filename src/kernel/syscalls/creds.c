/*
 * This file implements the credential syscalls (setuid, setgid, setreuid,
 * setregid, setresuid, setresgid, setfsuid, setfsgid). The host applies
 * them, since it owns every permission check on files; the kernel rereads
 * the result when they succeed, so the permission checks it makes itself
 * (signals) and what it shows (creds, status) follow.
 */
#include "kernel/creds.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/syscalls.h"

void sys_setid_exit(struct kernel *k, struct task *t, struct syscall_frame *f)
{
	/* setfsuid/setfsgid return the previous id, never an error code;
	 * rereading is cheap enough to do for them unconditionally. */
	if (f->ret >= 0)
		task_refresh_creds(k, t);
}
