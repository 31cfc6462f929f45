/*
 * Tests of src/kernel/syscalls/limits.c and src/kernel/limits.c: setrlimit
 * and prlimit64 run on the host; when one succeeds the kernel rereads the
 * target process's limits, so what it shows is what the host enforces.
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/snapshot.h"

static struct rlimit nofile_of(struct fake_world *w, pid_t tgid)
{
	struct tg_snap g;
	struct rlimit r;

	assert_int_equal(tg_snapshot(w->k, tgid, &g), 0);
	r = g.limits[RLIMIT_NOFILE];
	tg_snap_free(&g);
	return r;
}

static void a_successful_setrlimit_rereads_the_limits(void **state)
{
	struct fake_world *w = *state;

	fake_set_host_nofile(w->fp, 1, 123, 456);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_setrlimit,
					   RLIMIT_NOFILE, 0x5000, 0, 0, 0),
			 0);
	assert_int_equal(nofile_of(w, 1).rlim_cur, 123);
	assert_int_equal(nofile_of(w, 1).rlim_max, 456);
}

static void a_failed_prlimit_changes_nothing(void **state)
{
	struct fake_world *w = *state;
	struct rlimit before = nofile_of(w, 1);
	size_t reads = w->fp->nr_limit_reads;

	fake_set_host_nofile(w->fp, 1, 7, 7);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_prlimit64, 0,
					   RLIMIT_NOFILE, 0x5000, 0, -EPERM),
			 -EPERM);
	assert_int_equal(w->fp->nr_limit_reads, reads);
	assert_int_equal(nofile_of(w, 1).rlim_cur, before.rlim_cur);
}

static void prlimit_of_another_process_rereads_that_process(void **state)
{
	struct fake_world *w = *state;
	struct rlimit mine = nofile_of(w, 1);

	fake_fork(w->k, w->init, 2);
	fake_set_host_nofile(w->fp, 2, 77, 88);
	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_prlimit64, 2,
					   RLIMIT_NOFILE, 0x5000, 0, 0),
			 0);
	assert_int_equal(nofile_of(w, 2).rlim_cur, 77);
	assert_int_equal(nofile_of(w, 2).rlim_max, 88);
	assert_int_equal(nofile_of(w, 1).rlim_cur, mine.rlim_cur);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(a_successful_setrlimit_rereads_the_limits),
		TEST(a_failed_prlimit_changes_nothing),
		TEST(prlimit_of_another_process_rereads_that_process),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
