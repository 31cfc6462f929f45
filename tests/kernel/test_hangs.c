/*
 * Tests of src/kernel/blocked.c and src/kernel/hangs.c: what a task waits
 * for, who could wake it, and the stuck set with its cycles, from the
 * host facts the fake platform shows (fake_host_asleep, fake_host_fd).
 */
#include <errno.h>
#include <stdio.h>
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "fixture.h"
#include "kernel/blocked.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"

#define THREAD_FLAGS                                                      \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

/* The fake host backs TID t by host thread t + 1000 (fake_clone). */
#define H(t) ((t) + 1000)

static struct hang_report *hangs(struct fake_world *w)
{
	struct hang_report *r;

	assert_int_equal(kernel_hangs(w->k, &r), 0);
	return r;
}

/* "3 4": the stuck set. */
static const char *stuck_text(const struct hang_report *r)
{
	static char buf[256];
	size_t u = 0;

	buf[0] = '\0';
	for (int i = 0; i < r->nr_stuck; i++)
		u += (size_t)snprintf(buf + u, sizeof(buf) - u, "%s%d",
				      i ? " " : "", (int)r->stuck[i]);
	return buf;
}

/* Task tid reads fd 3 of pipe ino and holds both ends of pipes p and q. */
static void pipe_reader(struct fake_world *w, pid_t tid, int ino, int p,
			int q)
{
	char t[32];

	snprintf(t, sizeof(t), "pipe:[%d]", p);
	fake_host_fd(w->fp, H(tid), 3, t, true, false);
	fake_host_fd(w->fp, H(tid), 4, t, false, true);
	snprintf(t, sizeof(t), "pipe:[%d]", q);
	fake_host_fd(w->fp, H(tid), 5, t, true, false);
	fake_host_fd(w->fp, H(tid), 6, t, false, true);
	fake_host_asleep(w->fp, H(tid), SYS_read, ino == p ? 3 : 5, 0, 1, 0);
}

static void two_readers_of_each_others_pipes_are_one_cycle(void **state)
{
	struct fake_world *w = *state;
	struct hang_report *r;
	const struct blocked_on *b;
	char line[512];

	fake_fork(w->k, w->init, 2);
	fake_fork(w->k, w->init, 3);
	pipe_reader(w, 2, 100, 100, 101);
	pipe_reader(w, 3, 101, 100, 101);
	fake_host_asleep(w->fp, H(1), SYS_wait4, (uint64_t)-1, 0, 0, 0);
	r = hangs(w);
	/* init waits for two stuck children: stuck too, outside the cycle. */
	assert_string_equal(stuck_text(r), "1 2 3");
	assert_int_equal(r->nr_cycles, 1);
	assert_int_equal(r->cycle_len[0], 2);
	assert_int_equal(r->cycles[0][0], 2);
	assert_int_equal(r->cycles[0][1], 3);
	b = hang_report_find(r, 2);
	assert_non_null(b);
	assert_string_equal(b->syscall, "read");
	assert_string_equal(b->object, "pipe:[100]");
	assert_string_equal(b->role, "writers");
	blocked_on_text(b, line, sizeof(line));
	assert_string_equal(line, "read pipe:[100] ← writers: 2 (itself: fd 4), "
				  "3 (fd 4)");
	b = hang_report_find(r, 1);
	assert_int_equal(b->kind, BLOCKED_WAIT);
	assert_int_equal(b->nr_wakers, 2);
	hang_report_free(r);
}

static void a_timed_sleep_anywhere_in_the_chain_frees_it(void **state)
{
	struct fake_world *w = *state;
	struct hang_report *r;

	fake_fork(w->k, w->init, 2);
	fake_fork(w->k, w->init, 3);
	/* 2 reads pipe 7 whose only writer, 3, sleeps with a timeout. */
	fake_host_fd(w->fp, H(2), 3, "pipe:[7]", true, false);
	fake_host_fd(w->fp, H(3), 4, "pipe:[7]", false, true);
	fake_host_asleep(w->fp, H(2), SYS_read, 3, 0, 1, 0);
	fake_host_asleep(w->fp, H(3), SYS_poll, 0, 0, 5000, 0);
	r = hangs(w);
	assert_int_equal(r->nr_stuck, 0);
	assert_true(hang_report_find(r, 3)->timed);
	assert_false(hang_report_find(r, 2)->timed);
	hang_report_free(r);
}

