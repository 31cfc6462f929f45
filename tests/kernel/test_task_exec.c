/*
 * Tests of src/kernel/task_exec.c: what a successful execve commits
 * (command line, comm, signal dispositions, FD table identity) and
 * de_thread(): a non-leader that execs takes over the leader's TID.
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
#include "kernel/sigmask.h"
#include "kernel/snapshot.h"

#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

static void set_action(struct fake_world *w, struct task *t, int sig,
		       uint64_t handler, uint64_t flags, sigset64_t mask)
{
	struct sig_action act = { .handler = handler,
				  .flags = flags | SA_RESTORER,
				  .restorer = 0x7000, .mask = mask };
	uint64_t a = fake_mem_push(w->fp, t->tid, &act, sizeof(act));

	assert_int_equal(fake_syscall_full(w->k, t, SYS_rt_sigaction,
					   (uint64_t)sig, a, 0, 8, 0),
			 0);
}

static void exec_captures_argv_as_cmdline_and_the_program_name_as_comm(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	const char *const argv[] = { "echo", "hello", "world", NULL };
	struct task_snap s;
	struct tg_snap g;

	assert_null(fake_exec(w->fp, w->k, c, "/bin/echo", argv));
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_string_equal(s.comm, "echo");
	assert_int_equal(s.cmdline_len, sizeof("echo\0hello\0world"));
	assert_memory_equal(s.cmdline, "echo\0hello\0world",
			    sizeof("echo\0hello\0world"));
	assert_int_equal(s.tid, 2);
	task_snap_free(&s);
	assert_int_equal(tg_snapshot(w->k, 2, &g), 0);
	assert_true(g.execed);
	tg_snap_free(&g);
	/* The parent is untouched. */
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_string_equal(s.comm, "init");
	task_snap_free(&s);
}

static void exec_truncates_comm_to_fifteen_characters(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "x", NULL };
	struct task_snap s;

	fake_exec(w->fp, w->k, w->init,
		  "/usr/lib/a-very-long-program-name", argv);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_string_equal(s.comm, "a-very-long-pro");
	task_snap_free(&s);
}

/* Linux names the task after the file it ran (begin_new_exec():
 * __set_task_comm(me, kbasename(bprm->filename))), whatever argv says,
 * even when argv is empty. */
static void exec_with_an_empty_argv_still_names_the_program(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { NULL };
	struct task_snap s;

	fake_exec(w->fp, w->k, w->init, "/bin/true", argv);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_string_equal(s.comm, "true");
	assert_int_equal(s.cmdline_len, 0);
	task_snap_free(&s);
}

static void exec_resets_caught_handlers_but_keeps_ignored_signals(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	struct task_snap s;
	struct tg_snap g;

	set_action(w, w->init, SIGUSR1, 0x4000, SA_RESTART,
		   sig_bit(SIGINT));
	set_action(w, w->init, SIGHUP, (uint64_t)(uintptr_t)SIG_IGN, 0, 0);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.caught, sig_bit(SIGUSR1));
	assert_int_equal(s.ignored, sig_bit(SIGHUP));
	task_snap_free(&s);

	fake_exec(w->fp, w->k, w->init, "/bin/sh", argv);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.caught, 0);
	assert_int_equal(s.ignored, sig_bit(SIGHUP));
	task_snap_free(&s);
	assert_int_equal(tg_snapshot(w->k, 1, &g), 0);
	assert_int_equal(g.actions[SIGUSR1 - 1].handler,
			 (uint64_t)(uintptr_t)SIG_DFL);
	assert_int_equal(g.actions[SIGUSR1 - 1].flags, 0);
	assert_int_equal(g.actions[SIGUSR1 - 1].mask, 0);
	assert_int_equal(g.actions[SIGHUP - 1].handler,
			 (uint64_t)(uintptr_t)SIG_IGN);
	tg_snap_free(&g);
}

/* The host keeps the mask across exec; so does the kernel's copy of it
 * (kernel/sigmask.h). */
