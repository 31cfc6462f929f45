/*
 * Tests of src/kernel/syscalls/wait.c: wait4(2) and waitid(2) decided from
 * the emulated tree, the host call rewritten to the zombie the kernel
 * chose, and the reap committed at exit.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/snapshot.h"

#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

static enum sc_action do_wait4(struct fake_world *w, struct task *t,
			       struct syscall_frame *f, pid_t pid, int options)
{
	return fake_syscall(w->k, t, f, SYS_wait4, (uint64_t)(int64_t)pid,
			    0x5000, (uint64_t)options, 0, 0, 0);
}

static enum sc_action do_waitid(struct fake_world *w, struct task *t,
				struct syscall_frame *f, int idtype, pid_t id,
				uint64_t infop, int options)
{
	return fake_syscall(w->k, t, f, SYS_waitid, (uint64_t)idtype,
			    (uint64_t)(int64_t)id, infop, (uint64_t)options,
			    0, 0);
}

/* A siginfo as the host's waitid writes it, at a fresh fake address. */
static uint64_t push_child_siginfo(struct fake_world *w, pid_t tid,
				   pid_t child, int code, int status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = code;
	si.si_pid = child;
	si.si_status = status;
	return fake_mem_push(w->fp, tid, &si, sizeof(si));
}

static void wait4_without_children_is_echild(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, w->init, &f, -1, WNOHANG), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_false(f.args_changed);
}

static void waitid_without_children_is_echild(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, 0x5000, WEXITED),
			 SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
}

static void wait4_for_a_pid_that_is_not_a_child_is_echild(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;

	fake_fork(w->k, a, 3);
	assert_int_equal(do_wait4(w, w->init, &f, 3, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, w->init, &f, 99, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, a, &f, 1, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
}

static void wait4_for_another_process_group_is_echild(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;

	assert_int_equal(fake_syscall_full(w->k, c, SYS_setpgid, 0, 0, 0, 0,
					   0),
			 0);
	/* pid 0: the caller's own group (1). */
	assert_int_equal(do_wait4(w, w->init, &f, 0, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, w->init, &f, -7, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, w->init, &f, -2, 0), SC_HOST_EXIT);
	assert_int_equal(do_waitid(w, w->init, &f, P_PGID, 1, 0x5000, WEXITED),
			 SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_waitid(w, w->init, &f, P_PGID, 0, 0x5000, WEXITED),
			 SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_waitid(w, w->init, &f, P_PGID, 2, 0x5000, WEXITED),
			 SC_HOST_EXIT);
}

static void wait_without_wclone_does_not_see_clone_children(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	fake_clone(w->k, w->init, 0, SIGUSR1, 2);
	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, w->init, &f, 2, 0), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, w->init, &f, -1, __WCLONE), SC_HOST_EXIT);
	assert_int_equal(do_wait4(w, w->init, &f, -1, __WALL), SC_HOST_EXIT);
}

static void wait_with_wclone_does_not_see_sigchld_children(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(do_wait4(w, w->init, &f, -1, __WCLONE), SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, 0x5000,
				WEXITED | __WCLONE),
			 SC_RETURN);
	assert_int_equal(f.ret, -ECHILD);
	assert_int_equal(do_wait4(w, w->init, &f, -1, __WALL | __WCLONE),
			 SC_HOST_EXIT);
}

static void wait4_for_a_live_child_runs_on_the_host_unchanged(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(do_wait4(w, w->init, &f, -1, WNOHANG), SC_HOST_EXIT);
	assert_false(f.args_changed);
	assert_int_equal((int64_t)f.args[0], -1);
	assert_int_equal(f.args[1], 0x5000);
	assert_int_equal(f.args[2], WNOHANG);
	/* WNOHANG and nothing to report: nothing changes. */
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
}

static void wait4_rewrites_the_pid_to_a_zombie_child(void **state)
{
	struct fake_world *w = *state;
	struct task *c;
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	c = fake_fork(w->k, w->init, 3);
	fake_fork(w->k, w->init, 4);
	fake_exit(w->k, c, 0x0100);

	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_HOST_EXIT);
	assert_true(f.args_changed);
	assert_int_equal((pid_t)f.args[0], 3);
	assert_int_equal(f.args[1], 0x5000);

	assert_int_equal(do_wait4(w, w->init, &f, 0, WNOHANG), SC_HOST_EXIT);
	assert_true(f.args_changed);
	assert_int_equal((pid_t)f.args[0], 3);
}

