/*
 * Tests of src/kernel/ptrace.c and src/kernel/syscalls/ptrace.c: the
 * emulated ptrace state machine between sandboxed tasks, driven as the
 * platform drives it. A tracer's requests are trapped ptrace(2) calls; a
 * tracee's stops come from the host stops the platform reports
 * (kernel_signal_deliver(), ptrace_syscall_stop(), ptrace_interrupt_stop(),
 * kernel_group_stop_host(), clone and exit events); the tracer's wait is a
 * trapped wait4/waitid. man 2 ptrace is the spec.
 *
 * Most tests use the same cast: init (1) forked the tracer (2) and the
 * tracee (3), so the tracee is not the tracer's child.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/ptrace.h"
#include "kernel/signal_deliver.h"
#include "kernel/snapshot.h"

/* What pthread_create passes (glibc 2.36). */
#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

/* A wait(2) status of a ptrace-stop with wait code code. */
#define STOP_STATUS(code) ((((code) & 0xffff) << 8) | 0x7f)

/* t makes ptrace(req, pid, addr, data); returns what it sees. */
static long pt(struct fake_world *w, struct task *t, long req, pid_t pid,
	       uint64_t addr, uint64_t data)
{
	struct syscall_frame f;

	assert_int_equal(fake_syscall(w->k, t, &f, SYS_ptrace, (uint64_t)req,
				      (uint64_t)(int64_t)pid, addr, data, 0,
				      0),
			 SC_RETURN);
	return f.ret;
}

/* t makes wait4(pid, &status, options, NULL), which the kernel answers;
 * returns what it sees, with the status it wrote in *status (-1 when it
 * wrote none). */
static long tracer_wait4(struct fake_world *w, struct task *t, pid_t pid,
			 int options, int *status)
{
	struct syscall_frame f;
	int none = -1;
	uint64_t a = fake_mem_push(w->fp, t->tid, &none, sizeof(none));

	assert_int_equal(fake_syscall(w->k, t, &f, SYS_wait4,
				      (uint64_t)(int64_t)pid, a,
				      (uint64_t)options, 0, 0, 0),
			 SC_RETURN);
	assert_true(fake_mem_peek(w->fp, t->tid, a, status, sizeof(*status)));
	return f.ret;
}

/* The host stops t for sig: kernel_signal_deliver() with a kill(2)'s
 * siginfo from init. Returns what it returns, the siginfo in *si. */
static int host_signal(struct fake_world *w, struct task *t, int sig,
		       siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = SI_USER;
	si->si_pid = 1;
	return kernel_signal_deliver(w->k, t, si);
}

/* t enters a signal-delivery-stop for sig. */
static void signal_stop(struct fake_world *w, struct task *t, int sig)
{
	siginfo_t si;

	assert_int_equal(host_signal(w, t, sig, &si),
			 KERNEL_SIGNAL_PTRACE_STOP);
	assert_true(ptrace_holds(t));
}

/* tid's ptrace state as snapshots show it (tracees not kept). */
static struct ptrace_snap ptrace_of(struct fake_world *w, pid_t tid)
{
	struct task_snap s;
	struct ptrace_snap p;

	assert_int_equal(task_snapshot(w->k, tid, &s), 0);
	p = s.ptrace;
	p.tracees = NULL;
	task_snap_free(&s);
	return p;
}

/* Signals pending for tid, its own and its group's. */
static uint64_t pending_of(struct fake_world *w, pid_t tid)
{
	struct task_snap s;
	uint64_t m;

	assert_int_equal(task_snapshot(w->k, tid, &s), 0);
	m = s.pending | s.shared_pending;
	task_snap_free(&s);
	return m;
}

/* Recorded notify_signal calls of tid for sig. */
static size_t notified(struct fake_world *w, pid_t tid, int sig)
{
	size_t n = 0;

	for (size_t i = 0; i < w->fp->nr_calls; i++)
		if (w->fp->calls[i].kind == FAKE_CALL_NOTIFY_SIGNAL &&
		    w->fp->calls[i].tid == tid && w->fp->calls[i].sig == sig)
			n++;
	return n;
}

/* Reads the word at addr of t's memory. */
static uint64_t word_at(struct fake_world *w, pid_t tid, uint64_t addr)
{
	uint64_t v = 0;

	assert_true(fake_mem_peek(w->fp, tid, addr, &v, sizeof(v)));
	return v;
}

/* A fresh, zeroed buffer of len bytes in tid's memory. */
static uint64_t buffer(struct fake_world *w, pid_t tid, size_t len)
{
	char zero[4096];

	memset(zero, 0, sizeof(zero));
	assert_true(len <= sizeof(zero));
	return fake_mem_push(w->fp, tid, zero, len);
}

/* The usual cast: *tracer (2) and *tracee (3), both init's children;
 * the tracer seizes the tracee with options. */
static void seized_pair(struct fake_world *w, uint64_t options,
			struct task **tracer, struct task **tracee)
{
	*tracer = fake_fork(w->k, w->init, 2);
	*tracee = fake_fork(w->k, w->init, 3);
	assert_int_equal(pt(w, *tracer, PTRACE_SEIZE, 3, 0, options), 0);
}

/*
 * PTRACE_TRACEME
 */

static void traceme_makes_the_parent_the_tracer(void **state)
{
	struct fake_world *w = *state;
	struct task *parent = fake_fork(w->k, w->init, 2);
	struct task *child = fake_fork(w->k, parent, 3);
	struct ptrace_snap p;
	int status;

	assert_int_equal(pt(w, child, PTRACE_TRACEME, 0, 0, 0), 0);
	p = ptrace_of(w, 3);
	assert_int_equal(p.tracer, 2);
	assert_false(p.seized);
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 1);
	assert_true(ptrace_traced(child));
	/* The parent's wait is the kernel's now and sees the child's stops. */
	signal_stop(w, child, SIGUSR1);
	assert_int_equal(tracer_wait4(w, parent, -1, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGUSR1));
}

static void a_second_traceme_is_eperm(void **state)
{
	struct fake_world *w = *state;
	struct task *parent = fake_fork(w->k, w->init, 2);
	struct task *child = fake_fork(w->k, parent, 3);

	assert_int_equal(pt(w, child, PTRACE_TRACEME, 0, 0, 0), 0);
	assert_int_equal(pt(w, child, PTRACE_TRACEME, 0, 0, 0), -EPERM);
	assert_int_equal(ptrace_of(w, 3).tracer, 2);
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 1);
}

static void traceme_of_init_which_has_no_parent_is_eperm(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(pt(w, w->init, PTRACE_TRACEME, 0, 0, 0), -EPERM);
	assert_int_equal(ptrace_of(w, 1).tracer, 0);
}

/*
 * PTRACE_ATTACH and PTRACE_SEIZE
 */

static void attach_to_oneself_or_a_thread_of_ones_own_group_is_eperm(
	void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *thread = fake_clone(w->k, a, THREAD_FLAGS, 0, 4);

	assert_int_equal(pt(w, a, PTRACE_ATTACH, 2, 0, 0), -EPERM);
	assert_int_equal(pt(w, a, PTRACE_SEIZE, 2, 0, 0), -EPERM);
	assert_int_equal(pt(w, a, PTRACE_ATTACH, 4, 0, 0), -EPERM);
	assert_int_equal(pt(w, thread, PTRACE_SEIZE, 2, 0, 0), -EPERM);
	/* Nor the sandbox's init. */
	assert_int_equal(pt(w, a, PTRACE_ATTACH, 1, 0, 0), -EPERM);
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 0);
	assert_int_equal(ptrace_of(w, 4).nr_tracees, 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_NOTIFY_SIGNAL,
				    FAKE_ANY_TID),
			 0);
}

static void attach_to_a_task_already_traced_is_eperm(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct task *other = fake_fork(w->k, w->init, 4);

	seized_pair(w, 0, &tracer, &tracee);
	assert_int_equal(pt(w, other, PTRACE_ATTACH, 3, 0, 0), -EPERM);
	assert_int_equal(pt(w, other, PTRACE_SEIZE, 3, 0, 0), -EPERM);
	assert_int_equal(pt(w, tracer, PTRACE_ATTACH, 3, 0, 0), -EPERM);
	assert_int_equal(ptrace_of(w, 3).tracer, 2);
	assert_int_equal(ptrace_of(w, 4).nr_tracees, 0);
}

