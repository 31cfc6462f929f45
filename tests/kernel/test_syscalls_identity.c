/*
 * Tests of src/kernel/syscalls/identity.c: the identity syscalls answered
 * from the emulated tree, and setpgid/setsid decided with Linux's rules
 * (kernel/sys.c) and committed only when the host agreed.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/snapshot.h"

#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

/* A syscall answered by the kernel alone: returns f.ret, fails the test
 * when the kernel passed it to the host. */
static long answered(struct fake_world *w, struct task *t, long nr,
		     uint64_t a0, uint64_t a1)
{
	struct syscall_frame f;

	if (fake_syscall(w->k, t, &f, nr, a0, a1, 0, 0, 0, 0) != SC_RETURN)
		fail_msg("syscall %ld went to the host", nr);
	return f.ret;
}

/* getpid/gettid: the kernel lets the host answer, which by coherent
 * identity is the kernel's own answer; checks both. */
static long host_answered(struct fake_world *w, struct task *t, long nr)
{
	struct syscall_frame f;
	long want = nr == SYS_getpid ? task_tgid(t) : t->tid;

	if (fake_syscall(w->k, t, &f, nr, 0, 0, 0, 0, 0, 0) != SC_HOST)
		fail_msg("syscall %ld was not left to the host", nr);
	assert_int_equal(fake_syscall_full(w->k, t, nr, 0, 0, 0, 0, -1),
			 want);
	return want;
}

/* setpgid(pid, pgid) by t: the kernel's entry decision, then (when it
 * lets the host run it) the exit with the host's result host_ret. Returns
 * what the task sees. */
static long do_setpgid(struct fake_world *w, struct task *t, pid_t pid,
		       pid_t pgid, long host_ret)
{
	struct syscall_frame f;

	switch (fake_syscall(w->k, t, &f, SYS_setpgid, (uint64_t)pid,
			     (uint64_t)(int64_t)pgid, 0, 0, 0, 0)) {
	case SC_RETURN:
		return f.ret;
	case SC_HOST_EXIT:
		fake_syscall_exit(w->k, t, &f, host_ret);
		return host_ret;
	default:
		fail_msg("setpgid went to the host without an exit");
		return 0;
	}
}

/* setsid() by t with the host returning t's TGID. */
static long setsid_ok(struct fake_world *w, struct task *t)
{
	struct syscall_frame f;

	if (fake_syscall(w->k, t, &f, SYS_setsid, 0, 0, 0, 0, 0, 0) !=
	    SC_HOST_EXIT)
		return f.ret;
	fake_syscall_exit(w->k, t, &f, task_tgid(t));
	return task_tgid(t);
}

static void identity_syscalls_are_answered_from_the_tree(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, c, THREAD_FLAGS, 0, 3);

	assert_int_equal(host_answered(w, w->init, SYS_getpid), 1);
	assert_int_equal(answered(w, w->init, SYS_getppid, 0, 0), 0);
	assert_int_equal(host_answered(w, w->init, SYS_gettid), 1);
	assert_int_equal(host_answered(w, th, SYS_getpid), 2);
	assert_int_equal(host_answered(w, th, SYS_gettid), 3);
	assert_int_equal(answered(w, th, SYS_getppid, 0, 0), 1);
	assert_int_equal(answered(w, th, SYS_getpgid, 0, 0), 1);
	assert_int_equal(answered(w, th, SYS_getpgrp, 0, 0), 1);
	assert_int_equal(answered(w, th, SYS_getsid, 0, 0), 1);
}

static void getpgid_and_getsid_name_other_processes_or_esrch(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	assert_int_equal(setsid_ok(w, c), 2);
	assert_int_equal(answered(w, w->init, SYS_getpgid, 2, 0), 2);
	assert_int_equal(answered(w, w->init, SYS_getsid, 2, 0), 2);
	assert_int_equal(answered(w, c, SYS_getsid, 1, 0), 1);
	assert_int_equal(answered(w, c, SYS_getpgid, 99, 0), -ESRCH);
	assert_int_equal(answered(w, c, SYS_getsid, 99, 0), -ESRCH);
}