static void wait4_exit_with_the_zombies_pid_reaps_it(void **state)
{
	struct fake_world *w = *state;
	struct task *c;
	struct syscall_frame f;
	struct kernel_snap ks;

	fake_fork(w->k, w->init, 2);
	c = fake_fork(w->k, w->init, 3);
	fake_exit(w->k, c, 0x0100);
	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 3);

	assert_int_equal(fake_tg_state(w->k, 3), -ESRCH);
	assert_int_equal(fake_task_exit_state(w->k, 3), -ESRCH);
	assert_string_equal(fake_children(w->k, 1), "2");
	kernel_snapshot(w->k, &ks);
	assert_int_equal(ks.nr_tasks, 2);
	assert_int_equal(ks.nr_tgs, 2);
}

static void wait4_exit_naming_a_live_child_reaps_nothing(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	/* A stopped child reported for WUNTRACED. */
	assert_int_equal(do_wait4(w, w->init, &f, -1, WUNTRACED), SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 2);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
	/* An error from the host changes nothing either. */
	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, -EINTR);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
}

static void any_thread_of_the_parent_can_wait_for_its_children(void **state)
{
	struct fake_world *w = *state;
	struct task *th = fake_clone(w->k, w->init, THREAD_FLAGS, 0, 2);
	struct task *c = fake_fork(w->k, w->init, 3);
	struct syscall_frame f;

	fake_exit(w->k, c, 0);
	assert_int_equal(do_wait4(w, th, &f, -1, 0), SC_HOST_EXIT);
	assert_int_equal((pid_t)f.args[0], 3);
	fake_syscall_exit(w->k, th, &f, 3);
	assert_int_equal(fake_tg_state(w->k, 3), -ESRCH);
}

static void wait4_rejects_unknown_options(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	/* WEXITED, WNOWAIT and WSTOPPED-as-such are waitid's only. */
	static const int bad[] = { WEXITED, WNOWAIT, 0x100000, 0x8 << 8 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(do_wait4(w, w->init, &f, -1, bad[i]), SC_RETURN);
		assert_int_equal(f.ret, -EINVAL);
	}
	assert_int_equal(do_wait4(w, w->init, &f, INT32_MIN, 0), SC_RETURN);
	assert_int_equal(f.ret, -ESRCH);
}

static void waitid_rewrites_idtype_and_id_to_the_zombie(void **state)
{
	struct fake_world *w = *state;
	struct task *c;
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	c = fake_fork(w->k, w->init, 3);
	fake_exit(w->k, c, 0);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, 0x5000,
				WEXITED | WNOHANG),
			 SC_HOST_EXIT);
	assert_true(f.args_changed);
	assert_int_equal(f.args[0], P_PID);
	assert_int_equal((pid_t)f.args[1], 3);
	assert_int_equal(f.args[2], 0x5000);
	assert_int_equal(f.args[3], WEXITED | WNOHANG);
}

static void waitid_for_stops_only_does_not_pick_a_zombie(void **state)
{
	struct fake_world *w = *state;
	struct task *c;
	struct syscall_frame f;

	c = fake_fork(w->k, w->init, 2);
	fake_exit(w->k, c, 0);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, 0x5000, WSTOPPED),
			 SC_HOST_EXIT);
	assert_false(f.args_changed);
	assert_int_equal(f.args[0], P_ALL);
}

static void waitid_exit_reaps_the_child_named_in_siginfo(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	uint64_t info = push_child_siginfo(w, 1, 2, CLD_EXITED, 0);
	struct syscall_frame f;

	fake_exit(w->k, c, 0);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, info, WEXITED),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(fake_tg_state(w->k, 2), -ESRCH);
}