static void attach_to_an_unknown_pid_is_esrch(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	assert_int_equal(pt(w, a, PTRACE_ATTACH, 99, 0, 0), -ESRCH);
	assert_int_equal(pt(w, a, PTRACE_SEIZE, 99, 0, 0), -ESRCH);
}

static void seize_with_a_nonzero_addr_is_eio(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_fork(w->k, w->init, 3);
	assert_int_equal(pt(w, a, PTRACE_SEIZE, 3, 8, 0), -EIO);
	assert_int_equal(ptrace_of(w, 3).tracer, 0);
}

/* Linux's ptrace_attach() answers EIO for unknown option bits of a
 * PTRACE_SEIZE ("historically used different error codes" from
 * PTRACE_SETOPTIONS' EINVAL); checked on Linux 6.1: seize(pid, 0, 1 << 30)
 * fails with EIO. */
static void seize_with_unknown_option_bits_is_eio(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_fork(w->k, w->init, 3);
	assert_int_equal(pt(w, a, PTRACE_SEIZE, 3, 0, 1u << 30), -EIO);
	assert_int_equal(pt(w, a, PTRACE_SEIZE, 3, 0, 1u << 23), -EIO);
	assert_int_equal(ptrace_of(w, 3).tracer, 0);
	assert_int_equal(pt(w, a, PTRACE_SEIZE, 3, 0,
			    PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL),
			 0);
}

static void attach_queues_a_sigstop_for_the_tracee(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, w->init, 3);
	struct ptrace_snap p;
	siginfo_t si;
	int status;

	assert_int_equal(pt(w, a, PTRACE_ATTACH, 3, 0, 0), 0);
	p = ptrace_of(w, 3);
	assert_int_equal(p.tracer, 2);
	assert_false(p.seized);
	assert_int_equal(p.options, 0);
	assert_int_equal(notified(w, 3, SIGSTOP), 1);
	assert_true(pending_of(w, 3) & (1ull << (SIGSTOP - 1)));
	/* Its delivery (the sentry's tgkill from outside the namespace, as
	 * the host reports it) is the tracee's first stop, from the
	 * tracer. */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSTOP;
	si.si_code = SI_TKILL;
	assert_int_equal(kernel_signal_deliver(w->k, b, &si),
			 KERNEL_SIGNAL_PTRACE_STOP);
	assert_int_equal(si.si_pid, 2);
	assert_false(pending_of(w, 3) & (1ull << (SIGSTOP - 1)));
	assert_int_equal(tracer_wait4(w, a, 3, 0, &status), 3);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(WSTOPSIG(status), SIGSTOP);
}

static void seize_queues_no_signal_and_sets_the_options(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct ptrace_snap p;

	seized_pair(w, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK, &tracer,
		    &tracee);
	p = ptrace_of(w, 3);
	assert_int_equal(p.tracer, 2);
	assert_true(p.seized);
	assert_int_equal(p.options,
			 PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK);
	assert_int_equal(p.stop, PTRACE_STOP_NONE);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_NOTIFY_SIGNAL, 3), 0);
	assert_false(ptrace_holds(tracee));
}

/*
 * Request errors
 */

static void requests_on_a_tracee_not_in_a_ptrace_stop_are_esrch_but_kill_and_interrupt(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t buf;

	seized_pair(w, 0, &tracer, &tracee);
	buf = buffer(w, 2, 512);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, tracer, PTRACE_SYSCALL, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, tracer, PTRACE_DETACH, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, tracer, PTRACE_GETREGS, 3, 0, buf), -ESRCH);
	assert_int_equal(pt(w, tracer, PTRACE_PEEKDATA, 3, 0x10000, buf),
			 -ESRCH);
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGINFO, 3, 0, buf), -ESRCH);
	assert_int_equal(pt(w, tracer, PTRACE_SETOPTIONS, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, tracer, PTRACE_LISTEN, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, tracer, 0x7777, 3, 0, 0), -ESRCH);
	assert_int_equal(w->fp->nr_tracee_access, 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 3), 0);
	assert_int_equal(ptrace_of(w, 3).tracer, 2);
	/* INTERRUPT and KILL need no stop. */
	assert_int_equal(pt(w, tracer, PTRACE_INTERRUPT, 3, 0, 0), 0);
	assert_int_equal(pt(w, tracer, PTRACE_KILL, 3, 0, 0), 0);
	assert_int_equal(notified(w, 3, SIGKILL), 1);
}

static void requests_by_a_task_that_is_not_the_tracer_are_esrch(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer = fake_fork(w->k, w->init, 2);
	struct task *tracee = fake_fork(w->k, w->init, 3);
	struct task *other = fake_fork(w->k, w->init, 4);
	struct task *thread = fake_clone(w->k, tracer, THREAD_FLAGS, 0, 5);
	uint64_t buf;

	assert_int_equal(pt(w, tracer, PTRACE_SEIZE, 3, 0, 0), 0);
	signal_stop(w, tracee, SIGUSR1);
	buf = buffer(w, FAKE_ANY_TID, 512);
	assert_int_equal(pt(w, other, PTRACE_CONT, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, other, PTRACE_GETREGS, 3, 0, buf), -ESRCH);
	assert_int_equal(pt(w, other, PTRACE_KILL, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, other, PTRACE_INTERRUPT, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, other, PTRACE_DETACH, 3, 0, 0), -ESRCH);
	assert_int_equal(pt(w, w->init, PTRACE_CONT, 3, 0, 0), -ESRCH);
	/* The tracer is a thread, not its thread group (Linux). */
	assert_int_equal(pt(w, thread, PTRACE_CONT, 3, 0, 0), -ESRCH);
	/* Nor is an unknown pid anybody's tracee. */
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 99, 0, 0), -ESRCH);
	assert_true(ptrace_holds(tracee));
	assert_int_equal(notified(w, 3, SIGKILL), 0);
	assert_int_equal(w->fp->nr_tracee_access, 0);
}

static void an_unknown_request_on_a_stopped_tracee_is_eio(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, 0x7777, 3, 0, 0), -EIO);
	assert_int_equal(pt(w, tracer, -5, 3, 0, 0), -EIO);
	assert_true(ptrace_holds(tracee));
}

static void cont_with_a_signal_above_64_is_eio(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 65), -EIO);
	assert_int_equal(pt(w, tracer, PTRACE_SYSCALL, 3, 0, 1000), -EIO);
	assert_int_equal(pt(w, tracer, PTRACE_DETACH, 3, 0, 65), -EIO);
	assert_true(ptrace_holds(tracee));
	assert_int_equal(ptrace_of(w, 3).tracer, 2);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 3), 0);
	/* 64 is a signal. */
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 64), 0);
	assert_false(ptrace_holds(tracee));
}

static void interrupt_of_a_tracee_that_was_not_seized_is_eio(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_fork(w->k, w->init, 3);
	assert_int_equal(pt(w, a, PTRACE_ATTACH, 3, 0, 0), 0);
	assert_int_equal(pt(w, a, PTRACE_INTERRUPT, 3, 0, 0), -EIO);
	assert_false(ptrace_of(w, 3).interrupt_pending);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 3), 0);
}

static void interrupt_of_a_running_seized_tracee_enters_an_event_stop(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	/* Nothing to interrupt for: no stop. */
	assert_false(ptrace_interrupt_stop(w->k, tracee));
	assert_int_equal(pt(w, tracer, PTRACE_INTERRUPT, 3, 0, 0), 0);
	assert_true(ptrace_of(w, 3).interrupt_pending);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 3), 1);
	assert_false(ptrace_holds(tracee));
	assert_true(ptrace_interrupt_stop(w->k, tracee));
	assert_true(ptrace_holds(tracee));
	assert_false(ptrace_of(w, 3).interrupt_pending);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status,
			 STOP_STATUS(SIGTRAP | (PTRACE_EVENT_STOP << 8)));
	/* PTRACE_LISTEN is allowed at a PTRACE_EVENT_STOP. */
	assert_int_equal(pt(w, tracer, PTRACE_LISTEN, 3, 0, 0), 0);
}

