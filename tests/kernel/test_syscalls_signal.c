/*
 * Tests of src/kernel/syscalls/signal.c: dispositions and masks recorded
 * from the application's memory, the targets of kill/tkill/tgkill checked
 * against the emulated tree, and the signals they queue.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/sigmask.h"
#include "kernel/rcu.h"
#include "kernel/signal_deliver.h"
#include "kernel/snapshot.h"

#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

static enum sc_action sc(struct fake_world *w, struct task *t,
			 struct syscall_frame *f, long nr, uint64_t a0,
			 uint64_t a1, uint64_t a2, uint64_t a3)
{
	return fake_syscall(w->k, t, f, nr, a0, a1, a2, a3, 0, 0);
}

/* The result the kernel answered with itself, or 0 when it let the host
 * run the call (the host's success). */
static long verdict(struct fake_world *w, struct task *t, long nr,
		    uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct syscall_frame f;

	return sc(w, t, &f, nr, a0, a1, a2, a3) == SC_RETURN ? f.ret : 0;
}

static uint64_t push_action(struct fake_world *w, pid_t tid, uint64_t handler,
			    uint64_t flags, sigset64_t mask)
{
	struct sig_action act = { .handler = handler,
				  .flags = flags | SA_RESTORER,
				  .restorer = 0x7000, .mask = mask };

	return fake_mem_push(w->fp, tid, &act, sizeof(act));
}

static uint64_t push_set(struct fake_world *w, pid_t tid, sigset64_t set)
{
	return fake_mem_push(w->fp, tid, &set, sizeof(set));
}

static struct task_snap snap(struct fake_world *w, pid_t tid)
{
	struct task_snap s;

	assert_int_equal(task_snapshot(w->k, tid, &s), 0);
	return s;
}

static void rt_sigaction_records_the_disposition(void **state)
{
	struct fake_world *w = *state;
	uint64_t a = push_action(w, 1, 0x4000, SA_SIGINFO | SA_RESTART,
				 sig_bit(SIGINT) | sig_bit(SIGKILL) |
					 sig_bit(SIGSTOP));
	struct syscall_frame f;
	struct tg_snap g;
	struct task_snap s;

	assert_int_equal(sc(w, w->init, &f, SYS_rt_sigaction, SIGUSR1, a, 0,
			    8),
			 SC_HOST);
	assert_int_equal(tg_snapshot(w->k, 1, &g), 0);
	assert_int_equal(g.actions[SIGUSR1 - 1].handler, 0x4000);
	assert_int_equal(g.actions[SIGUSR1 - 1].flags,
			 SA_SIGINFO | SA_RESTART | SA_RESTORER);
	assert_int_equal(g.actions[SIGUSR1 - 1].restorer, 0x7000);
	/* SIGKILL and SIGSTOP can never be blocked, even by a handler. */
	assert_int_equal(g.actions[SIGUSR1 - 1].mask, sig_bit(SIGINT));
	tg_snap_free(&g);
	s = snap(w, 1);
	assert_int_equal(s.caught, sig_bit(SIGUSR1));
	assert_int_equal(s.ignored, 0);
	task_snap_free(&s);
}

static void rt_sigaction_without_a_new_action_changes_nothing(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;
	struct task_snap s;

	/* A query for SIGKILL is allowed: only setting it is not. */
	assert_int_equal(sc(w, w->init, &f, SYS_rt_sigaction, SIGKILL, 0,
			    0x5000, 8),
			 SC_HOST);
	assert_int_equal(sc(w, w->init, &f, SYS_rt_sigaction, SIGUSR1, 0,
			    0x5000, 8),
			 SC_HOST);
	s = snap(w, 1);
	assert_int_equal(s.caught, 0);
	task_snap_free(&s);
}

