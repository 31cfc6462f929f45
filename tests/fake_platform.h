/*
 * fake_platform.h - a platform (src/platform/platform.h) for unit tests.
 *
 * The fake runs nothing. It gives each task a fake address space that tests
 * fill with buffers at fake addresses, and records the calls the kernel
 * makes (interrupt, quiesce, release, notify_signal, wake) so tests can
 * assert them. Tasks are "held" at once: quiesce returns 0 (or quiesce_err).
 *
 * It also plays the platform's part towards the kernel: the fake_do_*
 * helpers make the calls the ptrace platform makes when the host reports a
 * trapped syscall or an event (clone, exec, exit), so tests read as the
 * sequence of things the sandboxed programs did.
 *
 * Memory is keyed by TID: a region mapped for tid is visible to the task
 * whose t->tid equals tid; a region mapped for tid FAKE_ANY_TID is visible
 * to every task (threads share an address space; tests rarely care).
 */
#ifndef SENTRY_TESTS_FAKE_PLATFORM_H
#define SENTRY_TESTS_FAKE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "kernel/syscalls/syscalls.h"
#include "platform/platform.h"

struct kernel;
struct task;

#define FAKE_ANY_TID 0

/* The kernel's sa_flags bit glibc does not export. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* Calls the fake records. */
enum fake_call_kind {
	FAKE_CALL_INTERRUPT,
	FAKE_CALL_RELEASE,
	FAKE_CALL_NOTIFY_SIGNAL,
	FAKE_CALL_QUIESCE,
	FAKE_CALL_WAKE,
};

struct fake_call {
	enum fake_call_kind kind;
	pid_t tid;  /* t->tid at the time of the call; 0 for quiesce */
	int sig;    /* notify_signal only */
	bool group; /* notify_signal only */
};

struct fake_region;

/* The host state of a tracee that tracee_access (an emulated tracer's
 * state requests) reads and writes, per TID (fake_tracee()). Created on
 * first use with every register 0 but rip = 0x1000 + tid (as get_regs
 * answers). The other requests use what the fake already has:
 *   PEEKTEXT/PEEKDATA, POKETEXT/POKEDATA  the tracee's fake memory (-EIO
 *                                         where a word is not mapped);
 *   PEEKUSER/POKEUSER                     a word of regs (offset addr
 *                                         < sizeof(regs)), else -EIO;
 *   GETREGS/SETREGS, GETFPREGS/SETFPREGS  regs, fpregs;
 *   GETREGSET/SETREGSET                   NT_PRSTATUS (1) only: regs
 *                                         through the iovec, else -EINVAL;
 *   GETSIGMASK/SETSIGMASK                 the host mask of
 *                                         fake_set_host_sigmask();
 *   GET_SYSCALL_INFO                      op NONE (returns the size of
 *                                         the header);
 *   anything else                         -EIO.
 * tracee_access_err, when non-zero, fails every call with it (a tracee
 * gone on the host: -ESRCH). */
struct fake_tracee {
	pid_t tid;
	struct user_regs_struct regs;
	struct user_fpregs_struct fpregs;
};

/* What the host shows of a host thread for blocked-on reports
 * (read_host_state, read_host_fds): set with fake_host_thread() and
 * fake_host_fd(). runs_step is added to st.runs at every read, so a
 * thread the host keeps running shows it. */
struct fake_host_thread {
	pid_t host_tid;
	struct host_thread_state st;
	uint64_t runs_step;
	struct host_fd fds[16];
	int nr_fds;
};

struct fake_platform {
	struct platform base; /* first: the kernel sees &fp->base */

	/* Host facts of threads, and the unix socket pairs. */
	struct fake_host_thread *host_threads;
	size_t nr_host_threads;
	struct host_unix_peer peers[16];
	int nr_peers;

	/* Mapped memory, newest first. Owned by the fake. */
	struct fake_region *regions;
	/* Next address fake_mem_push() hands out; page aligned start. */
	uint64_t next_addr;

	/* Recorded calls, oldest first. */
	struct fake_call *calls;
	size_t nr_calls, cap_calls;

	/* When non-zero, the next calls of that op fail with this -errno. */
	int interrupt_err;
	int quiesce_err;
	int read_mem_err;
	int write_mem_err;