static void listen_outside_a_ptrace_event_stop_is_eio(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct task *b;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_LISTEN, 3, 0, 0), -EIO);
	assert_true(ptrace_holds(tracee));
	assert_false(ptrace_of(w, 3).listening);
	/* Nor for a tracee that was not seized, in any stop. */
	b = fake_fork(w->k, w->init, 4);
	assert_int_equal(pt(w, tracer, PTRACE_ATTACH, 4, 0, 0), 0);
	signal_stop(w, b, SIGSTOP);
	assert_int_equal(pt(w, tracer, PTRACE_LISTEN, 4, 0, 0), -EIO);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 4, 0, SIGSTOP), 0);
	kernel_group_stop_host(w->k, b, SIGSTOP, true);
	assert_int_equal(pt(w, tracer, PTRACE_LISTEN, 4, 0, 0), -EIO);
}

static void setoptions_with_unknown_bits_is_einval(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, PTRACE_O_TRACESYSGOOD, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_SETOPTIONS, 3, 0, 1u << 30),
			 -EINVAL);
	assert_int_equal(ptrace_of(w, 3).options, PTRACE_O_TRACESYSGOOD);
	assert_int_equal(pt(w, tracer, PTRACE_SETOPTIONS, 3, 0,
			    PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL),
			 0);
	assert_int_equal(ptrace_of(w, 3).options,
			 PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
}

/*
 * Group stops and their siginfo (man 2 ptrace, "Signal-delivery-stop vs
 * group-stop"; checked on Linux 6.1)
 */

static void getsiginfo_in_the_group_stop_of_an_attached_tracee_is_einval(
	void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, w->init, 3);
	uint64_t buf = buffer(w, 2, sizeof(siginfo_t));
	int status;

	assert_int_equal(pt(w, a, PTRACE_ATTACH, 3, 0, 0), 0);
	signal_stop(w, b, SIGSTOP);
	assert_int_equal(tracer_wait4(w, a, 3, 0, &status), 3);
	/* The signal-delivery-stop has its siginfo... */
	assert_int_equal(pt(w, a, PTRACE_GETSIGINFO, 3, 0, buf), 0);
	assert_int_equal(pt(w, a, PTRACE_CONT, 3, 0, SIGSTOP), 0);
	/* ...the group-stop it leads to none: "If PTRACE_GETSIGINFO fails
	 * with EINVAL, then it is definitely a group-stop." */
	kernel_group_stop_host(w->k, b, SIGSTOP, true);
	assert_int_equal(ptrace_of(w, 3).stop, PTRACE_STOP_GROUP);
	assert_int_equal(tracer_wait4(w, a, 3, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGSTOP));
	assert_int_equal(pt(w, a, PTRACE_GETSIGINFO, 3, 0, buf), -EINVAL);
	assert_int_equal(pt(w, a, PTRACE_SETSIGINFO, 3, 0, buf), -EINVAL);
}

static void a_seized_tracees_group_stop_is_an_event_stop_with_siginfo(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t buf;
	siginfo_t si;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	buf = buffer(w, 2, sizeof(siginfo_t));
	kernel_group_stop_host(w->k, tracee, SIGTSTP, true);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status,
			 STOP_STATUS(SIGTSTP | (PTRACE_EVENT_STOP << 8)));
	/* Linux's ptrace_do_notify(): si_signo the stop signal, si_code the
	 * wait code. */
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGINFO, 3, 0, buf), 0);
	assert_true(fake_mem_peek(w->fp, 2, buf, &si, sizeof(si)));
	assert_int_equal(si.si_signo, SIGTSTP);
	assert_int_equal(si.si_code, SIGTSTP | (PTRACE_EVENT_STOP << 8));
	/* It may listen there: stopped, but not in a ptrace-stop. */
	assert_int_equal(pt(w, tracer, PTRACE_LISTEN, 3, 0, 0), 0);
	assert_true(ptrace_of(w, 3).listening);
	assert_false(ptrace_holds(tracee));
}

/*
 * Signal-delivery-stops and the tracer's wait
 */

static void a_traced_tasks_signal_enters_a_signal_delivery_stop(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct ptrace_snap p;
	siginfo_t si;

	seized_pair(w, 0, &tracer, &tracee);
	assert_int_equal(host_signal(w, tracee, SIGUSR1, &si),
			 KERNEL_SIGNAL_PTRACE_STOP);
	p = ptrace_of(w, 3);
	assert_int_equal(p.stop, PTRACE_STOP_SIGNAL);
	assert_int_equal(p.stop_code, SIGUSR1);
	assert_false(p.reported);
	assert_true(p.has_siginfo);
	assert_int_equal(p.siginfo.si_signo, SIGUSR1);
	assert_true(ptrace_holds(tracee));
	assert_true(task_should_hold(w->k, tracee));
}

static void sigkill_never_enters_a_signal_delivery_stop(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	siginfo_t si;

	seized_pair(w, 0, &tracer, &tracee);
	assert_int_equal(host_signal(w, tracee, SIGKILL, &si), SIGKILL);
	assert_false(ptrace_holds(tracee));
}

static void an_untraced_tasks_signal_is_delivered_without_a_stop(
	void **state)
{
	struct fake_world *w = *state;
	struct task *b = fake_fork(w->k, w->init, 3);
	siginfo_t si;

	assert_int_equal(host_signal(w, b, SIGUSR1, &si), SIGUSR1);
	assert_false(ptrace_holds(b));
}

static void the_tracers_wait4_reports_a_stop_once(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(tracer_wait4(w, tracer, -1, 0, &status), 3);
	assert_int_equal(status, (SIGUSR1 << 8) | 0x7f);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(WSTOPSIG(status), SIGUSR1);
	assert_true(ptrace_of(w, 3).reported);
	/* Reported: nothing more, though the tracee is still stopped. */
	assert_int_equal(tracer_wait4(w, tracer, -1, WNOHANG, &status), 0);
	assert_int_equal(status, -1);
	assert_int_equal(tracer_wait4(w, tracer, 3, WNOHANG, &status), 0);
	assert_true(ptrace_holds(tracee));
	/* A wait for someone else's pid is ECHILD. */
	assert_int_equal(tracer_wait4(w, tracer, 1, WNOHANG, &status),
			 -ECHILD);
}

static void waitid_with_wnowait_leaves_the_stop_to_report(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct syscall_frame f;
	uint64_t infop;
	siginfo_t si;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR2);
	infop = buffer(w, 2, sizeof(siginfo_t));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fake_syscall(w->k, tracer, &f, SYS_waitid,
					      P_ALL, 0, infop,
					      WEXITED | WSTOPPED | WNOWAIT, 0,
					      0),
				 SC_RETURN);
		assert_int_equal(f.ret, 0);
		assert_true(fake_mem_peek(w->fp, 2, infop, &si, sizeof(si)));
		assert_int_equal(si.si_signo, SIGCHLD);
		assert_int_equal(si.si_code, CLD_TRAPPED);
		assert_int_equal(si.si_pid, 3);
		assert_int_equal(si.si_status, SIGUSR2);
		assert_false(ptrace_of(w, 3).reported);
	}
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGUSR2));
	assert_int_equal(tracer_wait4(w, tracer, 3, WNOHANG, &status), 0);
}

static void cont_with_the_signal_delivers_it_and_cont_with_zero_suppresses_it(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	siginfo_t si;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, SIGUSR1), 0);
	assert_false(ptrace_holds(tracee));
	assert_false(task_should_hold(w->k, tracee));
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 3), 1);
	assert_int_equal(ptrace_signal_resume(w->k, tracee, &si), SIGUSR1);
	assert_int_equal(si.si_signo, SIGUSR1);
	assert_int_equal(si.si_pid, 1);
	/* Asked once per stop. */
	assert_int_equal(ptrace_signal_resume(w->k, tracee, &si), 0);

	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	assert_int_equal(ptrace_signal_resume(w->k, tracee, &si), 0);
}

