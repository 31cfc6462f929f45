/*
 * This file implements ptrace(2) for sandboxed tracers (Linux's
 * kernel/ptrace.c:ptrace_request() and arch_ptrace() for x86-64).
 *
 * Every request is answered by the kernel (SC_RETURN): attaching,
 * detaching and resuming change the emulated state (kernel/ptrace.c) and
 * let the platform run the tracee the new way; requests for a tracee's
 * registers and memory are carried out by the platform on the host thread,
 * which the kernel holds stopped in its emulated ptrace-stop, and copied
 * between the sentry and the tracer's memory here.
 *
 * Not supported (documented in sentry(1)): PTRACE_SECCOMP_GET_FILTER
 * answers EINVAL, PTRACE_GET_RSEQ_CONFIGURATION EIO.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/signal_deliver.h"
#include "kernel/syscalls/syscalls.h"
#include "kernel/task_set_internal.h"
#include "platform/platform.h"

/* PTRACE_O_* a tracer may set (Linux's PTRACE_O_MASK). */
#define PTRACE_OPTIONS_MASK (0x000000ffu | (1u << 20) | (1u << 21))

/* The largest register set a tracer may ask for (NT_X86_XSTATE with
 * AVX-512 is under 3 KiB; Linux caps at its own regset sizes). */
#define REGSET_MAX (16 * 1024)

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif

