/*
 * kernel.h - the emulated kernel: struct kernel and the one lock order.
 *
 * The sentry's kernel is the authority for the Linux process model of the
 * sandbox (DESIGN.md §2): tasks, thread groups, PIDs, sessions, process
 * groups, signals, stops, exit and wait, ptrace and cgroups. The host only
 * executes. Nothing in src/kernel/ uses ptrace, FUSE or sockets; it reaches
 * the host through src/platform/platform.h.
 *
 * Lock order, outermost first. Take locks only in this order:
 *
 *   kernel.ext_mu        external changes: pause/unpause, injected signals,
 *                        dumps, catchpoints
 *     task_set.mu        (rwlock) the task tree: parents and children,
 *                        thread group membership, process groups, sessions,
 *                        exit states, TID allocation
 *       sighand.mu       "the signal mutex" of a thread group: dispositions,
 *                        pending signals, masks, stops, ptrace stop state
 *         task.mu        per-task fields that are not signal state (comm,
 *                        cmdline, fd table pointer, cgroup, credentials)
 *
 * Locking sighand.mu of several thread groups at once is not allowed; code
 * that must act on two groups (kill, reparenting) holds task_set.mu for
 * writing, which excludes every other mutator of the tree, and takes the
 * signal mutexes one after another.
 *
 * Terms used in field comments (as in gVisor's task.go):
 *   "protected by X"     read and write with X held.
 *   "owned by the platform thread"
 *                        only the platform thread mutates it and it may read
 *                        it without locks; other threads must hold the lock
 *                        named next to it, if any, or not read it at all.
 *   "immutable"          set before the object is published, never changed.
 *   "atomic"             accessed only with __atomic builtins.
 *
 * Readers (the FUSE filesystem, the control server, dumps) find objects
 * under rcu_read_lock() and copy a consistent snapshot of one object under
 * that object's lock (see snapshot.h). Objects are freed with call_rcu()
 * after they leave the tree and their last reference drops.
 */
#ifndef SENTRY_KERNEL_KERNEL_H
#define SENTRY_KERNEL_KERNEL_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/sig_users.h"
#include "kernel/task.h"
#include "kernel/task_set.h"

struct platform;

/* Number of syscall slots counted in kernel.syscalls. */
#define KERNEL_NR_SYSCALLS 512

/* Per-syscall statistics of trapped syscalls. All fields atomic. */
struct syscall_stat {
	uint64_t count;    /* times trapped */
	uint64_t enosys;   /* times answered ENOSYS: not implemented yet */
	uint64_t total_ns; /* time spent in the kernel's handler */
};

/* Catchpoint callback: the debugger registers it; the kernel calls it when
 * an event happens, with no locks held, from the platform thread. A return
 * value of true means "pause the kernel now". */
enum kernel_event {
	KERNEL_EVENT_CLONE,
	KERNEL_EVENT_EXEC,
	KERNEL_EVENT_EXIT,
	KERNEL_EVENT_SIGNAL,
	KERNEL_EVENT_SYSCALL,
	KERNEL_EVENT_PTRACE,  /* detail: the ptrace(2) request */
};
#define KERNEL_EVENT_LAST KERNEL_EVENT_PTRACE
typedef bool (*kernel_event_fn)(void *arg, enum kernel_event ev, pid_t tid,
				long detail);

struct kernel {
	/* ext_mu serialises external changes (pause/unpause, injected signals,
	 * dumps). Outermost lock. */
	pthread_mutex_t ext_mu;

	/* pause_depth is the number of outstanding kernel_pause() calls.
	 * Written with ext_mu and ts.mu (for writing) held, so task_clone()
	 * can copy it under ts.mu; read atomically by readers. */
	int pause_depth;

	/* The task tree. */
	struct task_set ts;

	/* The platform that runs tasks. Immutable after kernel_init(). */
	struct platform *plat;

	/* Boot time (CLOCK_REALTIME and CLOCK_MONOTONIC, nanoseconds).
	 * Immutable. */
	uint64_t boot_realtime_ns;
	uint64_t boot_monotonic_ns;

	/* Instance name (sentry run --name) and the command line of the init
	 * task. Immutable. */
	char name[64];

	/* Trapped syscall statistics, indexed by syscall number. Atomic. */
	struct syscall_stat syscalls[KERNEL_NR_SYSCALLS];

