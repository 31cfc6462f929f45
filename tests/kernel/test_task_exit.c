/*
 * Tests of src/kernel/task_exit.c: exit states, zombies, autoreaping and
 * reparenting to init or the nearest child subreaper.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
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

static void set_sigchld(struct fake_world *w, struct task *t,
			uint64_t handler, uint64_t flags)
{
	struct sig_action act = { .handler = handler,
				  .flags = flags | SA_RESTORER };
	uint64_t a = fake_mem_push(w->fp, t->tid, &act, sizeof(act));

	assert_int_equal(fake_syscall_full(w->k, t, SYS_rt_sigaction, SIGCHLD,
					   a, 0, 8, 0),
			 0);
}

/* prctl(PR_SET_CHILD_SUBREAPER, 1) with the host agreeing. */
static void make_subreaper(struct fake_world *w, struct task *t)
{
	assert_int_equal(fake_syscall_full(w->k, t, SYS_prctl,
					   PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0),
			 0);
}

static void leader_goes_none_initiated_zombie_when_its_parent_waits(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task_snap s;
	struct tg_snap g;

	assert_int_equal(fake_task_exit_state(w->k, 2), TASK_EXIT_NONE);
	task_exit_begin(w->k, c, 0x0300);
	assert_int_equal(fake_task_exit_state(w->k, 2), TASK_EXIT_INITIATED);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);

	task_exit_finish(w->k, c, 0x0300);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(s.exit_state, TASK_EXIT_ZOMBIE);
	assert_int_equal(s.exit_status, 0x0300);
	assert_int_equal(task_state_letter(&s), 'Z');
	task_snap_free(&s);
	assert_int_equal(tg_snapshot(w->k, 2, &g), 0);
	assert_int_equal(g.state, TG_ZOMBIE);
	assert_int_equal(g.exit_status, 0x0300);
	assert_int_equal(g.ppid, 1);
	tg_snap_free(&g);
	/* The zombie keeps its place among its parent's children. */
	assert_string_equal(fake_children(w->k, 1), "2");
}

static void thread_leaves_the_tree_as_soon_as_it_dies(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, c, THREAD_FLAGS, 0, 3);

	task_exit_begin(w->k, th, 0);
	assert_int_equal(fake_task_exit_state(w->k, 3), TASK_EXIT_INITIATED);
	task_exit_finish(w->k, th, 0);
	assert_int_equal(fake_task_exit_state(w->k, 3), -ESRCH);
	assert_string_equal(fake_tg_tasks(w->k, 2), "2");
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
}

static void group_becomes_a_zombie_only_when_its_last_task_dies(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, c, THREAD_FLAGS, 0, 3);
	struct task_snap s;

	/* The leader returns from main with pthread_exit(). */
	fake_exit(w->k, c, 0x0700);
	assert_int_equal(fake_task_exit_state(w->k, 2), TASK_EXIT_ZOMBIE);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
	assert_string_equal(fake_tg_tasks(w->k, 2), "2 3");
	assert_int_equal(task_snapshot(w->k, 3, &s), 0);
	assert_int_equal(s.nr_threads, 1);
	task_snap_free(&s);

	fake_exit(w->k, th, 0x0100);
	assert_int_equal(fake_task_exit_state(w->k, 3), -ESRCH);
	assert_int_equal(fake_tg_state(w->k, 2), TG_ZOMBIE);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	/* Linux reports the leader's exit code unless the group exited as
	 * a whole. */
	assert_int_equal(s.exit_status, 0x0700);
	task_snap_free(&s);
}

static void group_is_exiting_once_every_task_began_to_exit(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, c, THREAD_FLAGS, 0, 3);
	struct tg_snap g;

	/* exit_group: the host reports an exit event for every thread. */
	task_exit_begin(w->k, th, 0x0300);
	assert_int_equal(tg_snapshot(w->k, 2, &g), 0);
	assert_false(g.exiting);
	tg_snap_free(&g);
	task_exit_begin(w->k, c, 0x0300);
	assert_int_equal(tg_snapshot(w->k, 2, &g), 0);
	assert_true(g.exiting);
	tg_snap_free(&g);
	fake_exit(w->k, th, 0x0300);
	fake_exit(w->k, c, 0x0300);
	assert_int_equal(tg_snapshot(w->k, 2, &g), 0);
	assert_int_equal(g.state, TG_ZOMBIE);
	assert_int_equal(g.exit_status, 0x0300);
	tg_snap_free(&g);
}

static void parent_ignoring_sigchld_has_its_children_autoreaped(void **state)
{
	struct fake_world *w = *state;
	struct task *c;

	set_sigchld(w, w->init, (uint64_t)(uintptr_t)SIG_IGN, 0);
	c = fake_fork(w->k, w->init, 2);
	fake_exit(w->k, c, 0);
	assert_int_equal(fake_tg_state(w->k, 2), -ESRCH);
	assert_int_equal(fake_task_exit_state(w->k, 2), -ESRCH);
	assert_string_equal(fake_children(w->k, 1), "");
	assert_string_equal(fake_pgrps(w->k), "1(1):1");
}