static void cont_with_another_signal_delivers_that_one_from_the_tracer(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	siginfo_t si;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, SIGUSR2), 0);
	assert_int_equal(ptrace_signal_resume(w->k, tracee, &si), SIGUSR2);
	assert_int_equal(si.si_signo, SIGUSR2);
	assert_int_equal(si.si_code, SI_USER);
	assert_int_equal(si.si_pid, 2);
}

static void getsiginfo_and_setsiginfo_round_trip(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t buf;
	siginfo_t si;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	buf = buffer(w, 2, sizeof(siginfo_t));
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGINFO, 3, 0, buf), 0);
	assert_true(fake_mem_peek(w->fp, 2, buf, &si, sizeof(si)));
	assert_int_equal(si.si_signo, SIGUSR1);
	assert_int_equal(si.si_code, SI_USER);
	assert_int_equal(si.si_pid, 1);
	/* The tracer forges another sender. */
	si.si_code = SI_QUEUE;
	si.si_pid = 77;
	si.si_value.sival_int = 4242;
	buf = fake_mem_push(w->fp, 2, &si, sizeof(si));
	assert_int_equal(pt(w, tracer, PTRACE_SETSIGINFO, 3, 0, buf), 0);
	memset(&si, 0, sizeof(si));
	buf = buffer(w, 2, sizeof(siginfo_t));
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGINFO, 3, 0, buf), 0);
	assert_true(fake_mem_peek(w->fp, 2, buf, &si, sizeof(si)));
	assert_int_equal(si.si_code, SI_QUEUE);
	assert_int_equal(si.si_pid, 77);
	assert_int_equal(si.si_value.sival_int, 4242);
	/* The tracee gets what the tracer left. */
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, SIGUSR1), 0);
	memset(&si, 0, sizeof(si));
	assert_int_equal(ptrace_signal_resume(w->k, tracee, &si), SIGUSR1);
	assert_int_equal(si.si_pid, 77);
	assert_int_equal(si.si_value.sival_int, 4242);
	/* A bad address is EFAULT. */
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGINFO, 3, 0, 0x8), -EFAULT);
	assert_int_equal(pt(w, tracer, PTRACE_SETSIGINFO, 3, 0, 0x8), -EFAULT);
}

/*
 * Parked waits
 */

static void a_tracers_wait_with_nothing_to_report_parks(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct syscall_frame f;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	assert_int_equal(fake_syscall(w->k, tracer, &f, SYS_wait4,
				      (uint64_t)-1, 0, 0, 0, 0, 0),
			 SC_PARK);
	assert_true(tracer->sc.parked);
	assert_int_equal(fake_syscall(w->k, tracer, &f, SYS_waitid, P_PID, 3,
				      0, WEXITED | WSTOPPED, 0, 0),
			 SC_PARK);
	assert_true(tracer->sc.parked);
	/* WNOHANG answers at once. */
	assert_int_equal(tracer_wait4(w, tracer, -1, WNOHANG, &status), 0);
	assert_false(tracer->sc.parked);
}

static void a_tracees_new_stop_wakes_the_parked_tracer(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct syscall_frame f;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	assert_int_equal(fake_syscall(w->k, tracer, &f, SYS_wait4,
				      (uint64_t)-1, 0, 0, 0, 0, 0),
			 SC_PARK);
	fake_calls_clear(w->fp);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_WAKE, 2), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_WAKE, 3), 0);
	/* Made again, the wait reports the stop. */
	assert_int_equal(tracer_wait4(w, tracer, -1, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGUSR1));
}

/*
 * Syscall stops and the run mode
 */

static void ptrace_syscall_stops_at_entry_and_exit_with_sigtrap(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_SYSCALL, 3, 0, 0), 0);
	assert_int_equal(ptrace_run_mode(tracee), PTRACE_RUN_SYSCALL);
	assert_true(ptrace_syscall_stop(w->k, tracee, true));
	assert_true(ptrace_holds(tracee));
	assert_int_equal(ptrace_of(w, 3).stop, PTRACE_STOP_SYSCALL_ENTER);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGTRAP));
	/* With TRACESYSGOOD the stop is SIGTRAP | 0x80. */
	assert_int_equal(pt(w, tracer, PTRACE_SETOPTIONS, 3, 0,
			    PTRACE_O_TRACESYSGOOD),
			 0);
	assert_int_equal(pt(w, tracer, PTRACE_SYSCALL, 3, 0, 0), 0);
	assert_false(ptrace_holds(tracee));
	assert_true(ptrace_syscall_stop(w->k, tracee, false));
	assert_int_equal(ptrace_of(w, 3).stop, PTRACE_STOP_SYSCALL_EXIT);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGTRAP | 0x80));
	assert_int_equal(pt(w, tracer, PTRACE_SYSCALL, 3, 0, 0), 0);
	assert_true(ptrace_syscall_stop(w->k, tracee, true));
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGTRAP | 0x80));
}

static void without_ptrace_syscall_there_is_no_syscall_stop(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct task *b = fake_fork(w->k, w->init, 4);

	seized_pair(w, PTRACE_O_TRACESYSGOOD, &tracer, &tracee);
	assert_false(ptrace_syscall_stop(w->k, tracee, true));
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	assert_false(ptrace_syscall_stop(w->k, tracee, true));
	assert_false(ptrace_holds(tracee));
	/* Nor for an untraced task. */
	assert_false(ptrace_syscall_stop(w->k, b, true));
	assert_int_equal(ptrace_run_mode(b), PTRACE_RUN_CONT);
}

static void the_run_mode_follows_the_resume_requests(void **state)
{
	static const struct {
		long req;
		enum ptrace_run_mode mode;
	} cases[] = {
		{ PTRACE_SYSCALL, PTRACE_RUN_SYSCALL },
		{ PTRACE_CONT, PTRACE_RUN_CONT },
		{ PTRACE_SYSEMU, PTRACE_RUN_SYSEMU },
		{ PTRACE_SINGLESTEP, PTRACE_RUN_SINGLESTEP },
		{ PTRACE_SYSEMU_SINGLESTEP, PTRACE_RUN_SYSEMU },
		{ PTRACE_CONT, PTRACE_RUN_CONT },
	};
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, 0, &tracer, &tracee);
	assert_int_equal(ptrace_run_mode(tracee), PTRACE_RUN_CONT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		signal_stop(w, tracee, SIGUSR1);
		assert_int_equal(pt(w, tracer, cases[i].req, 3, 0, 0), 0);
		assert_int_equal(ptrace_run_mode(tracee), cases[i].mode);
	}
	/* Detached, it just runs. */
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_SYSCALL, 3, 0, 0), 0);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(pt(w, tracer, PTRACE_DETACH, 3, 0, 0), 0);
	assert_int_equal(ptrace_run_mode(tracee), PTRACE_RUN_CONT);
}

/*
 * Clone events
 */

static void fork_with_tracefork_attaches_the_child_and_stops_the_parent(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t opts = PTRACE_O_TRACEFORK | PTRACE_O_TRACESYSGOOD;
	struct ptrace_snap p;
	uint64_t msg;
	int status;

	seized_pair(w, opts, &tracer, &tracee);
	fake_fork(w->k, tracee, 4);
	p = ptrace_of(w, 4);
	assert_int_equal(p.tracer, 2);
	assert_true(p.seized);
	assert_int_equal(p.options, opts);
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 2);
	/* The parent is in PTRACE_EVENT_FORK with the child's TID. */
	p = ptrace_of(w, 3);
	assert_int_equal(p.stop, PTRACE_STOP_EVENT);
	assert_true(ptrace_holds(tracee));
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status,
			 STOP_STATUS(SIGTRAP | (PTRACE_EVENT_FORK << 8)));
	assert_int_equal(status >> 16, PTRACE_EVENT_FORK);
	msg = buffer(w, 2, sizeof(unsigned long));
	assert_int_equal(pt(w, tracer, PTRACE_GETEVENTMSG, 3, 0, msg), 0);
	assert_int_equal(word_at(w, 2, msg), 4);
	/* The seized child starts in PTRACE_EVENT_STOP. */
	assert_int_equal(tracer_wait4(w, tracer, 4, 0, &status), 4);
	assert_int_equal(status >> 16, PTRACE_EVENT_STOP);
	assert_int_equal(WSTOPSIG(status), SIGTRAP);
}