	/* Totals since boot. Atomic. */
	uint64_t tasks_created;
	uint64_t tasks_exited;
	/* Host stops and deaths the platform has handled: what the sandbox
	 * costs (kernel/counts), and how busy it is, for threads that poll
	 * only while it is quiet (procfs_serve) or yield while it works (the
	 * read-ahead, procfs/readahead.c). */
	uint64_t host_stops;

	/* The CPU affinity every task of the sandbox starts with (the
	 * sentry's own): as sched_getaffinity(2) returns it, and the host's
	 * "Cpus_allowed" and "Cpus_allowed_list" status values for it. Set by
	 * kernel_set_default_affinity() before the sandbox starts, immutable
	 * after; default_cpus_hex is NULL when it was never set (the kernel
	 * then shows every task's affinity as the host has it). */
	cpu_set_t default_cpus;
	char *default_cpus_hex;
	char *default_cpus_list;

	/* CLOCK_MONOTONIC time of a recent request to the filesystem (to
	 * within a millisecond) and the CPU that served it: the platform
	 * keeps the sandbox's threads off a CPU that serves a reader (ptrace
	 * colocate.c). Atomic. */
	uint64_t last_read_ns;
	int last_read_cpu;        /* the CPU that served it. Atomic. */

	/* Exit status of the init task once it has exited (a wait(2) status),
	 * -1 before. Protected by ts.mu. */
	int init_exit_status;

	/* Queued signals per real user (SigQ). Its own locking. */
	struct sig_users sig_users;

	/* Event hook for catchpoints. Written under ext_mu with
	 * rcu_assign_pointer(); called under rcu_read_lock() by
	 * kernel_event(), so a remover waits with synchronize_rcu(). The hook
	 * must not block. */
	kernel_event_fn event_fn;
	void *event_arg;
};

/*
 * kernel_init initialises k. Returns 0 or -errno; on failure k is left
 * unusable and needs no cleanup.
 */
int kernel_init(struct kernel *k, struct platform *plat, const char *name);

/* kernel_destroy frees everything k still holds. No other thread may use k. */
void kernel_destroy(struct kernel *k);

/* Records the sandbox's default CPU affinity (kernel.default_cpus) and
 * how the host's status file prints it. Call before the sandbox starts.
 * Returns 0 or -ENOMEM. */
int kernel_set_default_affinity(struct kernel *k, const cpu_set_t *cpus,
				const char *hex, const char *list);

/* Monotonic nanoseconds since boot of this kernel. Can't fail. */
uint64_t kernel_uptime_ns(const struct kernel *k);

/*
 * kernel_pause stops every task of the kernel (an external stop, like
 * gVisor's Kernel.Pause): when it returns, no task runs application code
 * until the matching kernel_unpause(). Pauses nest. Tasks created while
 * paused start stopped. Returns 0 or -errno.
 */
int kernel_pause(struct kernel *k);

/* kernel_unpause undoes one kernel_pause(). Returns -EINVAL when the
 * kernel is not paused. */
int kernel_unpause(struct kernel *k);

/* Whether the kernel is paused (pause_depth > 0). */
bool kernel_paused(const struct kernel *k);

/* Targets of an external signal. */
enum signal_target {
	SIGNAL_TARGET_TASK,  /* one thread */
	SIGNAL_TARGET_TG,    /* a thread group (process) */
	SIGNAL_TARGET_PGRP,  /* every process of a process group */
};

/*
 * kernel_send_external_signal sends info->si_signo, with the siginfo info
 * (si_code, si_pid, si_uid, si_value as chosen by the caller), to a task,
 * a thread group or a process group, from outside the sandbox (gVisor's
 * Kernel.SendExternalSignal; the debugger's kill). The signal enters the
 * emulated pending queues like any other. Returns 0, -EINVAL for an
 * invalid signal, -ESRCH for a target that does not exist or is dead.
 */
int kernel_send_external_signal(struct kernel *k, enum signal_target kind,
				pid_t id, const siginfo_t *info);

/* Counts one trapped syscall. Called by the syscall dispatcher. */
void kernel_count_syscall(struct kernel *k, long nr, uint64_t ns,
			  bool enosys);

/* Calls the event hook, if any; returns true when it asks for a pause. */
bool kernel_event(struct kernel *k, enum kernel_event ev, pid_t tid,
		  long detail);

#endif