/* do_notify_parent(): a parent that ignores SIGCHLD is sent none, so
 * nothing stays queued for a delivery the host never makes. */
static void parent_ignoring_sigchld_gets_no_sigchld(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;
	struct task *c;

	set_sigchld(w, w->init, (uint64_t)(uintptr_t)SIG_IGN, 0);
	c = fake_fork(w->k, w->init, 2);
	fake_exit(w->k, c, 0);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.shared_pending, 0);
	assert_int_equal(s.nr_queued, 0);
	task_snap_free(&s);
	/* With a handler and SA_NOCLDWAIT, autoreaped but still signalled. */
	set_sigchld(w, w->init, 0x4000, SA_NOCLDWAIT);
	c = fake_fork(w->k, w->init, 3);
	fake_exit(w->k, c, 0);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.shared_pending, sig_bit(SIGCHLD));
	task_snap_free(&s);
}

static void parent_with_sa_nocldwait_has_its_children_autoreaped(void **state)
{
	struct fake_world *w = *state;
	struct task *c;

	set_sigchld(w, w->init, 0x4000, SA_NOCLDWAIT);
	c = fake_fork(w->k, w->init, 2);
	fake_exit(w->k, c, 0);
	assert_int_equal(fake_tg_state(w->k, 2), -ESRCH);
}

static void child_with_another_exit_signal_is_not_autoreaped(void **state)
{
	struct fake_world *w = *state;
	struct task *c;

	set_sigchld(w, w->init, (uint64_t)(uintptr_t)SIG_IGN, 0);
	c = fake_clone(w->k, w->init, 0, SIGUSR1, 2);
	fake_exit(w->k, c, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_ZOMBIE);
}

static void orphans_are_reparented_to_init(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_fork(w->k, a, 3);
	fake_exit(w->k, a, 0);
	assert_int_equal(fake_ppid(w->k, 3), 1);
	assert_string_equal(fake_children(w->k, 1), "2 3");
	assert_string_equal(fake_children(w->k, 2), "");
}

static void orphan_is_reparented_to_the_nearest_subreaper(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b, *c;
	struct tg_snap g;

	make_subreaper(w, a);
	assert_int_equal(tg_snapshot(w->k, 2, &g), 0);
	assert_true(g.subreaper);
	tg_snap_free(&g);
	b = fake_fork(w->k, a, 3);
	make_subreaper(w, b);
	c = fake_fork(w->k, b, 4);
	fake_fork(w->k, c, 5);

	fake_exit(w->k, c, 0);
	assert_int_equal(fake_ppid(w->k, 5), 3);
	fake_exit(w->k, b, 0);
	assert_int_equal(fake_ppid(w->k, 5), 2);
	/* 3 is a zombie child of 2; 4, 3's zombie child, came along. */
	assert_string_equal(fake_children(w->k, 2), "3 4 5");
}

static void subreaper_is_skipped_once_it_has_exited(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *ath = fake_clone(w->k, a, THREAD_FLAGS, 0, 3);
	struct task *b;

	make_subreaper(w, a);
	b = fake_fork(w->k, a, 4);
	fake_fork(w->k, b, 5);
	/* Every task of the subreaper is gone while its group still
	 * waits for... nothing: it is a zombie. */
	fake_exit(w->k, a, 0);
	fake_exit(w->k, ath, 0);
	assert_int_equal(fake_tg_state(w->k, 2), TG_ZOMBIE);
	assert_int_equal(fake_ppid(w->k, 4), 1);
	fake_exit(w->k, b, 0);
	assert_int_equal(fake_ppid(w->k, 5), 1);
}

static void subreaper_is_set_only_when_the_host_agrees(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	uint64_t out = fake_mem_push(w->fp, 2, NULL, sizeof(int));
	int v = -1;

	assert_int_equal(fake_syscall_full(w->k, a, SYS_prctl,
					   PR_SET_CHILD_SUBREAPER, 1, 0, 0,
					   -EINVAL),
			 -EINVAL);
	assert_int_equal(fake_syscall_full(w->k, a, SYS_prctl,
					   PR_GET_CHILD_SUBREAPER, out, 0, 0,
					   0),
			 0);
	assert_true(fake_mem_peek(w->fp, 2, out, &v, sizeof(v)));
	assert_int_equal(v, 0);

	make_subreaper(w, a);
	assert_int_equal(fake_syscall_full(w->k, a, SYS_prctl,
					   PR_GET_CHILD_SUBREAPER, out, 0, 0,
					   0),
			 0);
	assert_true(fake_mem_peek(w->fp, 2, out, &v, sizeof(v)));
	assert_int_equal(v, 1);

	assert_int_equal(fake_syscall_full(w->k, a, SYS_prctl,
					   PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0),
			 0);
	assert_int_equal(fake_syscall_full(w->k, a, SYS_prctl,
					   PR_GET_CHILD_SUBREAPER, out, 0, 0,
					   0),
			 0);
	assert_true(fake_mem_peek(w->fp, 2, out, &v, sizeof(v)));
	assert_int_equal(v, 0);
}

