/*
 * internal.h - the ptrace platform's own state. Everything here belongs to
 * the platform thread unless a field says otherwise.
 */
#ifndef SENTRY_PLATFORM_PTRACE_INTERNAL_H
#define SENTRY_PLATFORM_PTRACE_INTERNAL_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include <urcu/list.h>

#include "platform/platform.h"
#include "platform/ptrace/ptrace_platform.h"

struct kernel;
struct task;

/* How a held task is to be resumed once the kernel lets it go. */
enum pt_resume {
	PT_RESUME_CONT,    /* PTRACE_CONT with resume_sig */
	PT_RESUME_SYSCALL, /* PTRACE_SYSCALL: stop again at syscall exit */
	PT_RESUME_LISTEN,  /* PTRACE_LISTEN: stay in group stop */
};

/* One traced host thread. Owned by the platform thread. */
struct pt_task {
	pid_t host_tid;
	struct task *task;       /* the kernel's task; NULL until known */
	struct pt_task *next;    /* hash chain */

	bool stopped;            /* in a ptrace-stop we have not resumed */
	bool held;               /* stopped and kept so by the kernel */
	enum pt_resume resume;   /* how to resume when released */
	int resume_sig;
	bool want_exit_stop;     /* resumed with PTRACE_SYSCALL for exit */
	bool interrupting;       /* PTRACE_INTERRUPT sent, stop not seen */
	bool early_stop;         /* initial stop seen before the parent's
				    clone event named the task */
	bool group_stopped;      /* in a host group stop (LISTENed) */
	/* The kernel parked the syscall in flight (SC_PARK): the thread
	 * sleeps in a host ppoll() standing in for it, and is to make
	 * syscall park_nr with park_args again (tracer.c, pt_unpark()). */
	bool parked;
	long park_nr;
	uint64_t park_args[6];
	/* In an emulated signal-delivery-stop: what to deliver is asked of
	 * the kernel when the thread is let go (ptrace_signal_resume()). */
	bool ptrace_signal;
	bool exit_events;        /* PTRACE_O_TRACEEXIT is set on the host */
	bool want_exit_events;   /* ... and should be from the next resume */
	/* PTRACE_O_TRACEVFORKDONE is set on the host: an emulated tracer
	 * asked for PTRACE_EVENT_VFORK_DONE (ptrace_wants_vfork_done()). */
	bool vfork_done_events;
	bool colocate_never;     /* its affinity is the application's */
	bool inherited_bound;    /* created by a bound thread, so bound too
				    until its first resume (colocate.c) */
	/* Bound to the platform thread's CPU (colocate.c): slot in
	 * pt_colocate.bound and the time of its last resume. Protected by
	 * pt_colocate.mu. While bound, host_tid does not change (on_exec
	 * forgets a thread before it renames it): the balancer reads it. */
	bool bound;
	size_t bound_slot;
	uint64_t bound_ns;
};

/* Co-location of traced threads with the platform thread (colocate.c).
 * on, dflt, cpu and one are written before the balancer starts; cpu and
 * one only by the platform thread after, with mu held (the balancer
 * reads cpu); mu protects the rest and every pt_task's bound fields. */
struct pt_colocate {
	bool on;
	int cpu;                 /* the platform thread's CPU */
	cpu_set_t one;           /* just cpu */
	cpu_set_t used;          /* every cpu so far; platform thread only */
	cpu_set_t dflt;          /* the sandbox's default affinity */
	bool initialised;        /* mu and cond exist */
	bool balancer_started;   /* platform thread only */
	pthread_t balancer;
	pthread_mutex_t mu;
	pthread_cond_t cond;     /* signalled when the first thread is bound */
	struct pt_task **bound;  /* the bound threads */
	size_t nr_bound, cap_bound;
	bool stop;               /* the balancer is to end */
	uint64_t moved_ns;       /* platform thread only: last move */
};

#define PT_HASH_SIZE 4096

