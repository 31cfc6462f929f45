/*
 * This file implements the platform thread: the only host tracer of the
 * sandbox. It launches init, then loops on waitpid(-1, __WALL) and turns
 * every host stop into a call into the kernel:
 *
 *   seccomp stop        kernel_syscall_enter(): answer, pass, or pass and
 *                       come back at syscall exit (PTRACE_SYSCALL)
 *   clone/fork/vfork    task_clone() for the new host thread
 *   exec                task_exec()
 *   vfork done          task_vfork_done(), ptrace_vfork_done() (only for
 *                       an emulated tracer's PTRACE_O_TRACEVFORKDONE)
 *   exit event, death   task_exit_begin(), task_exit_finish()
 *   group stop          kept stopped with PTRACE_LISTEN
 *   signal delivery     kernel_signal_deliver() picks the siginfo
 *
 * Every resume goes through pt_resume(), which keeps the thread stopped
 * while the kernel wants it held (pause, stop TID) and resumes it from
 * pt_release() later. Requests from other threads arrive through the
 * doorbell (requests.c) as ordinary waitpid events, so the loop needs no
 * other wakeup source and a stop costs one waitpid.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/rcu.h"
#include "kernel/timing.h"
#include "kernel/lifecycle.h"
#include "kernel/sigmask.h"
#include "kernel/signal_deliver.h"
#include "kernel/syscalls/syscalls.h"
#include "platform/ptrace/internal.h"

/*
 * PTRACE_O_TRACEEXIT is set only on the threads of multi-threaded groups
 * (pt_task.exit_events): a process's one thread goes from running straight
 * to its death, which the kernel takes as the start and the end of its
 * exit at once (on_death). The exit event would stop every short-lived
 * process once more (one host stop of the 8 of a fork+exec) only to learn
 * what its death says. A thread of a larger group needs it: the group's
 * exit begins when all of its threads have begun theirs, well before the
 * leader's death, which the host delays until the last thread is gone.
 */
#define PT_OPTIONS                                                        \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP |                   \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |  \
	 PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)

struct pt_task *pt_lookup(struct ptrace_platform *pp, pid_t host_tid)
{
	struct pt_task *pt = pp->tasks[(unsigned)host_tid % PT_HASH_SIZE];

	while (pt && pt->host_tid != host_tid)
		pt = pt->next;
	return pt;
}

static struct pt_task *pt_add(struct ptrace_platform *pp, pid_t host_tid)
{
	struct pt_task *pt = calloc(1, sizeof(*pt));
	unsigned b = (unsigned)host_tid % PT_HASH_SIZE;

	if (!pt)
		return NULL;
	pt->host_tid = host_tid;
	pt->next = pp->tasks[b];
	pp->tasks[b] = pt;
	pp->nr_tasks++;
	return pt;
}

/* Unlinks pt from the hash; does not free it. */
static void pt_unlink(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct pt_task **pp_next = &pp->tasks[(unsigned)pt->host_tid % PT_HASH_SIZE];

	while (*pp_next && *pp_next != pt)
		pp_next = &(*pp_next)->next;
	if (*pp_next) {
		*pp_next = pt->next;
		pp->nr_tasks--;
	}
	pt->next = NULL;
}

static void pt_remove(struct ptrace_platform *pp, struct pt_task *pt)
{
	pt_colocate_forget(pp, pt);
	pt_unlink(pp, pt);
	if (pt->task)
		pt->task->plat_priv = NULL;
	free(pt);
}

/* The host resume request for pt: the platform's own need (an exit stop,
 * a group stop to listen in) first, then what an emulated tracer asks
 * for (ptrace_run_mode()). */
static long pt_resume_request(const struct pt_task *pt)
{
	if (pt->resume == PT_RESUME_LISTEN)
		return PTRACE_LISTEN;
	if (pt->resume == PT_RESUME_SYSCALL)
		return PTRACE_SYSCALL;
	switch (pt->task ? ptrace_run_mode(pt->task) : PTRACE_RUN_CONT) {
	case PTRACE_RUN_SYSCALL:
		return PTRACE_SYSCALL;
	case PTRACE_RUN_SYSEMU:
		return PTRACE_SYSEMU;
	case PTRACE_RUN_SINGLESTEP:
		return PTRACE_SINGLESTEP;
	default:
		return PTRACE_CONT;
	}
}

/* pt leaves an emulated signal-delivery-stop: the signal its tracer chose
 * (with the siginfo it may have changed) is the one delivered. */
static void pt_ptrace_signal_resume(struct ptrace_platform *pp,
				    struct pt_task *pt)
{
	siginfo_t si;
	int sig;

