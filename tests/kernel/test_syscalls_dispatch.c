/*
 * Tests of src/kernel/syscalls/dispatch.c: the syscall table, ENOSYS for
 * what is trapped but not implemented, statistics and the syscall
 * catchpoint.
 */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/snapshot.h"

static void ptrace_is_answered_by_the_kernel_and_counted(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	/* init has no parent to trace it, and may not trace itself. */
	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_ptrace,
				      PTRACE_TRACEME, 0, 0, 0, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -EPERM);
	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_ptrace,
				      PTRACE_ATTACH, 1, 0, 0, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -EPERM);
	assert_int_equal(w->k->syscalls[SYS_ptrace].count, 2);
	assert_int_equal(w->k->syscalls[SYS_ptrace].enosys, 0);
	assert_string_equal(kernel_syscall_name(SYS_ptrace), "ptrace");
}

static void syscall_the_kernel_does_not_know_answers_enosys(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_read, 0, 0, 0, 0,
				      0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -ENOSYS);
	assert_int_equal(w->k->syscalls[SYS_read].enosys, 1);
	/* Out of the table's range: answered, not counted, no crash. */
	assert_int_equal(fake_syscall(w->k, w->init, &f, KERNEL_NR_SYSCALLS,
				      0, 0, 0, 0, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -ENOSYS);
	assert_int_equal(fake_syscall(w->k, w->init, &f, -1, 0, 0, 0, 0, 0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -ENOSYS);
}

static void implemented_syscalls_are_counted_per_syscall_and_task(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;
	struct task_snap s;

	fake_syscall(w->k, w->init, &f, SYS_getpid, 0, 0, 0, 0, 0, 0);
	fake_syscall(w->k, w->init, &f, SYS_getpid, 0, 0, 0, 0, 0, 0);
	fake_syscall(w->k, w->init, &f, SYS_gettid, 0, 0, 0, 0, 0, 0);
	assert_int_equal(w->k->syscalls[SYS_getpid].count, 2);
	assert_int_equal(w->k->syscalls[SYS_getpid].enosys, 0);
	assert_int_equal(w->k->syscalls[SYS_gettid].count, 1);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.nr_syscalls, 3);
	task_snap_free(&s);
}

static void every_trapped_syscall_has_a_name(void **state)
{
	for (const int *nr = kernel_trapped_syscalls; *nr != -1; nr++)
		if (!kernel_syscall_name(*nr))
			fail_msg("trapped syscall %d has no name", *nr);
	assert_null(kernel_syscall_name(-1));
	assert_null(kernel_syscall_name(KERNEL_NR_SYSCALLS));
	assert_null(kernel_syscall_name(SYS_read));
	assert_string_equal(kernel_syscall_name(SYS_wait4), "wait4");
}

static void every_trapped_syscall_is_answered_or_passed_on(void **state)
{
	struct fake_world *w = *state;

	/* Zero arguments everywhere: no handler may crash on them. */
	for (const int *nr = kernel_trapped_syscalls; *nr != -1; nr++) {
		struct syscall_frame f;
		enum sc_action act;

		act = fake_syscall(w->k, w->init, &f, *nr, 0, 0, 0, 0, 0, 0);
		if (act == SC_RETURN && f.ret == -4095)
			fail_msg("%s answered without a result",
				 kernel_syscall_name(*nr));
		if (act == SC_HOST_EXIT)
			fake_syscall_exit(w->k, w->init, &f, -EINVAL);
	}
}

static bool pause_on_getpid(void *arg, enum kernel_event ev, pid_t tid,
			    long detail)
{
	(*(int *)arg)++;
	return ev == KERNEL_EVENT_SYSCALL && detail == SYS_getpid;
}

static void syscall_catchpoint_can_pause_the_kernel(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;
	int calls = 0;

	w->k->event_arg = &calls;
	w->k->event_fn = pause_on_getpid;
	fake_syscall(w->k, w->init, &f, SYS_gettid, 0, 0, 0, 0, 0, 0);
	assert_false(kernel_paused(w->k));
	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_getpid, 0, 0, 0,
				      0, 0, 0),
			 SC_HOST);
	w->k->event_fn = NULL;
	assert_int_equal(calls, 2);
	assert_true(kernel_paused(w->k));
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 1), 1);
	assert_int_equal(kernel_unpause(w->k), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(ptrace_is_answered_by_the_kernel_and_counted),
		TEST(syscall_the_kernel_does_not_know_answers_enosys),
		TEST(implemented_syscalls_are_counted_per_syscall_and_task),
		TEST(every_trapped_syscall_has_a_name),
		TEST(every_trapped_syscall_is_answered_or_passed_on),
		TEST(syscall_catchpoint_can_pause_the_kernel),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