	/* The host's blocked mask of each TID (index), 0 beyond the end;
	 * set with fake_set_host_sigmask(). read_sigmask answers from it and
	 * counts its calls in nr_sigmask_reads. */
	uint64_t *host_sigmasks;
	size_t nr_host_sigmasks;
	size_t nr_sigmask_reads;
	int read_sigmask_err; /* non-zero: read_sigmask fails with it */

	/* The host's RLIMIT_NOFILE of each TID (index), set with
	 * fake_set_host_nofile(); read_limits answers it (every other limit
	 * RLIM_INFINITY) and counts its calls. */
	struct rlimit *host_nofile;
	size_t nr_host_nofile;
	size_t nr_limit_reads;

	/* Tracees' host state (see struct fake_tracee), in creation order;
	 * tracee_access calls are counted. */
	struct fake_tracee *tracees;
	size_t nr_tracees;
	size_t nr_tracee_access;
	long tracee_access_err;

	/* TIDs release_affinity was called for, in order. */
	pid_t affinity_released[16];
	size_t nr_affinity_released;
};

/* Returns a new fake platform (aborts on ENOMEM: tests only). */
struct fake_platform *fake_platform_new(void);
void fake_platform_free(struct fake_platform *fp);

/* Maps len bytes of buf (copied) at addr for tid. Regions must not
 * overlap for the same tid. */
void fake_mem_map(struct fake_platform *fp, pid_t tid, uint64_t addr,
		  const void *buf, size_t len);
/* Maps a copy of buf at a fresh fake address and returns it. */
uint64_t fake_mem_push(struct fake_platform *fp, pid_t tid, const void *buf,
		       size_t len);
/* Pushes a NUL-terminated string; returns its address. */
uint64_t fake_mem_push_str(struct fake_platform *fp, pid_t tid,
			   const char *s);
/* Pushes the strings of a NULL-terminated argv and the pointer array that
 * names them (as execve(2) takes it); returns the array's address. */
uint64_t fake_mem_push_argv(struct fake_platform *fp, pid_t tid,
			    const char *const argv[]);
/* Copies len bytes at addr of tid's memory into buf. Returns false when
 * they are not all mapped. */
bool fake_mem_peek(struct fake_platform *fp, pid_t tid, uint64_t addr,
		   void *buf, size_t len);

/* The host's blocked mask of tid becomes mask (what an untrapped
 * rt_sigprocmask or rt_sigreturn would have done). */
void fake_set_host_sigmask(struct fake_platform *fp, pid_t tid,
			   uint64_t mask);

/* The host facts of host_tid (created on first use: running, not in a
 * syscall, no descriptors). */
struct fake_host_thread *fake_host_thread(struct fake_platform *fp,
					  pid_t host_tid);