	pt->ptrace_signal = false;
	sig = ptrace_signal_resume(pp->k, pt->task, &si);
	pt->resume_sig = sig > 0 ? sig : 0;
	if (sig <= 0)
		return;
	ptrace(PTRACE_SETSIGINFO, pt->host_tid, 0, &si);
	if (pp->fatal_fn && kernel_signal_is_fatal_core(pp->k, pt->task, sig))
		pp->fatal_fn(pp->hook_arg, pt->task->tid, sig);
}

static void pt_do_resume(struct ptrace_platform *pp, struct pt_task *pt)
{
	bool vfork_done;
	long req;

	if (pt->ptrace_signal && pt->task)
		pt_ptrace_signal_resume(pp, pt);
	req = pt_resume_request(pt);
	/* An emulated tracer's PTRACE_O_TRACEEXIT needs the host's exit
	 * event, whatever the group's size; its PTRACE_O_TRACEVFORKDONE the
	 * host's VFORK_DONE event (set while the parent is stopped at its
	 * vfork event at the latest: the host checks the option when the
	 * vfork ends). */
	if (pt->task && ptrace_wants_exit_event(pt->task))
		pt->want_exit_events = true;
	vfork_done = pt->task && ptrace_wants_vfork_done(pt->task);
	if ((pt->want_exit_events != pt->exit_events ||
	     vfork_done != pt->vfork_done_events) &&
	    ptrace(PTRACE_SETOPTIONS, pt->host_tid, 0,
		   (long)(PT_OPTIONS |
			  (pt->want_exit_events ? PTRACE_O_TRACEEXIT : 0) |
			  (vfork_done ? PTRACE_O_TRACEVFORKDONE : 0))) == 0) {
		pt->exit_events = pt->want_exit_events;
		pt->vfork_done_events = vfork_done;
	}
	/* Except past its exit event, a held task let run may change its
	 * mask again. */
	if (pt->held && pt->task && pt->task->exit_state == TASK_EXIT_NONE)
		task_sigmask_running(pt->task);
	pt_colocate_bind(pp, pt);
	/* ESRCH means the thread died meanwhile (SIGKILL); its death is
	 * reported by waitpid like any other. */
	ptrace(req, pt->host_tid, 0, (long)pt->resume_sig);
	pt->stopped = false;
	pt->held = false;
	pt->group_stopped = pt->resume == PT_RESUME_LISTEN;
}

/* Notes pt's mask in the kernel as exact: pt cannot change it before
 * pt_do_resume() (held) or ever again (past its exit event). */
static void pt_note_sigmask(struct pt_task *pt)
{
	uint64_t mask;

	if (pt->task && ptrace(PTRACE_GETSIGMASK, pt->host_tid, sizeof(mask),
			       &mask) == 0)
		task_note_sigmask(pt->task, mask, true);
}

void pt_resume(struct ptrace_platform *pp, struct pt_task *pt,
	       enum pt_resume r, int sig)
{
	pt->resume = r;
	pt->resume_sig = sig;
	/* Any stop answers an emulated tracer's PTRACE_INTERRUPT, as any
	 * stop answers the host's. */
	if (pt->task && r != PT_RESUME_LISTEN)
		ptrace_interrupt_stop(pp->k, pt->task);
	if (pt->task && task_should_hold(pp->k, pt->task)) {
		pt->held = true;
		/* So readers of a paused kernel (a dump of 10,000 tasks)
		 * need not ask the host for masks. */
		pt_note_sigmask(pt);
		return;
	}
	pt_do_resume(pp, pt);
}

void pt_release(struct ptrace_platform *pp, struct pt_task *pt)
{
	/* An emulated tracer resumed a tracee from its group-stop: the host
	 * thread leaves the host's group stop too, and runs while the stop
	 * is in effect, as on Linux. It is usually still held at the host's
	 * PTRACE_EVENT_STOP of the group stop, to be resumed with PTRACE_CONT
	 * instead of PTRACE_LISTEN; one that listens already (let go by a
	 * pause's end) is trapped out of LISTEN first. pt_unlisten() may hand
	 * a SIGCONT or a death to pt_handle(), which deals with it (and may
	 * free pt). */
	if (pt->task && (pt->held || pt->group_stopped) &&
	    ptrace_run_in_group_stop(pt->task)) {
		if (!pt->stopped && pt_unlisten(pp, pt) < 0)
			return;
		pt->group_stopped = false;
		pt->resume = PT_RESUME_CONT;
		if (!pt->held) {
			pt_resume(pp, pt, PT_RESUME_CONT, 0);
			return;
		}
	}
	if (pt->held && !(pt->task && task_should_hold(pp->k, pt->task)))
		pt_do_resume(pp, pt);
}

#ifndef NS_GET_PID_IN_PIDNS
#define NS_GET_PID_IN_PIDNS _IOR(0xb7, 0x8, int)
#endif

/* The thread's TID in the sandbox's PID namespace. The nsfs ioctl
 * translates it in one call (Linux 6.11+); older kernels take the last
 * NSpid field of the host's status file. Returns -errno when the thread
 * is gone. */