static void a_pair_the_host_keeps_running_is_not_stuck(void **state)
{
	struct fake_world *w = *state;
	struct hang_report *r;

	fake_fork(w->k, w->init, 2);
	fake_fork(w->k, w->init, 3);
	/* Seen one after the other: 2 asleep reading pipe 8, 3 asleep
	 * writing it. The host runs 3 between looks: no deadlock. */
	fake_host_fd(w->fp, H(2), 3, "pipe:[8]", true, false);
	fake_host_fd(w->fp, H(3), 4, "pipe:[8]", false, true);
	fake_host_asleep(w->fp, H(2), SYS_read, 3, 0, 1, 0);
	fake_host_asleep(w->fp, H(3), SYS_write, 4, 0, 1, 0);
	fake_host_thread(w->fp, H(3))->runs_step = 1;
	r = hangs(w);
	assert_int_equal(r->nr_stuck, 0);
	hang_report_free(r);
	/* Held still, the same two look deadlocked... but 3 writes a pipe
	 * whose reader 2 reads: a cycle the host facts allow. */
	fake_host_thread(w->fp, H(3))->runs_step = 0;
	r = hangs(w);
	assert_string_equal(stuck_text(r), "2 3");
	hang_report_free(r);
}

static void a_terminal_or_unknown_wait_is_never_stuck(void **state)
{
	struct fake_world *w = *state;
	struct hang_report *r;
	const struct blocked_on *b;

	fake_fork(w->k, w->init, 2);
	fake_fork(w->k, w->init, 3);
	fake_host_fd(w->fp, H(2), 0, "/dev/pts/3", true, true);
	fake_host_asleep(w->fp, H(2), SYS_read, 0, 0, 1, 0);
	/* A syscall the report knows nothing about. */
	fake_host_asleep(w->fp, H(3), SYS_msgrcv, 0, 0, 0, 0);
	r = hangs(w);
	assert_int_equal(r->nr_stuck, 0);
	b = hang_report_find(r, 2);
	assert_true(b->external);
	assert_string_equal(b->external_why, "terminal");
	b = hang_report_find(r, 3);
	assert_true(b->external);
	assert_string_equal(b->syscall, "msgrcv");
	hang_report_free(r);
}

static void mutexes_taken_in_opposite_orders_name_their_owners(void **state)
{
	struct fake_world *w = *state;
	struct task *p = fake_fork(w->k, w->init, 2);
	struct hang_report *r;
	const struct blocked_on *b;
	/* glibc's pthread_mutex_t: __lock 2 (waiters), __count, __owner. */
	uint32_t m1[3] = { 2, 0, 3 }, m2[3] = { 2, 0, 4 };

	fake_clone(w->k, p, THREAD_FLAGS, 0, 3);
	fake_clone(w->k, p, THREAD_FLAGS, 0, 4);
	fake_mem_map(w->fp, FAKE_ANY_TID, 0x1000, m1, sizeof(m1));
	fake_mem_map(w->fp, FAKE_ANY_TID, 0x2000, m2, sizeof(m2));
	/* 3 holds m1 and waits for m2; 4 holds m2 and waits for m1. */
	fake_host_asleep(w->fp, H(3), SYS_futex, 0x2000, 128 /* PRIVATE */, 2, 0);
	fake_host_asleep(w->fp, H(4), SYS_futex, 0x1000, 128, 2, 0);
	r = hangs(w);
	assert_string_equal(stuck_text(r), "3 4");
	b = hang_report_find(r, 3);
	assert_string_equal(b->object, "mutex 0x2000 (owner 4)");
	assert_string_equal(b->role, "owner");
	assert_int_equal(b->nr_wakers, 1);
	assert_int_equal(b->wakers[0].tid, 4);
	hang_report_free(r);
}

static void a_futex_with_a_timeout_is_timed(void **state)
{
	struct fake_world *w = *state;
	struct task *p = fake_fork(w->k, w->init, 2);
	struct timespec to = { 3, 0 };
	uint32_t word = 0;
	uint64_t ta, wa;
	struct hang_report *r;

	fake_clone(w->k, p, THREAD_FLAGS, 0, 3);
	ta = fake_mem_push(w->fp, FAKE_ANY_TID, &to, sizeof(to));
	wa = fake_mem_push(w->fp, FAKE_ANY_TID, &word, sizeof(word));
	fake_host_asleep(w->fp, H(3), SYS_futex, wa, 128, 0, ta);
	r = hangs(w);
	assert_true(hang_report_find(r, 3)->timed);
	assert_true(hang_report_find(r, 3)->has_remaining);
	assert_int_equal(r->nr_stuck, 0);
	hang_report_free(r);
}

