/*
 * task.h - struct task, one emulated thread (Linux's task_struct, gVisor's
 * Task).
 *
 * Every emulated task is backed by exactly one host thread in the sandbox's
 * PID namespace, and its TID is that thread's TID in the namespace
 * (DESIGN §2, "Coherent identity").
 */
#ifndef SENTRY_KERNEL_TASK_H
#define SENTRY_KERNEL_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <urcu/list.h>

#include "kernel/cgroup.h"
#include "kernel/exec_env.h"
#include "kernel/fd_table.h"
#include "kernel/ptrace.h"
#include "kernel/rcu.h"
#include "kernel/signals.h"
#include "kernel/thread_group.h"

struct kernel;

/* Exit states, in the order a task goes through them (gVisor's
 * TaskExitState). */
enum task_exit_state {
	TASK_EXIT_NONE,      /* running or stopped */
	TASK_EXIT_INITIATED, /* exit, exit_group or a fatal signal started */
	TASK_EXIT_ZOMBIE,    /* dead, waiting to be reaped by its parent */
	TASK_EXIT_DEAD,      /* reaped (or never needed reaping); leaving */
};

/* Why a task is in an internal stop (gVisor's TaskStop implementations).
 * External stops (pause, the debugger's stop TID) are counted separately
 * in task.stop_count. */
enum task_stop_kind {
	TASK_STOP_NONE,
	TASK_STOP_GROUP,  /* group stop (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) */
	TASK_STOP_PTRACE, /* emulated ptrace-stop */
	TASK_STOP_VFORK,  /* parent of a CLONE_VFORK child, until it execs/exits */
	TASK_STOP_EXEC,   /* non-leader thread being killed by another's exec */
};

/* Wait(2) wants: what a waiter is waiting for, parsed from its options. */
struct wait_opts {
	int idtype;      /* P_PID, P_PGID, P_ALL */
	pid_t id;
	int options;     /* WNOHANG WNOWAIT WEXITED WSTOPPED WCONTINUED __W* */
};

struct task {
	/* tid is the task's ID in the sandbox's PID namespace, which is also
	 * its host TID there. Protected by ts.mu; it changes only when a
	 * non-leader thread execs and takes over its leader's TID. */
	pid_t tid;

	/* host_tid is the TID of the backing host thread in the sentry's own
	 * PID namespace, used by the platform and to read host-owned state
	 * (FDs). Same rules as tid. */
	pid_t host_tid;

	/* tg is the task's thread group. Protected by ts.mu; never NULL while
	 * the task is in the tree. */
	struct thread_group *tg;

	/* tg_node links the task into tg->tasks. Protected by ts.mu. */
	struct cds_list_head tg_node;

	/* exit_state and exit_status (a wait(2) status: (code << 8) or the
	 * terminating signal, | 0x80 for a core dump). Protected by ts.mu. */
	enum task_exit_state exit_state;
	int exit_status;

	/* Signal state. Protected by tg's signal mutex (tg->sighand->mu). */
	/* The blocked mask is the host's: rt_sigprocmask, a handler's
	 * sa_mask and rt_sigreturn all run on the host, untrapped (Linux
	 * applies them to the same thread, with the same rules). sigmask is
	 * the kernel's copy as of the last time it read the host's
	 * (task_note_sigmask()); sigmask_exact says the platform holds the
	 * task in a stop since that read, so the copy is the mask. Readers
	 * get the mask with task_snap_blocked(). */
	sigset64_t sigmask;
	bool sigmask_exact;
	sigset64_t saved_sigmask;    /* restored after sigsuspend/handler */
	bool has_saved_sigmask;
	/* in_sigwait: t is in rt_sigtimedwait, where the host narrows the
	 * blocked mask by the waited set for the wait and keeps the mask
	 * from before in real_blocked, which Linux's sig_ignored() counts as
	 * blocked too; the host's status file shows only the narrowed one.
	 * sigwait_blocked is the mask from before, noted at the call's entry
	 * (exact: t is stopped there and cannot change its mask before the
	 * call returns). */
	sigset64_t sigwait_blocked;
	bool in_sigwait;
	struct sig_pending pending;  /* task-private pending signals */
	struct sig_altstack altstack;

	/* Internal stop and external stop count (gVisor's Task.stop and
	 * Task.stopCount). Protected by the signal mutex. */
	enum task_stop_kind stop;
	int stop_count;

	/* Group stop bookkeeping (gVisor's groupStopPending and
	 * groupStopAcknowledged). Protected by the signal mutex. */
	bool group_stop_pending;
	bool group_stop_acked;