static void waitid_exit_reaps_a_child_killed_by_a_signal(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	uint64_t info = push_child_siginfo(w, 1, 2, CLD_KILLED, SIGKILL);
	struct syscall_frame f;

	fake_exit(w->k, c, SIGKILL);
	assert_int_equal(do_waitid(w, w->init, &f, P_PID, 2, info, WEXITED),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(fake_tg_state(w->k, 2), -ESRCH);
}

static void waitid_with_wnowait_does_not_reap(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	uint64_t info = push_child_siginfo(w, 1, 2, CLD_EXITED, 0);
	struct syscall_frame f;

	fake_exit(w->k, c, 0);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, info,
				WEXITED | WNOWAIT),
			 SC_HOST_EXIT);
	assert_int_equal((pid_t)f.args[1], 2);
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_ZOMBIE);
}

static void waitid_reporting_a_stop_does_not_reap(void **state)
{
	struct fake_world *w = *state;
	uint64_t info = push_child_siginfo(w, 1, 2, CLD_STOPPED, SIGSTOP);
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, info,
				WEXITED | WSTOPPED),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
}

static void waitid_with_wnohang_and_nothing_to_report_reaps_nothing(void **state)
{
	struct fake_world *w = *state;
	/* The host zeroes si_pid when WNOHANG finds nothing. */
	uint64_t info = push_child_siginfo(w, 1, 0, 0, 0);
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, info,
				WEXITED | WNOHANG),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
}

static void waitid_rejects_bad_options_and_ids(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	fake_fork(w->k, w->init, 2);
	/* None of WEXITED, WSTOPPED, WCONTINUED. */
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, 0x5000, WNOHANG),
			 SC_RETURN);
	assert_int_equal(f.ret, -EINVAL);
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, 0x5000,
				WEXITED | 0x100000),
			 SC_RETURN);
	assert_int_equal(f.ret, -EINVAL);
	assert_int_equal(do_waitid(w, w->init, &f, 7, 0, 0x5000, WEXITED),
			 SC_RETURN);
	assert_int_equal(f.ret, -EINVAL);
	assert_int_equal(do_waitid(w, w->init, &f, P_PID, 0, 0x5000, WEXITED),
			 SC_RETURN);
	assert_int_equal(f.ret, -EINVAL);
	assert_int_equal(do_waitid(w, w->init, &f, P_PID, -2, 0x5000, WEXITED),
			 SC_RETURN);
	assert_int_equal(f.ret, -EINVAL);
	assert_int_equal(do_waitid(w, w->init, &f, P_PGID, -1, 0x5000, WEXITED),
			 SC_RETURN);
	assert_int_equal(f.ret, -EINVAL);
}

static void waitid_on_a_pidfd_is_left_to_the_host(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	uint64_t info = push_child_siginfo(w, 1, 2, CLD_EXITED, 0);
	struct syscall_frame f;

	fake_exit(w->k, c, 0);
	assert_int_equal(do_waitid(w, w->init, &f, 3 /* P_PIDFD */, 5, info,
				WEXITED),
			 SC_HOST_EXIT);
	assert_false(f.args_changed);
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(fake_tg_state(w->k, 2), -ESRCH);
}

static void wait_sees_children_adopted_after_reparenting(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, a, 3);
	struct syscall_frame f;

	fake_exit(w->k, a, 0);
	/* Reap 2 first; 3 is now init's live child. */
	do_wait4(w, w->init, &f, 2, 0);
	fake_syscall_exit(w->k, w->init, &f, 2);
	fake_exit(w->k, b, 0);
	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_HOST_EXIT);
	assert_int_equal((pid_t)f.args[0], 3);
}

/*
 * The host reparents an orphan the moment its parent dies; the kernel only
 * when the platform collects that death. If the orphan dies in between and
 * its death is collected first (the platform's waitpid(-1) lists newer
 * tracees first), the kernel holds it as its old parent's zombie while
 * the host lets the new parent (init) reap it. The host's reap must still
 * release it: left behind, it is reparented to init as a zombie the host
 * no longer has, every later wait4(-1) of init is rewritten to wait for it
 * and the host answers ECHILD while the command lives (issue #18:
 * "sentry-init: wait reported no children while the command lives").
 */