static void rt_sigaction_rejects_bad_signals_and_sigsetsize(void **state)
{
	struct fake_world *w = *state;
	uint64_t a = push_action(w, 1, 0x4000, 0, 0);

	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction, 0, a, 0, 8),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction, 65, a, 0, 8),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction,
				 (uint64_t)-1, a, 0, 8),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction, SIGKILL, a, 0,
				 8),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction, SIGSTOP, a, 0,
				 8),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction, SIGUSR1, a, 0,
				 4),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction, SIGUSR1, a, 0,
				 16),
			 -EINVAL);
}

static void rt_sigaction_from_unmapped_memory_is_efault(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	assert_int_equal(verdict(w, w->init, SYS_rt_sigaction, SIGUSR1,
				 0xdead0000, 0, 8),
			 -EFAULT);
	s = snap(w, 1);
	assert_int_equal(s.caught, 0);
	task_snap_free(&s);
}

/* The blocked mask a reader is shown. */
static sigset64_t shown_mask(struct fake_world *w, pid_t tid)
{
	struct task_snap s = snap(w, tid);
	sigset64_t m = task_snap_blocked(w->k, &s);

	task_snap_free(&s);
	return m;
}

static void blocked_mask_is_the_hosts(void **state)
{
	struct fake_world *w = *state;

	/* rt_sigprocmask and rt_sigreturn run on the host, untrapped. */
	for (const int *nr = kernel_trapped_syscalls; *nr >= 0; nr++) {
		assert_int_not_equal(*nr, SYS_rt_sigprocmask);
		assert_int_not_equal(*nr, SYS_rt_sigreturn);
	}
	fake_set_host_sigmask(w->fp, 1, sig_bit(SIGTERM) | sig_bit(40));
	assert_int_equal(shown_mask(w, 1), sig_bit(SIGTERM) | sig_bit(40));
	/* A handler returned: the host restored its mask. */
	fake_set_host_sigmask(w->fp, 1, 0);
	assert_int_equal(shown_mask(w, 1), 0);
}

static void sigkill_and_sigstop_are_never_shown_blocked(void **state)
{
	struct fake_world *w = *state;

	fake_set_host_sigmask(w->fp, 1, ~(uint64_t)0);
	assert_int_equal(shown_mask(w, 1), ~(sigset64_t)0 & ~SIG_UNBLOCKABLE);
	task_note_sigmask(w->init, ~(uint64_t)0, true);
	assert_int_equal(shown_mask(w, 1), ~(sigset64_t)0 & ~SIG_UNBLOCKABLE);
}

static void a_held_tasks_mask_is_the_one_noted_at_its_stop(void **state)
{
	struct fake_world *w = *state;
	size_t reads;

	fake_set_host_sigmask(w->fp, 1, sig_bit(SIGUSR1));
	task_note_sigmask(w->init, sig_bit(SIGHUP), true);
	reads = w->fp->nr_sigmask_reads;
	assert_int_equal(shown_mask(w, 1), sig_bit(SIGHUP));
	assert_int_equal(w->fp->nr_sigmask_reads, reads); /* not asked */
	/* Let run, it may change its mask: the host is asked again. */
	task_sigmask_running(w->init);
	assert_int_equal(shown_mask(w, 1), sig_bit(SIGUSR1));
	assert_int_equal(w->fp->nr_sigmask_reads, reads + 1);
}

static void a_gone_host_thread_shows_the_kernels_copy(void **state)
{
	struct fake_world *w = *state;

	task_note_sigmask(w->init, sig_bit(SIGQUIT), false);
	fake_set_host_sigmask(w->fp, 1, sig_bit(SIGUSR1));
	w->fp->read_sigmask_err = -ESRCH;
	assert_int_equal(shown_mask(w, 1), sig_bit(SIGQUIT));
	w->fp->read_sigmask_err = 0;
	assert_int_equal(shown_mask(w, 1), sig_bit(SIGUSR1));
}

static void signal_mask_is_per_thread(void **state)
{
	struct fake_world *w = *state;

	fake_clone(w->k, w->init, THREAD_FLAGS, 0, 2);
	fake_set_host_sigmask(w->fp, 2, sig_bit(SIGUSR2));
	assert_int_equal(shown_mask(w, 2), sig_bit(SIGUSR2));
	assert_int_equal(shown_mask(w, 1), 0);
}

