/*
 * Tests of src/kernel/syscalls/affinity.c: the host runs sched_getaffinity
 * and sched_setaffinity; a thread with the sandbox's default affinity is
 * told the default whatever the host said (the platform may have bound it
 * to its own CPU), and a sched_setaffinity takes its target out of the
 * platform's hands before the host runs it.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>

#define KERNEL_TEST_SETUP setup_with_default_affinity
#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/snapshot.h"

static int setup_with_default_affinity(void **state)
{
	struct fake_world *w;
	cpu_set_t all;
	int err = kernel_test_setup(state);

	if (err)
		return err;
	w = *state;
	CPU_ZERO(&all);
	CPU_SET(0, &all);
	CPU_SET(1, &all);
	return kernel_set_default_affinity(w->k, &all, "3", "0-1");
}

/* A mask as the host wrote it: only CPU 1 (the platform's binding). */
static uint64_t push_bound_mask(struct fake_world *w, pid_t tid)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	return fake_mem_push(w->fp, tid, &one, sizeof(one));
}

/* init's sched_getaffinity(0, len, mask) where the host wrote only CPU 1
 * and answered host_ret: the first word of the mask init then reads. */
static unsigned long getaffinity_seen(struct fake_world *w, uint64_t len,
				      long host_ret)
{
	uint64_t addr = push_bound_mask(w, 1);
	unsigned long got = 0;

	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_sched_getaffinity,
					   0, len, addr, 0, host_ret),
			 host_ret);
	assert_true(fake_mem_peek(w->fp, 1, addr, &got, sizeof(got)));
	return got;
}

static bool default_affinity_of(struct fake_world *w, pid_t tid)
{
	struct task_snap s;
	bool d;

	assert_int_equal(task_snapshot(w->k, tid, &s), 0);
	d = s.default_affinity;
	task_snap_free(&s);
	return d;
}

static void getaffinity_of_a_default_thread_is_the_default(void **state)
{
	assert_int_equal(getaffinity_seen(*state, 128, 8), 3);
}

static void getaffinity_keeps_the_hosts_error(void **state)
{
	/* The mask is the host's, untouched. */
	assert_int_equal(getaffinity_seen(*state, 1, -EINVAL), 2);
}

static void setaffinity_releases_its_target_first(void **state)
{
	struct fake_world *w = *state;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_sched_setaffinity,
					   2, 128, 0x1000, 0, 0),
			 0);
	assert_int_equal(w->fp->nr_affinity_released, 1);
	assert_int_equal(w->fp->affinity_released[0], 2);
	assert_false(default_affinity_of(w, 2));
	assert_true(default_affinity_of(w, 1));
}

static void a_thread_that_set_its_affinity_is_told_the_hosts(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_sched_setaffinity,
					   0, 128, 0x1000, 0, 0),
			 0);
	assert_int_equal(getaffinity_seen(w, 128, 8), 2);
}

static void a_failed_setaffinity_keeps_the_default(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_sched_setaffinity,
					   0, 128, 0x1000, 0, -EINVAL),
			 -EINVAL);
	assert_true(default_affinity_of(w, 1));
}

static void children_inherit_a_chosen_affinity(void **state)
{
	struct fake_world *w = *state;

	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_sched_setaffinity,
					   0, 128, 0x1000, 0, 0),
			 0);
	fake_fork(w->k, w->init, 2);
	assert_false(default_affinity_of(w, 2));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(getaffinity_of_a_default_thread_is_the_default),
		TEST(getaffinity_keeps_the_hosts_error),
		TEST(setaffinity_releases_its_target_first),
		TEST(a_thread_that_set_its_affinity_is_told_the_hosts),
		TEST(a_failed_setaffinity_keeps_the_default),
		TEST(children_inherit_a_chosen_affinity),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
