/*
 * Tests of src/kernel/task_clone.c: the task tree that clone(2) in its
 * forms builds (fork, threads, CLONE_PARENT, CLONE_FILES, CLONE_SIGHAND,
 * vfork), driven as the platform drives it: the parent's trapped clone
 * records its flags, then the host reports the new thread.
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

/* What pthread_create passes (glibc 2.36). */
#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

/* Sets sig's handler in t's dispositions through rt_sigaction. */
static void set_handler(struct fake_world *w, struct task *t, int sig,
			uint64_t handler)
{
	struct sig_action act = { .handler = handler, .flags = SA_RESTORER,
				  .restorer = 0x7000 };
	uint64_t a = fake_mem_push(w->fp, t->tid, &act, sizeof(act));

	assert_int_equal(fake_syscall_full(w->k, t, SYS_rt_sigaction,
					   (uint64_t)sig, a, 0, 8, 0),
			 0);
}

static uint64_t handler_of(struct fake_world *w, pid_t tgid, int sig)
{
	struct tg_snap s;
	uint64_t h;

	assert_int_equal(tg_snapshot(w->k, tgid, &s), 0);
	h = s.actions[sig - 1].handler;
	tg_snap_free(&s);
	return h;
}

static void fork_creates_a_child_group_whose_ppid_is_the_parent(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct task_snap s;

	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(s.tid, 2);
	assert_int_equal(s.tgid, 2);
	assert_int_equal(s.host_tid, 1002);
	assert_true(s.is_leader);
	assert_int_equal(s.ppid, 1);
	assert_int_equal(s.pgid, 1);
	assert_int_equal(s.sid, 1);
	assert_int_equal(s.exit_signal, SIGCHLD);
	assert_int_equal(s.exit_state, TASK_EXIT_NONE);
	assert_int_equal(s.nr_threads, 1);
	assert_string_equal(s.comm, "init");
	assert_memory_equal(s.cmdline, "init", 5);
	task_snap_free(&s);

	assert_string_equal(fake_children(w->k, 1), "2");
	assert_string_equal(fake_children(w->k, 2), "");
	assert_string_equal(fake_pgrps(w->k), "1(1):1,2");
	assert_int_equal(fake_syscall_full(w->k, c, SYS_getppid, 0, 0, 0, 0,
					   0),
			 1);
}

static void fork_counts_the_new_task_and_group(void **state)
{
	struct fake_world *w = *state;
	struct kernel_snap ks;

	fake_fork(w->k, w->init, 2);
	kernel_snapshot(w->k, &ks);
	assert_int_equal(ks.nr_tasks, 2);
	assert_int_equal(ks.nr_tgs, 2);
	assert_int_equal(ks.tasks_created, 2);
	assert_int_equal(ks.nr_pgrps, 1);
	assert_int_equal(ks.nr_sessions, 1);
}

static void clone_thread_joins_the_callers_thread_group(void **state)
{
	struct fake_world *w = *state;
	struct task *th = fake_clone(w->k, w->init, THREAD_FLAGS, 0, 2);
	struct task_snap s;

	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(s.tgid, 1);
	assert_false(s.is_leader);
	assert_int_equal(s.exit_signal, -1);
	assert_int_equal(s.nr_threads, 2);
	assert_int_equal(s.ppid, 0); /* init's parent is outside */
	task_snap_free(&s);

	assert_string_equal(fake_tg_tasks(w->k, 1), "1 2");
	assert_int_equal(tg_snapshot(w->k, 2, &(struct tg_snap){ 0 }),
			 -ESRCH);
	assert_string_equal(fake_children(w->k, 1), "");
	assert_int_equal(fake_syscall_full(w->k, th, SYS_getpid, 0, 0, 0, 0,
					   0),
			 1);
	assert_int_equal(fake_syscall_full(w->k, th, SYS_gettid, 0, 0, 0, 0,
					   0),
			 2);
}

static void fork_from_a_thread_makes_a_child_of_its_thread_group(void **state)
{
	struct fake_world *w = *state;
	struct task *p = fake_fork(w->k, w->init, 2);
	struct task *th = fake_clone(w->k, p, THREAD_FLAGS, 0, 3);

	fake_fork(w->k, th, 4);
	assert_int_equal(fake_ppid(w->k, 4), 2);
	assert_string_equal(fake_children(w->k, 2), "4");
}

