/*
 * platform.h - how the kernel makes tasks run on the host.
 *
 * The kernel decides; the platform executes and mirrors (DESIGN §2). This
 * is the only interface between src/kernel/ and the host: the ptrace +
 * seccomp implementation lives in src/platform/ptrace/, a fake one for unit
 * tests in tests/fake_platform.c.
 *
 * Unless a function says otherwise it may be called from any thread; the
 * ptrace platform forwards calls made off its own thread to it and waits
 * for the answer.
 */
#ifndef SENTRY_PLATFORM_PLATFORM_H
#define SENTRY_PLATFORM_PLATFORM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/user.h>

struct task;

struct platform;

/* What the host shows of one of its threads (read_host_state). */
struct host_thread_state {
	char state;          /* the host's letter (R S D T t Z X), '\0' unknown */
	/* Asleep in a syscall: nr and args are what it was called with. A
	 * thread the host runs, or stopped outside a syscall, has nr -1. */
	long nr;
	uint64_t args[6];
	uint64_t runs;       /* times the host has put it on a CPU */
	uint64_t slept_ns;   /* how long it has been off the CPU, about */
	char wchan[32];      /* the host function it sleeps in, or "" */
};

/* What read_host_state reads beyond the state letter and the syscall,
 * each a further host file: runs, wchan, slept_ns. */
enum {
	HOST_STATE_RUNS = 1,
	HOST_STATE_WCHAN = 2,
	HOST_STATE_SLEPT = 4,
	HOST_STATE_NO_STAT = 8,     /* skip the state letter */
	HOST_STATE_NO_SYSCALL = 16, /* skip the syscall */
};

/* One descriptor of a host thread's table (read_host_fds). */
enum host_fd_kind {
	HOST_FD_FILE,        /* a path: target */
	HOST_FD_PIPE,        /* pipe:[ino] */
	HOST_FD_SOCKET,      /* socket:[ino] */
	HOST_FD_ANON,        /* anon_inode:[eventpoll] and the like: target */
};

struct host_fd {
	int fd;
	enum host_fd_kind kind;
	bool readable, writable;
	uint64_t ino;        /* pipes and sockets */
	char target[96];     /* what the descriptor's link reads */
};

/* A connected unix socket and its peer, by inode (read_unix_peers). */
struct host_unix_peer {
	uint64_t ino, peer;
};

/* A file lock the host holds or is asked for (read_host_locks). */
struct host_lock {
	pid_t pid;           /* the process that placed it; -1: an OFD lock */
	uint64_t ino;
	unsigned dev_major, dev_minor;
	bool waiting;        /* a request that blocks, not a held lock */
};