static void sigsuspend_saves_the_hosts_mask(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	fake_set_host_sigmask(w->fp, 1, sig_bit(SIGINT) | sig_bit(SIGCHLD));
	assert_int_equal(verdict(w, w->init, SYS_rt_sigsuspend,
				 push_set(w, 1, sig_bit(SIGINT)), 8, 0, 0),
			 0);
	s = snap(w, 1);
	assert_true(s.has_saved_mask);
	assert_int_equal(s.saved_mask, sig_bit(SIGINT) | sig_bit(SIGCHLD));
	task_snap_free(&s);
}

static void sigaltstack_is_recorded_when_the_host_accepts_it(void **state)
{
	struct fake_world *w = *state;
	stack_t ss = { .ss_sp = (void *)0x90000, .ss_size = 65536 };
	uint64_t a = fake_mem_push(w->fp, 1, &ss, sizeof(ss));
	struct syscall_frame f;
	struct task_snap s;

	assert_int_equal(sc(w, w->init, &f, SYS_sigaltstack, a, 0, 0, 0),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, -ENOMEM);
	s = snap(w, 1);
	assert_int_equal(s.altstack.sp, 0);
	task_snap_free(&s);

	assert_int_equal(sc(w, w->init, &f, SYS_sigaltstack, a, 0, 0, 0),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 0);
	s = snap(w, 1);
	assert_int_equal(s.altstack.sp, 0x90000);
	assert_int_equal(s.altstack.size, 65536);
	assert_int_equal(s.altstack.flags, 0);
	task_snap_free(&s);
	/* A query only. */
	assert_int_equal(sc(w, w->init, &f, SYS_sigaltstack, 0, 0x5000, 0, 0),
			 SC_HOST);
}

static void kill_of_an_unknown_target_is_esrch(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(verdict(w, w->init, SYS_kill, 99, SIGTERM, 0, 0),
			 -ESRCH);
	assert_int_equal(verdict(w, w->init, SYS_kill, 99, 0, 0, 0), -ESRCH);
	assert_int_equal(verdict(w, w->init, SYS_kill, (uint64_t)-99,
				 SIGTERM, 0, 0),
			 -ESRCH);
	assert_int_equal(verdict(w, w->init, SYS_kill,
				 (uint64_t)(int64_t)INT32_MIN, SIGTERM, 0, 0),
			 -ESRCH);
}

static void kill_with_a_bad_signal_number_is_einval(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(verdict(w, w->init, SYS_kill, 1, 65, 0, 0), -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_kill, 1, (uint64_t)-1, 0, 0),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_tkill, 1, 65, 0, 0),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_tgkill, 1, 1, 65, 0),
			 -EINVAL);
}

static void kill_of_existing_targets_goes_to_the_host(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;

	assert_int_equal(sc(w, c, &f, SYS_kill, 1, 0, 0, 0), SC_HOST);
	assert_int_equal(sc(w, c, &f, SYS_kill, 0, 0, 0, 0), SC_HOST);
	/* kill(-1) skips init and the caller's own process: with nothing
	 * else alive, Linux finds no target. */
	assert_int_equal(sc(w, c, &f, SYS_kill, (uint64_t)-1LL, SIGUSR1, 0,
			    0),
			 SC_RETURN);
	assert_int_equal(f.ret, -ESRCH);
	assert_int_equal(sc(w, w->init, &f, SYS_kill, (uint64_t)-1LL, 0, 0,
			    0),
			 SC_HOST);
	assert_false(f.args_changed);
}

static void kill_queues_a_shared_signal_for_the_target_process(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task_snap s;

	assert_int_equal(verdict(w, w->init, SYS_kill, 2, SIGUSR1, 0, 0), 0);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending, sig_bit(SIGUSR1));
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.nr_queued, 1);
	assert_true(s.queued[0].shared);
	assert_int_equal(s.queued[0].info.si_signo, SIGUSR1);
	assert_int_equal(s.queued[0].info.si_code, SI_USER);
	assert_int_equal(s.queued[0].info.si_pid, 1);
	task_snap_free(&s);
	/* The host executes the kill itself: no doorbell from the kernel. */
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_NOTIFY_SIGNAL,
				    FAKE_ANY_TID),
			 0);
	(void)c;
}