static void waits_on_the_stuck_are_stuck_without_a_cycle(void **state)
{
	struct fake_world *w = *state;
	struct hang_report *r;
	char *why;

	fake_fork(w->k, w->init, 2);
	fake_fork(w->k, w->init, 3);
	fake_fork(w->k, w->init, 4);
	pipe_reader(w, 2, 100, 100, 101);
	pipe_reader(w, 3, 101, 100, 101);
	/* 4 reads pipe 9, which only 2 (stuck) can write. */
	fake_host_fd(w->fp, H(4), 3, "pipe:[9]", true, false);
	fake_host_fd(w->fp, H(2), 9, "pipe:[9]", false, true);
	fake_host_asleep(w->fp, H(4), SYS_read, 3, 0, 1, 0);
	r = hangs(w);
	assert_string_equal(stuck_text(r), "2 3 4");
	assert_int_equal(r->nr_cycles, 1);
	why = hang_why_text(r, 4);
	assert_non_null(why);
	assert_non_null(strstr(why, "4 (") );
	assert_non_null(strstr(why, "  2 ("));
	assert_non_null(strstr(why, "stuck: every task that could wake it is "
				    "stuck"));
	free(why);
	why = hang_why_text(r, 2);
	assert_non_null(strstr(why, "stuck: nothing outside the cycle 2 3"));
	free(why);
	assert_null(hang_why_text(r, 99));
	hang_report_free(r);
}

static void stops_and_zombies_say_what_ends_them(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct blocked_on b;
	char line[256];

	task_exit_begin(w->k, c, 0);
	task_exit_finish(w->k, c, 0);
	assert_int_equal(kernel_blocked_on(w->k, 2, &b), 0);
	assert_int_equal(b.kind, BLOCKED_ZOMBIE);
	blocked_on_text(&b, line, sizeof(line));
	assert_string_equal(line, "zombie reap by 1 ← parent: 1");
	blocked_on_free(&b);
	assert_int_equal(kernel_blocked_on(w->k, 42, &b), -ESRCH);
}

static void the_json_form_has_stuck_cycles_and_blocked(void **state)
{
	struct fake_world *w = *state;
	struct hang_report *r;
	json_t *j, *e;

	fake_fork(w->k, w->init, 2);
	fake_fork(w->k, w->init, 3);
	pipe_reader(w, 2, 100, 100, 101);
	pipe_reader(w, 3, 101, 100, 101);
	r = hangs(w);
	j = hang_report_json(r);
	assert_int_equal(json_array_size(json_object_get(j, "stuck")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "cycles")), 1);
	e = json_array_get(json_object_get(j, "blocked"), 0);
	assert_int_equal(json_integer_value(json_object_get(e, "tid")), 2);
	assert_string_equal(json_string_value(json_object_get(e, "syscall")),
			    "read");
	assert_int_equal(json_array_size(json_object_get(e, "wakers")), 2);
	json_decref(j);
	j = hang_why_json(r, 3);
	assert_true(json_is_true(json_object_get(j, "stuck")));
	assert_int_equal(json_array_size(json_object_get(j, "chain")), 2);
	json_decref(j);
	hang_report_free(r);
}

/* A pipe or socket whose other end no task of the sandbox holds is held
 * outside (a read would see EOF otherwise): `prog < pipe` from a shell. */
static void a_pipe_fed_from_outside_is_not_stuck(void **state)
{
	struct fake_world *w = *state;
	struct hang_report *r;
	const struct blocked_on *b;

	w->fp->peers[0] = (struct host_unix_peer){ .ino = 600, .peer = 601 };
	w->fp->nr_peers = 1;
	fake_fork(w->k, w->init, 2);
	fake_fork(w->k, w->init, 3);
	fake_host_fd(w->fp, H(2), 0, "pipe:[77]", true, false);
	fake_host_asleep(w->fp, H(2), SYS_read, 0, 0, 1, 0);
	fake_host_fd(w->fp, H(3), 5, "socket:[600]", true, true);
	fake_host_asleep(w->fp, H(3), SYS_recvfrom, 5, 0, 1, 0);
	r = hangs(w);
	assert_int_equal(r->nr_stuck, 0);
	b = hang_report_find(r, 2);
	assert_int_equal(b->nr_wakers, 0);
	assert_true(b->external);
	assert_string_equal(b->external_why, "pipe peer");
	b = hang_report_find(r, 3);
	assert_string_equal(b->object, "socket:[600] (peer socket:[601])");
	assert_true(b->external);
	hang_report_free(r);
}

/* A wait that sees a dead child is about to end, even when the child
 * was seen dead after the parent was seen waiting. */
static void a_wait_with_a_zombie_child_is_not_stuck(void **state)
{
	struct fake_world *w = *state;
	struct task *c = fake_fork(w->k, w->init, 2);
	struct hang_report *r;
	const struct blocked_on *b;

	task_exit_begin(w->k, c, 0);
	task_exit_finish(w->k, c, 0);
	fake_host_asleep(w->fp, H(1), SYS_wait4, (uint64_t)-1, 0, 0, 0);
	r = hangs(w);
	assert_int_equal(r->nr_stuck, 0);
	b = hang_report_find(r, 1);
	assert_int_equal(b->kind, BLOCKED_WAIT);
	assert_int_equal(b->nr_wakers, 1);
	assert_int_equal(b->wakers[0].tid, 2);
	hang_report_free(r);
}