static void getppid_follows_reparenting(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, a, 3);

	assert_int_equal(answered(w, b, SYS_getppid, 0, 0), 2);
	fake_exit(w->k, a, 0);
	assert_int_equal(answered(w, b, SYS_getppid, 0, 0), 1);
}

/* getpgid(2) and getsid(2) take any thread's TID (find_task_by_vpid()). */
static void getpgid_of_a_thread_names_its_process(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	fake_clone(w->k, c, THREAD_FLAGS, 0, 3);
	assert_int_equal(answered(w, w->init, SYS_getpgid, 3, 0), 1);
	assert_int_equal(answered(w, w->init, SYS_getsid, 3, 0), 1);
}

static void setpgid_with_a_negative_pgid_is_einval(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	assert_int_equal(do_setpgid(w, c, 0, -1, 0), -EINVAL);
	assert_int_equal(do_setpgid(w, w->init, 99, -5, 0), -EINVAL);
}

static void setpgid_of_a_process_that_is_not_a_child_is_esrch(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_fork(w->k, a, 3);
	assert_int_equal(do_setpgid(w, w->init, 3, 0, 0), -ESRCH);
	assert_int_equal(do_setpgid(w, a, 1, 0, 0), -ESRCH);
	assert_int_equal(do_setpgid(w, a, 99, 0, 0), -ESRCH);
}

static void setpgid_of_a_child_after_it_execed_is_eacces(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	const char *const argv[] = { "sh", NULL };

	assert_int_equal(do_setpgid(w, w->init, 2, 2, 0), 0);
	assert_int_equal(do_setpgid(w, w->init, 2, 1, 0), 0);
	fake_exec(w->fp, w->k, c, "/bin/sh", argv);
	assert_int_equal(do_setpgid(w, w->init, 2, 0, 0), -EACCES);
	/* The child itself still may. */
	assert_int_equal(do_setpgid(w, c, 0, 0, 0), 0);
	assert_string_equal(fake_pgrps(w->k), "1(1):1 2(1):2");
}

static void setpgid_of_a_session_leader_is_eperm(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	assert_int_equal(do_setpgid(w, w->init, 0, 0, 0), -EPERM);
	assert_int_equal(setsid_ok(w, c), 2);
	assert_int_equal(do_setpgid(w, c, 0, 0, 0), -EPERM);
}

static void setpgid_of_a_child_in_another_session_is_eperm(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task *gc = fake_fork(w->k, c, 3);

	assert_int_equal(setsid_ok(w, c), 2);
	/* 3 stayed in session 1 when its parent left it. */
	assert_int_equal(answered(w, gc, SYS_getsid, 0, 0), 1);
	assert_int_equal(do_setpgid(w, c, 3, 0, 0), -EPERM);
	assert_int_equal(do_setpgid(w, w->init, 2, 0, 0), -EPERM);
}

static void setpgid_into_a_group_of_another_session_is_eperm(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, w->init, 3);

	assert_int_equal(setsid_ok(w, a), 2);
	assert_int_equal(do_setpgid(w, b, 0, 2, 0), -EPERM);
	/* A group that does not exist is no better. */
	assert_int_equal(do_setpgid(w, b, 0, 42, 0), -EPERM);
	assert_string_equal(fake_pgrps(w->k), "1(1):1,3 2(2):2");
}

static void setpgid_commits_only_when_the_host_agrees(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	assert_int_equal(do_setpgid(w, c, 0, 0, -EPERM), -EPERM);
	assert_int_equal(answered(w, c, SYS_getpgid, 0, 0), 1);
	assert_string_equal(fake_pgrps(w->k), "1(1):1,2");

	assert_int_equal(do_setpgid(w, c, 0, 0, 0), 0);
	assert_int_equal(answered(w, c, SYS_getpgid, 0, 0), 2);
	assert_string_equal(fake_pgrps(w->k), "1(1):1 2(1):2");
	assert_string_equal(fake_sessions(w->k), "1:1,2");
}