static void exec_keeps_the_signal_mask(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	struct task_snap s;

	task_note_sigmask(w->init, sig_bit(SIGTERM), false);
	fake_exec(w->fp, w->k, w->init, "/bin/sh", argv);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.blocked, sig_bit(SIGTERM));
	task_snap_free(&s);
}

static void exec_clears_the_alternate_signal_stack(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	stack_t ss = { .ss_sp = (void *)0x90000, .ss_size = 65536 };
	uint64_t a = fake_mem_push(w->fp, 1, &ss, sizeof(ss));
	struct task_snap s;

	assert_int_equal(fake_syscall_full(w->k, w->init, SYS_sigaltstack, a,
					   0, 0, 0, 0),
			 0);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.altstack.sp, 0x90000);
	task_snap_free(&s);

	fake_exec(w->fp, w->k, w->init, "/bin/sh", argv);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.altstack.sp, 0);
	assert_int_equal(s.altstack.size, 0);
	assert_int_equal(s.altstack.flags, SS_DISABLE);
	task_snap_free(&s);
}

static void exec_unshares_dispositions_shared_with_clone_sighand(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	struct task *c = fake_clone(w->k, w->init, CLONE_VM | CLONE_SIGHAND,
				    SIGCHLD, 2);
	struct tg_snap a, b;

	set_action(w, w->init, SIGUSR1, 0x4000, 0, 0);
	fake_exec(w->fp, w->k, c, "/bin/sh", argv);

	assert_int_equal(tg_snapshot(w->k, 1, &a), 0);
	assert_int_equal(tg_snapshot(w->k, 2, &b), 0);
	assert_true(a.sighand_id != b.sighand_id);
	assert_int_equal(a.sighand_users, 1);
	assert_int_equal(b.sighand_users, 1);
	/* The exec reset only the exec'ing process's copy. */
	assert_int_equal(a.actions[SIGUSR1 - 1].handler, 0x4000);
	assert_int_equal(b.actions[SIGUSR1 - 1].handler,
			 (uint64_t)(uintptr_t)SIG_DFL);
	tg_snap_free(&a);
	tg_snap_free(&b);
}

static void exec_unshares_a_shared_fd_table(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	struct task *c = fake_clone(w->k, w->init, CLONE_FILES, SIGCHLD, 2);
	struct task_snap p, s;

	fake_exec(w->fp, w->k, c, "/bin/sh", argv);
	assert_int_equal(task_snapshot(w->k, 1, &p), 0);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_not_equal(p.fdt_id, s.fdt_id);
	assert_int_equal(p.fdt_users, 1);
	assert_int_equal(s.fdt_users, 1);
	task_snap_free(&p);
	task_snap_free(&s);
}

static void exec_keeps_an_unshared_fd_table(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	struct task_snap before, after;

	assert_int_equal(task_snapshot(w->k, 1, &before), 0);
	fake_exec(w->fp, w->k, w->init, "/bin/sh", argv);
	assert_int_equal(task_snapshot(w->k, 1, &after), 0);
	assert_int_equal(before.fdt_id, after.fdt_id);
	task_snap_free(&before);
	task_snap_free(&after);
}

static void exec_by_a_non_leader_takes_over_the_leaders_tid(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "new", NULL };
	struct task *p = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, p, THREAD_FLAGS, 0, 3);
	struct task *old;
	struct task_snap s;

	fake_clone(w->k, p, THREAD_FLAGS, 0, 4);
	old = fake_exec(w->fp, w->k, th, "/bin/new", argv);

	/* The old leader is handed back, out of the tree. */
	assert_non_null(old);
	assert_ptr_equal(old, p);
	assert_int_equal(old->tid, 2);
	assert_int_equal(old->exit_state, TASK_EXIT_DEAD);
	task_put(old);

	assert_int_equal(th->tid, 2);
	assert_int_equal(th->host_tid, 1002);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_true(s.is_leader);
	assert_int_equal(s.tgid, 2);
	assert_int_equal(s.ppid, 1);
	assert_string_equal(s.comm, "new");
	assert_int_equal(s.nr_threads, 2);
	task_snap_free(&s);
	assert_int_equal(task_snapshot(w->k, 3, &s), -ESRCH);
	/* The leader first, then the thread the host still has to kill. */
	assert_string_equal(fake_tg_tasks(w->k, 2), "2 4");
	assert_string_equal(fake_children(w->k, 1), "2");
	assert_int_equal(fake_syscall_full(w->k, th, SYS_gettid, 0, 0, 0, 0,
					   0),
			 2);
}