/* A thread relocking a normal mutex it holds waits on itself; the
 * word's 2 (locked, waiters) is not TID 2, its process's leader. */
static void a_relocked_mutex_is_owned_by_the_waiter(void **state)
{
	struct fake_world *w = *state;
	struct task *p = fake_fork(w->k, w->init, 2);
	struct hang_report *r;
	const struct blocked_on *b;
	uint32_t m[3] = { 2, 0, 3 };

	fake_clone(w->k, p, THREAD_FLAGS, 0, 3);
	fake_mem_map(w->fp, FAKE_ANY_TID, 0x3000, m, sizeof(m));
	fake_host_asleep(w->fp, H(3), SYS_futex, 0x3000, 128, 2, 0);
	r = hangs(w);
	b = hang_report_find(r, 3);
	assert_string_equal(b->object, "mutex 0x3000 (owner 3)");
	assert_int_equal(b->nr_wakers, 1);
	assert_int_equal(b->wakers[0].tid, 3);
	assert_string_equal(stuck_text(r), "3");
	assert_int_equal(r->nr_cycles, 1);
	hang_report_free(r);
}

/* FUTEX_LOCK_PI's timeout is a CLOCK_REALTIME deadline. */
static void a_pi_lock_deadline_is_on_the_realtime_clock(void **state)
{
	struct fake_world *w = *state;
	struct task *p = fake_fork(w->k, w->init, 2);
	struct timespec to;
	uint32_t word = 2;
	uint64_t ta, wa;
	struct hang_report *r;
	const struct blocked_on *b;

	fake_clone(w->k, p, THREAD_FLAGS, 0, 3);
	clock_gettime(CLOCK_REALTIME, &to);
	to.tv_sec += 100;
	ta = fake_mem_push(w->fp, FAKE_ANY_TID, &to, sizeof(to));
	wa = fake_mem_push(w->fp, FAKE_ANY_TID, &word, sizeof(word));
	fake_host_asleep(w->fp, H(3), SYS_futex, wa, 6 /* LOCK_PI */ | 128,
			 0, ta);
	r = hangs(w);
	b = hang_report_find(r, 3);
	assert_true(b->timed);
	assert_true(b->has_remaining);
	assert_true(b->remaining_ns > 90ull * 1000000000u);
	assert_true(b->remaining_ns <= 100ull * 1000000000u);
	hang_report_free(r);
}

/* Enough tasks that describing runs on two threads (bw_parallel: 256 and
 * more): without wakers (ps) a socket's object still names its peer,
 * read once before the threads start (the TSan build checks that). */
static void ps_of_many_socket_readers_names_every_peer(void **state)
{
	struct fake_world *w = *state;
	struct blocked_on *v;
	int n;

	w->fp->peers[0] = (struct host_unix_peer){ .ino = 500, .peer = 501 };
	w->fp->peers[1] = (struct host_unix_peer){ .ino = 501, .peer = 500 };
	w->fp->nr_peers = 2;
	for (pid_t tid = 2; tid < 302; tid++) {
		fake_fork(w->k, w->init, tid);
		fake_host_fd(w->fp, H(tid), 3, "socket:[500]", true, true);
		fake_host_asleep(w->fp, H(tid), SYS_read, 3, 0, 1, 0);
	}
	n = kernel_blocked_list(w->k, false, &v);
	assert_int_equal(n, 301);
	for (int i = 1; i < n; i++) {
		assert_int_equal(v[i].tid, i + 1);
		assert_string_equal(v[i].object,
				    "socket:[500] (peer socket:[501])");
		assert_int_equal(v[i].nr_wakers, 0);
	}
	blocked_list_free(v, n);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(two_readers_of_each_others_pipes_are_one_cycle),
		TEST(a_timed_sleep_anywhere_in_the_chain_frees_it),
		TEST(a_pair_the_host_keeps_running_is_not_stuck),
		TEST(a_terminal_or_unknown_wait_is_never_stuck),
		TEST(mutexes_taken_in_opposite_orders_name_their_owners),
		TEST(a_futex_with_a_timeout_is_timed),
		TEST(waits_on_the_stuck_are_stuck_without_a_cycle),
		TEST(stops_and_zombies_say_what_ends_them),
		TEST(the_json_form_has_stuck_cycles_and_blocked),
		TEST(ps_of_many_socket_readers_names_every_peer),
		TEST(a_pipe_fed_from_outside_is_not_stuck),
		TEST(a_wait_with_a_zombie_child_is_not_stuck),
		TEST(a_relocked_mutex_is_owned_by_the_waiter),
		TEST(a_pi_lock_deadline_is_on_the_realtime_clock),
	};

	return KERNEL_TESTS_MAIN(tests, argc, argv);
}