static void zombie_orphans_given_to_an_autoreaping_reaper_vanish(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, a, 3);

	fake_exit(w->k, b, 0);
	assert_int_equal(fake_tg_state(w->k, 3), TG_ZOMBIE);
	set_sigchld(w, w->init, (uint64_t)(uintptr_t)SIG_IGN, 0);
	fake_exit(w->k, a, 0);
	/* a is autoreaped by init, and its zombie child goes with it. */
	assert_int_equal(fake_tg_state(w->k, 2), -ESRCH);
	assert_int_equal(fake_tg_state(w->k, 3), -ESRCH);
	assert_string_equal(fake_children(w->k, 1), "");
}

static void zombie_orphans_given_to_a_waiting_reaper_stay_reapable(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task *b = fake_fork(w->k, a, 3);
	struct syscall_frame f;

	fake_exit(w->k, b, 0x0200);
	fake_exit(w->k, a, 0);
	assert_int_equal(fake_tg_state(w->k, 3), TG_ZOMBIE);
	assert_int_equal(fake_ppid(w->k, 3), 1);

	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_wait4, 3, 0, 0, 0,
				      0, 0),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, w->init, &f, 3);
	assert_int_equal(fake_tg_state(w->k, 3), -ESRCH);
}

static void init_exit_records_its_status_and_leaves_the_tree(void **state)
{
	struct fake_world *w = *state;
	struct kernel_snap ks;

	assert_int_equal(w->k->init_exit_status, -1);
	fake_exit(w->k, w->init, 0x0900);
	assert_int_equal(w->k->init_exit_status, 0x0900);
	assert_int_equal(fake_tg_state(w->k, 1), -ESRCH);
	kernel_snapshot(w->k, &ks);
	assert_int_equal(ks.nr_tasks, 0);
	assert_int_equal(ks.nr_tgs, 0);
	assert_int_equal(ks.nr_pgrps, 0);
	assert_int_equal(ks.nr_sessions, 0);
	assert_int_equal(ks.tasks_exited, 1);
}

static void exit_finish_twice_counts_the_task_once(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);

	fake_fork(w->k, c, 3);
	fake_clone(w->k, c, THREAD_FLAGS, 0, 4);
	fake_exit(w->k, c, 0);
	task_exit_finish(w->k, c, 0); /* a duplicate host report */
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);
	assert_string_equal(fake_tg_tasks(w->k, 2), "2 4");
}

static void zombie_leaves_its_process_group_only_when_reaped(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct syscall_frame f;

	assert_int_equal(fake_syscall_full(w->k, c, SYS_setpgid, 0, 0, 0, 0,
					   0),
			 0);
	fake_exit(w->k, c, 0);
	assert_string_equal(fake_pgrps(w->k), "1(1):1 2(1):2");
	fake_syscall(w->k, w->init, &f, SYS_wait4, (uint64_t)-1, 0, 0, 0, 0,
		     0);
	fake_syscall_exit(w->k, w->init, &f, 2);
	assert_string_equal(fake_pgrps(w->k), "1(1):1");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(leader_goes_none_initiated_zombie_when_its_parent_waits),
		TEST(thread_leaves_the_tree_as_soon_as_it_dies),
		TEST(group_becomes_a_zombie_only_when_its_last_task_dies),
		TEST(group_is_exiting_once_every_task_began_to_exit),
		TEST(parent_ignoring_sigchld_has_its_children_autoreaped),
		TEST(parent_ignoring_sigchld_gets_no_sigchld),
		TEST(parent_with_sa_nocldwait_has_its_children_autoreaped),
		TEST(child_with_another_exit_signal_is_not_autoreaped),
		TEST(orphans_are_reparented_to_init),
		TEST(orphan_is_reparented_to_the_nearest_subreaper),
		TEST(subreaper_is_skipped_once_it_has_exited),
		TEST(subreaper_is_set_only_when_the_host_agrees),
		TEST(zombie_orphans_given_to_an_autoreaping_reaper_vanish),
		TEST(zombie_orphans_given_to_a_waiting_reaper_stay_reapable),
		TEST(init_exit_records_its_status_and_leaves_the_tree),
		TEST(exit_finish_twice_counts_the_task_once),
		TEST(zombie_leaves_its_process_group_only_when_reaped),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
