/*
 * ptrace.h - emulated ptrace between sandboxed tasks (Linux's
 * kernel/ptrace.c and the ptrace parts of kernel/signal.c, gVisor's
 * ptrace.go).
 *
 * The sentry's platform is the only host tracer; a sandboxed debugger
 * (strace, gdb) is an emulated tracer of emulated tracees (DESIGN §10).
 * An emulated ptrace-stop is a reason the kernel holds a task, like an
 * external stop: the platform keeps the host thread in a host ptrace-stop
 * while ptrace_holds() says so. The emulated tracer's requests act on the
 * host thread through the platform (registers, memory), and its waits
 * report the stops the kernel recorded here.
 *
 * Locking: the tracer/tracee links are protected by ts.mu; the rest of the
 * state is owned by the platform thread (every trapped syscall and every
 * host stop is handled there) and written under the tracee's signal mutex
 * too, so readers (snapshots) copy it under that mutex.
 */
#ifndef SENTRY_KERNEL_PTRACE_H
#define SENTRY_KERNEL_PTRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <urcu/list.h>

struct kernel;
struct task;
struct thread_group;

enum ptrace_syscall_mode {
	PTRACE_MODE_NONE,      /* not tracing syscalls */
	PTRACE_MODE_SYSCALL,   /* PTRACE_SYSCALL */
	PTRACE_MODE_EMU,       /* PTRACE_SYSEMU */
};

/* The kind of ptrace-stop a tracee is in (ptrace(2), "Stopped states"). */
enum ptrace_stop_kind {
	PTRACE_STOP_NONE,
	PTRACE_STOP_SIGNAL,        /* signal-delivery-stop */
	PTRACE_STOP_GROUP,         /* group-stop */
	PTRACE_STOP_SYSCALL_ENTER, /* syscall-enter-stop */
	PTRACE_STOP_SYSCALL_EXIT,  /* syscall-exit-stop */
	PTRACE_STOP_EVENT,         /* PTRACE_EVENT_* stop */
};

/* How the platform is to run a tracee the kernel let go: the host resume
 * request that gives the emulated tracer the stops it asked for. */
enum ptrace_run_mode {
	PTRACE_RUN_CONT,       /* no emulated stops but signals and events */
	PTRACE_RUN_SYSCALL,    /* stop at every syscall entry and exit */
	PTRACE_RUN_SYSEMU,     /* stop at every syscall entry, skip it */
	PTRACE_RUN_SINGLESTEP, /* stop after one instruction */
};

/* A traced task that died, to be reported by its tracer's wait (Linux's
 * exit_ptrace() and the zombie a tracer reaps). Protected by ts.mu. */
struct ptrace_exit_notice {
	pid_t tid;
	int status;                 /* a wait(2) status */
	uid_t uid;
	struct cds_list_head node;  /* in the tracer's ptrace.exits */
};

/* Per-task ptrace state. */
struct ptrace_state {
	/* Links. Protected by ts.mu. */
	struct task *tracer;          /* NULL when not traced */
	struct cds_list_head tracees; /* tasks this task traces */
	struct cds_list_head tracee_node; /* in tracer->ptrace.tracees */
	struct cds_list_head exits;   /* ptrace_exit_notice of dead tracees */

	/* The rest is owned by the platform thread and written under the
	 * tracee's signal mutex. */
	bool seized;                  /* attached with PTRACE_SEIZE */
	uint64_t options;             /* PTRACE_O_* */
	enum ptrace_syscall_mode syscall_mode;
	bool singlestep;
	enum ptrace_stop_kind stop;   /* the current ptrace-stop */
	/* The stop as wait(2) reports it: status = stop_code << 8 | 0x7f
	 * (a signal, SIGTRAP|0x80, or SIGTRAP | PTRACE_EVENT_* << 8). */
	int stop_code;
	bool reported;                /* the tracer's wait took the stop */
	bool has_siginfo;
	siginfo_t siginfo;            /* PTRACE_GETSIGINFO of the current stop */
	unsigned long event_msg;      /* PTRACE_GETEVENTMSG */
	/* The signal the tracer resumed a signal-delivery-stop with (0:
	 * suppressed), and whether it was resumed: what the platform
	 * delivers when it lets the host thread go. */
	int resume_sig;
	bool resumed_from_signal;
	/* PTRACE_INTERRUPT asked for a stop the task has not reached. */
	bool interrupt_pending;
	/* The tracer let the task listen in its group stop (PTRACE_LISTEN):
	 * not in a ptrace-stop, but a SIGCONT or PTRACE_INTERRUPT traps it
	 * again. */
	bool listening;
	/* The task reached syscall-enter-stop: the next syscall stop of the
	 * host is its exit. */
	bool in_syscall;
	/* The TID of the child of this task's last vfork, what
	 * PTRACE_EVENT_VFORK_DONE reports. */
	pid_t vfork_child;
	/* The tracer resumed the task from a group-stop (PTRACE_CONT,
	 * PTRACE_SYSCALL...): it is to run although its group stop is in
	 * effect, and the platform takes the host thread out of its own
	 * group stop (ptrace_run_in_group_stop()). */
	bool run_in_group_stop;
};

