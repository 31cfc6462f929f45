/*
 * syscalls.h - the trapped syscalls: dispatch from the platform into the
 * kernel's handlers, one file per family (identity.c, lifecycle.c,
 * wait.c, signal.c).
 *
 * A handler runs on the platform thread with the task stopped at syscall
 * entry. It decides, from emulated state, what happens:
 *
 *   SC_RETURN     the kernel answered: the host syscall is skipped and the
 *                 task sees frame->ret (a value or -errno).
 *   SC_HOST       the host executes the syscall (with frame->args, which
 *                 the handler may have rewritten), because the host owns
 *                 the effect (creating threads, replacing the image) or
 *                 must mirror the kernel's decision.
 *   SC_HOST_EXIT  as SC_HOST, and the kernel's exit handler runs with the
 *                 host's result in frame->ret before the task continues.
 *   SC_PARK       the kernel cannot answer yet (a tracer's wait with
 *                 nothing to report): the platform blocks the task in an
 *                 interruptible host sleep and has it make the same
 *                 syscall again when the kernel wakes it
 *                 (platform_ops.wake) or a signal arrives; a signal's
 *                 handler restarts it as Linux restarts -ERESTARTSYS.
 */
#ifndef SENTRY_KERNEL_SYSCALLS_SYSCALLS_H
#define SENTRY_KERNEL_SYSCALLS_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>

struct kernel;
struct task;

enum sc_action {
	SC_RETURN,
	SC_HOST,
	SC_HOST_EXIT,
	SC_PARK,
};

struct syscall_frame {
	long nr;
	uint64_t args[6];
	bool args_changed; /* the platform must write args back */
	long ret;
};

typedef enum sc_action (*sc_enter_fn)(struct kernel *k, struct task *t,
				      struct syscall_frame *f);
typedef void (*sc_exit_fn)(struct kernel *k, struct task *t,
			   struct syscall_frame *f);

struct syscall_def {
	const char *name;
	sc_enter_fn enter; /* NULL: not implemented, answers ENOSYS */
	sc_exit_fn exit;   /* run for SC_HOST_EXIT */
};

/* Runs the entry handler of f->nr for t. Can't fail: an unknown or
 * unimplemented syscall is answered with -ENOSYS and counted. */
enum sc_action kernel_syscall_enter(struct kernel *k, struct task *t,
				    struct syscall_frame *f);
/* Runs the exit handler of t's syscall in flight with the host's result
 * in f->ret. */
void kernel_syscall_exit(struct kernel *k, struct task *t,
			 struct syscall_frame *f);

/* t's syscall in flight (a parked one, or one the host ran) was
 * interrupted by a signal with ret (an -ERESTART* code): returns what it
 * is to return instead, which is ret itself unless the kernel can answer
 * now (a wait with a tracee's stop to report: Linux's waits report before
 * they see a signal). */
long kernel_syscall_interrupted(struct kernel *k, struct task *t, long ret);

/* The syscalls the platform must trap: numbers, terminated by -1. */
extern const int kernel_trapped_syscalls[];

/* Name of a syscall number, or NULL when the kernel does not know it. */
const char *kernel_syscall_name(long nr);

/* Handlers, by family. */
enum sc_action sys_getpid(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_gettid(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_getppid(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_getpgid(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_getpgrp(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_getsid(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_setpgid(struct kernel *, struct task *, struct syscall_frame *);
void sys_setpgid_exit(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_setsid(struct kernel *, struct task *, struct syscall_frame *);
void sys_setsid_exit(struct kernel *, struct task *, struct syscall_frame *);

enum sc_action sys_clone(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_clone3(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_prctl(struct kernel *, struct task *, struct syscall_frame *);
void sys_prctl_exit(struct kernel *, struct task *, struct syscall_frame *);
void sys_unshare_exit(struct kernel *, struct task *, struct syscall_frame *);

void sys_setid_exit(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_ioctl(struct kernel *, struct task *, struct syscall_frame *);
void sys_ioctl_exit(struct kernel *, struct task *, struct syscall_frame *);
void sys_sched_getaffinity_exit(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_sched_setaffinity(struct kernel *, struct task *, struct syscall_frame *);
void sys_sched_setaffinity_exit(struct kernel *, struct task *, struct syscall_frame *);
void sys_setrlimit_exit(struct kernel *, struct task *, struct syscall_frame *);

enum sc_action sys_wait4(struct kernel *, struct task *, struct syscall_frame *);
void sys_wait4_exit(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_waitid(struct kernel *, struct task *, struct syscall_frame *);
void sys_waitid_exit(struct kernel *, struct task *, struct syscall_frame *);

enum sc_action sys_ptrace(struct kernel *, struct task *, struct syscall_frame *);

enum sc_action sys_rt_sigaction(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_sigaltstack(struct kernel *, struct task *, struct syscall_frame *);
void sys_sigaltstack_exit(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_kill(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_tgkill(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_tkill(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_rt_sigtimedwait(struct kernel *, struct task *, struct syscall_frame *);
void sys_rt_sigtimedwait_exit(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_rt_sigsuspend(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_rt_sigqueueinfo(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_rt_tgsigqueueinfo(struct kernel *, struct task *, struct syscall_frame *);
enum sc_action sys_sig_passthrough(struct kernel *, struct task *, struct syscall_frame *);

#endif
