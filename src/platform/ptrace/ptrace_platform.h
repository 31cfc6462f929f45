/*
 * ptrace_platform.h - the ptrace + seccomp platform (DESIGN §5): what
 * `sentry run` uses to start the sandbox and wait for it.
 */
#ifndef SENTRY_PLATFORM_PTRACE_PTRACE_PLATFORM_H
#define SENTRY_PLATFORM_PTRACE_PTRACE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct kernel;
struct platform;
struct ptrace_platform;

/* Called by the platform thread when a task leaves the tree (so the
 * filesystem can drop cached entries). Must not block. */
typedef void (*plat_task_gone_fn)(void *arg, pid_t tid);
/* Called by the platform thread when a task dies of a core-dumping
 * signal, before the task leaves the tree (dump-on=fatal-signal). */
typedef void (*plat_fatal_signal_fn)(void *arg, pid_t tid, int sig);

/* Allocates the platform. The kernel is attached with
 * ptrace_platform_attach() once kernel_init() has the platform pointer.
 * Returns NULL on ENOMEM. */
struct ptrace_platform *ptrace_platform_new(void);
struct platform *ptrace_platform_base(struct ptrace_platform *pp);
void ptrace_platform_attach(struct ptrace_platform *pp, struct kernel *k);
void ptrace_platform_set_hooks(struct ptrace_platform *pp,
			       plat_task_gone_fn gone,
			       plat_fatal_signal_fn fatal, void *arg);

/*
 * ptrace_platform_launch starts the sandbox: a new PID and mount
 * namespace whose init task executes argv[0] (searched in PATH) under
 * seccomp and ptrace, traced by a new platform thread. Returns 0, or
 * -errno with one sentence in errbuf saying what is missing (privileges,
 * ptrace, seccomp).
 */
int ptrace_platform_launch(struct ptrace_platform *pp, char *const argv[],
			   char *errbuf, size_t errlen);

/* The host PID of the init task (for forwarding signals to it). */
pid_t ptrace_platform_init_pid(struct ptrace_platform *pp);

/* The host PID of the command (the sandbox's PID 2), 0 before it
 * started. */
pid_t ptrace_platform_cmd_pid(struct ptrace_platform *pp);

/* The init task's command line. */
#define SENTRY_INIT_NAME "sentry-init"

/* Waits until every task of the sandbox is gone and the platform thread
 * has ended. Returns the command's wait(2) status. */
int ptrace_platform_wait(struct ptrace_platform *pp);

void ptrace_platform_free(struct ptrace_platform *pp);

#endif