void ptrace_state_init(struct ptrace_state *p);

/* "signal", "group", "syscall-enter", "syscall-exit", "event" or "none":
 * how the filesystem, the debugger and dumps name a stop kind. */
const char *ptrace_stop_name(int kind);

/* The name of a ptrace(2) request without its PTRACE_ prefix ("ATTACH"),
 * or NULL for one the kernel does not know. */
const char *ptrace_request_name(long req);
/* The request named s (with or without PTRACE_, any case), or -EINVAL. */
long ptrace_request_parse(const char *s);

/* Whether the kernel holds t in an emulated ptrace-stop. Lock-free (the
 * platform thread owns the state; others read a hint). */
bool ptrace_holds(const struct task *t);

/*
 * The platform's side: what it tells the kernel of a tracee's host stops,
 * and asks it when it resumes one. All on the platform thread, with no
 * kernel locks held.
 */

/* Whether t is traced (by an emulated tracer). */
bool ptrace_traced(const struct task *t);
/* The host resume the emulated tracer's last request asks for. */
enum ptrace_run_mode ptrace_run_mode(const struct task *t);
/* Whether the host must report t's exit (PTRACE_O_TRACEEXIT asked by
 * the emulated tracer). */
bool ptrace_wants_exit_event(const struct task *t);
/* Whether the host must report the end of t's vforks
 * (PTRACE_O_TRACEVFORKDONE asked by the emulated tracer). */
bool ptrace_wants_vfork_done(const struct task *t);
/* t's vfork child exec'd or exited and t is about to return from vfork:
 * the PTRACE_EVENT_VFORK_DONE stop when its tracer asked for it (message:
 * the child's TID). Returns whether t is now held for it. */
bool ptrace_vfork_done(struct kernel *k, struct task *t);
/* Whether t's tracer resumed it from a group-stop that is still in
 * effect, so that t must run (Linux: a tracee resumed from group-stop
 * runs until the next stop). Clears the request: the platform asks when
 * it lets t go, and takes the host thread out of its group stop. */
bool ptrace_run_in_group_stop(struct task *t);
/* t reached a host syscall stop (entry or exit) while its tracer asks for
 * syscall stops: the kernel enters the emulated syscall-stop. Returns
 * whether t is now held for it. */
bool ptrace_syscall_stop(struct kernel *k, struct task *t, bool entry);
/* t reached a host stop with nothing else to report (PTRACE_INTERRUPT
 * answered): if its tracer asked for an interrupt, the kernel enters the
 * emulated PTRACE_EVENT_STOP. Returns whether t is now held for it. */
bool ptrace_interrupt_stop(struct kernel *k, struct task *t);
/* t's host group stop began (entering) or a SIGCONT ended it: the kernel
 * reports the group-stop to t's tracer. Returns whether t is held in an
 * emulated ptrace-stop for it (only when leaving: the host keeps a group
 * stop itself). */
bool ptrace_group_stop(struct kernel *k, struct task *t, int sig,
		       bool entering);
/* The signal to deliver when the platform resumes t from an emulated
 * signal-delivery-stop: the one the tracer chose (0: none), with its
 * siginfo in *info (the tracer may have changed it), already passed
 * through the disposition decisions kernel_signal_deliver() makes.
 * Returns 0 when t was not in such a stop. */
int ptrace_signal_resume(struct kernel *k, struct task *t, siginfo_t *info);

/*
 * The kernel's side, from the code that causes each event.
 */

/* kernel_signal_deliver(): t is traced and about to take info. Enters the
 * signal-delivery-stop; returns true (the platform holds t), or false
 * when the signal is never stopped for (SIGKILL). */
bool ptrace_signal_stop(struct kernel *k, struct task *t,
			const siginfo_t *info);
