/*
 * Tests of src/kernel/syscalls/lifecycle.c: what the lifecycle syscalls
 * record at entry for the events that complete them (clone3's arguments,
 * exec's argv, prctl, unshare).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "fixture.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/snapshot.h"

#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

static void clone3_takes_flags_and_exit_signal_from_clone_args(void **state)
{
	struct fake_world *w = *state;
	struct clone_args ca = { .flags = THREAD_FLAGS };
	uint64_t a = fake_mem_push(w->fp, 1, &ca, sizeof(ca));
	struct syscall_frame f;
	struct task *t = NULL;

	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_clone3, a,
				      sizeof(ca), 0, 0, 0, 0),
			 SC_HOST);
	assert_int_equal(task_clone(w->k, w->init, 2, 1002, &t), 0);
	assert_string_equal(fake_tg_tasks(w->k, 1), "1 2");

	ca = (struct clone_args){ .flags = CLONE_FILES,
				  .exit_signal = SIGCHLD };
	a = fake_mem_push(w->fp, 1, &ca, sizeof(ca));
	fake_syscall(w->k, w->init, &f, SYS_clone3, a, sizeof(ca), 0, 0, 0, 0);
	assert_int_equal(task_clone(w->k, w->init, 3, 1003, &t), 0);
	assert_int_equal(fake_ppid(w->k, 3), 1);
	assert_int_equal(t->exit_signal, SIGCHLD);
	assert_ptr_equal(t->fdt, w->init->fdt);
}

static void clone3_with_unreadable_args_is_left_to_the_host(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_clone3,
				      0xdead0000, 88, 0, 0, 0, 0),
			 SC_HOST);
	assert_int_equal(w->init->sc.clone_flags, 0);
	/* Too small a size: the host says EINVAL, nothing is created. */
	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_clone3,
				      0x5000, 8, 0, 0, 0, 0),
			 SC_HOST);
}

static void clone_records_flags_and_exit_signal(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	fake_syscall(w->k, w->init, &f, SYS_clone,
		     CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, 0);
	assert_int_equal(w->init->sc.clone_flags, CLONE_VM | CLONE_VFORK);
	assert_int_equal(w->init->sc.clone_exit_signal, SIGCHLD);
	/* A trapped clone's flags stand against the host's fork event. */
	task_clone_note_fork(w->init, false);
	assert_int_equal(w->init->sc.clone_flags, CLONE_VM | CLONE_VFORK);
	/* Untrapped vfork and fork: the event kind gives the flags, once the
	 * clone is consumed or another syscall came between. */
	fake_syscall(w->k, w->init, &f, SYS_getppid, 0, 0, 0, 0, 0, 0);
	task_clone_note_fork(w->init, true);
	assert_int_equal(w->init->sc.clone_flags, CLONE_VM | CLONE_VFORK);
	assert_int_equal(w->init->sc.clone_exit_signal, SIGCHLD);
	task_clone_note_fork(w->init, false);
	assert_int_equal(w->init->sc.clone_flags, 0);
}

static void exec_captures_the_path_and_argv_from_the_new_stack(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "ls", "-l", NULL };
	uint64_t sp = fake_mem_push_exec_stack(w->fp, 1, "/bin/ls", argv);
	struct task_snap s;

	assert_int_equal(task_exec_capture(w->k, w->init, sp), 0);
	assert_null(task_exec(w->k, w->init));
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_string_equal(s.comm, "ls");
	assert_int_equal(s.cmdline_len, sizeof("ls\0-l"));
	assert_memory_equal(s.cmdline, "ls\0-l", sizeof("ls\0-l"));
	task_snap_free(&s);
}

/* The environment strings of the new stack become the task's initial
 * environment (proc/PID/environ); a fork shares them, an exec replaces
 * them for the execing task only. */
static void exec_keeps_the_environment_and_a_fork_shares_it(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	struct syscall_frame f;
	struct task *child = NULL;
	struct task_snap s;

	assert_null(w->init->env);
	fake_exec(w->fp, w->k, w->init, "/bin/sh", argv);
	assert_non_null(w->init->env);
	assert_int_equal(w->init->env->len, sizeof("LANG=C"));
	assert_memory_equal(w->init->env->data, "LANG=C", sizeof("LANG=C"));

	fake_syscall(w->k, w->init, &f, SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
	assert_int_equal(task_clone(w->k, w->init, 2, 1002, &child), 0);
	assert_ptr_equal(child->env, w->init->env);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_ptr_equal(s.env, w->init->env);
	task_snap_free(&s);

	fake_exec(w->fp, w->k, child, "/bin/true", argv);
	assert_non_null(child->env);
	assert_ptr_not_equal(child->env, w->init->env);
	assert_memory_equal(child->env->data, "LANG=C", sizeof("LANG=C"));
	assert_int_equal(w->init->env->refs, 1);
}

static void exec_with_an_unreadable_stack_keeps_the_command_line(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	assert_int_equal(task_exec_capture(w->k, w->init, 0xdead0000),
			 -EFAULT);
	assert_null(task_exec(w->k, w->init));
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_string_equal(s.comm, "init");
	task_snap_free(&s);
}

/* An exec whose new stack cannot be read leaves no environment: not the
 * old image's (readers then take the host's file). */
static void exec_with_an_unreadable_stack_drops_the_old_environment(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };

	fake_exec(w->fp, w->k, w->init, "/bin/sh", argv);
	assert_non_null(w->init->env);
	assert_int_equal(task_exec_capture(w->k, w->init, 0xdead0000),
			 -EFAULT);
	assert_null(task_exec(w->k, w->init));
	assert_null(w->init->env);
}