static void setpgid_moves_children_between_groups_of_the_session(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_fork(w->k, w->init, 3);
	/* A shell puts a pipeline in one group: first member leads. */
	assert_int_equal(do_setpgid(w, w->init, 2, 2, 0), 0);
	assert_int_equal(do_setpgid(w, w->init, 3, 2, 0), 0);
	assert_string_equal(fake_pgrps(w->k), "1(1):1 2(1):2,3");
	/* Moving the leader out keeps the group while 3 is in it. */
	assert_int_equal(do_setpgid(w, a, 0, 1, 0), 0);
	assert_string_equal(fake_pgrps(w->k), "1(1):1,2 2(1):3");
	/* The emptied group goes away. */
	assert_int_equal(do_setpgid(w, w->init, 3, 1, 0), 0);
	assert_string_equal(fake_pgrps(w->k), "1(1):1,2,3");
	assert_string_equal(fake_sessions(w->k), "1:1");
}

static void setsid_by_a_process_group_leader_is_eperm(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;

	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_setsid, 0, 0, 0,
				      0, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -EPERM);
	assert_int_equal(do_setpgid(w, c, 0, 0, 0), 0);
	assert_int_equal(fake_syscall(w->k, c, &f, SYS_setsid, 0, 0, 0, 0, 0,
				      0),
			 SC_RETURN);
	assert_int_equal(f.ret, -EPERM);
}

static void setsid_makes_a_new_session_led_by_the_caller(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	assert_int_equal(setsid_ok(w, c), 2);
	assert_int_equal(answered(w, c, SYS_getsid, 0, 0), 2);
	assert_int_equal(answered(w, c, SYS_getpgid, 0, 0), 2);
	assert_string_equal(fake_pgrps(w->k), "1(1):1 2(2):2");
	assert_string_equal(fake_sessions(w->k), "1:1 2:2");
	{
		struct session_snap *v;
		int n = session_snapshot_all(w->k, &v);

		assert_int_equal(n, 2);
		assert_int_equal(v[0].foreground, 1);
		assert_int_equal(v[1].foreground, -1); /* no terminal yet */
		session_snaps_free(v, n);
	}
	/* The one-session lookup (stat's tpgid) agrees. */
	assert_int_equal(session_foreground(w->k, 1), 1);
	assert_int_equal(session_foreground(w->k, 2), -1);
	assert_int_equal(session_foreground(w->k, 99), -ESRCH);
}

static void setsid_commits_nothing_when_the_host_fails(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;

	assert_int_equal(fake_syscall(w->k, c, &f, SYS_setsid, 0, 0, 0, 0, 0,
				      0),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, c, &f, -EPERM);
	assert_int_equal(answered(w, c, SYS_getsid, 0, 0), 1);
	assert_string_equal(fake_sessions(w->k), "1:1");
}

static void session_goes_away_with_its_last_process(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;

	assert_int_equal(setsid_ok(w, c), 2);
	fake_exit(w->k, c, 0);
	assert_string_equal(fake_sessions(w->k), "1:1 2:2");
	fake_syscall(w->k, w->init, &f, SYS_wait4, 2, 0, 0, 0, 0, 0);
	fake_syscall_exit(w->k, w->init, &f, 2);
	assert_string_equal(fake_sessions(w->k), "1:1");
}

static void init_in_the_outer_session_reports_sid_zero(void **state)
{
	struct fake_world *w = *state;
	struct kernel k2;
	struct task *t = NULL;

	(void)w;
	assert_int_equal(kernel_init(&k2, &w->fp->base, "outer"), 0);
	assert_int_equal(kernel_start_init(&k2, 2001, INIT_NEW_PGRP, "sh",
					   3, &t),
			 0);
	assert_int_equal(answered(&(struct fake_world){ .k = &k2 }, t,
				  SYS_getsid, 0, 0),
			 0);
	assert_int_equal(answered(&(struct fake_world){ .k = &k2 }, t,
				  SYS_getpgid, 0, 0),
			 1);
	fake_exit(&k2, t, 0);
	kernel_destroy(&k2);
}

