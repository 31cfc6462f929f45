/*
 * This file implements the emulated ptrace state of a task. The ptrace(2)
 * syscall between sandboxed tasks is not emulated yet and answers ENOSYS
 * (counted in /mnt/sentry/kernel/syscalls); the state exists so that the
 * filesystem, the debugger and dumps report it from the start.
 */
#include "kernel/ptrace.h"

#include <string.h>

void ptrace_state_init(struct ptrace_state *p)
{
	memset(p, 0, sizeof(*p));
	CDS_INIT_LIST_HEAD(&p->tracees);
	CDS_INIT_LIST_HEAD(&p->tracee_node);
}