static pid_t read_nspid(struct ptrace_platform *pp, pid_t host_tid)
{
	char path[64], line[256];
	pid_t tid = -ESRCH;
	FILE *f;

	if (pp->pidns_fd >= 0) {
		int r = ioctl(pp->pidns_fd, NS_GET_PID_IN_PIDNS, host_tid);

		if (r > 0)
			return r;
		if (errno != ENOTTY && errno != EINVAL)
			return -errno;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", host_tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *p = line + 6, *end;

			for (;;) {
				long v = strtol(p, &end, 10);

				if (end == p)
					break;
				tid = (pid_t)v;
				p = end;
			}
			break;
		}
	}
	fclose(f);
	return tid;
}

/* Puts a syscall's six arguments where x86-64 passes them. */
static void regs_set_args(struct user_regs_struct *regs, const uint64_t a[6])
{
	regs->rdi = a[0];
	regs->rsi = a[1];
	regs->rdx = a[2];
	regs->r10 = a[3];
	regs->r8 = a[4];
	regs->r9 = a[5];
}

/* The kernel's -ERESTART* codes, which the host's signal code turns into
 * a restart or EINTR (Linux's include/linux/errno.h). */
#define ERESTARTSYS_HOST 512
#define ERESTARTNOINTR_HOST 513
#define ERESTARTNOHAND_HOST 514

/*
 * Parks pt's syscall (SC_PARK): pt is to sleep until the kernel wakes it
 * or a signal arrives, then make the same syscall again. The host sleeps
 * for it in ppoll(NULL, 0, NULL, NULL), which only a signal or our
 * PTRACE_INTERRUPT ends, with -ERESTARTNOHAND; at that stop pt_unpark()
 * puts the parked syscall back in the registers, so the host's restart
 * (or, with a signal, Linux's -ERESTARTSYS rules) applies to it. The
 * sleep is a host syscall like any other: signals, SIGKILL, the
 * debugger's pause and group stops reach pt as they reach any sleeper.
 */
static void pt_park(struct ptrace_platform *pp, struct pt_task *pt,
		    const struct __ptrace_syscall_info *info,
		    struct user_regs_struct *regs)
{
	pt->parked = true;
	pt->park_nr = (long)info->seccomp.nr;
	for (int i = 0; i < 6; i++)
		pt->park_args[i] = info->seccomp.args[i];
	regs->orig_rax = SYS_ppoll;
	regs->rdi = regs->rsi = regs->rdx = regs->r10 = 0;
	regs->r8 = 8;
	ptrace(PTRACE_SETREGS, pt->host_tid, 0, regs);
	pt_resume(pp, pt, PT_RESUME_CONT, 0);
}

/* Whether a syscall's return value says a signal interrupted it. */
static bool pt_restart_code(unsigned long long rax)
{
	long r = (long)rax;

	return r == -ERESTARTSYS_HOST || r == -ERESTARTNOHAND_HOST ||
	       r == -ERESTARTNOINTR_HOST;
}

/* Puts the parked syscall back into pt's registers at a stop that ended
 * (or will end) its sleep, so that the host's restart applies to it. */
static void pt_unpark(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct user_regs_struct regs;

	pt->parked = false;
	if (ptrace(PTRACE_GETREGS, pt->host_tid, 0, &regs) < 0)
		return;
	regs.orig_rax = (unsigned long long)pt->park_nr;
	regs_set_args(&regs, pt->park_args);
	/* The stand-in's -ERESTARTNOHAND becomes what the wait returns:
	 * the kernel's answer if it has one now (returned as is: the wake
	 * costs no second trap), else -ERESTARTSYS, which the host restarts
	 * at once without a signal, and for a signal (this stop's or one
	 * right after a wake's interrupt) only with SA_RESTART, as Linux's
	 * wait does. */
	if (regs.rax == (unsigned long long)-ERESTARTNOHAND_HOST && pt->task)
		regs.rax = (unsigned long long)kernel_syscall_interrupted(
			pp->k, pt->task, -ERESTARTSYS_HOST);
	ptrace(PTRACE_SETREGS, pt->host_tid, 0, &regs);
}

void pt_wake(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct user_regs_struct regs;

	if (!pt->parked) {
		/* A wait the host runs (SC_HOST_EXIT) is interrupted and
		 * restarted, which makes it trap again: the kernel decides
		 * anew. */
		if (pt->want_exit_stop && !pt->stopped && !pt->interrupting &&
		    ptrace(PTRACE_INTERRUPT, pt->host_tid, 0, 0) == 0) {
			pt->interrupting = true;
			pt_note_interrupt(pp, pt->host_tid);
		}
		return;
	}
	if (!pt->stopped) {
		/* Asleep in the host: interrupt it; its stop unparks it. */
		if (!pt->interrupting &&
		    ptrace(PTRACE_INTERRUPT, pt->host_tid, 0, 0) == 0) {
			pt->interrupting = true;
			pt_note_interrupt(pp, pt->host_tid);
		}
		return;
	}
	/* Still at the seccomp stop where it parked (held by a pause): skip
	 * the stand-in and return to the syscall instruction, so the thread
	 * makes the syscall again when it is let go. */
	pt->parked = false;
	if (ptrace(PTRACE_GETREGS, pt->host_tid, 0, &regs) < 0)
		return;
	regs.orig_rax = (unsigned long long)-1;
	regs.rax = (unsigned long long)pt->park_nr;
	regs.rip -= 2;
	regs_set_args(&regs, pt->park_args);
	ptrace(PTRACE_SETREGS, pt->host_tid, 0, &regs);
}