/* Execs "/bin/x x ARG" with ARG n-1 bytes long and checks that the
 * command line holds both arguments whole. */
static void exec_big_argument_is_read_whole(struct fake_world *w, size_t n)
{
	char *big = malloc(n);
	const char *argv[] = { "x", big, NULL };
	struct task_snap s;

	assert_non_null(big);
	memset(big, 'a', n - 1);
	big[n - 1] = '\0';
	fake_exec(w->fp, w->k, w->init, "/bin/x", argv);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_string_equal(s.comm, "x");
	assert_int_equal(s.cmdline_len, 2 + n);
	assert_memory_equal(s.cmdline, "x\0aaaa", 6);
	assert_int_equal(s.cmdline[s.cmdline_len - 2], 'a');
	task_snap_free(&s);
	free(big);
}

/* Arguments are read whole, however many pages they span. */
static void exec_argv_strings_that_cross_pages_are_read_whole(void **state)
{
	exec_big_argument_is_read_whole(*state, 6000);
}

/* An argument larger than the first copy of the stack (32 KiB): a larger
 * copy reads the command line whole. */
static void exec_argv_beyond_the_first_read_is_read_whole(void **state)
{
	exec_big_argument_is_read_whole(*state, 40000);
}

/* Linux writes the real and effective IDs the exec left into the new
 * image's auxiliary vector; the saved and filesystem IDs follow the
 * effective ones (a set-user-ID program, here). */
static void exec_takes_credentials_from_the_auxiliary_vector(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "su", NULL };
	const uint32_t ids[4] = { 1000, 0, 100, 42 };
	uint64_t sp = fake_mem_push_exec_stack_ids(w->fp, 1, "/bin/su", argv,
						   ids);
	struct task_snap s;

	w->init->uid = w->init->euid = w->init->suid = w->init->fsuid = 1000;
	w->init->gid = w->init->egid = w->init->sgid = w->init->fsgid = 100;
	assert_int_equal(task_exec_capture(w->k, w->init, sp), 0);
	assert_null(task_exec(w->k, w->init));
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.euid, 0);
	assert_int_equal(s.suid, 0);
	assert_int_equal(s.fsuid, 0);
	assert_int_equal(s.gid, 100);
	assert_int_equal(s.egid, 42);
	assert_int_equal(s.sgid, 42);
	assert_int_equal(s.fsgid, 42);
	task_snap_free(&s);
}

static void prctl_set_name_sets_comm(void **state)
{
	struct fake_world *w = *state;
	uint64_t n = fake_mem_push_str(w->fp, 1, "worker-with-a-long-name");
	struct syscall_frame f;
	struct task_snap s;

	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_prctl,
				      PR_SET_NAME, n, 0, 0, 0, 0),
			 SC_HOST);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_string_equal(s.comm, "worker-with-a-l");
	task_snap_free(&s);
}

static void prctl_get_child_subreaper_to_bad_memory_is_efault(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;

	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_prctl,
				      PR_GET_CHILD_SUBREAPER, 0xdead0000, 0, 0,
				      0, 0),
			 SC_RETURN);
	assert_int_equal(f.ret, -EFAULT);
	/* Options the kernel does not track go to the host. */
	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_prctl,
				      PR_SET_DUMPABLE, 0, 0, 0, 0, 0),
			 SC_HOST);
}

static void unshare_files_splits_a_shared_table_when_the_host_agrees(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_clone(w->k, w->init, CLONE_FILES, SIGCHLD, 2);
	uint64_t shared = c->fdt->id;
	struct syscall_frame f;

	assert_int_equal(fake_syscall(w->k, c, &f, SYS_unshare, CLONE_FILES, 0,
				      0, 0, 0, 0),
			 SC_HOST_EXIT);
	fake_syscall_exit(w->k, c, &f, -EPERM);
	assert_int_equal(c->fdt->id, shared);

	fake_syscall(w->k, c, &f, SYS_unshare, CLONE_FILES, 0, 0, 0, 0, 0);
	fake_syscall_exit(w->k, c, &f, 0);
	assert_int_not_equal(c->fdt->id, shared);
	assert_int_equal(w->init->fdt->id, shared);
	assert_int_equal(fdt_users(w->init->fdt), 1);
}

static void unshare_files_of_an_unshared_table_keeps_its_identity(void **state)
{
	struct fake_world *w = *state;
	uint64_t id = w->init->fdt->id;
	struct syscall_frame f;

	fake_syscall(w->k, w->init, &f, SYS_unshare, CLONE_FILES, 0, 0, 0, 0,
		     0);
	fake_syscall_exit(w->k, w->init, &f, 0);
	assert_int_equal(w->init->fdt->id, id);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(clone3_takes_flags_and_exit_signal_from_clone_args),
		TEST(clone3_with_unreadable_args_is_left_to_the_host),
		TEST(clone_records_flags_and_exit_signal),
		TEST(exec_captures_the_path_and_argv_from_the_new_stack),
		TEST(exec_keeps_the_environment_and_a_fork_shares_it),
		TEST(exec_with_an_unreadable_stack_drops_the_old_environment),
		TEST(exec_with_an_unreadable_stack_keeps_the_command_line),
		TEST(exec_argv_strings_that_cross_pages_are_read_whole),
		TEST(exec_argv_beyond_the_first_read_is_read_whole),
		TEST(exec_takes_credentials_from_the_auxiliary_vector),
		TEST(prctl_set_name_sets_comm),
		TEST(prctl_get_child_subreaper_to_bad_memory_is_efault),
		TEST(unshare_files_splits_a_shared_table_when_the_host_agrees),
		TEST(unshare_files_of_an_unshared_table_keeps_its_identity),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