static void clone_parent_makes_a_sibling_of_the_caller(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);

	fake_clone(w->k, a, CLONE_PARENT, SIGCHLD, 3);
	assert_int_equal(fake_ppid(w->k, 3), 1);
	assert_string_equal(fake_children(w->k, 1), "2 3");
	assert_string_equal(fake_children(w->k, 2), "");
}

/* Linux's copy_process(): a CLONE_PARENT child reports to the shared
 * parent with the caller's exit signal, whatever the clone asked for, so
 * that the parent can wait for it like for its own child. */
static void clone_parent_child_reports_with_the_callers_exit_signal(void **state)
{
	struct fake_world *w = *state;
	struct task *a = fake_fork(w->k, w->init, 2);
	struct task_snap s;

	fake_clone(w->k, a, CLONE_PARENT, 0, 3);
	assert_int_equal(task_snapshot(w->k, 3, &s), 0);
	assert_int_equal(s.exit_signal, SIGCHLD);
	task_snap_free(&s);
}

static void clone_files_shares_the_fd_table_identity(void **state)
{
	struct fake_world *w = *state;
	struct task_snap p, c;

	fake_clone(w->k, w->init, CLONE_FILES, SIGCHLD, 2);
	assert_int_equal(task_snapshot(w->k, 1, &p), 0);
	assert_int_equal(task_snapshot(w->k, 2, &c), 0);
	assert_int_not_equal(p.fdt_id, 0);
	assert_int_equal(p.fdt_id, c.fdt_id);
	assert_int_equal(c.fdt_users, 2);
	task_snap_free(&p);
	task_snap_free(&c);
}

static void fork_gives_the_child_a_new_fd_table(void **state)
{
	struct fake_world *w = *state;
	struct task_snap p, c;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(task_snapshot(w->k, 1, &p), 0);
	assert_int_equal(task_snapshot(w->k, 2, &c), 0);
	assert_int_not_equal(c.fdt_id, 0);
	assert_int_not_equal(p.fdt_id, c.fdt_id);
	assert_int_equal(p.fdt_users, 1);
	assert_int_equal(c.fdt_users, 1);
	task_snap_free(&p);
	task_snap_free(&c);
}

static void threads_share_the_fd_table_until_the_last_one_leaves(void **state)
{
	struct fake_world *w = *state;
	struct task *th = fake_clone(w->k, w->init, THREAD_FLAGS, 0, 2);
	struct task_snap s;

	(void)th;
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.fdt_users, 2);
	task_snap_free(&s);
	fake_exit(w->k, th, 0);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	/* The exited thread's reference goes with it once freed. */
	rcu_barrier();
	task_snap_free(&s);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.fdt_users, 1);
	task_snap_free(&s);
}

static void clone_sighand_shares_dispositions(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_clone(w->k, w->init, CLONE_VM | CLONE_SIGHAND,
				    SIGCHLD, 2);
	struct tg_snap a, b;

	set_handler(w, c, SIGUSR1, 0x4000);
	assert_int_equal(handler_of(w, 1, SIGUSR1), 0x4000);

	assert_int_equal(tg_snapshot(w->k, 1, &a), 0);
	assert_int_equal(tg_snapshot(w->k, 2, &b), 0);
	assert_true(a.sighand_id == b.sighand_id);
	assert_int_equal(a.sighand_users, 2);
	tg_snap_free(&a);
	tg_snap_free(&b);
}

static void fork_copies_dispositions_instead_of_sharing_them(void **state)
{
	struct fake_world *w = *state;
	struct task *c;
	struct tg_snap a, b;

	set_handler(w, w->init, SIGUSR1, 0x4000);
	c = fake_fork(w->k, w->init, 2);
	assert_int_equal(handler_of(w, 2, SIGUSR1), 0x4000);

	set_handler(w, c, SIGUSR1, (uint64_t)(uintptr_t)SIG_IGN);
	assert_int_equal(handler_of(w, 2, SIGUSR1),
			 (uint64_t)(uintptr_t)SIG_IGN);
	assert_int_equal(handler_of(w, 1, SIGUSR1), 0x4000);

	assert_int_equal(tg_snapshot(w->k, 1, &a), 0);
	assert_int_equal(tg_snapshot(w->k, 2, &b), 0);
	assert_true(a.sighand_id != b.sighand_id);
	assert_int_equal(a.sighand_users, 1);
	tg_snap_free(&a);
	tg_snap_free(&b);
}