static void on_syscall_enter(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct __ptrace_syscall_info info;
	struct user_regs_struct regs;
	struct syscall_frame f = { 0 };
	enum sc_action act;

	if (!pt->task) {
		pt_resume(pp, pt, PT_RESUME_CONT, 0);
		return;
	}
	/* One call gives the number and the arguments; the full register
	 * set is only fetched when it must be written. */
	if (ptrace(PTRACE_GET_SYSCALL_INFO, pt->host_tid, sizeof(info),
		   &info) <= 0 || info.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return; /* killed while stopped; waitpid reports the death */
	f.nr = (long)info.seccomp.nr;
	for (int i = 0; i < 6; i++)
		f.args[i] = info.seccomp.args[i];
	act = kernel_syscall_enter(pp->k, pt->task, &f);
	if ((act == SC_RETURN || act == SC_PARK || f.args_changed) &&
	    ptrace(PTRACE_GETREGS, pt->host_tid, 0, &regs) < 0)
		return;
	if (act == SC_PARK) {
		pt_park(pp, pt, &info, &regs);
		return;
	}
	if (act == SC_RETURN) {
		regs.orig_rax = (unsigned long long)-1; /* skip the host call */
		regs.rax = (unsigned long long)f.ret;
		ptrace(PTRACE_SETREGS, pt->host_tid, 0, &regs);
		pt_resume(pp, pt, PT_RESUME_CONT, 0);
		return;
	}
	if (f.args_changed) {
		regs_set_args(&regs, f.args);
		ptrace(PTRACE_SETREGS, pt->host_tid, 0, &regs);
	}
	if (act == SC_HOST_EXIT) {
		pt->want_exit_stop = true;
		pt_resume(pp, pt, PT_RESUME_SYSCALL, 0);
	} else {
		pt_resume(pp, pt, PT_RESUME_CONT, 0);
	}
}

static void on_syscall_exit(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct user_regs_struct regs;
	struct syscall_frame f = { 0 };

	if (pt->want_exit_stop && pt->task &&
	    ptrace(PTRACE_GETREGS, pt->host_tid, 0, &regs) == 0) {
		f.nr = pt->task->sc.nr;
		f.ret = (long)regs.rax;
		if (pt_restart_code(regs.rax)) {
			long r = kernel_syscall_interrupted(pp->k, pt->task,
							    f.ret);

			if (r != f.ret) {
				regs.rax = (unsigned long long)r;
				ptrace(PTRACE_SETREGS, pt->host_tid, 0, &regs);
				f.ret = r;
			}
		}
		kernel_syscall_exit(pp->k, pt->task, &f);
	}
	pt->want_exit_stop = false;
	if (pt->task)
		ptrace_syscall_stop(pp->k, pt->task, false);
	pt_resume(pp, pt, PT_RESUME_CONT, 0);
}

/* A host syscall stop of a thread an emulated tracer traces: the host
 * stops at every syscall's entry and exit then (pt_resume_request()), and
 * says which this is. */
static void on_traced_syscall_stop(struct ptrace_platform *pp,
				   struct pt_task *pt)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pt->host_tid, sizeof(info),
		   &info) <= 0)
		return; /* killed while stopped */
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		ptrace_syscall_stop(pp->k, pt->task, true);
		pt_resume(pp, pt, PT_RESUME_CONT, 0);
		return;
	}
	on_syscall_exit(pp, pt);
}