struct platform_ops {
	/* Copies len bytes of the task's memory at addr into buf. Returns the
	 * number of bytes copied (possibly short at an unmapped page) or
	 * -errno. */
	ssize_t (*read_mem)(struct platform *p, struct task *t, uint64_t addr,
			    void *buf, size_t len);
	/* Copies buf into the task's memory. Returns bytes written or -errno. */
	ssize_t (*write_mem)(struct platform *p, struct task *t, uint64_t addr,
			     const void *buf, size_t len);
	/* Brings a running task to a stop where the kernel can hold it (an
	 * external stop). The task stays stopped while the kernel says it
	 * must (task_should_hold()). Never blocks: may be called with kernel
	 * locks held. Returns 0 or -errno. */
	int (*interrupt)(struct platform *p, struct task *t);
	/* Waits until every task the kernel wants held is held in a stop,
	 * or timeout_ms passes. Must not be called with kernel.ext_mu held.
	 * Returns 0, or -ETIMEDOUT naming nothing (some task did not stop in
	 * time: e.g. a vfork parent waiting for its child). Returns 0 at once
	 * when called from the platform's own thread, which holds tasks at
	 * their next stop anyway. */
	int (*quiesce)(struct platform *p, int timeout_ms);
	/* Lets a task the platform holds run again if the kernel no longer
	 * wants it held. Never blocks. Returns 0 or -errno. */
	int (*release)(struct platform *p, struct task *t);
	/* Rings the host doorbell for a signal the kernel queued: makes the
	 * task (group: its thread group, whose threads the host picks from)
	 * reach a host signal-delivery-stop for sig, where the kernel
	 * delivers its own siginfo. Never blocks. Returns 0 or -errno. */
	int (*notify_signal)(struct platform *p, struct task *t, int sig,
			     bool group);
	/* Reads the task's credentials as the host applied them, in the
	 * order uid euid suid fsuid gid egid sgid fsgid. Returns 0 or
	 * -errno. */
	int (*read_creds)(struct platform *p, struct task *t, uint32_t ids[8]);
	/* Reads the task's blocked-signal mask, which the host owns
	 * (rt_sigprocmask, handler masks and rt_sigreturn run untrapped).
	 * On the platform's own thread, for a task stopped there, it is one
	 * ptrace call; otherwise it reads the host's status file. Optional
	 * (NULL: the kernel's copy is all there is). Returns 0 or -errno
	 * (the host thread may be gone). */
	int (*read_sigmask)(struct platform *p, struct task *t,
			    uint64_t *mask);
	/* Reads the task's blocked, ignored and caught sets as the host has
	 * them (its status file): what the host did to its own dispositions
	 * when it forced a fault on the task. Optional. Returns 0 or
	 * -errno. */
	int (*read_sigsets)(struct platform *p, struct task *t,
			    uint64_t sets[3]);
	/* Reads the resource limits of the task's process as the host
	 * enforces them (RLIM_NLIMITS of them, by RLIMIT_* index). Optional.
	 * Returns 0 or -errno. */
	int (*read_limits)(struct platform *p, struct task *t,
			   struct rlimit *limits);
	/* Reads the name the host gave task t (its comm, NUL-terminated).
	 * Optional. Returns 0 or -errno. */
	int (*read_comm)(struct platform *p, struct task *t, char comm[16]);
	/* Stops narrowing the host's CPU affinity of task t for good and
	 * gives it back the sandbox's default (kernel.default_cpus), before
	 * the host runs a sched_setaffinity on it. The platform may run a
	 * task whose affinity is the default on its own thread's CPU while
	 * it makes system calls the platform traps (ptrace colocate.c); the
	 * application's own choice of CPUs ends that. Called on the
	 * platform's thread. Optional. */
	void (*release_affinity)(struct platform *p, struct task *t);
	/* Reads the registers of a stopped task. Returns 0, -ESRCH for a task
	 * that is gone, -EBUSY for one that is running. */
	int (*get_regs)(struct platform *p, struct task *t,
			struct user_regs_struct *regs);
	/* Reads the registers of n stopped tasks, by host TID, in one
	 * request: result[i] is what get_regs would return for the i-th.
	 * Optional (NULL: call get_regs for each). Returns 0 or -errno
	 * when none could be read. */
	int (*get_regs_many)(struct platform *p, const pid_t *host_tids,
			     int n, struct user_regs_struct *regs,
			     int *result);
	/* Writes a backtrace of a stopped task into buf (one frame a line).
	 * Returns 0 or -errno. */
	int (*backtrace)(struct platform *p, struct task *t, char *buf,
			 size_t len);
	/* A wait of t may have an answer now: a syscall the kernel parked
	 * (SC_PARK), or one the host runs for it (SC_HOST_EXIT) that began
	 * before the kernel had to answer it itself. The platform has t make
	 * it again, as soon as t is not held. A task in neither is left
	 * alone. Never blocks. Returns 0 or -errno. */
	int (*wake)(struct platform *p, struct task *t);
	/* Carries out a state request of ptrace(2) for an emulated tracer on
	 * the host thread of tracee t, which the kernel holds stopped: req
	 * and addr as ptrace(2) takes them (PEEK*, POKE*, GETREGS, SETREGS,
	 * GETFPREGS, SETFPREGS, GETREGSET, SETREGSET, GETSIGMASK,
	 * SETSIGMASK, GET_SYSCALL_INFO, ARCH_PRCTL), data pointing into the
	 * sentry: the register structure, an iovec of a local buffer, the
	 * word to poke or where a PEEK* stores the word it read. Returns the
	 * host's non-negative result, -ESRCH when t is not stopped on the
	 * host, or the host's -errno (-EIO for a bad address). On the
	 * platform's thread only. Optional (NULL: EIO). */
	long (*tracee_access)(struct platform *p, struct task *t, long req,
			      uint64_t addr, void *data);
	/* Host facts for blocked-on reports (src/kernel/blocked.c), by host
	 * TID; any thread, no stop needed: they read what the host shows
	 * without disturbing the thread. Optional (NULL: nothing known).
	 * read_host_state fills *out (what: HOST_STATE_* extras); read_host_fds returns the count and a
	 * malloc'd array in *out (sorted by fd); read_host_fdinfo copies the
	 * host's fdinfo text of one descriptor; read_unix_peers returns the
	 * count and a malloc'd array of every connected unix socket of the
	 * host's network namespace. Each returns -errno on failure (-ESRCH:
	 * the thread is gone). */
	int (*read_host_state)(struct platform *p, pid_t host_tid,
			       unsigned what, struct host_thread_state *out);
	int (*read_host_fds)(struct platform *p, pid_t host_tid,
			     struct host_fd **out);
	int (*read_host_fdinfo)(struct platform *p, pid_t host_tid, int fd,
				char *buf, size_t len);
	int (*read_unix_peers)(struct platform *p,
			       struct host_unix_peer **out);
	/* Every flock and POSIX lock of the host (/proc/locks); the count
	 * and a malloc'd array in *out. */
	int (*read_host_locks)(struct platform *p, struct host_lock **out);
	/* Copies the host's /proc/TID/name file of host_tid (maps, auxv)
	 * into a malloc'd *out of *len bytes. Any thread. Returns 0 or
	 * -errno (-ESRCH: gone). */
	int (*read_host_file)(struct platform *p, pid_t host_tid,
			      const char *name, char **out, size_t *len);
	/* Reads register set nt_type (NT_PRFPREG, NT_X86_XSTATE, as
	 * PTRACE_GETREGSET) of a stopped task into buf. Returns the bytes
	 * read, -ESRCH for a task that is gone, -EBUSY for one that runs.
	 * Optional. */
	long (*get_regset)(struct platform *p, struct task *t, int nt_type,
			   void *buf, size_t len);
	/* The device and inode a descriptor refers to (stat through its
	 * link). Returns 0 or -errno. */
	int (*read_host_fd_inode)(struct platform *p, pid_t host_tid, int fd,
				  unsigned *dev_major, unsigned *dev_minor,
				  uint64_t *ino);
};

struct platform {
	const struct platform_ops *ops;
};

static inline ssize_t plat_read_mem(struct platform *p, struct task *t,
				    uint64_t addr, void *buf, size_t len)
{
	return p->ops->read_mem(p, t, addr, buf, len);
}

static inline ssize_t plat_write_mem(struct platform *p, struct task *t,
				     uint64_t addr, const void *buf, size_t len)
{
	return p->ops->write_mem(p, t, addr, buf, len);
}

#endif