static void exec_by_a_non_leader_after_the_leader_exited(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "new", NULL };
	struct task *p = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, p, THREAD_FLAGS, 0, 3);
	struct task *old;

	/* pthread_exit() in main: the leader is a zombie task. */
	fake_exit(w->k, p, 0);
	assert_int_equal(fake_task_exit_state(w->k, 2), TASK_EXIT_ZOMBIE);
	assert_int_equal(fake_tg_state(w->k, 2), TG_LIVE);

	old = fake_exec(w->fp, w->k, th, "/bin/new", argv);
	assert_ptr_equal(old, p);
	task_put(old);
	assert_int_equal(fake_task_exit_state(w->k, 2), TASK_EXIT_NONE);
	assert_string_equal(fake_tg_tasks(w->k, 2), "2");

	fake_exit(w->k, th, 0x0500);
	assert_int_equal(fake_tg_state(w->k, 2), TG_ZOMBIE);
}

/* de_thread() gives the exec'ing thread the group's exit signal
 * (tsk->exit_signal = SIGCHLD): the process stays a normal child of its
 * parent, reaped by wait() without __WCLONE and autoreaped like any other. */
static void exec_by_a_non_leader_keeps_the_process_waitable(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "new", NULL };
	struct task *p = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, p, THREAD_FLAGS, 0, 3);
	struct syscall_frame f;
	struct task_snap s;

	task_put(fake_exec(w->fp, w->k, th, "/bin/new", argv));
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(s.exit_signal, SIGCHLD);
	task_snap_free(&s);

	fake_exit(w->k, th, 0);
	assert_int_equal(fake_syscall(w->k, w->init, &f, SYS_wait4,
				      (uint64_t)-1, 0, 0, 0, 0, 0),
			 SC_HOST_EXIT);
	assert_int_equal((pid_t)f.args[0], 2);
}

static bool pause_on_exec(void *arg, enum kernel_event ev, pid_t tid,
			  long detail)
{
	if (ev == KERNEL_EVENT_EXEC)
		*(pid_t *)arg = tid;
	return ev == KERNEL_EVENT_EXEC;
}

static void exec_event_can_pause_the_kernel(void **state)
{
	struct fake_world *w = *state;
	const char *const argv[] = { "sh", NULL };
	struct task *c = fake_fork(w->k, w->init, 2);
	pid_t seen = 0;

	w->k->event_arg = &seen;
	w->k->event_fn = pause_on_exec;
	fake_exec(w->fp, w->k, c, "/bin/sh", argv);
	w->k->event_fn = NULL;
	assert_int_equal(seen, 2);
	assert_true(kernel_paused(w->k));
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 1), 1);
	assert_int_equal(fake_calls(w->fp, FAKE_CALL_INTERRUPT, 2), 1);
	assert_int_equal(kernel_unpause(w->k), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(exec_captures_argv_as_cmdline_and_the_program_name_as_comm),
		TEST(exec_truncates_comm_to_fifteen_characters),
		TEST(exec_with_an_empty_argv_still_names_the_program),
		TEST(exec_resets_caught_handlers_but_keeps_ignored_signals),
		TEST(exec_keeps_the_signal_mask),
		TEST(exec_clears_the_alternate_signal_stack),
		TEST(exec_unshares_dispositions_shared_with_clone_sighand),
		TEST(exec_unshares_a_shared_fd_table),
		TEST(exec_keeps_an_unshared_fd_table),
		TEST(exec_by_a_non_leader_takes_over_the_leaders_tid),
		TEST(exec_by_a_non_leader_after_the_leader_exited),
		TEST(exec_by_a_non_leader_keeps_the_process_waitable),
		TEST(exec_event_can_pause_the_kernel),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