	/* Emulated ptrace state; see ptrace.h for its locks. */
	struct ptrace_state ptrace;

	/* mu protects the fields below it that are not marked otherwise. */
	pthread_mutex_t mu;

	char comm[16];            /* protected by mu: executable name or PR_SET_NAME */
	char *cmdline;            /* protected by mu: argv joined by NULs */
	size_t cmdline_len;       /* protected by mu */
	/* The environment the program was started with (exec_env.h); NULL
	 * when no exec was seen (the init task: readers use the host's).
	 * The pointer is protected by mu; the object is immutable. */
	struct exec_env *env;
	struct fd_table *fdt;     /* protected by mu; shared with CLONE_FILES */
	/* Credentials, as the host applied them: refreshed from the
	 * platform when a set*id syscall succeeds and at exec (setuid
	 * programs). Protected by mu. */
	uint32_t uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	/* Whether the thread's CPU affinity is still the sandbox's default
	 * (kernel.default_cpus): no sched_setaffinity has changed it or the
	 * affinity it inherited. The platform may narrow the host's affinity
	 * of such a thread, to run it on the platform thread's CPU (see
	 * platform.h, release_affinity); the kernel shows the default
	 * instead (sched_getaffinity, proc/PID/status). Owned by the
	 * platform thread, which writes it with mu held. */
	bool default_affinity;
	pid_t vfork_parent;       /* owned by the platform thread: the TID a
				     CLONE_VFORK child releases at exec/exit */
	uint64_t start_ns;        /* immutable: kernel uptime at creation */
	/* The wait the kernel parked (SC_PARK) as the application made it,
	 * for blocked-on reports (blocked.h): the host shows only the
	 * stand-in. nr is -1 when none. Written by the platform thread;
	 * protected by mu. */
	struct {
		long nr;
		uint64_t args[6];
	} parked_call;
	int exit_signal;          /* protected by ts.mu: signal sent to parent at exit */

	/* Statistics. Atomic. */
	uint64_t nr_syscalls;     /* trapped syscalls */
	uint64_t nr_signals;      /* signals delivered */

	/* The trapped syscall in progress and what its exit needs. Owned by
	 * the platform thread (the kernel's syscall handlers run there). */
	struct {
		long nr;
		uint64_t args[6];
		unsigned long clone_flags; /* CLONE_* of a clone/fork in flight */
		int clone_exit_signal;
		bool clone_pending;        /* clone/clone3 trapped, event not seen */
		char *exec_argv;           /* argv of the new image, NUL-joined */
		size_t exec_argv_len;
		struct exec_env *exec_env; /* envp of the new image */
		bool exec_captured;        /* exec_argv/exec_comm are valid */
		char exec_comm[16];
		bool exec_by_fd;           /* exec'd through /dev/fd/N */
		/* AT_UID, AT_EUID, AT_GID, AT_EGID of the new image's
		 * auxiliary vector: the credentials the exec left. */
		uint32_t exec_ids[4];
		bool exec_ids_valid;
		pid_t tty_pgid;            /* the group a TIOCSPGRP names */
		/* The syscall answered SC_PARK and has not been made again:
		 * whom ptrace_wake_waiters() wakes. */
		bool parked;
	} sc;

	/* Platform state: the platform thread owns it; the kernel never looks
	 * inside. */
	void *plat_priv;

	/* RCU lookup by TID in ts.tasks. */
	struct cds_lfht_node ts_node;
	struct rcu_head rcu;

	/* refs counts references from outside the tree (readers that left
	 * the RCU read side). Atomic. The tree holds one. */
	int refs;
};

/* Returns the RCU-published task with this TID, or NULL. Preconditions:
 * rcu_read_lock() is held; the result is valid only until it is released
 * unless task_tryget() succeeded. */
struct task *task_lookup_rcu(struct kernel *k, pid_t tid);

/* Takes a reference on a task found under RCU. Returns false when the task
 * is already on its way to being freed. */
bool task_tryget(struct task *t);
void task_put(struct task *t);

/* Returns a new reference to the task with this TID, or NULL (no lock
 * needed). */
struct task *task_get_by_tid(struct kernel *k, pid_t tid);

/* Signal mutex helpers: the mutex of the task's thread group. */
void task_lock_signals(struct task *t);
void task_unlock_signals(struct task *t);

/* Thread-group id of the task (its leader's TID). Preconditions: ts.mu
 * or rcu read lock held (stale values are fine for reporting). */
pid_t task_tgid(const struct task *t);

#endif