static void kill_of_a_process_group_queues_for_every_member(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task_snap s;

	fake_fork(w->k, w->init, 3);
	assert_int_equal(verdict(w, c, SYS_kill, 0, SIGHUP, 0, 0), 0);
	for (pid_t tid = 1; tid <= 3; tid++) {
		s = snap(w, tid);
		assert_int_equal(s.shared_pending, sig_bit(SIGHUP));
		task_snap_free(&s);
	}
}

static void standard_signals_coalesce_and_realtime_ones_queue(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	fake_fork(w->k, w->init, 2);
	verdict(w, w->init, SYS_kill, 2, SIGUSR1, 0, 0);
	verdict(w, w->init, SYS_kill, 2, SIGUSR1, 0, 0);
	verdict(w, w->init, SYS_kill, 2, 40, 0, 0);
	verdict(w, w->init, SYS_kill, 2, 40, 0, 0);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending, sig_bit(SIGUSR1) | sig_bit(40));
	assert_int_equal(s.nr_queued, 3);
	task_snap_free(&s);
}

/* SigQ's count is the whole sandbox's queued signals for the task's real
 * user, as Linux's RLIMIT_SIGPENDING count: charged to the target's user
 * when queued, uncharged when delivered or when its task goes. */
static void queued_signals_are_counted_per_real_user(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, w->init, 3);
	struct task *other = fake_fork(w->k, w->init, 4);
	siginfo_t si;
	struct task_snap s;

	pthread_mutex_lock(&other->mu);
	other->uid = 1000;
	pthread_mutex_unlock(&other->mu);
	verdict(w, w->init, SYS_kill, 2, 40, 0, 0);
	verdict(w, w->init, SYS_kill, 2, 40, 0, 0);
	verdict(w, w->init, SYS_kill, 3, SIGUSR1, 0, 0);
	verdict(w, w->init, SYS_kill, 4, SIGUSR1, 0, 0);
	s = snap(w, 1);
	assert_int_equal(s.user_queued, 3); /* 2's two and 3's one */
	task_snap_free(&s);
	s = snap(w, 4);
	assert_int_equal(s.user_queued, 1);
	task_snap_free(&s);

	memset(&si, 0, sizeof(si));
	si.si_signo = 40;
	si.si_code = SI_USER;
	si.si_pid = 1;
	assert_int_equal(kernel_signal_deliver(w->k, a, &si), 40);
	s = snap(w, 3);
	assert_int_equal(s.user_queued, 2);
	task_snap_free(&s);
	/* A zombie's queue is flushed when it is reaped (release_task), and
	 * its exit queued a SIGCHLD for init. */
	fake_exit(w->k, b, 0);
	s = snap(w, 2);
	assert_int_equal(s.user_queued, 3);
	task_snap_free(&s);
	{
		struct syscall_frame f;

		assert_int_equal(sc(w, w->init, &f, SYS_wait4, 3, 0, 0, 0),
				 SC_HOST_EXIT);
		fake_syscall_exit(w->k, w->init, &f, 3);
	}
	rcu_barrier(); /* the reaped group's queue is freed after a grace */
	s = snap(w, 2);
	assert_int_equal(s.user_queued, 2); /* 2's one left, and SIGCHLD */
	task_snap_free(&s);
}

/* Setting a pending signal's disposition to ignore discards it from the
 * process's queues (Linux's do_sigaction), as the host discards its own;
 * a handler or SIG_DFL of a signal whose default is not to ignore keeps
 * it. */
