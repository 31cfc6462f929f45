/*
 * Tests of src/kernel/task_stop.c: external stops. The kernel counts
 * (pause depth, per-task stop_count); the platform is told to interrupt
 * and release tasks, which the fake records.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/snapshot.h"
#include "kernel/task_stop.h"

#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

static int stop_count(struct fake_world *w, pid_t tid)
{
	struct task_snap s;

	assert_int_equal(task_snapshot(w->k, tid, &s), 0);
	task_snap_free(&s);
	return s.stop_count;
}

static void pause_interrupts_every_task_and_unpause_releases_them(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct kernel_snap ks;

	fake_clone(w->k, c, THREAD_FLAGS, 0, 3);
	assert_false(kernel_paused(w->k));
	assert_int_equal(kernel_pause(w->k), 0);
	assert_true(kernel_paused(w->k));
	for (pid_t tid = 1; tid <= 3; tid++) {
		assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, tid), 1);
		assert_int_equal(stop_count(w, tid), 1);
	}
	assert_true(task_should_hold(w->k, c));
	/* kernel_pause() returns once the platform holds everything. */
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_QUIESCE, FAKE_ANY_TID), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, FAKE_ANY_TID), 0);
	kernel_snapshot(w->k, &ks);
	assert_true(ks.paused);
	assert_int_equal(ks.pause_depth, 1);

	assert_int_equal(kernel_unpause(w->k), 0);
	assert_false(kernel_paused(w->k));
	for (pid_t tid = 1; tid <= 3; tid++) {
		assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, tid), 1);
		assert_int_equal(stop_count(w, tid), 0);
	}
	assert_false(task_should_hold(w->k, c));
}

static void pauses_nest_and_release_only_at_depth_zero(void **state)
{
	struct fake_world *w = *state;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(kernel_pause(w->k), 0);
	assert_int_equal(kernel_pause(w->k), 0);
	assert_true(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 1) >= 1);
	assert_true(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 2) >= 1);
	assert_int_equal(stop_count(w, 2), 2);

	assert_int_equal(kernel_unpause(w->k), 0);
	assert_true(kernel_paused(w->k));
	assert_int_equal(stop_count(w, 2), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, FAKE_ANY_TID), 0);

	assert_int_equal(kernel_unpause(w->k), 0);
	assert_false(kernel_paused(w->k));
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 1), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 2), 1);

	assert_int_equal(kernel_unpause(w->k), -EINVAL);
	assert_int_equal(stop_count(w, 2), 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, FAKE_ANY_TID), 2);
}

static void task_created_while_paused_starts_with_the_pause_depth(void **state)
{
	struct fake_world *w = *state;
	struct task *c;

	kernel_pause(w->k);
	kernel_pause(w->k);
	c = fake_fork(w->k, w->init, 2);
	assert_int_equal(stop_count(w, 2), 2);
	assert_true(task_should_hold(w->k, c));
	/* The platform holds it at its first stop: no interrupt needed. */
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 2), 0);

	kernel_unpause(w->k);
	assert_int_equal(stop_count(w, 2), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 2), 0);
	kernel_unpause(w->k);
	assert_int_equal(stop_count(w, 2), 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 2), 1);
	assert_false(task_should_hold(w->k, c));
}

static void stop_and_cont_of_one_task_leave_the_others_alone(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(task_stop_external(w->k, 2), 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 2), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 1), 0);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(task_state_letter(&s), 'T');
	task_snap_free(&s);

	assert_int_equal(task_cont_external(w->k, 2), 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 2), 1);
	assert_int_equal(stop_count(w, 2), 0);
	assert_int_equal(task_cont_external(w->k, 2), -EINVAL);
	assert_int_equal(task_stop_external(w->k, 99), -ESRCH);
	assert_int_equal(task_cont_external(w->k, 99), -ESRCH);
}

static void cont_cannot_undo_the_kernels_pause(void **state)
{
	struct fake_world *w = *state;

	fake_fork(w->k, w->init, 2);
	kernel_pause(w->k);
	assert_int_equal(task_cont_external(w->k, 2), -EINVAL);
	assert_int_equal(stop_count(w, 2), 1);
	kernel_unpause(w->k);
}

static void stopped_task_stays_held_when_the_kernel_resumes(void **state)
{
	struct fake_world *w = *state;

	fake_fork(w->k, w->init, 2);
	kernel_pause(w->k);
	assert_int_equal(task_stop_external(w->k, 2), 0);
	assert_int_equal(stop_count(w, 2), 2);
	kernel_unpause(w->k);
	assert_int_equal(stop_count(w, 2), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 2), 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 1), 1);
	assert_int_equal(task_cont_external(w->k, 2), 0);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_RELEASE, 2), 1);
}

static void pause_reports_a_platform_that_could_not_stop_everything(void **state)
{
	struct fake_world *w = *state;

	w->fp->quiesce_err = -ETIMEDOUT;
	assert_int_equal(kernel_pause(w->k), -ETIMEDOUT);
	/* The pause stands nevertheless: resume undoes it. */
	assert_true(kernel_paused(w->k));
	w->fp->quiesce_err = 0;
	assert_int_equal(kernel_unpause(w->k), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(pause_interrupts_every_task_and_unpause_releases_them),
		TEST(pauses_nest_and_release_only_at_depth_zero),
		TEST(task_created_while_paused_starts_with_the_pause_depth),
		TEST(stop_and_cont_of_one_task_leave_the_others_alone),
		TEST(cont_cannot_undo_the_kernels_pause),
		TEST(stopped_task_stays_held_when_the_kernel_resumes),
		TEST(pause_reports_a_platform_that_could_not_stop_everything),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
