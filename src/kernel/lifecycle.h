/*
 * lifecycle.h - what the platform tells the kernel about host events.
 *
 * The platform calls these from its thread when the host reports that a
 * task was created, exec'd, began to exit or died. The kernel updates the
 * emulated tree; it never asks the host what the tree looks like.
 */
#ifndef SENTRY_KERNEL_LIFECYCLE_H
#define SENTRY_KERNEL_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

struct kernel;
struct task;

/* How the init task's session and process group were set up on the host
 * before it exec'd. */
enum init_job_mode {
	INIT_NEW_SESSION,  /* setsid(): sid = pgid = 1 */
	INIT_NEW_PGRP,     /* setpgid(0, 0) in the sentry's (outside) session */
};

/*
 * kernel_start_init creates the init task (TID 1, the sandbox's PID 1)
 * backed by the host thread host_tid, with argv (NUL-joined, argv_len
 * bytes) as its command line. Returns 0 and the task in *out, or -errno.
 */
int kernel_start_init(struct kernel *k, pid_t host_tid,
		      enum init_job_mode mode, const char *argv,
		      size_t argv_len, struct task **out);

/*
 * task_clone records a task the host just created for parent with the
 * clone flags parent's trapped clone carried (parent->sc). tid is the new
 * thread's TID in the sandbox namespace, host_tid in the sentry's.
 * Returns 0 and the task (borrowed: the tree owns it) in *out, or -errno.
 */
int task_clone(struct kernel *k, struct task *parent, pid_t tid,
	       pid_t host_tid, struct task **out);

/*
 * task_clone_note_fork tells the kernel that the host reported a fork
 * (vfork: a vfork) of parent. Unless a trapped clone/clone3 recorded its
 * flags (then they stand), the flags are those of fork(2) or vfork(2),
 * which are not trapped. Call it before task_clone().
 */
void task_clone_note_fork(struct task *parent, bool vfork);

/* The parent of a CLONE_VFORK child is held until the child execs or exits
 * (Linux's vfork_done). task_vfork_release() is called for the child at
 * its exec or exit and ends its parent's vfork stop; the parent also ends
 * it itself at its next trapped syscall, whichever the platform sees
 * first. */
void task_vfork_begin(struct kernel *k, struct task *parent);
void task_vfork_done(struct kernel *k, struct task *parent);
void task_vfork_release(struct kernel *k, struct task *child);

/*
 * task_exec_capture reads the new image's command line and name from its
 * initial stack at sp (argc, argv[], envp[], then the auxiliary vector,
 * whose AT_EXECFN is the path execve was given): what a trapped execve
 * would have shown, read once the exec succeeded. Call it at the host's
 * exec event, before task_exec(). Returns 0 or -errno (then task_exec()
 * keeps the old command line).
 */
int task_exec_capture(struct kernel *k, struct task *t, uint64_t sp);

/*
 * task_exec commits a successful execve of t (argv captured by
 * task_exec_capture() in t->sc): new command line and comm, caught signals reset, FD table
 * unshared, the group marked as exec'd. When t was not the leader it takes
 * over the leader's TID and host TID (Linux's de_thread()); the old leader
 * is removed from the tree and returned (a new reference) so the platform
 * can drop its own state for it; otherwise NULL is returned.
 */
struct task *task_exec(struct kernel *k, struct task *t);

/* task_exit_begin records that t began to exit with wait status status
 * (the host's PTRACE_EVENT_EXIT). */
void task_exit_begin(struct kernel *k, struct task *t, int status);

/*
 * task_exit_finish records that the host thread behind t is dead with
 * wait status status. Non-leader threads leave the tree; when the last
 * task of a thread group dies the group becomes a zombie for its parent
 * (or is released at once when the parent ignores SIGCHLD), and its
 * children are reparented to the nearest subreaper or to init. The task
 * pointer must not be used by the caller afterwards.
 */
void task_exit_finish(struct kernel *k, struct task *t, int status);

/* Whether the kernel wants t held in a stop (external stop count, pause,
 * internal stops the host does not enforce itself). */
bool task_should_hold(struct kernel *k, struct task *t);

#endif