static void ignoring_a_pending_signal_discards_it(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task_snap s;

	verdict(w, w->init, SYS_kill, 2, SIGUSR1, 0, 0);
	verdict(w, w->init, SYS_kill, 2, 40, 0, 0);
	verdict(w, w->init, SYS_kill, 2, SIGCHLD, 0, 0);
	verdict(w, c, SYS_rt_sigaction, 40,
		push_action(w, 2, 0x4000, SA_SIGINFO, 0), 0, 8);
	verdict(w, c, SYS_rt_sigaction, SIGUSR1,
		push_action(w, 2, (uint64_t)(uintptr_t)SIG_IGN, 0, 0), 0, 8);
	verdict(w, c, SYS_rt_sigaction, SIGCHLD,
		push_action(w, 2, (uint64_t)(uintptr_t)SIG_DFL, 0, 0), 0, 8);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending, sig_bit(40));
	assert_int_equal(s.nr_queued, 1);
	assert_int_equal(s.user_queued, 1);
	task_snap_free(&s);
}

/* Linux's prepare_signal(): SIGCONT discards pending stop signals and a
 * stop signal discards a pending SIGCONT, before the new one is queued. */
static void sigcont_and_stop_signals_cancel_each_other(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	fake_fork(w->k, w->init, 2);
	verdict(w, w->init, SYS_kill, 2, SIGTSTP, 0, 0);
	verdict(w, w->init, SYS_kill, 2, SIGTTIN, 0, 0);
	verdict(w, w->init, SYS_kill, 2, SIGUSR1, 0, 0);
	verdict(w, w->init, SYS_kill, 2, SIGCONT, 0, 0);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending, sig_bit(SIGUSR1) | sig_bit(SIGCONT));
	assert_int_equal(s.nr_queued, 2);
	task_snap_free(&s);
	verdict(w, w->init, SYS_kill, 2, SIGTTOU, 0, 0);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending, sig_bit(SIGUSR1) | sig_bit(SIGTTOU));
	assert_int_equal(s.user_queued, 2);
	task_snap_free(&s);
}

static void tgkill_queues_a_signal_for_the_one_thread(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	fake_clone(w->k, w->init, THREAD_FLAGS, 0, 2);
	assert_int_equal(verdict(w, w->init, SYS_tgkill, 1, 2, SIGUSR2, 0), 0);
	s = snap(w, 2);
	assert_int_equal(s.pending, sig_bit(SIGUSR2));
	assert_int_equal(s.shared_pending, 0);
	assert_int_equal(s.queued[0].info.si_code, SI_TKILL);
	task_snap_free(&s);
	s = snap(w, 1);
	assert_int_equal(s.pending, 0);
	task_snap_free(&s);
}

static void tkill_and_tgkill_of_unknown_threads_are_esrch(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, c, THREAD_FLAGS, 0, 3);

	assert_int_equal(verdict(w, w->init, SYS_tkill, 99, SIGTERM, 0, 0),
			 -ESRCH);
	assert_int_equal(verdict(w, w->init, SYS_tgkill, 2, 99, SIGTERM, 0),
			 -ESRCH);
	/* The thread exists but not in that group. */
	assert_int_equal(verdict(w, w->init, SYS_tgkill, 1, 3, SIGTERM, 0),
			 -ESRCH);
	assert_int_equal(verdict(w, w->init, SYS_tgkill, 2, 3, 0, 0), 0);
	assert_int_equal(verdict(w, w->init, SYS_tkill, 3, 0, 0, 0), 0);
	fake_exit(w->k, th, 0);
	assert_int_equal(verdict(w, w->init, SYS_tkill, 3, 0, 0, 0), -ESRCH);
}

static void tkill_and_tgkill_with_bad_ids_are_einval(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(verdict(w, w->init, SYS_tkill, 0, SIGTERM, 0, 0),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_tkill, (uint64_t)-5, SIGTERM,
				 0, 0),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_tgkill, 0, 1, SIGTERM, 0),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_tgkill, 1, 0, SIGTERM, 0),
			 -EINVAL);
}

/* Linux's tgkill(): "if (pid <= 0 || tgid <= 0) return -EINVAL" — a tgid
 * of -1 is no wildcard there. */