static void fork_of_an_attached_tracee_starts_the_child_with_sigstop(
	void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, w->init, 3);
	struct ptrace_snap p;
	int status;

	assert_int_equal(pt(w, a, PTRACE_ATTACH, 3, 0, 0), 0);
	signal_stop(w, b, SIGSTOP);
	assert_int_equal(tracer_wait4(w, a, 3, 0, &status), 3);
	assert_int_equal(pt(w, a, PTRACE_SETOPTIONS, 3, 0, PTRACE_O_TRACEFORK),
			 0);
	assert_int_equal(pt(w, a, PTRACE_CONT, 3, 0, 0), 0);
	fake_fork(w->k, b, 4);
	p = ptrace_of(w, 4);
	assert_int_equal(p.tracer, 2);
	assert_false(p.seized);
	assert_int_equal(p.stop, PTRACE_STOP_SIGNAL);
	assert_int_equal(tracer_wait4(w, a, 4, 0, &status), 4);
	assert_int_equal(status, STOP_STATUS(SIGSTOP));
}

static void fork_without_tracefork_does_not_attach_the_child(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct task *c;

	seized_pair(w, PTRACE_O_TRACECLONE, &tracer, &tracee);
	c = fake_fork(w->k, tracee, 4);
	assert_int_equal(ptrace_of(w, 4).tracer, 0);
	assert_false(ptrace_traced(c));
	assert_false(ptrace_holds(c));
	assert_false(ptrace_holds(tracee));
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 1);
}

static void a_thread_with_traceclone_is_attached_at_a_clone_event(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t msg;
	int status;

	seized_pair(w, PTRACE_O_TRACECLONE, &tracer, &tracee);
	fake_clone(w->k, tracee, THREAD_FLAGS, 0, 4);
	assert_int_equal(ptrace_of(w, 4).tracer, 2);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status >> 16, PTRACE_EVENT_CLONE);
	msg = buffer(w, 2, sizeof(unsigned long));
	assert_int_equal(pt(w, tracer, PTRACE_GETEVENTMSG, 3, 0, msg), 0);
	assert_int_equal(word_at(w, 2, msg), 4);
	/* The tracer's plain wait4 sees the thread too (no __WALL needed
	 * for tracees). */
	assert_int_equal(tracer_wait4(w, tracer, -1, 0, &status), 4);
	assert_int_equal(status >> 16, PTRACE_EVENT_STOP);
}

/*
 * Exits
 */

static void a_traced_non_childs_death_is_reported_once_to_its_tracer(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	fake_calls_clear(w->fp);
	fake_exit(w->k, tracee, W_EXITCODE(7, 0));
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 0);
	assert_int_equal(tracer_wait4(w, tracer, -1, 0, &status), 3);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	/* Once: nothing else to wait for. */
	assert_int_equal(tracer_wait4(w, tracer, -1, 0, &status), -ECHILD);
	assert_int_equal(tracer_wait4(w, tracer, 3, WNOHANG, &status),
			 -ECHILD);
	/* The real parent still has its zombie to reap. */
	assert_int_equal(fake_tg_state(w->k, 3), TG_ZOMBIE);
}

static void a_traced_non_childs_death_by_a_signal_is_reported_as_killed(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct syscall_frame f;
	uint64_t infop;
	siginfo_t si;

	seized_pair(w, 0, &tracer, &tracee);
	fake_exit(w->k, tracee, SIGTERM);
	infop = buffer(w, 2, sizeof(siginfo_t));
	assert_int_equal(fake_syscall(w->k, tracer, &f, SYS_waitid, P_PID, 3,
				      infop, WEXITED | WNOWAIT, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
	assert_true(fake_mem_peek(w->fp, 2, infop, &si, sizeof(si)));
	assert_int_equal(si.si_code, CLD_KILLED);
	assert_int_equal(si.si_status, SIGTERM);
	assert_int_equal(si.si_pid, 3);
	/* WNOWAIT left it; a plain waitid takes it. */
	assert_int_equal(fake_syscall(w->k, tracer, &f, SYS_waitid, P_ALL, 0,
				      infop, WEXITED, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
	assert_int_equal(fake_syscall(w->k, tracer, &f, SYS_waitid, P_ALL, 0,
				      infop, WEXITED, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
}

static void a_tracers_death_detaches_its_tracees(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct task *other = fake_fork(w->k, w->init, 4);
	struct ptrace_snap p;

	seized_pair(w, PTRACE_O_TRACESYSGOOD, &tracer, &tracee);
	assert_int_equal(pt(w, tracer, PTRACE_SEIZE, 4, 0, 0), 0);
	signal_stop(w, tracee, SIGUSR1);
	fake_calls_clear(w->fp);
	fake_exit(w->k, tracer, 0);
	p = ptrace_of(w, 3);
	assert_int_equal(p.tracer, 0);
	assert_false(p.seized);
	assert_int_equal(p.options, 0);
	assert_int_equal(p.stop, PTRACE_STOP_NONE);
	assert_int_equal(ptrace_of(w, 4).tracer, 0);
	assert_false(ptrace_holds(tracee));
	assert_false(task_should_hold(w->k, tracee));
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 3), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 4), 1);
	assert_int_equal(notified(w, 3, SIGKILL), 0);
	assert_int_equal(notified(w, 4, SIGKILL), 0);
	assert_false(ptrace_traced(other));
}

static void a_tracers_death_with_exitkill_kills_its_tracees(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, PTRACE_O_EXITKILL, &tracer, &tracee);
	fake_calls_clear(w->fp);
	fake_exit(w->k, tracer, 0);
	assert_int_equal(ptrace_of(w, 3).tracer, 0);
	assert_int_equal(notified(w, 3, SIGKILL), 1);
	assert_true(pending_of(w, 3) & (1ull << (SIGKILL - 1)));
}

static void a_traced_childs_death_leaves_it_for_the_parents_reap(
	void **state)
{
	struct fake_world *w = *state;
	struct task *parent = fake_fork(w->k, w->init, 2);
	struct task *child = fake_fork(w->k, parent, 3);
	struct syscall_frame f;
	int status;

	assert_int_equal(pt(w, child, PTRACE_TRACEME, 0, 0, 0), 0);
	fake_exit(w->k, child, W_EXITCODE(3, 0));
	/* A zombie stays its tracer's tracee until reaped: PTRACE_KILL
	 * answers 0. */
	assert_int_equal(ptrace_of(w, 3).tracer, 2);
	assert_int_equal(pt(w, parent, PTRACE_KILL, 3, 0, 0), 0);
	/* The parent's wait reaps it on the host, as any child's. */
	assert_int_equal(fake_syscall(w->k, parent, &f, SYS_wait4,
				      (uint64_t)-1, 0, 0, 0, 0, 0),
			 SC_HOST_EXIT);
	assert_int_equal(f.args[0], 3);
	fake_syscall_exit(w->k, parent, &f, 3);
	assert_int_equal(fake_tg_state(w->k, 3), -ESRCH);
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 0);
	assert_int_equal(tracer_wait4(w, parent, -1, 0, &status), -ECHILD);
}

/*
 * PTRACE_DETACH
 */

static void detach_leaves_no_tracer_and_releases_the_task(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct ptrace_snap p;
	siginfo_t si;

	seized_pair(w, PTRACE_O_TRACESYSGOOD, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	fake_calls_clear(w->fp);
	assert_int_equal(pt(w, tracer, PTRACE_DETACH, 3, 0, SIGUSR1), 0);
	p = ptrace_of(w, 3);
	assert_int_equal(p.tracer, 0);
	assert_false(p.seized);
	assert_int_equal(p.options, 0);
	assert_int_equal(p.stop, PTRACE_STOP_NONE);
	assert_int_equal(ptrace_of(w, 2).nr_tracees, 0);
	assert_false(ptrace_traced(tracee));
	assert_false(task_should_hold(w->k, tracee));
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 3), 1);
	/* The signal given to DETACH is delivered. */
	assert_int_equal(ptrace_signal_resume(w->k, tracee, &si), SIGUSR1);
	/* Its next signal is its own business. */
	assert_int_equal(host_signal(w, tracee, SIGUSR2, &si), SIGUSR2);
	/* And it may be attached again. */
	assert_int_equal(pt(w, tracer, PTRACE_SEIZE, 3, 0, 0), 0);
}