/* host_tid is asleep in syscall nr with args a0..a3. */
void fake_host_asleep(struct fake_platform *fp, pid_t host_tid, long nr,
		      uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* host_tid's table has fd open on target ("pipe:[7]", "/dev/pts/0"),
 * readable and/or writable. */
void fake_host_fd(struct fake_platform *fp, pid_t host_tid, int fd,
		  const char *target, bool readable, bool writable);

/* The host state tracee_access answers for tid (created on first use).
 * Valid until the next call. */
struct fake_tracee *fake_tracee(struct fake_platform *fp, pid_t tid);

/* The host's RLIMIT_NOFILE of tid's process becomes cur/max (what an
 * untrapped or trapped setrlimit would have done on the host). */
void fake_set_host_nofile(struct fake_platform *fp, pid_t tid, rlim_t cur,
			  rlim_t max);

/* Number of recorded calls of kind for tid (FAKE_ANY_TID: any task). */
size_t fake_calls(const struct fake_platform *fp, enum fake_call_kind kind,
		  pid_t tid);
/* Forgets recorded calls. */
void fake_calls_clear(struct fake_platform *fp);

/*
 * The platform's side of the kernel's entry points.
 */

/* Traps syscall nr with args in t: fills *f and runs the entry handler.
 * When it answers SC_HOST_EXIT the exit handler is NOT run: call
 * fake_syscall_exit() with the host's result. */
enum sc_action fake_syscall(struct kernel *k, struct task *t,
			    struct syscall_frame *f, long nr, uint64_t a0,
			    uint64_t a1, uint64_t a2, uint64_t a3,
			    uint64_t a4, uint64_t a5);
/* Completes a syscall that answered SC_HOST_EXIT with the host's ret. */
void fake_syscall_exit(struct kernel *k, struct task *t,
		       struct syscall_frame *f, long ret);
/* A syscall whose whole round trip is driven: entry, and for SC_HOST_EXIT
 * the exit with host_ret. Returns the value the task sees (f->ret for
 * SC_RETURN, host_ret otherwise). */
long fake_syscall_full(struct kernel *k, struct task *t, long nr,
		       uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       long host_ret);

/* Starts init (TID 1, INIT_NEW_SESSION) with command line argv0. */
struct task *fake_start_init(struct kernel *k, const char *argv0);
/* parent traps clone(flags | exit_signal) and the host creates tid. */
struct task *fake_clone(struct kernel *k, struct task *parent,
			unsigned long flags, int exit_signal, pid_t tid);
/* parent traps fork() and the host creates tid. */
struct task *fake_fork(struct kernel *k, struct task *parent, pid_t tid);
/* Lays out the initial stack of a new image in tid's memory (argc, argv,
 * envp, auxv with AT_EXECFN = path, then the strings) and returns its
 * stack pointer. */
uint64_t fake_mem_push_exec_stack(struct fake_platform *fp, pid_t tid,
				  const char *path, const char *const argv[]);
/* The same with AT_UID, AT_EUID, AT_GID and AT_EGID (ids[0..3]) in the
 * auxiliary vector, as Linux writes them. */
uint64_t fake_mem_push_exec_stack_ids(struct fake_platform *fp, pid_t tid,
				      const char *path,
				      const char *const argv[],
				      const uint32_t *ids);
/* The host reports that t exec'd path with argv: the kernel captures the
 * new image from its stack (through fp) and commits. Returns what
 * task_exec() returned (the old leader, or NULL). */
struct task *fake_exec(struct fake_platform *fp, struct kernel *k,
		       struct task *t, const char *path,
		       const char *const argv[]);
/* The host reports t exiting (PTRACE_EVENT_EXIT) then dead, with wait
 * status status. t must not be used afterwards unless it is a leader
 * that stays in the tree. */
void fake_exit(struct kernel *k, struct task *t, int status);

/*
 * A test fixture: a kernel on a fake platform, with init (TID 1, command
 * line "init") started, and a leak check around it.
 */
struct fake_world {
	struct kernel *k;
	struct fake_platform *fp;
	struct task *init;
	long heap_before;
};

/* Once per test binary (cmocka group setup/teardown): registers the thread
 * with RCU and warms up liburcu's lazily allocated state so it does not
 * count as a leak of the first test. Both return 0. */
int fake_group_setup(void **state);
int fake_group_teardown(void **state);

/* Builds a world in *state. Returns 0. */
int fake_world_setup(void **state);
/* Exits every task left (fake_world_exit_all()), destroys the kernel and
 * the fake, and returns the bytes of heap still in use that were not
 * before setup (0 when nothing leaked or when it cannot be measured). */
long fake_world_teardown(struct fake_world *w);

/* Ends every task still in the tree the way a dying sandbox does (every
 * process ignores SIGCHLD so nothing waits; init exits last), so that a
 * test that left tasks behind does not count them as leaks. */
void fake_world_exit_all(struct kernel *k);

/*
 * Queries for assertions, all through the snapshot functions (what the
 * filesystem and dumps see). Strings are in a static buffer overwritten by
 * the next call of the same function.
 */
/* Thread group state (TG_LIVE, TG_ZOMBIE) or -ESRCH when gone. */
int fake_tg_state(struct kernel *k, pid_t tgid);
/* Exit state of a task (enum task_exit_state) or -ESRCH when gone. */
int fake_task_exit_state(struct kernel *k, pid_t tid);
/* PPID of a task, or -ESRCH. */
pid_t fake_ppid(struct kernel *k, pid_t tid);
/* "2 3": the child thread groups of tgid, ascending; "ESRCH" when gone. */
const char *fake_children(struct kernel *k, pid_t tgid);
/* "2 3": the tasks of thread group tgid in list order (leader first). */
const char *fake_tg_tasks(struct kernel *k, pid_t tgid);
/* "1(1):1,2 4(1):4": every process group as pgid(sid):members. */
const char *fake_pgrps(struct kernel *k);
/* "1:1 4:4": every session as sid:its process groups ("-" for none). */
const char *fake_sessions(struct kernel *k);

/*
 * Leak checks: the bytes that malloc, calloc and realloc handed out to
 * code linked into the test binary and that free has not taken back, or
 * -1 when the binary was not linked with -Wl,--wrap for them.
 */
long fake_heap_in_use(void);

#endif