static void tgkill_with_tgid_minus_one_is_einval(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(verdict(w, w->init, SYS_tgkill, (uint64_t)-1, 99,
				 SIGTERM, 0),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_tgkill, (uint64_t)-1, 1,
				 SIGTERM, 0),
			 -EINVAL);
}

static void kill_of_a_thread_tid_queues_for_its_process(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task_snap s;

	fake_clone(w->k, c, THREAD_FLAGS, 0, 3);
	/* kill(2) takes any thread's TID and signals the thread group. */
	assert_int_equal(verdict(w, w->init, SYS_kill, 3, SIGTERM, 0, 0), 0);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending, sig_bit(SIGTERM));
	task_snap_free(&s);
}

/* A zombie keeps its PID until reaped, and kill(2) on it succeeds (the
 * classic reason kill -0 cannot tell a zombie from a live process). */
static void kill_of_a_zombie_succeeds(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_exit(w->k, a, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_ZOMBIE);
	assert_int_equal(verdict(w, w->init, SYS_kill, 2, 0, 0, 0), 0);
	assert_int_equal(verdict(w, w->init, SYS_kill, 2, SIGTERM, 0, 0), 0);
}

/* A process whose main thread called pthread_exit() is alive: a kill of
 * its PID is for its remaining threads (Linux's group_send_sig_info()
 * does not care that the leader is a zombie). */
static void kill_of_a_process_whose_leader_exited_queues_for_it(void **state)
{
	struct fake_world *w = *state;
	struct task *b = fake_fork(w->k, w->init, 2);
	struct task_snap s;

	fake_clone(w->k, b, THREAD_FLAGS, 0, 3);
	fake_exit(w->k, b, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
	assert_int_equal(verdict(w, w->init, SYS_kill, 2, SIGTERM, 0, 0), 0);
	s = snap(w, 3);
	assert_int_equal(s.shared_pending, sig_bit(SIGTERM));
	task_snap_free(&s);
}

static uint64_t push_siginfo(struct fake_world *w, pid_t tid, int sig,
			     int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	return fake_mem_push(w->fp, tid, &si, sizeof(si));
}

/* Linux's do_rt_sigqueueinfo() goes to kill_proc_info(), which has no
 * process-group or "everyone" forms: a pid <= 0 names no process (ESRCH),
 * whatever the signal. The EINVAL for IDs <= 0 is rt_tgsigqueueinfo's
 * only. A forged si_code to such a pid is EPERM first. */
static void rt_sigqueueinfo_to_a_pid_of_zero_or_below_is_esrch(void **state)
{
	struct fake_world *w = *state;
	const int64_t pids[] = { 0, -1, -2, INT32_MIN };
	uint64_t q = push_siginfo(w, 1, SIGUSR1, SI_QUEUE);
	uint64_t u = push_siginfo(w, 1, SIGUSR1, SI_USER);

	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		uint64_t pid = (uint64_t)pids[i];

		assert_int_equal(verdict(w, w->init, SYS_rt_sigqueueinfo, pid,
					 SIGUSR1, q, 0),
				 -ESRCH);
		assert_int_equal(verdict(w, w->init, SYS_rt_sigqueueinfo, pid,
					 65, q, 0),
				 -ESRCH);
		assert_int_equal(verdict(w, w->init, SYS_rt_sigqueueinfo, pid,
					 0, q, 0),
				 -ESRCH);
		assert_int_equal(verdict(w, w->init, SYS_rt_sigqueueinfo, pid,
					 SIGUSR1, u, 0),
				 -EPERM);
	}
	assert_int_equal(verdict(w, w->init, SYS_rt_tgsigqueueinfo,
				 (uint64_t)-1, 1, SIGUSR1, q),
			 -EINVAL);
	assert_int_equal(verdict(w, w->init, SYS_rt_tgsigqueueinfo, 1, 0,
				 SIGUSR1, q),
			 -EINVAL);
}