static void on_clone(struct ptrace_platform *pp, struct pt_task *pt, int ev)
{
	unsigned long msg = 0;
	struct pt_task *child;
	struct task *ct = NULL;
	pid_t host_tid, tid;

	if (ptrace(PTRACE_GETEVENTMSG, pt->host_tid, 0, &msg) < 0)
		return;
	host_tid = (pid_t)msg;
	child = pt_lookup(pp, host_tid);
	if (!child)
		child = pt_add(pp, host_tid);
	tid = read_nspid(pp, host_tid);
	if (pt->task && ev != PTRACE_EVENT_CLONE)
		task_clone_note_fork(pt->task, ev == PTRACE_EVENT_VFORK);
	if (child) {
		/* The host copied the parent's options and affinity into
		 * the child. */
		child->exit_events = pt->exit_events;
		child->want_exit_events = pt->exit_events;
		child->vfork_done_events = pt->vfork_done_events;
	}
	if (child && pt->task && tid > 0 &&
	    task_clone(pp->k, pt->task, tid, host_tid, &ct) == 0) {
		child->task = ct;
		ct->plat_priv = child;
		pt_colocate_inherit(pp, child);
		/* A new thread: both need exit events from now on, a new
		 * process none (see PT_OPTIONS). Set at their next resume,
		 * while stopped. */
		if (ct->tg == pt->task->tg) {
			pt->want_exit_events = true;
			child->want_exit_events = true;
		} else {
			child->want_exit_events = false;
		}
	}
	if (pt->host_tid == pp->init_pid && !pp->cmd_pid)
		pp->cmd_pid = host_tid;
	if (ev == PTRACE_EVENT_VFORK && pt->task)
		task_vfork_begin(pp->k, pt->task);
	if (child && child->early_stop) {
		child->early_stop = false;
		pt_resume(pp, child, PT_RESUME_CONT, 0);
	}
	pt_resume(pp, pt, PT_RESUME_CONT, 0);
}

static void on_exec(struct ptrace_platform *pp, struct pt_task *pt)
{
	unsigned long former = 0;
	struct task *old;

	ptrace(PTRACE_GETEVENTMSG, pt->host_tid, 0, &former);
	if ((pid_t)former != pt->host_tid && former) {
		/* A non-leader exec'd: it now has the leader's TID. The entry
		 * under that TID was the old leader's; the exec'ing thread's
		 * entry is under its former TID. */
		struct pt_task *execer = pt_lookup(pp, (pid_t)former);

		if (execer) {
			pid_t tid = pt->host_tid;

			pt_remove(pp, pt);
			pt_unlink(pp, execer);
			/* The balancer knows it by its TID: out of its table
			 * while that changes (its next resume binds it). */
			pt_colocate_forget(pp, execer);
			execer->host_tid = tid;
			execer->next = pp->tasks[(unsigned)tid % PT_HASH_SIZE];
			pp->tasks[(unsigned)tid % PT_HASH_SIZE] = execer;
			pp->nr_tasks++;
			execer->stopped = true;
			pt = execer;
		}
	}
	if (pt->task) {
		struct user_regs_struct regs;

		/* The new image's argv is on its initial stack. */
		if (ptrace(PTRACE_GETREGS, pt->host_tid, 0, &regs) == 0)
			task_exec_capture(pp->k, pt->task, regs.rsp);
		old = task_exec(pp->k, pt->task);
		if (old) {
			old->plat_priv = NULL;
			task_put(old);
		}
	}
	pt_resume(pp, pt, PT_RESUME_CONT, 0);
}

static void pt_handle(struct ptrace_platform *pp, pid_t pid, int status);

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

static void on_event_stop(struct ptrace_platform *pp, struct pt_task *pt,
			  int sig)
{
	if (is_stop_signal(sig)) {
		/* A group stop: stay stopped until SIGCONT, but let the
		 * host's job control (the parent's WUNTRACED wait) see it. */
		if (pt->task)
			kernel_group_stop_host(pp->k, pt->task, sig, true);
		pt_resume(pp, pt, PT_RESUME_LISTEN, 0);
		return;
	}
	/* The initial stop of a new thread, our PTRACE_INTERRUPT, or the end
	 * of a group stop that SIGCONT ended while we listened. */
	if (pt->group_stopped && pt->task)
		kernel_group_stop_host(pp->k, pt->task, 0, false);
	pt->group_stopped = false;
	pt_resume(pp, pt, PT_RESUME_CONT, 0);
}

/* How long pt_unlisten() waits for the stop its PTRACE_INTERRUPT asks for
 * before leaving it to the loop. */
#define PT_UNLISTEN_WAIT_NS (50 * 1000 * 1000ull)