static void tcsetpgrp_makes_the_group_the_foreground_one(void **state)
{
	struct fake_world *w = *state;
	pid_t two = 2, one = 1;
	uint64_t a2 = fake_mem_push(w->fp, 1, &two, sizeof(two));
	uint64_t a1 = fake_mem_push(w->fp, 1, &one, sizeof(one));

	fake_fork(w->k, w->init, 2);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_setpgid, 2, 2,
					   0, 0, 0),
			 0);
	assert_int_equal(session_foreground(w->k, 1), 1);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_ioctl, 0,
					   TIOCSPGRP, a2, 0, 0),
			 0);
	assert_int_equal(session_foreground(w->k, 1), 2);
	/* Not the controlling terminal: the host refuses, nothing moves. */
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_ioctl, 0,
					   TIOCSPGRP, a1, 0, -ENOTTY),
			 -ENOTTY);
	assert_int_equal(session_foreground(w->k, 1), 2);
	/* Other ioctls are the host's alone. */
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_ioctl, 0,
					   TIOCGPGRP, a1, 0, 0),
			 0);
	assert_int_equal(session_foreground(w->k, 1), 2);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_ioctl, 0,
					   TIOCSPGRP, a1, 0, 0),
			 0);
	assert_int_equal(session_foreground(w->k, 1), 1);
}

static void tiocsctty_puts_the_callers_group_in_the_foreground(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_setpgid, 2, 2,
					   0, 0, 0),
			 0);
	assert_int_equal(session_foreground(w->k, 1), 1);
	/* The host refuses (not a session leader): nothing moves. */
	assert_int_equal(fake_syscall_full(w->k, c, SYS_ioctl, 0, TIOCSCTTY,
					   0, 0, -EPERM),
			 -EPERM);
	assert_int_equal(session_foreground(w->k, 1), 1);
	assert_int_equal(fake_syscall_full(w->k, c, SYS_ioctl, 0, TIOCSCTTY,
					   1, 0, 0),
			 0);
	assert_int_equal(session_foreground(w->k, 1), 2);
}

/* Linux's terminal keeps its foreground pgrp after the group's last
 * process left (ps then shows that tpgid for the rest of the session). */
static void the_foreground_outlives_its_group(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	pid_t two = 2;
	uint64_t a2 = fake_mem_push(w->fp, 1, &two, sizeof(two));

	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_setpgid, 2, 2,
					   0, 0, 0),
			 0);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_ioctl, 0,
					   TIOCSPGRP, a2, 0, 0),
			 0);
	fake_exit(w->k, c, 0);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_wait4, -1, 0, 0,
					   0, 2),
			 2);
	assert_int_equal(session_foreground(w->k, 1), 2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(identity_syscalls_are_answered_from_the_tree),
		TEST(getpgid_and_getsid_name_other_processes_or_esrch),
		TEST(getppid_follows_reparenting),
		TEST(getpgid_of_a_thread_names_its_process),
		TEST(setpgid_with_a_negative_pgid_is_einval),
		TEST(setpgid_of_a_process_that_is_not_a_child_is_esrch),
		TEST(setpgid_of_a_child_after_it_execed_is_eacces),
		TEST(setpgid_of_a_session_leader_is_eperm),
		TEST(setpgid_of_a_child_in_another_session_is_eperm),
		TEST(setpgid_into_a_group_of_another_session_is_eperm),
		TEST(setpgid_commits_only_when_the_host_agrees),
		TEST(setpgid_moves_children_between_groups_of_the_session),
		TEST(setsid_by_a_process_group_leader_is_eperm),
		TEST(setsid_makes_a_new_session_led_by_the_caller),
		TEST(setsid_commits_nothing_when_the_host_fails),
		TEST(session_goes_away_with_its_last_process),
		TEST(init_in_the_outer_session_reports_sid_zero),
		TEST(tcsetpgrp_makes_the_group_the_foreground_one),
		TEST(tiocsctty_puts_the_callers_group_in_the_foreground),
		TEST(the_foreground_outlives_its_group),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