/* The host gives the child the creating thread's mask; so does the
 * kernel's copy of it (kernel/sigmask.h). */
static void child_inherits_the_signal_mask_of_the_creating_thread(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	task_note_sigmask(w->init, sig_bit(SIGUSR1), false);
	fake_fork(w->k, w->init, 2);
	fake_clone(w->k, w->init, THREAD_FLAGS, 0, 3);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(s.blocked, sig_bit(SIGUSR1));
	task_snap_free(&s);
	assert_int_equal(task_snapshot(w->k, 3, &s), 0);
	assert_int_equal(s.blocked, sig_bit(SIGUSR1));
	task_snap_free(&s);
}

static void child_starts_in_the_parents_process_group_and_cgroup(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;
	struct tg_snap g;

	fake_fork(w->k, w->init, 2);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(s.pgid, 1);
	assert_int_equal(s.sid, 1);
	assert_string_equal(s.cgroup, "/");
	task_snap_free(&s);
	assert_int_equal(tg_snapshot(w->k, 2, &g), 0);
	assert_int_equal(g.limits[RLIMIT_NOFILE].rlim_cur,
			 0 + g.limits[RLIMIT_NOFILE].rlim_cur);
	tg_snap_free(&g);
}

static void vfork_holds_the_parent_until_the_child_releases_it(void **state)
{
	struct fake_world *w = *state;
	struct syscall_frame f;
	struct task *c = NULL;
	struct task_snap s;

	(void)f;
	task_clone_note_fork(w->init, true);
	assert_int_equal(task_clone(w->k, w->init, 2, 1002, &c), 0);
	task_vfork_begin(w->k, w->init);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.stop, TASK_STOP_VFORK);
	assert_int_equal(task_state_letter(&s), 'D');
	task_snap_free(&s);

	task_vfork_done(w->k, w->init);
	assert_int_equal(task_snapshot(w->k, 1, &s), 0);
	assert_int_equal(s.stop, TASK_STOP_NONE);
	assert_int_equal(task_state_letter(&s), '\0');
	task_snap_free(&s);
	assert_int_equal(fake_ppid(w->k, 2), 1);
}

static void clone_with_a_custom_exit_signal_records_it(void **state)
{
	struct fake_world *w = *state;
	struct task_snap s;

	fake_clone(w->k, w->init, 0, SIGUSR1, 2);
	assert_int_equal(task_snapshot(w->k, 2, &s), 0);
	assert_int_equal(s.exit_signal, SIGUSR1);
	task_snap_free(&s);
}

static void tasks_have_unique_tids_in_sorted_listings(void **state)
{
	struct fake_world *w = *state;
	pid_t *v;
	int n;

	fake_fork(w->k, w->init, 5);
	fake_clone(w->k, w->init, THREAD_FLAGS, 0, 3);
	fake_fork(w->k, w->init, 4);
	n = ts_list_tids(w->k, false, &v);
	assert_int_equal(n, 4);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 3);
	assert_int_equal(v[2], 4);
	assert_int_equal(v[3], 5);
	free(v);
	n = ts_list_tids(w->k, true, &v);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 4);
	assert_int_equal(v[2], 5);
	free(v);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(fork_creates_a_child_group_whose_ppid_is_the_parent),
		TEST(fork_counts_the_new_task_and_group),
		TEST(clone_thread_joins_the_callers_thread_group),
		TEST(fork_from_a_thread_makes_a_child_of_its_thread_group),
		TEST(clone_parent_makes_a_sibling_of_the_caller),
		TEST(clone_parent_child_reports_with_the_callers_exit_signal),
		TEST(clone_files_shares_the_fd_table_identity),
		TEST(fork_gives_the_child_a_new_fd_table),
		TEST(threads_share_the_fd_table_until_the_last_one_leaves),
		TEST(clone_sighand_shares_dispositions),
		TEST(fork_copies_dispositions_instead_of_sharing_them),
		TEST(child_inherits_the_signal_mask_of_the_creating_thread),
		TEST(child_starts_in_the_parents_process_group_and_cgroup),
		TEST(vfork_holds_the_parent_until_the_child_releases_it),
		TEST(clone_with_a_custom_exit_signal_records_it),
		TEST(tasks_have_unique_tids_in_sorted_listings),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