int pt_unlisten(struct ptrace_platform *pp, struct pt_task *pt)
{
	pid_t tid = pt->host_tid;
	uint64_t deadline;
	int status;
	pid_t r;

	if (!pt->group_stopped || pt->stopped)
		return pt->stopped ? 0 : -EBUSY;
	/* ptrace(2), "group-stop": a listening tracee that is sent
	 * PTRACE_INTERRUPT stops again with PTRACE_EVENT_STOP and the stop
	 * signal, and stays in its group stop. It does so at once; only a
	 * thread that died meanwhile may never report (a zombie leader
	 * without exit events waits for its threads to be reaped, which
	 * only the loop does), so the wait is bounded and the loop collects
	 * whatever comes later, as for any interrupt. */
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
		return -EBUSY; /* gone: the loop collects its death */
	deadline = clock_now_ns(CLOCK_MONOTONIC) + PT_UNLISTEN_WAIT_NS;
	while ((r = waitpid(tid, &status, __WALL | WNOHANG)) == 0 ||
	       (r < 0 && errno == EINTR)) {
		if (clock_now_ns(CLOCK_MONOTONIC) >= deadline) {
			pt->interrupting = true;
			pt_note_interrupt(pp, tid);
			return -EBUSY;
		}
		sched_yield();
	}
	if (r != tid)
		return -EBUSY;
	if (WIFSTOPPED(status) && status >> 16 == PTRACE_EVENT_STOP &&
	    is_stop_signal(WSTOPSIG(status))) {
		__atomic_fetch_add(&pp->k->host_stops, 1, __ATOMIC_RELAXED);
		pt->stopped = true;
		pt->interrupting = false; /* this stop answers any interrupt */
		return 0;
	}
	/* A SIGCONT ended the stop, or the thread died: handled here as the
	 * loop would (this may free pt; callers do not touch it then). */
	pt_handle(pp, tid, status);
	return -EBUSY;
}

int pt_await_stop(struct ptrace_platform *pp, pid_t tid)
{
	uint64_t deadline = clock_now_ns(CLOCK_MONOTONIC) + PT_UNLISTEN_WAIT_NS;
	int status;
	pid_t r;

	while ((r = waitpid(tid, &status, __WALL | WNOHANG)) == 0 ||
	       (r < 0 && errno == EINTR)) {
		if (clock_now_ns(CLOCK_MONOTONIC) >= deadline)
			return -EBUSY;
		sched_yield();
	}
	if (r != tid)
		return -ESRCH;
	pt_handle(pp, tid, status);
	return 0;
}

static void on_signal(struct ptrace_platform *pp, struct pt_task *pt, int sig)
{
	siginfo_t si;
	int deliver = sig;

	if (pt->task && ptrace(PTRACE_GETSIGINFO, pt->host_tid, 0, &si) == 0) {
		siginfo_t host = si;

		deliver = kernel_signal_deliver(pp->k, pt->task, &si);
		if (deliver == KERNEL_SIGNAL_PTRACE_STOP) {
			/* Held for the tracer; pt_do_resume() delivers what
			 * it decides. */
			pt->ptrace_signal = true;
			pt_resume(pp, pt, PT_RESUME_CONT, 0);
			return;
		}
		if (deliver > 0 && memcmp(&host, &si, sizeof(si)) != 0)
			ptrace(PTRACE_SETSIGINFO, pt->host_tid, 0, &si);
		if (deliver > 0 && pp->fatal_fn &&
		    kernel_signal_is_fatal_core(pp->k, pt->task, deliver))
			pp->fatal_fn(pp->hook_arg, pt->task->tid, deliver);
	}
	pt_resume(pp, pt, PT_RESUME_CONT, deliver > 0 ? deliver : 0);
}

static void on_death(struct ptrace_platform *pp, struct pt_task *pt,
		     pid_t pid, int status)
{
	if (pid == pp->init_pid)
		pp->init_status = status;
	if (pid == pp->cmd_pid)
		pp->cmd_status = status;
	if (!pt)
		return;
	/* First: the host may reuse the TID from now on, and the balancer
	 * must not set the affinity of whoever gets it. */
	pt_colocate_forget(pp, pt);
	if (pt->task) {
		pid_t tid = pt->task->tid;

		/* Without exit events (PT_OPTIONS), or killed by SIGKILL
		 * before its exit event, the death is the exit's start too. */
		if (pt->task->exit_state == TASK_EXIT_NONE)
			task_exit_begin(pp->k, pt->task, status);
		pt->task->plat_priv = NULL;
		task_exit_finish(pp->k, pt->task, status);
		pt->task = NULL;
		if (pp->gone_fn)
			pp->gone_fn(pp->hook_arg, tid);
	}
	pt_remove(pp, pt);
}

