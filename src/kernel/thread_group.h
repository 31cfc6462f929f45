/*
 * thread_group.h - thread groups (processes), process groups and sessions.
 */
#ifndef SENTRY_KERNEL_THREAD_GROUP_H
#define SENTRY_KERNEL_THREAD_GROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <urcu/list.h>

#include "kernel/rcu.h"
#include "kernel/signals.h"

struct kernel;
struct task;
struct cgroup;
struct session;

/* A process group (Linux's struct pid of type PIDTYPE_PGID). */
struct process_group {
	pid_t pgid;                   /* immutable; 0 means "outside the namespace" */
	struct session *session;      /* immutable */
	struct cds_list_head members; /* thread groups; protected by ts.mu */
	struct cds_list_head node;    /* in ts.pgrps; protected by ts.mu */
	int nr_members;               /* protected by ts.mu */
};

/* A session. */
struct session {
	pid_t sid;                    /* immutable; 0 means "outside the namespace" */
	struct cds_list_head node;    /* in ts.sessions; protected by ts.mu */
	int nr_pgrps;                 /* protected by ts.mu */
	/* The PGID of its terminal's foreground group, 0 if unknown. Like
	 * Linux's tty->pgrp it outlives the group (the host's terminal holds
	 * the PID, so the number is not reused meanwhile). Protected by
	 * ts.mu. */
	pid_t foreground;
};

/* A thread group: what userspace calls a process (gVisor's ThreadGroup,
 * Linux's signal_struct plus the process-wide parts of task_struct). */
struct thread_group {
	pid_t tgid;                    /* protected by ts.mu; the leader's TID */
	struct task *leader;           /* protected by ts.mu */
	struct cds_list_head tasks;    /* live tasks; protected by ts.mu */
	int nr_tasks;                  /* protected by ts.mu */

	/* Parent thread group (Linux reports the parent's TGID as PPID and
	 * lets every thread of a group wait for the group's children).
	 * NULL for the init task, whose parent is outside the sandbox.
	 * Protected by ts.mu. */
	struct thread_group *parent;
	struct cds_list_head children; /* child thread groups; ts.mu */
	struct cds_list_head child_node; /* in parent->children; ts.mu */

	/* Job control. Protected by ts.mu. */
	struct process_group *pgrp;
	struct cds_list_head pgrp_node;  /* in pgrp->members */

	/* PR_SET_CHILD_SUBREAPER. Protected by ts.mu. */
	bool subreaper;

	/* The group has called execve since fork (setpgid(2) refuses to move
	 * a child that has). Protected by ts.mu. */
	bool execed;

	/* Exit: the group's wait(2) status once every task has exited, and
	 * whether the parent may reap it. Protected by ts.mu. */
	bool exiting;          /* exit_group or fatal signal in progress */
	int exit_status;
	enum { TG_LIVE, TG_ZOMBIE, TG_DEAD } state;
	bool reaped_by_host;   /* the host already reaped (autoreap) */
	/* The sentry wrote a core file of the group as it died of a signal
	 * (coredump.h): its wait status has WCOREDUMP whether or not the
	 * host wrote one too. */
	bool core_written;
	uint64_t exit_ns;      /* kernel uptime at exit */

	/* Signal dispositions, possibly shared (CLONE_SIGHAND). Its mutex is
	 * this group's signal mutex. The pointer is protected by ts.mu and
	 * by the signal mutex. */
	struct sighand *sighand;

	/* Shared pending signals and group stop. Protected by the signal
	 * mutex. */
	struct sig_pending shared_pending;
	bool group_stop_active;    /* a group stop is in effect */
	int group_stop_signal;     /* the signal that began it */
	int group_stop_count;      /* tasks that have not yet stopped */
	/* The parent's wait has yet to report the completed stop (WUNTRACED,
	 * Linux's SIGNAL_STOP_STOPPED with group_exit_code) or its end by
	 * SIGCONT (WCONTINUED, SIGNAL_STOP_CONTINUED). Set at the host's
	 * stops; cleared when a wait, the kernel's or the host's, reports
	 * it (wait.c). */
	bool group_stop_notify_pending;
	bool group_cont_notify_pending;

	/* Resource limits (RLIMIT_*). Protected by the signal mutex. */
	struct rlimit limits[RLIM_NLIMITS];

	/* cgroup membership. Protected by ts.mu. */
	struct cgroup *cgroup;

	/* Children statistics reported through wait/rusage. Atomic. */
	uint64_t nr_forks;

	/* RCU lookup by TGID in ts.tgs. */
	struct cds_lfht_node ts_node;
	struct rcu_head rcu;
	int refs; /* atomic */
};

/* Returns the thread group with this TGID, or NULL. Preconditions:
 * rcu_read_lock() held. */
struct thread_group *tg_lookup_rcu(struct kernel *k, pid_t tgid);

/* A death-by-signal wait status of tg with the core-dumped bit when the
 * sentry wrote its core. Preconditions: ts.mu held. */
int tg_core_status_locked(const struct thread_group *tg, int status);

/* PPID as getppid(2) reports it: 0 when the parent is outside. ts.mu or
 * RCU read side held. */
pid_t tg_ppid(const struct thread_group *tg);

#endif