/*
 * Holding: task_should_hold()
 */

static void a_ptrace_stop_holds_the_task_until_cont(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, 0, &tracer, &tracee);
	assert_false(task_should_hold(w->k, tracee));
	signal_stop(w, tracee, SIGUSR1);
	assert_true(task_should_hold(w->k, tracee));
	/* Reporting the stop does not end it. */
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &(int){ 0 }), 3);
	assert_true(task_should_hold(w->k, tracee));
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	assert_false(task_should_hold(w->k, tracee));
}

static void unpausing_the_kernel_leaves_a_ptrace_stopped_task_held(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, 0, &tracer, &tracee);
	assert_int_equal(kernel_pause(w->k), 0);
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(kernel_unpause(w->k), 0);
	assert_true(task_should_hold(w->k, tracee));
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	assert_false(task_should_hold(w->k, tracee));
	/* The other way round: PTRACE_CONT under a pause leaves it held by
	 * the pause. */
	signal_stop(w, tracee, SIGUSR1);
	assert_int_equal(kernel_pause(w->k), 0);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	assert_true(task_should_hold(w->k, tracee));
	assert_int_equal(kernel_unpause(w->k), 0);
	assert_false(task_should_hold(w->k, tracee));
}

/*
 * State requests through the platform (tracee_access)
 */

static void register_requests_go_to_the_tracees_host_thread(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct user_regs_struct regs;
	uint64_t buf;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	buf = buffer(w, 2, sizeof(regs));
	assert_int_equal(pt(w, tracer, PTRACE_GETREGS, 3, 0, buf), 0);
	assert_true(fake_mem_peek(w->fp, 2, buf, &regs, sizeof(regs)));
	assert_int_equal(regs.rip, 0x1003);
	regs.rip = 0x4242;
	regs.rax = 17;
	buf = fake_mem_push(w->fp, 2, &regs, sizeof(regs));
	assert_int_equal(pt(w, tracer, PTRACE_SETREGS, 3, 0, buf), 0);
	assert_int_equal(fake_tracee(w->fp, 3)->regs.rip, 0x4242);
	assert_int_equal(fake_tracee(w->fp, 3)->regs.rax, 17);
	/* PEEKUSER reads a word of the registers. */
	buf = buffer(w, 2, 8);
	assert_int_equal(pt(w, tracer, PTRACE_PEEKUSER, 3,
			    offsetof(struct user_regs_struct, rip), buf),
			 0);
	assert_int_equal(word_at(w, 2, buf), 0x4242);
	assert_int_equal(pt(w, tracer, PTRACE_PEEKUSER, 3, 3, buf), -EIO);
	assert_int_equal(pt(w, tracer, PTRACE_POKEUSER, 3,
			    sizeof(struct user), 0),
			 -EIO);
	/* A bad address of the tracer's is EFAULT. */
	assert_int_equal(pt(w, tracer, PTRACE_GETREGS, 3, 0, 0x8), -EFAULT);
	assert_int_equal(pt(w, tracer, PTRACE_SETREGS, 3, 0, 0x8), -EFAULT);
	/* A tracee gone on the host. */
	w->fp->tracee_access_err = -ESRCH;
	assert_int_equal(pt(w, tracer, PTRACE_GETREGS, 3, 0, buf), -ESRCH);
}

static void peekdata_and_pokedata_reach_the_tracees_memory(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t word = 0x1122334455667788ull, there, out;

	seized_pair(w, 0, &tracer, &tracee);
	there = fake_mem_push(w->fp, 3, &word, sizeof(word));
	signal_stop(w, tracee, SIGUSR1);
	out = buffer(w, 2, 8);
	assert_int_equal(pt(w, tracer, PTRACE_PEEKDATA, 3, there, out), 0);
	assert_int_equal(word_at(w, 2, out), word);
	assert_int_equal(pt(w, tracer, PTRACE_POKETEXT, 3, there, 0xcc), 0);
	assert_int_equal(word_at(w, 3, there), 0xcc);
	/* Unmapped in the tracee: EIO. */
	assert_int_equal(pt(w, tracer, PTRACE_PEEKTEXT, 3, 0x8, out), -EIO);
	assert_int_equal(pt(w, tracer, PTRACE_POKEDATA, 3, 0x8, 1), -EIO);
}

static void getsigmask_and_setsigmask_use_the_hosts_mask(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t mask = (1ull << (SIGUSR1 - 1)) | (1ull << (SIGKILL - 1)),
		 buf;

	seized_pair(w, 0, &tracer, &tracee);
	signal_stop(w, tracee, SIGUSR1);
	fake_set_host_sigmask(w->fp, 3, 1ull << (SIGINT - 1));
	buf = buffer(w, 2, 8);
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGMASK, 3, 8, buf), 0);
	assert_int_equal(word_at(w, 2, buf), 1ull << (SIGINT - 1));
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGMASK, 3, 4, buf),
			 -EINVAL);
	/* SIGKILL and SIGSTOP are never blocked. */
	buf = fake_mem_push(w->fp, 2, &mask, sizeof(mask));
	assert_int_equal(pt(w, tracer, PTRACE_SETSIGMASK, 3, 8, buf), 0);
	buf = buffer(w, 2, 8);
	assert_int_equal(pt(w, tracer, PTRACE_GETSIGMASK, 3, 8, buf), 0);
	assert_int_equal(word_at(w, 2, buf), 1ull << (SIGUSR1 - 1));
}

/*
 * PTRACE_PEEKSIGINFO
 */

/* Queues sig for tid (shared: its process) with si_code SI_QUEUE and
 * value v. */
static void queue_signal(struct fake_world *w, pid_t tid, bool shared,
			 int sig, int v)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = 1;
	si.si_value.sival_int = v;
	assert_int_equal(sig_send(w->k, shared ? SIGNAL_TARGET_TG
					       : SIGNAL_TARGET_TASK,
				  tid, &si, false),
			 1);
}

/* PTRACE_PEEKSIGINFO of tracee 3 by tracer: off, flags, nr; returns what
 * it returns, the siginfos in si (up to 4). */
static long peek(struct fake_world *w, struct task *tracer, uint64_t off,
		 uint32_t flags, int32_t nr, siginfo_t *si)
{
	struct __ptrace_peeksiginfo_args a = { .off = off, .flags = flags,
					       .nr = nr };
	uint64_t args = fake_mem_push(w->fp, 2, &a, sizeof(a));
	uint64_t buf = buffer(w, 2, 4 * sizeof(siginfo_t));
	long n = pt(w, tracer, PTRACE_PEEKSIGINFO, 3, args, buf);

	assert_true(fake_mem_peek(w->fp, 2, buf, si, 4 * sizeof(*si)));
	return n;
}