static void pt_handle(struct ptrace_platform *pp, pid_t pid, int status)
{
	struct pt_task *pt = pt_lookup(pp, pid);
	int sig, ev;

	__atomic_fetch_add(&pp->k->host_stops, 1, __ATOMIC_RELAXED);

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_death(pp, pt, pid, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (!pt) {
		/* A new thread whose creation event has not arrived yet: it
		 * waits here until on_clone() names it. */
		pt = pt_add(pp, pid);
		if (pt) {
			pt->stopped = true;
			pt->early_stop = true;
		}
		return;
	}
	pt->stopped = true;
	/* Any stop answers a PTRACE_INTERRUPT: the host may consume the
	 * interrupt in another ptrace-stop (a syscall-exit-stop of the
	 * syscall it interrupted) and never report PTRACE_EVENT_STOP. */
	pt->interrupting = false;
	sig = WSTOPSIG(status);
	ev = status >> 16;
	if (pt->parked)
		pt_unpark(pp, pt);
	switch (ev) {
	case PTRACE_EVENT_SECCOMP:
		on_syscall_enter(pp, pt);
		break;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		on_clone(pp, pt, ev);
		break;
	case PTRACE_EVENT_EXEC:
		on_exec(pp, pt);
		break;
	case PTRACE_EVENT_EXIT: {
		unsigned long msg = 0;

		ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
		/* The exiting thread runs no more application code: a
		 * zombie's mask is shown without asking the host. */
		pt_note_sigmask(pt);
		if (pt->task)
			task_exit_begin(pp->k, pt->task, (int)msg);
		pt_resume(pp, pt, PT_RESUME_CONT, 0);
		break;
	}
	case PTRACE_EVENT_VFORK_DONE:
		/* The vfork child exec'd or exited; the parent is about to
		 * return from vfork (set only for an emulated tracer that
		 * asked: pt_do_resume()). */
		if (pt->task) {
			task_vfork_done(pp->k, pt->task);
			ptrace_vfork_done(pp->k, pt->task);
		}
		pt_resume(pp, pt, PT_RESUME_CONT, 0);
		break;
	case PTRACE_EVENT_STOP:
		on_event_stop(pp, pt, sig);
		break;
	default:
		if (sig == (SIGTRAP | 0x80) && pt->task &&
		    ptrace_traced(pt->task))
			on_traced_syscall_stop(pp, pt);
		else if (sig == (SIGTRAP | 0x80))
			on_syscall_exit(pp, pt);
		else
			on_signal(pp, pt, sig);
	}
}

static void pt_launch_done(struct ptrace_platform *pp, int err)
{
	pthread_mutex_lock(&pp->req_mu);
	pp->launched = true;
	pp->launch_err = err;
	if (err)
		pp->finished = true;
	pthread_cond_broadcast(&pp->req_cond);
	pthread_mutex_unlock(&pp->req_mu);
}

/* Starts the doorbell and init, and attaches to init. Returns 0 or -errno
 * with pp->launch_msg set. */
static int pt_start(struct ptrace_platform *pp)
{
	struct sock_fprog prog = { 0 };
	struct task *init;
	struct pt_task *pt;
	int sync_fd = -1, mode, err;
	pid_t pid;

	err = pt_seccomp_build(&prog);
	if (err < 0) {
		snprintf(pp->launch_msg, sizeof(pp->launch_msg),
			 "cannot build the seccomp filter: %s", strerror(-err));
		return err;
	}
	err = pt_doorbell_start(pp);
	if (err < 0) {
		snprintf(pp->launch_msg, sizeof(pp->launch_msg),
			 "ptrace is not permitted here (%s): sentry needs "
			 "CAP_SYS_PTRACE or a permissive ptrace policy",
			 strerror(-err));
		goto out;
	}
	pid = pt_launch_init(pp, &prog, &sync_fd, &mode, pp->launch_msg,
			     sizeof(pp->launch_msg));
	if (pid < 0) {
		err = pid;
		goto out;
	}
	pp->init_pid = pid;
	{
		char ns[64];

		snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", pid);
		pp->pidns_fd = open(ns, O_RDONLY | O_CLOEXEC);
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, (long)PT_OPTIONS) < 0) {
		err = -errno;
		snprintf(pp->launch_msg, sizeof(pp->launch_msg),
			 "ptrace is not permitted here (%s): sentry needs "
			 "CAP_SYS_PTRACE or a permissive ptrace policy",
			 strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		goto out;
	}
	pt = pt_add(pp, pid);
	err = -ENOMEM;
	if (pt)
		err = kernel_start_init(pp->k, pid, (enum init_job_mode)mode,
					SENTRY_INIT_NAME,
					sizeof(SENTRY_INIT_NAME), &init);
	if (err < 0) {
		snprintf(pp->launch_msg, sizeof(pp->launch_msg),
			 "cannot start the init task: %s", strerror(-err));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		goto out;
	}
	pt->task = init;
	init->plat_priv = pt;
	if (write(sync_fd, "g", 1) != 1) {
		err = -errno;
		goto out;
	}
	err = 0;
out:
	if (sync_fd >= 0)
		close(sync_fd);
	free(prog.filter);
	return err;
}

/* How long the platform thread polls for the next stop before it sleeps
 * in waitpid(). Stops come in bursts (a syscall, its exit, a signal);
 * a thread that sleeps between them makes every stop pay for waking its
 * CPU, which on a VM with an idle second vCPU costs tens of µs. Not
 * when the stopped threads run on this thread's CPU (colocate.c): there
 * polling would only keep them from running. */
static uint64_t spin_ns(struct ptrace_platform *pp)
{
	static uint64_t ns = UINT64_MAX;

	if (ns == UINT64_MAX)
		ns = pp->colo.on && !getenv("SENTRY_SPIN_US")
			     ? 0
			     : poll_budget_ns("SENTRY_SPIN_US");
	return ns;
}

/* waitpid(-1, __WALL), polling briefly first. */
static pid_t pt_wait(struct ptrace_platform *pp, int *status)
{
	uint64_t spin = spin_ns(pp);

	if (spin) {
		uint64_t end = clock_now_ns(CLOCK_MONOTONIC) + spin;

		do {
			pid_t pid = waitpid(-1, status, __WALL | WNOHANG);

			if (pid != 0)
				return pid;
		} while (clock_now_ns(CLOCK_MONOTONIC) < end);
	}
	return waitpid(-1, status, __WALL);
}

/*
 * The platform thread runs every task's next step: if the sandbox's own
 * busy threads could take its CPU, a few hundred spinning threads would
 * slow every other task (and pause, resume and dumps) to a crawl: a
 * workload of 250 spinning and 750 sleeping threads took 129 s to start
 * instead of 2. As root the thread therefore runs at nice -20, where one
 * thread weighs as much as 87 ordinary ones; it sleeps in waitpid()
 * whenever it has nothing to do. (SCHED_RR did as well against spinners
 * but made every trapped syscall 1.4 us slower.) The sandbox and the
 * doorbell are forked from this thread and must start at nice 0:
 * SCHED_RESET_ON_FORK. Without CAP_SYS_NICE it stays at nice 0.
 * SENTRY_PLATFORM_NICE=0 disables it.
 */
static void pt_raise_priority(void)
{
	const char *e = getenv("SENTRY_PLATFORM_NICE");
	struct sched_param sp = { .sched_priority = 0 };

	if (e && !strcmp(e, "0"))
		return;
	if (sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp) < 0)
		return;
	setpriority(PRIO_PROCESS, (id_t)gettid(), -20);
}