/* Both calls copy the siginfo in before they look at anything else. */
static void sigqueueinfo_from_unmapped_memory_is_efault_before_other_errors(
	void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(verdict(w, w->init, SYS_rt_sigqueueinfo,
				 (uint64_t)-1, SIGUSR1, 0x10, 0),
			 -EFAULT);
	assert_int_equal(verdict(w, w->init, SYS_rt_tgsigqueueinfo, 0, 0,
				 SIGUSR1, 0x10),
			 -EFAULT);
}

/* Linux compares the target with task_pid_vnr(current): the calling
 * thread's own TID, not its process's. */
static void only_the_calling_thread_may_be_sent_a_forged_siginfo(void **state)
{
	struct fake_world *w = *state;
	struct task *th = fake_clone(w->k, w->init, THREAD_FLAGS, 0, 2);
	uint64_t u = push_siginfo(w, 2, SIGUSR1, SI_USER);
	uint64_t k = push_siginfo(w, 2, SIGUSR1, SI_TKILL);

	assert_int_equal(verdict(w, th, SYS_rt_sigqueueinfo, 1, SIGUSR1, u, 0),
			 -EPERM);
	assert_int_equal(verdict(w, th, SYS_rt_sigqueueinfo, 2, SIGUSR1, u, 0),
			 0);
	assert_int_equal(verdict(w, th, SYS_rt_tgsigqueueinfo, 1, 1, SIGUSR1,
				 k),
			 -EPERM);
	assert_int_equal(verdict(w, th, SYS_rt_tgsigqueueinfo, 1, 2, SIGUSR1,
				 k),
			 0);
}

static void ignore(struct fake_world *w, struct task *t, int sig)
{
	assert_int_equal(verdict(w, t, SYS_rt_sigaction, (uint64_t)sig,
				 push_action(w, t->tid,
					     (uint64_t)(uintptr_t)SIG_IGN, 0,
					     0),
				 0, 8),
			 0);
}

/* Linux's prepare_signal(): a signal the target ignores and does not
 * block is discarded at send. The kernel answers the call itself: the
 * host, which never discards for a traced thread, would interrupt the
 * target's wait (rt_sigtimedwait, epoll_wait end with EINTR). */
