/*
 * ptrace.h - emulated ptrace state between sandboxed tasks.
 *
 * The sentry's platform is the only host tracer; a sandboxed debugger
 * (strace, gdb) is an emulated tracer of emulated tracees. This state is
 * what /mnt/sentry/tasks/TID/ptrace shows.
 */
#ifndef SENTRY_KERNEL_PTRACE_H
#define SENTRY_KERNEL_PTRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

struct task;

enum ptrace_syscall_mode {
	PTRACE_MODE_NONE,      /* not tracing syscalls */
	PTRACE_MODE_SYSCALL,   /* PTRACE_SYSCALL */
	PTRACE_MODE_EMU,       /* PTRACE_SYSEMU */
};

/* Per-task ptrace state. The tracer/tracee links are protected by the
 * task set mutex; the rest by the tracee's signal mutex. */
struct ptrace_state {
	struct task *tracer;          /* NULL when not traced */
	struct cds_list_head tracees; /* tasks this task traces */
	struct cds_list_head tracee_node; /* in tracer->ptrace.tracees */
	bool seized;                  /* attached with PTRACE_SEIZE */
	uint64_t options;             /* PTRACE_O_* */
	enum ptrace_syscall_mode syscall_mode;
	bool singlestep;
	int stop_code;                /* signal or event of the current stop */
	bool has_siginfo;
	siginfo_t siginfo;            /* PTRACE_GETSIGINFO of the current stop */
	unsigned long event_msg;      /* PTRACE_GETEVENTMSG */
};

void ptrace_state_init(struct ptrace_state *p);

#endif