void pt_note_interrupt(struct ptrace_platform *pp, pid_t host_tid)
{
	if (pp->nr_intr == pp->cap_intr) {
		size_t cap = pp->cap_intr ? 2 * pp->cap_intr : 256;
		pid_t *v = realloc(pp->intr, cap * sizeof(*v));

		if (!v)
			return; /* waitpid(-1) collects the stop anyway */
		pp->intr = v;
		pp->cap_intr = cap;
	}
	pp->intr[pp->nr_intr++] = host_tid;
}

/* Below this many outstanding interrupts, waitpid(-1) is cheap enough. */
#define PT_SWEEP_MIN 16

/*
 * Collects the stops of interrupted threads by TID. waitpid(-1) walks the
 * whole list of tracees on every call, so pausing N tasks that way costs
 * O(N^2) (seconds at 10,000 tasks); waitpid(TID) looks the one thread up.
 * Returns how many stops (or deaths) it handled.
 */
static int pt_sweep_interrupted(struct ptrace_platform *pp)
{
	int handled = 0;

	for (size_t i = 0; i < pp->nr_intr;) {
		pid_t tid = pp->intr[i];
		struct pt_task *pt = pt_lookup(pp, tid);
		int status;
		pid_t r;

		if (!pt || !pt->interrupting) {
			pp->intr[i] = pp->intr[--pp->nr_intr];
			continue; /* stopped or gone since */
		}
		r = waitpid(tid, &status, __WALL | WNOHANG);
		if (r == 0) {
			i++;
			continue;
		}
		pp->intr[i] = pp->intr[--pp->nr_intr];
		if (r == tid) {
			pt_handle(pp, tid, status);
			handled++;
		}
	}
	return handled;
}

void *pt_thread_main(void *arg)
{
	struct ptrace_platform *pp = arg;
	int err;

	rcu_register_thread();
	pp->thread_tid = gettid();
	pt_raise_priority();
	err = pt_start(pp);
	pt_launch_done(pp, err);
	if (err < 0)
		goto out;
	pt_colocate_start(pp);
	while (pp->nr_tasks > 0) {
		int status;
		pid_t pid;

		if (pp->nr_intr >= PT_SWEEP_MIN && pt_sweep_interrupted(pp) > 0)
			continue;
		pid = pt_wait(pp, &status);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing left to trace */
		}
		if (pid == pp->doorbell_pid) {
			if (WIFSTOPPED(status))
				pt_doorbell_answer(pp);
			continue;
		}
		pt_handle(pp, pid, status);
	}
out:
	pt_colocate_stop(pp);
	if (pp->doorbell_pid > 0) {
		kill(pp->doorbell_pid, SIGKILL);
		waitpid(pp->doorbell_pid, NULL, __WALL);
	}
	pthread_mutex_lock(&pp->req_mu);
	pp->finished = true;
	pthread_cond_broadcast(&pp->req_cond);
	pthread_mutex_unlock(&pp->req_mu);
	/* Answer requests that raced with the end. */
	pt_requests_run(pp);
	free(pp->intr);
	pp->intr = NULL;
	pp->nr_intr = pp->cap_intr = 0;
	rcu_unregister_thread();
	return NULL;
}
