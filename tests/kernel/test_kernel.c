/*
 * Tests of src/kernel/kernel.c and the init task (kernel_start_init() in
 * task_clone.c): a kernel's life from kernel_init() to kernel_destroy().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/snapshot.h"

#define TEST_BARE(f) cmocka_unit_test(f)
#define KNOWN_BUG_BARE(f) cmocka_unit_test(f)

static void kernel_init_names_the_instance(void **state)
{
	struct kernel *k = calloc(1, sizeof(*k));

	assert_int_equal(kernel_init(k, NULL, NULL), 0);
	assert_string_equal(k->name, "sentry");
	assert_int_equal(k->init_exit_status, -1);
	assert_false(kernel_paused(k));
	kernel_destroy(k);
	assert_int_equal(kernel_init(k, NULL, "box-1"), 0);
	assert_string_equal(k->name, "box-1");
	kernel_destroy(k);
	free(k);
}

static void init_is_pid_one_leading_its_session_and_group(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;
	struct kernel_snap ks;

	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.tid, 1);
	assert_int_equal(s.tgid, 1);
	assert_int_equal(s.host_tid, 1001);
	assert_int_equal(s.ppid, 0);
	assert_int_equal(s.pgid, 1);
	assert_int_equal(s.sid, 1);
	assert_string_equal(s.comm, "init");
	assert_string_equal(s.cgroup, "/");
	task_snap_free(&s);
	assert_string_equal(fake_pgrps(w->k), "1(1):1");
	assert_string_equal(fake_sessions(w->k), "1:1");
	kernel_snapshot(w->k, &ks);
	assert_string_equal(ks.name, "test");
	assert_int_equal(ks.nr_tasks, 1);
	assert_int_equal(ks.tasks_created, 1);
}

/* A second init is a caller bug; the kernel says so and must neither
 * leak nor leave a phantom member in process group 1. */
static void second_init_is_refused_without_side_effects(void **state)
{
	struct fake_world *w = *state;
	struct task *t = NULL;

	assert_int_equal(kernel_start_init(w->k, 2001, INIT_NEW_SESSION, "x",
					   2, &t),
			 -EEXIST);
	assert_string_equal(fake_pgrps(w->k), "1(1):1");
	assert_string_equal(fake_sessions(w->k), "1:1");
}

/* kernel_destroy() "frees everything k still holds": a sandbox torn down
 * with tasks alive (the sentry exits on a fatal error, EXITKILL kills the
 * rest) must not leak the tree. */
static void kernel_destroy_frees_tasks_still_in_the_tree(void **state)
{
	struct fake_platform *fp = fake_platform_new();
	struct kernel *k = calloc(1, sizeof(*k));
	long before = fake_heap_in_use(), after;
	struct task *init;

	assert_int_equal(kernel_init(k, &fp->base, "leaky"), 0);
	init = fake_start_init(k, "init");
	fake_fork(k, init, 2);
	kernel_destroy(k);
	rcu_barrier();
	after = fake_heap_in_use();
	free(k);
	fake_platform_free(fp);
	if (before >= 0 && after > before)
		fail_msg("%ld bytes still allocated after kernel_destroy()",
			 after - before);
}

static void uptime_grows_from_boot(void **state)
{
	struct fake_world *w = *state;
	uint64_t a = kernel_uptime_ns(w->k), b;
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
	b = kernel_uptime_ns(w->k);
	assert_true(b >= a + 1000000);
	assert_true(w->k->boot_realtime_ns > 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST_BARE(kernel_init_names_the_instance),
		TEST(init_is_pid_one_leading_its_session_and_group),
		TEST(second_init_is_refused_without_side_effects),
		TEST_BARE(kernel_destroy_frees_tasks_still_in_the_tree),
		TEST(uptime_grows_from_boot),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