static void host_reap_of_an_orphan_the_kernel_has_not_reparented_yet(
	void **state)
{
	struct fake_world *w = *state;
	struct task *cmd = fake_fork(w->k, w->init, 2);
	struct task *p = fake_fork(w->k, cmd, 3);
	struct task *c = fake_fork(w->k, p, 4);
	struct syscall_frame f;

	/* init blocks in the host's wait for its live child, the command. */
	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_HOST_EXIT);
	/* A SIGKILL to the group of 3 and 4: the host kills 3 (reparenting 4
	 * to init), then 4; the platform collects 4 first. */
	fake_exit(w->k, c, SIGKILL);
	assert_int_equal(fake_tg_state(w->k, 4), TG_ZOMBIE);
	assert_int_equal(fake_ppid(w->k, 4), 3);
	/* The host's wait of init reaped 4, then the platform collects 3. */
	fake_syscall_exit(w->k, w->init, &f, 4);
	fake_exit(w->k, p, SIGKILL);

	assert_int_equal(fake_tg_state(w->k, 4), -ESRCH);
	assert_string_equal(fake_children(w->k, 1), "2");
	assert_string_equal(fake_children(w->k, 2), "3");
	/* init's next wait runs on the host as made, for whoever dies next. */
	assert_int_equal(do_wait4(w, w->init, &f, -1, 0), SC_HOST_EXIT);
	assert_false(f.args_changed);
	assert_int_equal((pid_t)f.args[0], -1);
}

/* The same race through waitid(2), whose reap is named in the siginfo. */
static void host_waitid_reap_of_an_orphan_not_reparented_yet(void **state)
{
	struct fake_world *w = *state;
	struct task *cmd = fake_fork(w->k, w->init, 2);
	struct task *p = fake_fork(w->k, cmd, 3);
	struct task *c = fake_fork(w->k, p, 4);
	uint64_t info = push_child_siginfo(w, 1, 4, CLD_KILLED, SIGKILL);
	struct syscall_frame f;

	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, info, WEXITED),
			 SC_HOST_EXIT);
	fake_exit(w->k, c, SIGKILL);
	fake_syscall_exit(w->k, w->init, &f, 0);
	fake_exit(w->k, p, SIGKILL);

	assert_int_equal(fake_tg_state(w->k, 4), -ESRCH);
	assert_string_equal(fake_children(w->k, 1), "2");
	assert_int_equal(do_waitid(w, w->init, &f, P_ALL, 0, info, WEXITED),
			 SC_HOST_EXIT);
	assert_false(f.args_changed);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(wait4_without_children_is_echild),
		TEST(waitid_without_children_is_echild),
		TEST(wait4_for_a_pid_that_is_not_a_child_is_echild),
		TEST(wait4_for_another_process_group_is_echild),
		TEST(wait_without_wclone_does_not_see_clone_children),
		TEST(wait_with_wclone_does_not_see_sigchld_children),
		TEST(wait4_for_a_live_child_runs_on_the_host_unchanged),
		TEST(wait4_rewrites_the_pid_to_a_zombie_child),
		TEST(wait4_exit_with_the_zombies_pid_reaps_it),
		TEST(wait4_exit_naming_a_live_child_reaps_nothing),
		TEST(any_thread_of_the_parent_can_wait_for_its_children),
		TEST(wait4_rejects_unknown_options),
		TEST(waitid_rewrites_idtype_and_id_to_the_zombie),
		TEST(waitid_for_stops_only_does_not_pick_a_zombie),
		TEST(waitid_exit_reaps_the_child_named_in_siginfo),
		TEST(waitid_exit_reaps_a_child_killed_by_a_signal),
		TEST(waitid_with_wnowait_does_not_reap),
		TEST(waitid_reporting_a_stop_does_not_reap),
		TEST(waitid_with_wnohang_and_nothing_to_report_reaps_nothing),
		TEST(waitid_rejects_bad_options_and_ids),
		TEST(waitid_on_a_pidfd_is_left_to_the_host),
		TEST(wait_sees_children_adopted_after_reparenting),
		TEST(host_reap_of_an_orphan_the_kernel_has_not_reparented_yet),
		TEST(host_waitid_reap_of_an_orphan_not_reparented_yet),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