static void peeksiginfo_reads_the_pending_queues_from_an_offset(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	siginfo_t si[4];

	seized_pair(w, 0, &tracer, &tracee);
	queue_signal(w, 3, false, SIGRTMIN, 1);
	queue_signal(w, 3, true, SIGRTMIN + 1, 2);
	queue_signal(w, 3, false, SIGRTMIN, 3);
	queue_signal(w, 3, true, SIGUSR1, 4);
	signal_stop(w, tracee, SIGSTOP);
	/* The private queue, oldest first. */
	assert_int_equal(peek(w, tracer, 0, 0, 4, si), 2);
	assert_int_equal(si[0].si_signo, SIGRTMIN);
	assert_int_equal(si[0].si_value.sival_int, 1);
	assert_int_equal(si[1].si_value.sival_int, 3);
	assert_int_equal(si[1].si_code, SI_QUEUE);
	assert_int_equal(si[2].si_signo, 0);
	/* The shared one, from an offset, at most nr. */
	assert_int_equal(peek(w, tracer, 0, PTRACE_PEEKSIGINFO_SHARED, 4, si),
			 2);
	assert_int_equal(si[0].si_signo, SIGRTMIN + 1);
	assert_int_equal(si[1].si_signo, SIGUSR1);
	assert_int_equal(peek(w, tracer, 1, PTRACE_PEEKSIGINFO_SHARED, 1, si),
			 1);
	assert_int_equal(si[0].si_signo, SIGUSR1);
	assert_int_equal(si[1].si_signo, 0);
	/* Past the end, an offset that does not fit, none asked: 0. */
	assert_int_equal(peek(w, tracer, 2, PTRACE_PEEKSIGINFO_SHARED, 4, si),
			 0);
	assert_int_equal(peek(w, tracer, ~0ull, 0, 4, si), 0);
	assert_int_equal(peek(w, tracer, 0, 0, 0, si), 0);
	/* Peeking takes nothing. */
	assert_int_equal(peek(w, tracer, 0, 0, 4, si), 2);
}

static void peeksiginfo_errors_are_linuxs(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct __ptrace_peeksiginfo_args a = { .off = 0, .flags = 0, .nr = 1 };
	uint64_t args, buf;
	siginfo_t si[4];

	seized_pair(w, 0, &tracer, &tracee);
	queue_signal(w, 3, false, SIGRTMIN, 1);
	signal_stop(w, tracee, SIGSTOP);
	assert_int_equal(peek(w, tracer, 0, 2, 1, si), -EINVAL);
	assert_int_equal(peek(w, tracer, 0, 0, -1, si), -EINVAL);
	buf = buffer(w, 2, sizeof(siginfo_t));
	/* Arguments or buffer unmapped: EFAULT; bad flags first. */
	assert_int_equal(pt(w, tracer, PTRACE_PEEKSIGINFO, 3, 0x8, buf),
			 -EFAULT);
	args = fake_mem_push(w->fp, 2, &a, sizeof(a));
	assert_int_equal(pt(w, tracer, PTRACE_PEEKSIGINFO, 3, args, 0x8),
			 -EFAULT);
	a.flags = 3;
	args = fake_mem_push(w->fp, 2, &a, sizeof(a));
	assert_int_equal(pt(w, tracer, PTRACE_PEEKSIGINFO, 3, args, 0x8),
			 -EINVAL);
	/* Not stopped: ESRCH, as every request but KILL and INTERRUPT. */
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	assert_int_equal(pt(w, tracer, PTRACE_PEEKSIGINFO, 3, args, buf),
			 -ESRCH);
}

/*
 * PTRACE_EVENT_VFORK_DONE
 */

static void vfork_done_stops_the_parent_with_the_childs_tid(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	uint64_t buf;
	int status;

	seized_pair(w, PTRACE_O_TRACEVFORKDONE, &tracer, &tracee);
	assert_true(ptrace_wants_vfork_done(tracee));
	/* The child is not traced (no PTRACE_O_TRACEVFORK): the parent
	 * reports the end of its vfork all the same. */
	fake_clone(w->k, tracee, CLONE_VFORK | CLONE_VM, SIGCHLD, 5);
	assert_int_equal(ptrace_of(w, 5).tracer, 0);
	assert_false(ptrace_holds(tracee));
	assert_true(ptrace_vfork_done(w->k, tracee));
	assert_true(ptrace_holds(tracee));
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status, STOP_STATUS(SIGTRAP |
					     (PTRACE_EVENT_VFORK_DONE << 8)));
	buf = buffer(w, 2, 8);
	assert_int_equal(pt(w, tracer, PTRACE_GETEVENTMSG, 3, 0, buf), 0);
	assert_int_equal(word_at(w, 2, buf), 5);
}

static void without_tracevforkdone_the_end_of_a_vfork_is_no_stop(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;

	seized_pair(w, PTRACE_O_TRACEVFORK, &tracer, &tracee);
	assert_false(ptrace_wants_vfork_done(tracee));
	fake_clone(w->k, tracee, CLONE_VFORK | CLONE_VM, SIGCHLD, 5);
	/* The vfork event and the child's first stop. */
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	assert_false(ptrace_vfork_done(w->k, tracee));
	assert_false(ptrace_holds(tracee));
}

/*
 * A tracer's wait and its untraced children's job control
 */

/* tracer makes wait4(pid, status, options); returns the action, with the
 * frame in *f. status is where the host would write. */
static enum sc_action raw_wait4(struct fake_world *w, struct task *t,
				pid_t pid, uint64_t status, int options,
				struct syscall_frame *f)
{
	return fake_syscall(w->k, t, f, SYS_wait4, (uint64_t)(int64_t)pid,
			    status, (uint64_t)options, 0, 0, 0);
}

static void a_tracers_wait_has_the_host_report_a_childs_stop_and_continue(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee, *child;
	int stopped = (SIGSTOP << 8) | 0x7f, continued = 0xffff;
	struct syscall_frame f;
	uint64_t st;
	siginfo_t si = { .si_signo = SIGCONT, .si_code = SI_USER };

	seized_pair(w, 0, &tracer, &tracee);
	child = fake_fork(w->k, tracer, 4);
	/* Nothing to report: the wait parks. */
	assert_int_equal(raw_wait4(w, tracer, 4, 0, WUNTRACED, &f), SC_PARK);
	fake_calls_clear(w->fp);
	kernel_group_stop_host(w->k, child, SIGSTOP, true);
	/* The stop wakes it; without WUNTRACED it is not reported. */
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_WAKE, 2), 1);
	assert_int_equal(raw_wait4(w, tracer, -1, 0, 0, &f), SC_PARK);
	/* With WUNTRACED the host reports it, for that child. */
	st = fake_mem_push(w->fp, 2, &stopped, sizeof(stopped));
	assert_int_equal(raw_wait4(w, tracer, -1, st, WUNTRACED, &f),
			 SC_HOST_EXIT);
	assert_int_equal((pid_t)f.args[0], 4);
	fake_syscall_exit(w->k, tracer, &f, 4);
	/* Reported once. */
	assert_int_equal(raw_wait4(w, tracer, -1, 0, WUNTRACED, &f), SC_PARK);
	/* SIGCONT: a WCONTINUED report from the moment it is sent. */
	fake_calls_clear(w->fp);
	si.si_pid = 2;
	assert_int_equal(sig_send(w->k, SIGNAL_TARGET_TG, 4, &si, false), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_WAKE, 2), 1);
	assert_int_equal(raw_wait4(w, tracer, -1, 0, WUNTRACED, &f), SC_PARK);
	st = fake_mem_push(w->fp, 2, &continued, sizeof(continued));
	assert_int_equal(raw_wait4(w, tracer, -1, st, WCONTINUED, &f),
			 SC_HOST_EXIT);
	assert_int_equal((pid_t)f.args[0], 4);
	fake_syscall_exit(w->k, tracer, &f, 4);
	assert_int_equal(raw_wait4(w, tracer, -1, 0, WCONTINUED, &f),
			 SC_PARK);
	/* The host's end of the stop, seen later, reports nothing more. */
	kernel_group_stop_host(w->k, child, 0, false);
	assert_int_equal(raw_wait4(w, tracer, -1, 0, WCONTINUED, &f),
			 SC_PARK);
}