/* A SIGCONT is sent to tg (Linux's prepare_signal()): each running seized
 * tracee of the group is to trap with PTRACE_EVENT_STOP before it takes
 * the signal (ptrace_trap_notify(); a tracee in its group-stop or
 * listening there traps at the stop's end, ptrace_group_stop()). Its
 * next host stop, the host's own trap for the SIGCONT, enters the trap
 * (ptrace_interrupt_stop()). Preconditions: ts.mu for reading, the
 * signal mutex. */
void ptrace_sigcont_locked(struct kernel *k, struct thread_group *tg);
/* task_clone(): child was created by parent with flags; attaches it to
 * parent's tracer when the tracer asked (PTRACE_O_TRACE{FORK,VFORK,
 * CLONE}, CLONE_PTRACE), and stops parent at the event. */
void ptrace_clone(struct kernel *k, struct task *parent, struct task *child,
		  unsigned long flags, int exit_signal);
/* task_exec(): t exec'd; former is the TID it had before (a non-leader's
 * exec). PTRACE_EVENT_EXEC stop, or a SIGTRAP for a PTRACE_TRACEME or
 * PTRACE_ATTACH tracee without PTRACE_O_TRACEEXEC. */
void ptrace_exec(struct kernel *k, struct task *t, pid_t former);
/* task_exit_begin(): PTRACE_EVENT_EXIT stop when asked. */
void ptrace_exit_begin(struct kernel *k, struct task *t, int status);
/* The tracees a dying tracer left, to be let go (or killed, with
 * PTRACE_O_EXITKILL) once ts.mu is dropped. */
struct ptrace_detached {
	struct task **tasks;  /* a reference each */
	bool *kill;
	int n;
};

/* task_exit_finish(), with ts.mu held for writing: t is dead. Its tracer
 * gets an exit notice (unless it is t's real parent, whose wait reaps the
 * zombie anyway), and t's own tracees are detached into *d, for
 * ptrace_release_detached() once the lock is dropped. */
void ptrace_exit_locked(struct kernel *k, struct task *t, int status,
			struct ptrace_detached *d);
/* Lets the tracees in d run (kills those with PTRACE_O_EXITKILL) and
 * empties d. No locks held. */
void ptrace_release_detached(struct kernel *k, struct ptrace_detached *d);
/* task_exec(): the old leader t of a group whose other thread exec'd
 * leaves the tree without dying: it leaves its tracer and its tracees
 * are detached into *d, without reports (Linux's de_thread()).
 * Preconditions: ts.mu held for writing. */
void ptrace_forget_locked(struct kernel *k, struct task *t,
			  struct ptrace_detached *d);
/* tg_reap_locked(): t's zombie is reaped; it leaves its tracer.
 * Preconditions: ts.mu held for writing. */
void ptrace_reap_locked(struct task *t);
/* Whether tracer's wait has yet to report the death of tid.
 * Preconditions: ts.mu held. */
bool ptrace_has_exit_notice_locked(struct task *tracer, pid_t tid);
/* Wakes the waits parked in thread group tg (a tracee stopped or died, a
 * child died). Called with no locks held, on the platform thread. */
void ptrace_wake_waiters(struct kernel *k, pid_t tgid);

/*
 * The tracer's side (syscalls/ptrace.c, syscalls/wait.c).
 */

/* ptrace(2) request req of tracer t: returns what the syscall returns (a
 * value or -errno). On the platform thread. */
long ptrace_request(struct kernel *k, struct task *t, long req, pid_t pid,
		    uint64_t addr, uint64_t data);
/* Detaches tracee from its tracer. Preconditions: ts.mu held for
 * writing. */
void ptrace_detach_locked(struct kernel *k, struct task *tracee);

/* The result of looking for a tracee whose state a wait can report. */
struct ptrace_wait_result {
	pid_t tid;
	int status;        /* a wait(2) status */
	int code;          /* CLD_TRAPPED, CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int child_status;  /* waitid's si_status */
	uid_t uid;
	bool exited;       /* from an exit notice */
};

/* Whether the waiter's thread group traces anything or has exit notices
 * to report: its wait is then the kernel's, not the host's.
 * Preconditions: ts.mu held. */
bool ptrace_group_is_tracer_locked(struct thread_group *tg);
/* Looks among the tracees of waiter's group for a stop or an exit the
 * wait (idtype, id, options) can report; consumes it unless WNOWAIT.
 * Returns 1 with *r filled, 0 when some tracee is eligible but has
 * nothing to report, -ECHILD when none is eligible. Preconditions: ts.mu
 * held for writing (it may free an exit notice). */
int ptrace_wait_scan_locked(struct task *waiter, int idtype, pid_t id,
			    int options, struct ptrace_wait_result *r);

#endif