enum plat_req_kind {
	REQ_INTERRUPT,
	REQ_RELEASE,
	REQ_QUIESCE,
	REQ_GET_REGS,
	REQ_GET_REGS_MANY,
	REQ_GET_REGSET,
	REQ_BACKTRACE,
	REQ_WAKE,
};

/* A request from another thread to the platform thread. */
struct plat_req {
	enum plat_req_kind kind;
	pid_t host_tid;
	struct user_regs_struct *regs;   /* [n] for REQ_GET_REGS_MANY */
	const pid_t *host_tids;          /* REQ_GET_REGS_MANY */
	int *results;                    /* REQ_GET_REGS_MANY */
	int n;                           /* REQ_GET_REGS_MANY; REQ_GET_REGSET:
					    the NT_* type */
	char *buf;
	size_t len;
	int result;
	bool async;            /* nobody waits: the platform thread frees it */
	bool done;             /* protected by ptrace_platform.req_mu */
	uint64_t deadline_ns;  /* REQ_QUIESCE */
	struct cds_list_head node;
};

struct ptrace_platform {
	struct platform base;
	struct kernel *k;           /* immutable after attach */

	pthread_t thread;
	pid_t thread_tid;           /* immutable after launch */
	pid_t init_pid;             /* host PID of init; immutable */
	pid_t doorbell_pid;         /* see requests.c; immutable */
	int pidns_fd;               /* the sandbox's PID namespace, -1 if
				       unknown; immutable after launch */
	int init_status;            /* wait status; written before done */
	pid_t cmd_pid;              /* host PID of the command (init's
				       first child); platform thread */
	int cmd_status;             /* its wait status, -1 until it dies */

	/* Hash of traced threads by host TID. Platform thread only. */
	struct pt_task *tasks[PT_HASH_SIZE];
	int nr_tasks;

	/* Host TIDs sent PTRACE_INTERRUPT whose stop may not have been
	 * collected yet (some may have stopped or died since). Platform
	 * thread only; see pt_sweep_interrupted(). */
	pid_t *intr;
	size_t nr_intr, cap_intr;

	/* Requests. req_mu protects reqs, the done flags and req_cond. */
	pthread_mutex_t req_mu;
	pthread_cond_t req_cond;
	struct cds_list_head reqs;
	bool doorbell_rung;         /* protected by req_mu */
	/* Quiesce requests waiting for holds. Platform thread only. */
	struct cds_list_head quiescing;

	/* Launch handshake and end. Protected by req_mu. */
	bool launched;
	int launch_err;
	char launch_msg[256];
	bool finished;

	plat_task_gone_fn gone_fn;
	plat_fatal_signal_fn fatal_fn;
	void *hook_arg;

	char *const *argv;          /* launch only */

	struct pt_colocate colo;
};

/* tracer.c */
void *pt_thread_main(void *arg);
struct pt_task *pt_lookup(struct ptrace_platform *pp, pid_t host_tid);
/* Resumes a stopped thread the way r says, unless the kernel wants it
 * held, in which case it is kept stopped and resumed by pt_release(). */
void pt_resume(struct ptrace_platform *pp, struct pt_task *pt,
	       enum pt_resume r, int sig);
void pt_release(struct ptrace_platform *pp, struct pt_task *pt);
/* Remembers that host_tid was just sent PTRACE_INTERRUPT. */
void pt_note_interrupt(struct ptrace_platform *pp, pid_t host_tid);
/* Collects the next host stop of tid, which the kernel holds but whose
 * stop the loop has not seen yet (a new thread's first stop, which its
 * tracer may ask about as soon as the clone event is reported), and
 * handles it; waits at most 50 ms. Returns 0, -EBUSY (nothing came) or
 * -ESRCH. Any pt_task of tid may be freed meanwhile: look it up again. */
