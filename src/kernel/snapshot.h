/*
 * snapshot.h - consistent copies of kernel objects for readers.
 *
 * The FUSE filesystem, the control server and dumps never hold kernel
 * locks while they format or send: they take a snapshot (copied under
 * ts.mu for reading, then the signal mutex, then task.mu, in lock order)
 * and work on the copy. Taking one never blocks the platform thread for
 * longer than the copy itself.
 */
#ifndef SENTRY_KERNEL_SNAPSHOT_H
#define SENTRY_KERNEL_SNAPSHOT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "kernel/signals.h"
#include "kernel/task.h"

struct kernel;

/* One queued signal as a snapshot shows it. */
struct sig_snap {
	int sig;
	bool shared; /* in the thread group's queue, not the task's */
	siginfo_t info;
};

struct ptrace_snap {
	pid_t tracer; /* 0 when not traced */
	pid_t *tracees;
	int nr_tracees;
	bool seized;
	uint64_t options;
	int syscall_mode; /* enum ptrace_syscall_mode */
	bool singlestep;
	int stop;         /* enum ptrace_stop_kind */
	bool reported;    /* the tracer's wait took the stop */
	bool listening;   /* PTRACE_LISTEN in a group stop */
	bool interrupt_pending;
	int stop_code;
	bool has_siginfo;
	siginfo_t siginfo;
	unsigned long event_msg;
};

struct task_snap {
	pid_t tid, tgid, ppid, pgid, sid;
	pid_t host_tid;
	bool is_leader;
	char comm[16];
	char *cmdline;       /* NUL-separated argv */
	size_t cmdline_len;
	struct exec_env *env; /* a reference: the initial environment, or NULL */
	enum task_exit_state exit_state;
	int exit_status;     /* wait(2) status once exiting */
	int exit_signal;
	int tg_state;        /* TG_LIVE, TG_ZOMBIE, TG_DEAD */
	int nr_threads;
	/* Linux's count (signal->nr_threads, proc's Threads and
	 * num_threads): a leader that died stays counted until reaped. */
	int nr_threads_unreaped;

	/* Signals. blocked is the kernel's copy of the host's mask, exact
	 * when blocked_exact (the task is held in a stop): show it through
	 * task_snap_blocked(). */
	sigset64_t blocked, saved_mask;
	bool blocked_exact;
	bool has_saved_mask;
	sigset64_t pending;         /* task-private */
	sigset64_t shared_pending;  /* thread group */
	sigset64_t ignored, caught;
	struct sig_snap *queued;    /* private then shared, oldest first */
	int nr_queued;
	long user_queued;           /* queued for the task's real user, in
				       the whole sandbox (SigQ) */
	struct sig_altstack altstack;

	/* Stops. */
	enum task_stop_kind stop;
	int stop_count;
	bool group_stop_pending, group_stop_acked;
	bool group_stop_active;
	int group_stop_signal;

	struct ptrace_snap ptrace;

	uint64_t fdt_id;
	int fdt_users;
	uint32_t uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	bool default_affinity;
	uint64_t start_ns;
	uint64_t nr_syscalls, nr_signals;
	char cgroup[256];
	/* The wait the kernel parked, as made (task.h parked_call). */
	long parked_nr;
	uint64_t parked_args[6];
};

struct tg_snap {
	pid_t tgid, leader, ppid, pgid, sid;
	int state;           /* TG_LIVE, TG_ZOMBIE, TG_DEAD */
	bool exiting;
	int exit_status;
	bool subreaper;
	bool execed;
	pid_t *tasks;        /* live and zombie tasks, leader first */
	int nr_tasks;
	pid_t *children;     /* child thread groups */
	int nr_children;
	uintptr_t sighand_id; /* equal for groups sharing dispositions */
	int sighand_users;
	struct sig_action actions[SIG_MAX];
	sigset64_t shared_pending;
	bool group_stop_active;
	int group_stop_signal;
	int group_stop_count;
	struct rlimit limits[RLIM_NLIMITS];
	char cgroup[256];
};

struct pgrp_snap {
	pid_t pgid, sid;
	bool foreground;
	pid_t *members;
	int nr_members;
};

struct session_snap {
	pid_t sid;
	pid_t foreground; /* pgid of the foreground group, -1 if none */
	pid_t *pgrps;
	int nr_pgrps;
};

struct kernel_snap {
	char name[64];
	bool paused;
	int pause_depth;
	uint64_t uptime_ns;
	uint64_t boot_realtime_ns;
	int nr_tasks, nr_tgs, nr_pgrps, nr_sessions;
	uint64_t tasks_created, tasks_exited;
	uint64_t host_stops;
};

/* Each returns 0 and fills *out, or -ESRCH when the object does not exist
 * (or is gone), or -ENOMEM. The *_free functions release what a snapshot
 * allocated; they accept a zeroed snapshot. */
int task_snapshot(struct kernel *k, pid_t tid, struct task_snap *out);
void task_snap_free(struct task_snap *s);
int tg_snapshot(struct kernel *k, pid_t tgid, struct tg_snap *out);
void tg_snap_free(struct tg_snap *s);
void kernel_snapshot(struct kernel *k, struct kernel_snap *out);

/* All process groups or sessions, sorted by id. Return the count and a
 * malloc'd array in *out, or -ENOMEM. Free with *_snaps_free. */
int pgrp_snapshot_all(struct kernel *k, struct pgrp_snap **out);
void pgrp_snaps_free(struct pgrp_snap *v, int n);
int session_snapshot_all(struct kernel *k, struct session_snap **out);
/* The pgid of session sid's foreground process group; -1 when it has
 * none, -ESRCH when there is no such session. One session's worth of
 * work, where session_snapshot_all() copies every group of every one. */
pid_t session_foreground(struct kernel *k, pid_t sid);
void session_snaps_free(struct session_snap *v, int n);

/* Names for reports. */
const char *task_exit_state_name(enum task_exit_state s);
const char *task_stop_name(enum task_stop_kind s);
const char *tg_state_name(int state);
/*
 * The one-letter process state ps shows, as far as the emulated model
 * decides it: 'Z' zombie, 'X' dead, 'T' group stop (or an external stop),
 * 't' ptrace stop, 'D' vfork parent. Returns '\0' for a task that runs as
 * far as the kernel knows: whether the host has it on a CPU (R) or asleep
 * in an untrapped syscall (S) is execution state the host owns.
 */
char task_state_letter(const struct task_snap *s);
/* The letter Linux would show (proc/ and sentrydbg ps): the kernel's
 * when it decides one, otherwise the host's R, S or D (host, from the
 * host's stat file). The host's own T/t are the platform holding the
 * thread for a trapped syscall - to the sandbox that task is in a
 * syscall, i.e. sleeping. */
char task_linux_state_letter(const struct task_snap *s, char host);

#endif