static void an_ignored_unblocked_signal_is_discarded_without_the_host(
	void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	uint64_t q = push_siginfo(w, 1, SIGUSR1, SI_QUEUE);
	struct syscall_frame f;
	struct task_snap s;

	ignore(w, c, SIGUSR1);
	assert_int_equal(sc(w, w->init, &f, SYS_kill, 2, SIGUSR1, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
	assert_int_equal(sc(w, w->init, &f, SYS_tgkill, 2, 2, SIGUSR1, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
	assert_int_equal(sc(w, w->init, &f, SYS_rt_sigqueueinfo, 2, SIGUSR1,
			    q, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
	/* SIGCHLD's default is to ignore it. */
	assert_int_equal(sc(w, w->init, &f, SYS_kill, 2, SIGCHLD, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending | s.pending, 0);
	assert_int_equal(s.nr_queued, 0);
	task_snap_free(&s);
	/* kill(-1), each of whose targets discards it. */
	assert_int_equal(sc(w, w->init, &f, SYS_kill, (uint64_t)-1LL,
			    SIGCHLD, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
}

/* "Blocked signals are never ignored" (sig_ignored()): the handler may
 * change before it is unblocked. And SIGCONT's effect on a stopped
 * process is the host's to carry out, ignored or not. */
static void a_blocked_ignored_signal_and_sigcont_still_go_to_the_host(
	void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;
	struct task_snap s;

	ignore(w, c, SIGUSR1);
	fake_set_host_sigmask(w->fp, 2, sig_bit(SIGUSR1));
	assert_int_equal(sc(w, w->init, &f, SYS_kill, 2, SIGUSR1, 0, 0),
			 SC_HOST);
	assert_int_equal(sc(w, w->init, &f, SYS_kill, 2, SIGCONT, 0, 0),
			 SC_HOST);
	s = snap(w, 2);
	assert_int_equal(s.shared_pending, sig_bit(SIGUSR1) | sig_bit(SIGCONT));
	task_snap_free(&s);
}

/* In rt_sigtimedwait the host narrows the mask by the waited set; Linux
 * still counts the mask from before (real_blocked) as blocked. */
static void a_sigtimedwait_waiter_is_judged_by_its_mask_from_before_the_wait(
	void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f, wf;

	ignore(w, c, SIGUSR1);
	fake_set_host_sigmask(w->fp, 2, sig_bit(SIGUSR1));
	assert_int_equal(sc(w, c, &wf, SYS_rt_sigtimedwait,
			    push_set(w, 2, sig_bit(SIGUSR1)), 0, 0, 8),
			 SC_HOST_EXIT);
	fake_set_host_sigmask(w->fp, 2, 0); /* the host's, during the wait */
	assert_int_equal(sc(w, w->init, &f, SYS_kill, 2, SIGUSR1, 0, 0),
			 SC_HOST);
	fake_syscall_exit(w->k, c, &wf, SIGUSR1);
	/* Returned: the host's mask (now 0) decides again. */
	assert_int_equal(sc(w, w->init, &f, SYS_kill, 2, SIGUSR1, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, 0);
}

static void pass_through_signal_syscalls_go_to_the_host(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;
	static const long nrs[] = { SYS_rt_sigpending, SYS_pause };

	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		assert_int_equal(sc(w, w->init, &f, nrs[i], 0, 0, 0, 0),
				 SC_HOST);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(rt_sigaction_records_the_disposition),
		TEST(rt_sigaction_without_a_new_action_changes_nothing),
		TEST(rt_sigaction_rejects_bad_signals_and_sigsetsize),
		TEST(rt_sigaction_from_unmapped_memory_is_efault),
		TEST(blocked_mask_is_the_hosts),
		TEST(sigkill_and_sigstop_are_never_shown_blocked),
		TEST(a_held_tasks_mask_is_the_one_noted_at_its_stop),
		TEST(a_gone_host_thread_shows_the_kernels_copy),
		TEST(sigsuspend_saves_the_hosts_mask),
		TEST(signal_mask_is_per_thread),
		TEST(sigaltstack_is_recorded_when_the_host_accepts_it),
		TEST(kill_of_an_unknown_target_is_esrch),
		TEST(kill_with_a_bad_signal_number_is_einval),
		TEST(kill_of_existing_targets_goes_to_the_host),
		TEST(kill_queues_a_shared_signal_for_the_target_process),
		TEST(kill_of_a_process_group_queues_for_every_member),
		TEST(standard_signals_coalesce_and_realtime_ones_queue),
		TEST(queued_signals_are_counted_per_real_user),
		TEST(ignoring_a_pending_signal_discards_it),
		TEST(sigcont_and_stop_signals_cancel_each_other),
		TEST(tgkill_queues_a_signal_for_the_one_thread),
		TEST(tkill_and_tgkill_of_unknown_threads_are_esrch),
		TEST(tkill_and_tgkill_with_bad_ids_are_einval),
		TEST(tgkill_with_tgid_minus_one_is_einval),
		TEST(kill_of_a_thread_tid_queues_for_its_process),
		TEST(kill_of_a_zombie_succeeds),
		TEST(kill_of_a_process_whose_leader_exited_queues_for_it),
		TEST(rt_sigqueueinfo_to_a_pid_of_zero_or_below_is_esrch),
		TEST(sigqueueinfo_from_unmapped_memory_is_efault_before_other_errors),
		TEST(only_the_calling_thread_may_be_sent_a_forged_siginfo),
		TEST(an_ignored_unblocked_signal_is_discarded_without_the_host),
		TEST(a_blocked_ignored_signal_and_sigcont_still_go_to_the_host),
		TEST(a_sigtimedwait_waiter_is_judged_by_its_mask_from_before_the_wait),
		TEST(pass_through_signal_syscalls_go_to_the_host),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