static void a_stop_the_host_wait_reported_is_not_reported_again(
	void **state)
{
	struct fake_world *w = *state;
	struct task *parent = fake_fork(w->k, w->init, 2);
	struct task *child = fake_fork(w->k, parent, 4);
	struct task *tracee = fake_fork(w->k, w->init, 3);
	int stopped = (SIGTSTP << 8) | 0x7f;
	struct syscall_frame f;
	uint64_t st;

	(void)tracee;
	kernel_group_stop_host(w->k, child, SIGTSTP, true);
	/* Not a tracer yet: the host's wait reports the stop... */
	st = fake_mem_push(w->fp, 2, &stopped, sizeof(stopped));
	assert_int_equal(raw_wait4(w, parent, -1, st, WUNTRACED, &f),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, parent, &f, 4);
	/* ...which the kernel's wait of the tracer it becomes knows. */
	assert_int_equal(pt(w, parent, PTRACE_SEIZE, 3, 0, 0), 0);
	assert_int_equal(raw_wait4(w, parent, -1, 0, WUNTRACED, &f), SC_PARK);
}

/*
 * Resuming a tracee from its group-stop
 */

static void cont_from_a_group_stop_lets_the_tracee_run(void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	kernel_group_stop_host(w->k, tracee, SIGSTOP, true);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_false(ptrace_run_in_group_stop(tracee));
	fake_calls_clear(w->fp);
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	/* The platform is asked to let it go, and to take it out of the
	 * host's group stop (asked once). */
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 3), 1);
	assert_true(ptrace_run_in_group_stop(tracee));
	assert_false(ptrace_run_in_group_stop(tracee));
	assert_false(ptrace_holds(tracee));
	assert_int_not_equal(tracee->stop, TASK_STOP_GROUP);
	/* The group stop is still in effect. */
	assert_true(tracee->tg->group_stop_active);
	/* The next stop is a ptrace-stop again; SYSCALL resumes as well. */
	kernel_group_stop_host(w->k, tracee, SIGSTOP, true);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(pt(w, tracer, PTRACE_SYSCALL, 3, 0, 0), 0);
	assert_true(ptrace_run_in_group_stop(tracee));
}

static void detach_from_a_group_stop_leaves_the_tracee_stopped(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	kernel_group_stop_host(w->k, tracee, SIGSTOP, true);
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(pt(w, tracer, PTRACE_DETACH, 3, 0, 0), 0);
	assert_false(ptrace_run_in_group_stop(tracee));
	assert_int_equal(tracee->stop, TASK_STOP_GROUP);
}

static void sigcont_traps_a_running_seized_tracee_at_its_next_stop(
	void **state)
{
	struct fake_world *w = *state;
	struct task *tracer, *tracee;
	struct task *other = fake_fork(w->k, w->init, 4);
	siginfo_t si = { .si_signo = SIGCONT, .si_code = SI_USER };
	int status;

	seized_pair(w, 0, &tracer, &tracee);
	/* An attached (not seized) tracee does not trap. */
	assert_int_equal(pt(w, tracer, PTRACE_ATTACH, 4, 0, 0), 0);
	si.si_pid = 1;
	assert_int_equal(sig_send(w->k, SIGNAL_TARGET_TG, 3, &si, false), 1);
	assert_int_equal(sig_send(w->k, SIGNAL_TARGET_TG, 4, &si, false), 1);
	assert_true(ptrace_of(w, 3).interrupt_pending);
	assert_false(ptrace_of(w, 4).interrupt_pending);
	/* The host's stop for the SIGCONT enters PTRACE_EVENT_STOP with
	 * SIGTRAP (no group stop in effect). */
	assert_false(ptrace_interrupt_stop(w->k, other));
	assert_true(ptrace_interrupt_stop(w->k, tracee));
	assert_int_equal(tracer_wait4(w, tracer, 3, 0, &status), 3);
	assert_int_equal(status,
			 STOP_STATUS(SIGTRAP | (PTRACE_EVENT_STOP << 8)));
	/* The SIGCONT itself comes next. */
	assert_int_equal(pt(w, tracer, PTRACE_CONT, 3, 0, 0), 0);
	signal_stop(w, tracee, SIGCONT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(traceme_makes_the_parent_the_tracer),
		TEST(a_second_traceme_is_eperm),
		TEST(traceme_of_init_which_has_no_parent_is_eperm),
		TEST(attach_to_oneself_or_a_thread_of_ones_own_group_is_eperm),
		TEST(attach_to_a_task_already_traced_is_eperm),
		TEST(attach_to_an_unknown_pid_is_esrch),
		TEST(seize_with_a_nonzero_addr_is_eio),
		TEST(seize_with_unknown_option_bits_is_eio),
		TEST(attach_queues_a_sigstop_for_the_tracee),
		TEST(seize_queues_no_signal_and_sets_the_options),
		TEST(requests_on_a_tracee_not_in_a_ptrace_stop_are_esrch_but_kill_and_interrupt),
		TEST(requests_by_a_task_that_is_not_the_tracer_are_esrch),
		TEST(an_unknown_request_on_a_stopped_tracee_is_eio),
		TEST(cont_with_a_signal_above_64_is_eio),
		TEST(interrupt_of_a_tracee_that_was_not_seized_is_eio),
		TEST(interrupt_of_a_running_seized_tracee_enters_an_event_stop),
		TEST(listen_outside_a_ptrace_event_stop_is_eio),
		TEST(setoptions_with_unknown_bits_is_einval),
		TEST(getsiginfo_in_the_group_stop_of_an_attached_tracee_is_einval),
		TEST(a_seized_tracees_group_stop_is_an_event_stop_with_siginfo),
		TEST(a_traced_tasks_signal_enters_a_signal_delivery_stop),
		TEST(sigkill_never_enters_a_signal_delivery_stop),
		TEST(an_untraced_tasks_signal_is_delivered_without_a_stop),
		TEST(the_tracers_wait4_reports_a_stop_once),
		TEST(waitid_with_wnowait_leaves_the_stop_to_report),
		TEST(cont_with_the_signal_delivers_it_and_cont_with_zero_suppresses_it),
		TEST(cont_with_another_signal_delivers_that_one_from_the_tracer),
		TEST(getsiginfo_and_setsiginfo_round_trip),
		TEST(a_tracers_wait_with_nothing_to_report_parks),
		TEST(a_tracees_new_stop_wakes_the_parked_tracer),
		TEST(ptrace_syscall_stops_at_entry_and_exit_with_sigtrap),
		TEST(without_ptrace_syscall_there_is_no_syscall_stop),
		TEST(the_run_mode_follows_the_resume_requests),
		TEST(fork_with_tracefork_attaches_the_child_and_stops_the_parent),
		TEST(fork_of_an_attached_tracee_starts_the_child_with_sigstop),
		TEST(fork_without_tracefork_does_not_attach_the_child),
		TEST(a_thread_with_traceclone_is_attached_at_a_clone_event),
		TEST(a_traced_non_childs_death_is_reported_once_to_its_tracer),
		TEST(a_traced_non_childs_death_by_a_signal_is_reported_as_killed),
		TEST(a_tracers_death_detaches_its_tracees),
		TEST(a_tracers_death_with_exitkill_kills_its_tracees),
		TEST(a_traced_childs_death_leaves_it_for_the_parents_reap),
		TEST(detach_leaves_no_tracer_and_releases_the_task),
		TEST(a_ptrace_stop_holds_the_task_until_cont),
		TEST(unpausing_the_kernel_leaves_a_ptrace_stopped_task_held),
		TEST(register_requests_go_to_the_tracees_host_thread),
		TEST(peekdata_and_pokedata_reach_the_tracees_memory),
		TEST(getsigmask_and_setsigmask_use_the_hosts_mask),
		TEST(peeksiginfo_reads_the_pending_queues_from_an_offset),
		TEST(peeksiginfo_errors_are_linuxs),
		TEST(vfork_done_stops_the_parent_with_the_childs_tid),
		TEST(without_tracevforkdone_the_end_of_a_vfork_is_no_stop),
		TEST(a_tracers_wait_has_the_host_report_a_childs_stop_and_continue),
		TEST(a_stop_the_host_wait_reported_is_not_reported_again),
		TEST(cont_from_a_group_stop_lets_the_tracee_run),
		TEST(detach_from_a_group_stop_leaves_the_tracee_stopped),
		TEST(sigcont_traps_a_running_seized_tracee_at_its_next_stop),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