int pt_await_stop(struct ptrace_platform *pp, pid_t tid);
/* The kernel wakes a parked syscall of pt (platform_ops.wake). */
void pt_wake(struct ptrace_platform *pp, struct pt_task *pt);
/* Brings pt, in a host group stop (PTRACE_LISTEN, where the host refuses
 * other ptrace requests), back into a ptrace-stop for a request such as
 * PTRACE_GETREGS; pt_resume(pp, pt, PT_RESUME_LISTEN, 0) then puts it
 * back. Returns 0, or -EBUSY when it reported something else (a SIGCONT
 * ended its stop, or it died), which was then handled as any stop is (pt
 * may be freed), or nothing within 50 ms (the loop collects it). On the
 * platform thread, which may be inside a stop's handling already (a dump
 * taken for a fatal signal reads registers). */
int pt_unlisten(struct ptrace_platform *pp, struct pt_task *pt);

/* colocate.c */
/* Records the sandbox's default affinity in the kernel and decides
 * whether to co-locate. Before the platform thread starts. Returns 0 or
 * -ENOMEM. */
int pt_colocate_setup(struct ptrace_platform *pp);
/* Binds the platform thread to its CPU and starts the balancer. On the
 * platform thread, after the sandbox's init was forked with the default
 * affinity. */
void pt_colocate_start(struct ptrace_platform *pp);
/* Binds pt, about to be resumed, to the platform thread's CPU if it may
 * be. */
void pt_colocate_bind(struct ptrace_platform *pp, struct pt_task *pt);
/* child (with its kernel task) was just created: notes whether the host
 * gave it our binding or an affinity the application chose. */
void pt_colocate_inherit(struct ptrace_platform *pp, struct pt_task *child);
/* pt is dead: no longer bound. */
void pt_colocate_forget(struct ptrace_platform *pp, struct pt_task *pt);
/* pt's affinity is the application's from now on: unbinds it for good. */
void pt_colocate_release(struct ptrace_platform *pp, struct pt_task *pt);
/* Ends the balancer (the last thread is gone) and pt_colocate_destroy
 * what setup made. */
void pt_colocate_stop(struct ptrace_platform *pp);
void pt_colocate_destroy(struct ptrace_platform *pp);

/* requests.c */
/* The host's /proc/TID/status of a host thread, whole and NUL-terminated,
 * in a malloc'd *out (a long Groups: line can take it past any fixed
 * buffer). Returns 0 or -errno. */
int pt_host_status_read(pid_t host_tid, char **out);
/* The value of the "Key:\t" line of a status file (tabs and all, up to
 * its newline), or NULL. */
const char *pt_status_value(const char *status, const char *key);
bool pt_on_platform_thread(struct ptrace_platform *pp);
/* The platform's record of t when called on the platform thread (which
 * owns t->plat_priv), else NULL. */
struct pt_task *pt_task_of(struct ptrace_platform *pp, struct task *t);
int pt_doorbell_start(struct ptrace_platform *pp);
void pt_doorbell_answer(struct ptrace_platform *pp);
void pt_requests_run(struct ptrace_platform *pp);
void pt_quiesce_check(struct ptrace_platform *pp);
extern const struct platform_ops pt_ops;

/* seccomp.c */
/* Builds the sandbox's seccomp filter as a BPF program in *prog (malloc'd
 * struct sock_fprog with its filter). Returns 0 or -errno. */
struct sock_fprog;
int pt_seccomp_build(struct sock_fprog *prog);

/* launch.c */
/* Forks init into new namespaces; the child waits on sync_fd before
 * exec'ing. Returns the host PID or -errno. */
pid_t pt_launch_init(struct ptrace_platform *pp, const struct sock_fprog *prog,
		     int *sync_fd, int *mode, char *errbuf, size_t errlen);

/* backtrace.c */
int pt_backtrace(pid_t host_tid, char *buf, size_t len);

/* memory.c */
ssize_t pt_read_mem(struct platform *p, struct task *t, uint64_t addr,
		    void *buf, size_t len);
ssize_t pt_write_mem(struct platform *p, struct task *t, uint64_t addr,
		     const void *buf, size_t len);


#endif