static int copy_to_tracer(struct kernel *k, struct task *t, uint64_t addr,
			  const void *buf, size_t len)
{
	ssize_t n = plat_write_mem(k->plat, t, addr, buf, len);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

static int copy_from_tracer(struct kernel *k, struct task *t, uint64_t addr,
			    void *buf, size_t len)
{
	ssize_t n = plat_read_mem(k->plat, t, addr, buf, len);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

static long tracee_access(struct kernel *k, struct task *tracee, long req,
			  uint64_t addr, void *data)
{
	if (!k->plat->ops->tracee_access)
		return -EIO;
	return k->plat->ops->tracee_access(k->plat, tracee, req, addr, data);
}

/* PTRACE_TRACEME: the real parent becomes the tracer. */
static long ptrace_traceme(struct kernel *k, struct task *t)
{
	struct thread_group *parent;
	struct task *tracer = NULL, *o;
	long err = 0;

	pthread_rwlock_wrlock(&k->ts.mu);
	parent = t->tg->parent;
	if (t->ptrace.tracer || !parent || parent->state != TG_LIVE) {
		err = -EPERM;
		goto out;
	}
	/* Linux's tracer is the thread that forked us (real_parent); the
	 * kernel knows the parent process, so its leader, or any live
	 * thread when the leader is gone. */
	if (parent->leader && parent->leader->exit_state == TASK_EXIT_NONE)
		tracer = parent->leader;
	else
		cds_list_for_each_entry(o, &parent->tasks, tg_node)
			if (o->exit_state == TASK_EXIT_NONE) {
				tracer = o;
				break;
			}
	if (!tracer) {
		err = -EPERM;
		goto out;
	}
	cds_list_add_tail(&t->ptrace.tracee_node, &tracer->ptrace.tracees);
	pthread_mutex_lock(&t->tg->sighand->mu);
	t->ptrace.seized = false;
	t->ptrace.options = 0;
	__atomic_store_n(&t->ptrace.tracer, tracer, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&t->tg->sighand->mu);
out:
	pthread_rwlock_unlock(&k->ts.mu);
	/* The parent may be waiting in the host already, where the stops it
	 * is now to see never arrive: it must wait in the kernel. */
	if (!err)
		ptrace_wake_waiters(k, parent->tgid);
	return err;
}

/* PTRACE_ATTACH and PTRACE_SEIZE (Linux's ptrace_attach()). */
static long ptrace_attach(struct kernel *k, struct task *t, pid_t pid,
			  bool seize, uint64_t addr, uint64_t flags)
{
	struct task *tracee;
	bool group_stopped = false;
	int stop_sig = 0;
	long err = 0;

	/* Both EIO, as Linux's ptrace_attach() (unknown options of a
	 * PTRACE_SETOPTIONS are EINVAL: the two have always differed). */
	if (seize) {
		if (addr != 0)
			return -EIO;
		if (flags & ~(uint64_t)PTRACE_OPTIONS_MASK)
			return -EIO;
	}
	pthread_rwlock_wrlock(&k->ts.mu);
	rcu_read_lock();
	tracee = task_lookup_rcu(k, pid);
	rcu_read_unlock();
	if (!tracee || tracee->exit_state >= TASK_EXIT_ZOMBIE) {
		err = -ESRCH;
		goto out;
	}
	/* No tracing of one's own process, of the sandbox's init (the
	 * sentry's), of an exiting task, of a traced one. */
	if (tracee->tg == t->tg || tracee->tg == k->ts.init ||
	    tracee->exit_state != TASK_EXIT_NONE || tracee->ptrace.tracer) {
		err = -EPERM;
		goto out;
	}
	/* PTRACE_MODE_ATTACH_REALCREDS: the same real user as the target's
	 * IDs, or root. */
	{
		uint32_t uid, euid, tuid, teuid, tsuid;

		pthread_mutex_lock(&t->mu);
		uid = t->uid;
		euid = t->euid;
		pthread_mutex_unlock(&t->mu);
		pthread_mutex_lock(&tracee->mu);
		tuid = tracee->uid;
		teuid = tracee->euid;
		tsuid = tracee->suid;
		pthread_mutex_unlock(&tracee->mu);
		if (euid != 0 && (uid != tuid || uid != teuid || uid != tsuid))
			err = -EPERM;
	}
	if (err)
		goto out;
	cds_list_add_tail(&tracee->ptrace.tracee_node, &t->ptrace.tracees);
	pthread_mutex_lock(&tracee->tg->sighand->mu);
	tracee->ptrace.seized = seize;
	tracee->ptrace.options = seize ? flags : 0;
	__atomic_store_n(&tracee->ptrace.tracer, t, __ATOMIC_RELEASE);
	group_stopped = tracee->stop == TASK_STOP_GROUP;
	stop_sig = tracee->tg->group_stop_signal;
	pthread_mutex_unlock(&tracee->tg->sighand->mu);
out:
	pthread_rwlock_unlock(&k->ts.mu);
	if (err)
		return err;
	ptrace_wake_waiters(k, task_tgid(t));
	/* A stopped job traps again into a group-stop its tracer sees
	 * (Linux's JOBCTL_TRAP_STOP in ptrace_attach()). */
	if (group_stopped)
		ptrace_group_stop(k, tracee, stop_sig ? stop_sig : SIGSTOP,
				  true);
	if (!seize) {
		siginfo_t si = { .si_signo = SIGSTOP, .si_code = SI_USER };

		si.si_pid = task_tgid(t);
		si.si_uid = t->uid;
		sig_send(k, SIGNAL_TARGET_TASK, pid, &si, true);
	}
	return 0;
}

/* Linux's ptrace_check_attach(): the tracee pid of t, stopped unless
 * !stopped. Returns a new reference or NULL with *err = -ESRCH. */
static struct task *ptrace_tracee(struct kernel *k, struct task *t, pid_t pid,
				  bool stopped, long *err)
{
	struct task *tracee;

	*err = -ESRCH;
	pthread_rwlock_rdlock(&k->ts.mu);
	rcu_read_lock();
	tracee = task_lookup_rcu(k, pid);
	rcu_read_unlock();
	if (tracee && (tracee->ptrace.tracer != t ||
		       (stopped && !ptrace_holds(tracee)) ||
		       !task_tryget(tracee)))
		tracee = NULL;
	pthread_rwlock_unlock(&k->ts.mu);
	if (tracee)
		*err = 0;
	return tracee;
}

/* Resume requests and PTRACE_DETACH: the tracee leaves its stop. */
static long ptrace_resume(struct kernel *k, struct task *tracee, long req,
			  uint64_t data)
{
	struct ptrace_state *p = &tracee->ptrace;
	enum ptrace_stop_kind stop;
	int sig = (int)data;

	if (data > SIG_MAX)
		return -EIO;
	task_lock_signals(tracee);
	stop = p->stop;
	switch (req) {
	case PTRACE_SYSCALL:
		p->syscall_mode = PTRACE_MODE_SYSCALL;
		p->singlestep = false;
		break;
	case PTRACE_SYSEMU:
		p->syscall_mode = PTRACE_MODE_EMU;
		p->singlestep = false;
		break;
	case PTRACE_SYSEMU_SINGLESTEP:
		p->syscall_mode = PTRACE_MODE_EMU;
		p->singlestep = true;
		break;
	case PTRACE_SINGLESTEP:
		p->syscall_mode = PTRACE_MODE_NONE;
		p->singlestep = true;
		break;
	default: /* PTRACE_CONT, PTRACE_DETACH */
		p->syscall_mode = PTRACE_MODE_NONE;
		p->singlestep = false;
	}
	if (stop == PTRACE_STOP_SIGNAL) {
		p->resume_sig = sig;
		p->resumed_from_signal = true;
	}
	/* Linux's ptrace_resume() wakes a tracee in group-stop like any
	 * other: it runs although the group stop is in effect (a detached
	 * one re-enters the stop instead: __ptrace_unlink() sets
	 * JOBCTL_STOP_PENDING again, and the host still holds it there). */
	if (stop == PTRACE_STOP_GROUP && req != PTRACE_DETACH) {
		p->run_in_group_stop = true;
		if (tracee->stop == TASK_STOP_GROUP)
			tracee->stop = TASK_STOP_NONE;
	}
	p->listening = false;
	__atomic_store_n(&p->stop, PTRACE_STOP_NONE, __ATOMIC_RELEASE);
	task_unlock_signals(tracee);
	if (req == PTRACE_DETACH) {
		pthread_rwlock_wrlock(&k->ts.mu);
		ptrace_detach_locked(k, tracee);
		pthread_rwlock_unlock(&k->ts.mu);
	}
	/* ptrace(2): a signal given at a syscall-stop is sent to the
	 * tracee; at event and group stops it is ignored. */
	if (sig && (stop == PTRACE_STOP_SYSCALL_ENTER ||
		    stop == PTRACE_STOP_SYSCALL_EXIT)) {
		siginfo_t si = { .si_signo = sig, .si_code = SI_KERNEL };

		sig_send(k, SIGNAL_TARGET_TASK, tracee->tid, &si, true);
	}
	k->plat->ops->release(k->plat, tracee);
	return 0;
}

/* PTRACE_LISTEN: a seized tracee in a group-stop stays stopped but is no
 * longer in a ptrace-stop; a SIGCONT or PTRACE_INTERRUPT traps it again. */
static long ptrace_listen(struct kernel *k, struct task *tracee)
{
	struct ptrace_state *p = &tracee->ptrace;
	long err = 0;

	task_lock_signals(tracee);
	if (!p->seized || (p->stop_code >> 8) != PTRACE_EVENT_STOP)
		err = -EIO;
	else if (p->stop == PTRACE_STOP_GROUP) {
		p->listening = true;
		__atomic_store_n(&p->stop, PTRACE_STOP_NONE, __ATOMIC_RELEASE);
	} else {
		/* Listening outside a group stop: the tracee stays where it
		 * is until something reports (Linux keeps it TASK_TRACED). */
		p->reported = true;
	}
	task_unlock_signals(tracee);
	return err;
}

static long ptrace_interrupt(struct kernel *k, struct task *tracee)
{
	struct ptrace_state *p = &tracee->ptrace;
	bool relisten = false, kick = false;
	int sig = 0;

	task_lock_signals(tracee);
	if (!p->seized) {
		task_unlock_signals(tracee);
		return -EIO;
	}
	if (p->listening) {
		relisten = true;
		sig = tracee->tg->group_stop_signal;
	} else if (p->stop == PTRACE_STOP_NONE) {
		p->interrupt_pending = true;
		kick = true;
	}
	task_unlock_signals(tracee);
	if (relisten)
		ptrace_group_stop(k, tracee, sig ? sig : SIGSTOP, true);
	if (kick)
		k->plat->ops->interrupt(k->plat, tracee);
	return 0;
}

static long ptrace_regs(struct kernel *k, struct task *t, struct task *tracee,
			long req, uint64_t data)
{
	union {
		struct user_regs_struct regs;
		struct user_fpregs_struct fp;
	} u;
	size_t len = (req == PTRACE_GETREGS || req == PTRACE_SETREGS)
			     ? sizeof(u.regs)
			     : sizeof(u.fp);
	bool get = req == PTRACE_GETREGS || req == PTRACE_GETFPREGS;
	long err;

	if (!get && copy_from_tracer(k, t, data, &u, len) < 0)
		return -EFAULT;
	err = tracee_access(k, tracee, req, 0, &u);
	if (err < 0 || !get)
		return err < 0 ? err : 0;
	/* A syscall the kernel answered itself was skipped on the host
	 * (orig_rax -1); its tracer sees the number it made. */
	if (req == PTRACE_GETREGS &&
	    tracee->ptrace.stop == PTRACE_STOP_SYSCALL_EXIT &&
	    u.regs.orig_rax == (unsigned long long)-1 && tracee->sc.nr >= 0)
		u.regs.orig_rax = (unsigned long long)tracee->sc.nr;
	return copy_to_tracer(k, t, data, &u, len) < 0 ? -EFAULT : 0;
}

static long ptrace_regset(struct kernel *k, struct task *t,
			  struct task *tracee, long req, uint64_t type,
			  uint64_t data)
{
	struct iovec iov, local;
	void *buf;
	long err;

	if (copy_from_tracer(k, t, data, &iov, sizeof(iov)) < 0)
		return -EFAULT;
	local.iov_len = iov.iov_len < REGSET_MAX ? iov.iov_len : REGSET_MAX;
	buf = calloc(1, local.iov_len ? local.iov_len : 1);
	if (!buf)
		return -ENOMEM;
	local.iov_base = buf;
	err = 0;
	if (req == PTRACE_SETREGSET &&
	    copy_from_tracer(k, t, (uint64_t)(uintptr_t)iov.iov_base, buf,
			     local.iov_len) < 0)
		err = -EFAULT;
	if (!err)
		err = tracee_access(k, tracee, req, type, &local);
	if (!err && req == PTRACE_GETREGSET) {
		iov.iov_len = local.iov_len;
		if (copy_to_tracer(k, t, (uint64_t)(uintptr_t)iov.iov_base,
				   buf, local.iov_len) < 0 ||
		    copy_to_tracer(k, t, data, &iov, sizeof(iov)) < 0)
			err = -EFAULT;
	}
	free(buf);
	return err;
}

static long ptrace_syscall_info(struct kernel *k, struct task *t,
				struct task *tracee, uint64_t size,
				uint64_t data)
{
	struct __ptrace_syscall_info info;
	long n;

	memset(&info, 0, sizeof(info));
	n = tracee_access(k, tracee, PTRACE_GET_SYSCALL_INFO, sizeof(info),
			  &info);
	if (n < 0)
		return n;
	/* The host may be at its seccomp stop where the emulated tracer
	 * sees another stop (an interrupt taken there): never a seccomp
	 * stop the emulated tracer did not ask for. */
	if (info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		info.op = PTRACE_SYSCALL_INFO_NONE;
		n = (long)offsetof(struct __ptrace_syscall_info, entry);
	}
	if (size > (uint64_t)n)
		size = (uint64_t)n;
	if (size && copy_to_tracer(k, t, data, &info, size) < 0)
		return -EFAULT;
	return n;
}

/* PTRACE_PEEKSIGINFO (Linux's ptrace_peek_siginfo()): the siginfo of the
 * tracee's pending signals from the off-th on, at most nr of them, from
 * its private queue or (PTRACE_PEEKSIGINFO_SHARED) its group's. Returns
 * how many were copied; a fault after the first is not an error. */
static long ptrace_peek_siginfo(struct kernel *k, struct task *t,
				struct task *tracee, uint64_t addr,
				uint64_t data)
{
	struct __ptrace_peeksiginfo_args a;
	struct sig_pending *q;
	struct sig_queued *e;
	siginfo_t *v = NULL;
	long n = 0, i;
	uint64_t skip;

	if (copy_from_tracer(k, t, addr, &a, sizeof(a)) < 0)
		return -EFAULT;
	if (a.flags & ~(uint32_t)PTRACE_PEEKSIGINFO_SHARED)
		return -EINVAL;
	if (a.nr < 0)
		return -EINVAL;
	if (a.nr == 0)
		return 0;
	task_lock_signals(tracee);
	q = (a.flags & PTRACE_PEEKSIGINFO_SHARED) ? &tracee->tg->shared_pending
						   : &tracee->pending;
	if (a.off < (uint64_t)q->nr_queued) {
		long left = q->nr_queued - (long)a.off;

		n = a.nr < left ? a.nr : left;
		v = malloc(sizeof(*v) * (size_t)n);
	}
	if (v) {
		i = 0;
		skip = a.off;
		cds_list_for_each_entry(e, &q->queue, node) {
			if (skip) {
				skip--;
				continue;
			}
			if (i == n)
				break;
			v[i++] = e->info;
		}
		n = i;
	}
	task_unlock_signals(tracee);
	if (n && !v)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (copy_to_tracer(k, t, data + (uint64_t)i * sizeof(*v),
				   &v[i], sizeof(*v)) < 0)
			break;
	free(v);
	return i > 0 ? i : n > 0 ? -EFAULT : 0;
}

/* The requests on a stopped tracee's state. */
static long ptrace_state_request(struct kernel *k, struct task *t,
				 struct task *tracee, long req, uint64_t addr,
				 uint64_t data)
{
	struct ptrace_state *p = &tracee->ptrace;
	unsigned long word;
	siginfo_t si;
	uint64_t mask;
	long err;

	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
	case PTRACE_PEEKUSER:
		if (req == PTRACE_PEEKUSER &&
		    ((addr & 7) || addr >= sizeof(struct user)))
			return -EIO;
		err = tracee_access(k, tracee, req, addr, &word);
		if (err < 0)
			return err;
		return copy_to_tracer(k, t, data, &word, sizeof(word));
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
	case PTRACE_POKEUSER:
		if (req == PTRACE_POKEUSER &&
		    ((addr & 7) || addr >= sizeof(struct user)))
			return -EIO;
		word = (unsigned long)data;
		err = tracee_access(k, tracee, req, addr, &word);
		return err < 0 ? err : 0;
	case PTRACE_GETREGS:
	case PTRACE_SETREGS:
	case PTRACE_GETFPREGS:
	case PTRACE_SETFPREGS:
		return ptrace_regs(k, t, tracee, req, data);
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return ptrace_regset(k, t, tracee, req, addr, data);
	case PTRACE_GETEVENTMSG:
		word = p->event_msg;
		return copy_to_tracer(k, t, data, &word, sizeof(word));
	case PTRACE_GETSIGINFO:
		task_lock_signals(tracee);
		err = p->has_siginfo ? 0 : -EINVAL;
		si = p->siginfo;
		task_unlock_signals(tracee);
		if (err)
			return err;
		return copy_to_tracer(k, t, data, &si, sizeof(si));
	case PTRACE_SETSIGINFO:
		if (copy_from_tracer(k, t, data, &si, sizeof(si)) < 0)
			return -EFAULT;
		task_lock_signals(tracee);
		err = p->has_siginfo ? 0 : -EINVAL;
		if (!err)
			p->siginfo = si;
		task_unlock_signals(tracee);
		return err;
	case PTRACE_SETOPTIONS:
		if (data & ~(uint64_t)PTRACE_OPTIONS_MASK)
			return -EINVAL;
		task_lock_signals(tracee);
		p->options = data;
		task_unlock_signals(tracee);
		return 0;
	case PTRACE_GETSIGMASK:
	case PTRACE_SETSIGMASK:
		if (addr != sizeof(mask))
			return -EINVAL;
		if (req == PTRACE_SETSIGMASK) {
			if (copy_from_tracer(k, t, data, &mask, sizeof(mask)))
				return -EFAULT;
			mask &= ~SIG_UNBLOCKABLE;
		}
		err = tracee_access(k, tracee, req, sizeof(mask), &mask);
		if (err < 0)
			return err;
		task_note_sigmask(tracee, mask, true);
		if (req == PTRACE_SETSIGMASK)
			return 0;
		return copy_to_tracer(k, t, data, &mask, sizeof(mask));
	case PTRACE_GET_SYSCALL_INFO:
		return ptrace_syscall_info(k, t, tracee, addr, data);
	case PTRACE_ARCH_PRCTL:
		/* x86-64: data is the code, addr the value or where to put
		 * it (ARCH_GET_FS, ARCH_GET_GS). */
		if (data == 0x1003 || data == 0x1004) {
			err = tracee_access(k, tracee, req, data, &word);
			if (err < 0)
				return err;
			return copy_to_tracer(k, t, addr, &word, sizeof(word));
		}
		word = (unsigned long)addr;
		err = tracee_access(k, tracee, req, data, &word);
		return err < 0 ? err : 0;
	case PTRACE_PEEKSIGINFO:
		return ptrace_peek_siginfo(k, t, tracee, addr, data);
	case PTRACE_SECCOMP_GET_FILTER:
		return -EINVAL;
	default:
		return -EIO;
	}
}

long ptrace_request(struct kernel *k, struct task *t, long req, pid_t pid,
		    uint64_t addr, uint64_t data)
{
	struct task *tracee;
	long err;

	switch (req) {
	case PTRACE_TRACEME:
		return ptrace_traceme(k, t);
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
		return ptrace_attach(k, t, pid, req == PTRACE_SEIZE, addr,
				     data);
	}
	tracee = ptrace_tracee(k, t, pid,
			       req != PTRACE_KILL && req != PTRACE_INTERRUPT,
			       &err);
	if (!tracee && req == PTRACE_KILL) {
		/* A dead tracee its tracer has not waited for yet is still
		 * there for PTRACE_KILL, which does nothing to it. */
		pthread_rwlock_rdlock(&k->ts.mu);
		if (ptrace_has_exit_notice_locked(t, pid))
			err = 0;
		pthread_rwlock_unlock(&k->ts.mu);
	}
	if (!tracee)
		return err;
	switch (req) {
	case PTRACE_KILL: {
		siginfo_t si = { .si_signo = SIGKILL, .si_code = SI_USER };

		si.si_pid = task_tgid(t);
		sig_send(k, SIGNAL_TARGET_TASK, pid, &si, true);
		err = 0;
		break;
	}
	case PTRACE_INTERRUPT:
		err = ptrace_interrupt(k, tracee);
		break;
	case PTRACE_LISTEN:
		err = ptrace_listen(k, tracee);
		break;
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
	case PTRACE_SYSEMU:
	case PTRACE_SYSEMU_SINGLESTEP:
	case PTRACE_DETACH:
		err = ptrace_resume(k, tracee, req, data);
		break;
	case PTRACE_GET_RSEQ_CONFIGURATION:
		err = -EIO;
		break;
	default:
		err = ptrace_state_request(k, t, tracee, req, addr, data);
	}
	task_put(tracee);
	return err;
}

enum sc_action sys_ptrace(struct kernel *k, struct task *t,
			  struct syscall_frame *f)
{
	f->ret = ptrace_request(k, t, (long)f->args[0], (pid_t)f->args[1],
				f->args[2], f->args[3]);
	/* catch ptrace [REQUEST]: the kernel pauses with the request
	 * answered, before the tracer sees the answer. */
	if (kernel_event(k, KERNEL_EVENT_PTRACE, t->tid, (long)f->args[0]))
		kernel_pause(k);
	return SC_RETURN;
}
