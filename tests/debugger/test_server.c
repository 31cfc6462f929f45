/*
 * Tests of the control server (src/debugger/server.c, commands.c,
 * catch.c, instances.c) and of sentrydbg's connection code (client.c):
 * a kernel on the fake platform, a real control socket in a private
 * runtime directory, and clients speaking the protocol.
 *
 * Run one test: test_server NAME (CTest registers each T(NAME) below).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "debugger/client.h"
#include "debugger/instances.h"
#include "debugger/proto.h"
#include "debugger/server.h"
#include "fake_platform.h"
#include "kernel/dump.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/syscalls/syscalls.h"

static char rundir[] = "/tmp/sentry-dbg-test-XXXXXX";

struct fx {
	struct kernel *k;
	struct fake_platform *fp;
	struct ctl_server *srv;
	char name[64];
	char sock[108];
	struct task *init, *t2, *t3, *t4;
};

static int counter;

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[256];

	fx->fp = fake_platform_new();
	fx->k = calloc(1, sizeof(*fx->k));
	assert_int_equal(kernel_init(fx->k, &fx->fp->base, "t"), 0);
	fx->init = fake_start_init(fx->k, "init");
	fx->t2 = fake_fork(fx->k, fx->init, 2);
	fx->t3 = fake_clone(fx->k, fx->t2,
			    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				    CLONE_THREAD,
			    0, 3);
	/* Task 4 is backed by this very process so its descriptors can be
	 * read from /proc. */
	task_clone_note_fork(fx->init, false);
	assert_int_equal(task_clone(fx->k, fx->init, 4, getpid(), &fx->t4), 0);
	snprintf(fx->name, sizeof(fx->name), "test-%d-%d", (int)getpid(),
		 ++counter);
	assert_int_equal(ctl_server_start(fx->k, fx->name, "init --flag", NULL,
					  &fx->srv, err, sizeof(err)),
			 0);
	snprintf(fx->sock, sizeof(fx->sock), "%s/%s/ctl", rundir, fx->name);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;

	ctl_server_stop(fx->srv);
	while (kernel_paused(fx->k))
		kernel_unpause(fx->k);
	fake_world_exit_all(fx->k);
	kernel_destroy(fx->k);
	free(fx->k);
	fake_platform_free(fx->fp);
	free(fx);
	return 0;
}

static int connect_fx(struct fx *fx)
{
	char err[256];
	int fd = ctl_connect(fx->sock, err, sizeof(err));

	assert_true(fd >= 0);
	return fd;
}

/* Sends one request and returns the reply (events skipped). */
static json_t *call(int fd, const char *cmd, json_t *args)
{
	static long long id;
	json_t *req = ctl_request_new(++id, cmd, args), *rep = NULL;

	assert_int_equal(ctl_send(fd, req), 0);
	json_decref(req);
	for (;;) {
		assert_int_equal(ctl_recv(fd, CTL_MAX_REPLY, 5000, &rep), 0);
		if (!json_object_get(rep, "event"))
			break;
		json_decref(rep);
	}
	assert_int_equal(json_integer_value(json_object_get(rep, "id")), id);
	return rep;
}

/* The result of a successful call; fails the test otherwise. */
static json_t *ok_result(json_t *rep)
{
	if (!json_is_true(json_object_get(rep, "ok"))) {
		char *s = json_dumps(rep, 0);

		fail_msg("expected ok, got %s", s);
	}
	return json_object_get(rep, "result");
}

static const char *err_code(json_t *rep)
{
	assert_true(json_is_false(json_object_get(rep, "ok")));
	return json_string_value(
		json_object_get(json_object_get(rep, "error"), "code"));
}

static const char *err_msg(json_t *rep)
{
	return json_string_value(
		json_object_get(json_object_get(rep, "error"), "message"));
}

static json_t *tid_args(int tid)
{
	return json_pack("{s:i}", "tid", tid);
}

/* Sends raw bytes. */
static void send_raw(int fd, const void *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void send_frame(int fd, const char *body)
{
	uint32_t n = (uint32_t)strlen(body);
	uint8_t hdr[4] = { n >> 24, n >> 16, n >> 8, n };

	send_raw(fd, hdr, 4);
	send_raw(fd, body, n);
}

static json_t *recv_msg(int fd)
{
	json_t *m = NULL;

	assert_int_equal(ctl_recv(fd, CTL_MAX_REPLY, 5000, &m), 0);
	return m;
}

#define T(name) static void name(void **state)

T(ps_lists_every_task_with_its_thread_group)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep = call(fd, "ps", NULL), *tasks, *t;
	int seen = 0;
	size_t i;

	tasks = json_object_get(ok_result(rep), "tasks");
	assert_int_equal(json_array_size(tasks), 4);
	json_array_foreach(tasks, i, t) {
		int tid = (int)json_integer_value(json_object_get(t, "tid"));
		int tgid = (int)json_integer_value(json_object_get(t, "tgid"));

		seen |= 1 << tid;
		assert_int_equal(tgid, tid == 3 ? 2 : tid);
	}
	assert_int_equal(seen, 0x1e);
	json_decref(rep);
	close(fd);
}

T(task_shows_identity_and_unknown_tid_is_a_clear_error)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep = call(fd, "task", tid_args(3)), *r;

	r = ok_result(rep);
	assert_int_equal(json_integer_value(json_object_get(r, "tgid")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "ppid")), 1);
	assert_true(json_is_object(json_object_get(r, "signals")));
	assert_true(json_is_object(json_object_get(r, "stop")));
	assert_true(json_is_object(json_object_get(r, "ptrace")));
	json_decref(rep);

	rep = call(fd, "task", tid_args(99));
	assert_string_equal(err_code(rep), "ESRCH");
	assert_string_equal(err_msg(rep), "no task with TID 99");
	json_decref(rep);

	rep = call(fd, "task", json_pack("{s:s}", "tid", "x"));
	assert_string_equal(err_code(rep), "EINVAL");
	json_decref(rep);
	rep = call(fd, "task", tid_args(-5));
	assert_string_equal(err_code(rep), "EINVAL");
	json_decref(rep);
	close(fd);
}

T(tg_lists_its_threads_leader_first)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep = call(fd, "tg", json_pack("{s:i}", "tgid", 2)), *tasks;

	tasks = json_object_get(ok_result(rep), "tasks");
	assert_int_equal(json_array_size(tasks), 2);
	assert_int_equal(json_integer_value(json_array_get(tasks, 0)), 2);
	assert_int_equal(json_integer_value(json_array_get(tasks, 1)), 3);
	json_decref(rep);
	rep = call(fd, "tg", json_pack("{s:i}", "tgid", 3));
	assert_string_equal(err_code(rep), "ESRCH");
	json_decref(rep);
	close(fd);
}

T(tree_nests_children_under_parents)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep = call(fd, "tree", NULL), *tree, *root, *kids;

	tree = json_object_get(ok_result(rep), "tree");
	assert_int_equal(json_array_size(tree), 1);
	root = json_array_get(tree, 0);
	assert_int_equal(json_integer_value(json_object_get(root, "tgid")), 1);
	kids = json_object_get(root, "children");
	assert_int_equal(json_array_size(kids), 2);
	assert_int_equal(json_array_size(json_object_get(json_array_get(kids, 0),
							 "threads")),
			 2);
	json_decref(rep);
	close(fd);
}

T(pause_and_resume_nest)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep;

	rep = call(fd, "pause", NULL);
	assert_int_equal(json_integer_value(json_object_get(ok_result(rep),
							    "pause_depth")),
			 1);
	json_decref(rep);
	rep = call(fd, "pause", NULL);
	assert_int_equal(json_integer_value(json_object_get(ok_result(rep),
							    "pause_depth")),
			 2);
	json_decref(rep);
	assert_true(kernel_paused(fx->k));
	rep = call(fd, "stop-state", tid_args(2));
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(ok_result(rep), "stop"),
				 "external_count")),
			 2);
	json_decref(rep);
	rep = call(fd, "resume", NULL);
	assert_int_equal(json_integer_value(json_object_get(ok_result(rep),
							    "pause_depth")),
			 1);
	json_decref(rep);
	assert_true(kernel_paused(fx->k));
	rep = call(fd, "resume", NULL);
	ok_result(rep);
	json_decref(rep);
	assert_false(kernel_paused(fx->k));
	rep = call(fd, "resume", NULL);
	assert_string_equal(err_code(rep), "EINVAL");
	assert_string_equal(err_msg(rep), "the kernel is not paused");
	json_decref(rep);
	close(fd);
}

T(stop_and_cont_count_per_task)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep;

	rep = call(fd, "stop", tid_args(3));
	assert_int_equal(json_integer_value(json_object_get(ok_result(rep),
							    "stop_count")),
			 1);
	json_decref(rep);
	rep = call(fd, "ps", NULL);
	{
		json_t *t;
		size_t i;

		json_array_foreach(json_object_get(ok_result(rep), "tasks"), i, t)
			if (json_integer_value(json_object_get(t, "tid")) == 3)
				assert_string_equal(json_string_value(json_object_get(
							    t, "state")),
						    "T");
	}
	json_decref(rep);
	rep = call(fd, "cont", tid_args(3));
	assert_int_equal(json_integer_value(json_object_get(ok_result(rep),
							    "stop_count")),
			 0);
	json_decref(rep);
	rep = call(fd, "cont", tid_args(3));
	assert_string_equal(err_code(rep), "EINVAL");
	json_decref(rep);
	rep = call(fd, "stop", tid_args(77));
	assert_string_equal(err_code(rep), "ESRCH");
	json_decref(rep);
	close(fd);
}

T(regs_and_bt_come_from_the_platform)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep = call(fd, "regs", tid_args(2)), *frames;

	/* The fake's rip names the task. */
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(ok_result(rep), "regs"),
				    "rip")),
			    "0x0000000000001002");
	json_decref(rep);
	rep = call(fd, "bt", tid_args(3));
	frames = json_object_get(ok_result(rep), "frames");
	assert_int_equal(json_array_size(frames), 1);
	assert_non_null(strstr(json_string_value(json_array_get(frames, 0)),
			       "fake_frame_of_3"));
	json_decref(rep);
	close(fd);
}

T(fds_reads_the_host_table)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep = call(fd, "fds", tid_args(4)), *fds, *e;
	struct task *t5 = NULL;
	bool found = false;
	size_t i;

	fds = json_object_get(ok_result(rep), "fds");
	json_array_foreach(fds, i, e)
		if (json_integer_value(json_object_get(e, "fd")) == fd)
			found = strncmp(json_string_value(json_object_get(e, "target")),
					"socket:", 7) == 0;
	assert_true(found);
	json_decref(rep);
	/* A task whose host thread cannot exist (past Linux's PID_MAX_LIMIT;
	 * the fakes' 1000 + TID may be a live host process). */
	task_clone_note_fork(fx->init, false);
	assert_int_equal(task_clone(fx->k, fx->init, 5, (4 << 20) + 5, &t5), 0);
	rep = call(fd, "fds", tid_args(5));
	assert_non_null(err_code(rep));
	assert_non_null(strstr(err_msg(rep), "cannot read the descriptors"));
	json_decref(rep);
	close(fd);
}

T(kill_queues_a_signal_with_the_chosen_siginfo)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep, *q;

	rep = call(fd, "kill", json_pack("{s:s, s:i, s:s, s:i, s:i, s:i}",
					 "target", "task", "id", 3, "signal",
					 "USR1", "code", SI_QUEUE, "pid", 42,
					 "value", 7));
	ok_result(rep);
	json_decref(rep);
	rep = call(fd, "signals", tid_args(3));
	q = json_object_get(json_object_get(ok_result(rep), "signals"), "queued");
	assert_int_equal(json_array_size(q), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(q, 0),
							    "signo")),
			 SIGUSR1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(q, 0),
							    "pid")),
			 42);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(q, 0),
							    "value")),
			 7);
	json_decref(rep);

	rep = call(fd, "kill", json_pack("{s:s, s:i, s:s}", "target", "tg",
					 "id", 55, "signal", "TERM"));
	assert_string_equal(err_code(rep), "ESRCH");
	json_decref(rep);
	rep = call(fd, "kill", json_pack("{s:s, s:i, s:s}", "target", "task",
					 "id", 2, "signal", "NOPE"));
	assert_string_equal(err_code(rep), "EINVAL");
	assert_string_equal(err_msg(rep), "bad signal 'NOPE'");
	json_decref(rep);
	close(fd);
}

T(dump_holds_every_object_and_parses_back)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *rep = call(fd, "dump", json_pack("{s:s}", "format", "json"));
	json_t *d, *t;
	int seen = 0;
	size_t i;
	char *text;
	size_t len;

	d = json_object_get(ok_result(rep), "dump");
	assert_int_equal(json_integer_value(json_object_get(d, "schema_version")),
			 DUMP_SCHEMA_VERSION);
	assert_true(json_is_true(json_object_get(d, "consistent")));
	json_array_foreach(json_object_get(d, "tasks"), i, t) {
		seen |= 1 << json_integer_value(json_object_get(t, "tid"));
		/* Held by the dump's pause: the fake platform has registers. */
		assert_non_null(json_object_get(t, "regs"));
	}
	assert_int_equal(seen, 0x1e);
	assert_int_equal(json_array_size(json_object_get(d, "thread_groups")), 3);
	assert_int_equal(json_array_size(json_object_get(d, "sessions")), 1);
	assert_int_equal(json_array_size(json_object_get(d, "process_groups")), 1);
	assert_int_equal(json_array_size(json_object_get(d, "cgroups")), 1);
	assert_true(json_array_size(json_object_get(d, "fd_tables")) >= 3);
	json_decref(rep);
	assert_false(kernel_paused(fx->k));

	/* The file form parses back too, and the text form names the
	 * schema. */
	assert_int_equal(kernel_dump_render(fx->k, true, &text, &len), 0);
	{
		json_error_t e;
		json_t *back = json_loadb(text, len, 0, &e);

		assert_non_null(back);
		json_decref(back);
	}
	free(text);
	rep = call(fd, "dump", json_pack("{s:s}", "format", "text"));
	assert_non_null(strstr(json_string_value(json_object_get(ok_result(rep),
								 "text")),
			       "schema_version 3"));
	json_decref(rep);
	close(fd);
}

T(garbage_gets_an_error_and_the_connection_survives)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *m;

	send_frame(fd, "hello, world");
	m = recv_msg(fd);
	assert_string_equal(err_code(m), "EPROTO");
	json_decref(m);
	send_frame(fd, "[1,2]");
	m = recv_msg(fd);
	assert_string_equal(err_code(m), "EPROTO");
	json_decref(m);
	send_frame(fd, "{\"v\":2,\"id\":5,\"cmd\":\"ps\"}");
	m = recv_msg(fd);
	assert_string_equal(err_code(m), "EPROTO");
	assert_int_equal(json_integer_value(json_object_get(m, "id")), 5);
	json_decref(m);
	send_frame(fd, "{\"v\":1,\"id\":6,\"cmd\":\"frobnicate\"}");
	m = recv_msg(fd);
	assert_string_equal(err_msg(m), "unknown command 'frobnicate'");
	json_decref(m);
	send_frame(fd, "{\"v\":1,\"id\":7,\"cmd\":\"ps\",\"args\":[]}");
	m = recv_msg(fd);
	assert_string_equal(err_code(m), "EINVAL");
	json_decref(m);
	m = call(fd, "ps", NULL);
	ok_result(m);
	json_decref(m);
	close(fd);
}

T(oversized_request_is_refused_and_the_server_keeps_serving)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	uint32_t n = CTL_MAX_REQUEST + 1;
	uint8_t hdr[4] = { n >> 24, n >> 16, n >> 8, n };
	json_t *m;

	send_raw(fd, hdr, 4);
	m = recv_msg(fd);
	assert_string_equal(err_code(m), "EMSGSIZE");
	json_decref(m);
	assert_int_equal(ctl_recv(fd, CTL_MAX_REPLY, 5000, &m), -ECONNRESET);
	close(fd);

	/* An empty frame breaks the framing too. */
	fd = connect_fx(fx);
	send_raw(fd, "\0\0\0\0", 4);
	m = recv_msg(fd);
	assert_string_equal(err_code(m), "EPROTO");
	json_decref(m);
	close(fd);

	fd = connect_fx(fx);
	m = call(fd, "status", NULL);
	ok_result(m);
	json_decref(m);
	close(fd);
}

T(client_that_disconnects_mid_request_is_forgotten)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx), i;
	json_t *m;

	/* A header promising 100 bytes, then 10, then gone. */
	send_raw(fd, "\0\0\0\x64{\"v\":1,\"id", 14);
	close(fd);
	fd = connect_fx(fx);
	/* The dropped client leaves within a moment. */
	for (i = 0; i < 100; i++) {
		m = call(fd, "status", NULL);
		if (json_integer_value(json_object_get(ok_result(m), "clients")) == 1) {
			json_decref(m);
			break;
		}
		json_decref(m);
		usleep(10000);
	}
	assert_true(i < 100);
	close(fd);
}

T(catchpoint_pauses_the_kernel_and_tells_every_client)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx), other = connect_fx(fx);
	struct syscall_frame f;
	json_t *m, *ev;

	m = call(fd, "catch", json_pack("{s:s, s:s}", "what", "syscall",
					"syscall", "getpid"));
	assert_int_equal(json_integer_value(json_object_get(ok_result(m), "id")),
			 1);
	json_decref(m);
	m = call(fd, "catch", json_pack("{s:s, s:s}", "what", "syscall",
					"syscall", "read"));
	assert_string_equal(err_code(m), "EINVAL");
	assert_non_null(strstr(err_msg(m), "untrapped syscall 'read'"));
	json_decref(m);

	/* The other client is served (accepted) before the event. */
	m = call(other, "status", NULL);
	ok_result(m);
	json_decref(m);

	/* A trapped syscall that is not caught changes nothing. */
	fake_syscall(fx->k, fx->t2, &f, SYS_gettid, 0, 0, 0, 0, 0, 0);
	assert_false(kernel_paused(fx->k));
	fake_syscall(fx->k, fx->t3, &f, SYS_getpid, 0, 0, 0, 0, 0, 0);
	assert_true(kernel_paused(fx->k));

	/* Both clients hear about it. */
	for (int i = 0; i < 2; i++) {
		ev = recv_msg(i ? other : fd);
		assert_string_equal(json_string_value(json_object_get(ev, "event")),
				    "catch");
		assert_int_equal(json_integer_value(json_object_get(ev, "tid")), 3);
		assert_string_equal(json_string_value(json_object_get(ev, "syscall")),
				    "getpid");
		json_decref(ev);
	}
	m = call(other, "info-catch", NULL);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
				 json_object_get(ok_result(m), "catchpoints"), 0),
				 "hits")),
			 1);
	json_decref(m);
	m = call(other, "resume", NULL);
	ok_result(m);
	json_decref(m);
	assert_false(kernel_paused(fx->k));

	/* The catchpoint leaves with the client that set it. */
	close(fd);
	for (int i = 0; i < 100; i++) {
		m = call(other, "info-catch", NULL);
		if (json_array_size(json_object_get(ok_result(m), "catchpoints")) == 0) {
			json_decref(m);
			break;
		}
		json_decref(m);
		usleep(10000);
	}
	fake_syscall(fx->k, fx->t3, &f, SYS_getpid, 0, 0, 0, 0, 0, 0);
	assert_false(kernel_paused(fx->k));
	m = call(other, "delete", json_pack("{s:i}", "id", 1));
	assert_string_equal(err_code(m), "ENOENT");
	json_decref(m);
	close(other);
}

T(watch_streams_events_without_pausing)
{
	struct fx *fx = *state;
	int fd = connect_fx(fx);
	json_t *m;

	/* Every event but the syscall firehose: clone exec exit signal
	 * ptrace. */
	m = call(fd, "watch", NULL);
	assert_int_equal(json_array_size(json_object_get(ok_result(m), "events")),
			 5);
	json_decref(m);
	fake_fork(fx->k, fx->t2, 9);
	assert_false(kernel_paused(fx->k));
	m = recv_msg(fd);
	assert_string_equal(json_string_value(json_object_get(m, "event")),
			    "watch");
	assert_string_equal(json_string_value(json_object_get(m, "kind")),
			    "clone");
	assert_int_equal(json_integer_value(json_object_get(m, "tid")), 9);
	assert_int_equal(json_integer_value(json_object_get(m, "parent")), 2);
	json_decref(m);
	m = call(fd, "unwatch", NULL);
	ok_result(m);
	json_decref(m);
	close(fd);
}

struct pauser {
	const char *sock;
	int errors;
};

static void *pause_resume_loop(void *arg)
{
	struct pauser *p = arg;
	char err[256];
	int fd = ctl_connect(p->sock, err, sizeof(err));

	for (int i = 0; i < 200; i++) {
		const char *cmd = i % 2 ? "resume" : "pause";
		json_t *req = ctl_request_new(i, cmd, NULL), *rep = NULL;

		if (ctl_send(fd, req) < 0 ||
		    ctl_recv(fd, CTL_MAX_REPLY, 5000, &rep) < 0 ||
		    !json_is_true(json_object_get(rep, "ok")))
			p->errors++;
		json_decref(req);
		json_decref(rep);
	}
	close(fd);
	return NULL;
}

T(two_clients_pausing_and_resuming_at_once_balance_out)
{
	struct fx *fx = *state;
	struct pauser p[2] = { { fx->sock, 0 }, { fx->sock, 0 } };
	pthread_t th[2];

	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, pause_resume_loop, &p[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(p[0].errors + p[1].errors, 0);
	assert_false(kernel_paused(fx->k));
}

T(other_users_are_refused)
{
	struct fx *fx = *state;
	char dir[256];
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	/* Open the way so that only the credential check stands. */
	snprintf(dir, sizeof(dir), "%s/%s", rundir, fx->name);
	chmod(rundir, 0755);
	chmod(dir, 0755);
	chmod(fx->sock, 0666);
	pid = fork();
	if (pid == 0) {
		char err[256];
		json_t *m = NULL;
		int fd;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		fd = ctl_connect(fx->sock, err, sizeof(err));
		if (fd < 0)
			_exit(11);
		if (ctl_recv(fd, CTL_MAX_REPLY, 5000, &m) < 0)
			_exit(12);
		if (json_is_true(json_object_get(m, "ok")) ||
		    strcmp(json_string_value(json_object_get(
				   json_object_get(m, "error"), "code")),
			   "EPERM") != 0)
			_exit(13);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	chmod(rundir, 0700);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

T(socket_and_directory_have_private_modes_and_go_away_on_stop)
{
	struct fx *fx = *state;
	char dir[256];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/%s", rundir, fx->name);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(fx->sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	ctl_server_stop(fx->srv);
	fx->srv = NULL;
	assert_int_equal(stat(dir, &st), -1);
}

T(a_second_sentry_of_the_same_name_is_refused)
{
	struct fx *fx = *state;
	struct kernel k2;
	struct ctl_server *s2 = NULL;
	char err[256];

	assert_int_equal(kernel_init(&k2, NULL, "t2"), 0);
	assert_int_equal(ctl_server_start(&k2, fx->name, "x", NULL, &s2, err,
					  sizeof(err)),
			 -EADDRINUSE);
	assert_non_null(strstr(err, "already running"));
	assert_int_equal(ctl_server_start(&k2, "bad/name", "x", NULL, &s2, err,
					  sizeof(err)),
			 -EINVAL);
	kernel_destroy(&k2);
}

T(stale_instances_are_skipped_and_cleaned)
{
	struct fx *fx = *state;
	struct ctl_instance in, *v;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[PATH_MAX + 16];
	pid_t dead;
	int n, sfd;

	/* A sentry that died: its pid is gone, its socket has no listener. */
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	assert_int_equal(ctl_instance_paths("stale-one", &in), 0);
	assert_int_equal(mkdir(in.dir, 0700), 0);
	in.pid = dead;
	snprintf(in.command, sizeof(in.command), "gone");
	assert_int_equal(ctl_info_write(&in), 0);
	sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", in.sock);
	assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(sfd); /* bound, never listened: connect is refused */

	n = ctl_instances_scan(&v, true);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, fx->name);
	free(v);
	snprintf(path, sizeof(path), "%s", in.dir);
	assert_int_equal(access(path, F_OK), -1);

	/* ctl_instance_resolve picks the only one, by name or pid. */
	assert_int_equal(ctl_instance_resolve(NULL, &in, path, sizeof(path)), 0);
	assert_string_equal(in.name, fx->name);
	assert_int_equal(ctl_instance_resolve("nope", &in, path, sizeof(path)),
			 -ENOENT);
}

T(list_shows_the_instance)
{
	struct fx *fx = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(ctl_list_instances(f, false), 0);
	fclose(f);
	assert_non_null(strstr(buf, fx->name));
	assert_non_null(strstr(buf, "running"));
	assert_non_null(strstr(buf, "init --flag"));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(ctl_list_instances(f, true), 0);
	fclose(f);
	{
		json_error_t e;
		json_t *a = json_loads(buf, 0, &e);

		assert_true(json_is_array(a));
		assert_int_equal(json_integer_value(json_object_get(
					 json_array_get(a, 0), "tasks")),
				 4);
		json_decref(a);
	}
	free(buf);
}

T(sentrydbg_client_connects_calls_and_reports_errors)
{
	struct fx *fx = *state;
	struct dbg_conn c;
	char err[512];
	json_t *r = NULL;

	assert_int_equal(dbg_connect(&c, fx->sock, err, sizeof(err)), 0);
	assert_string_equal(c.name, fx->name);
	assert_int_equal(dbg_call(&c, "ps", NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(json_object_get(r, "tasks")), 4);
	json_decref(r);
	assert_int_equal(dbg_call(&c, "task", tid_args(1234), &r, err,
				  sizeof(err)),
			 1);
	assert_string_equal(err, "no task with TID 1234");
	dbg_disconnect(&c);
	assert_int_equal(dbg_connect(&c, "no-such-sentry", err, sizeof(err)),
			 -ENOENT);
}

static int group_setup(void **state)
{
	fake_group_setup(state);
	if (!mkdtemp(rundir))
		return -1;
	setenv("SENTRY_RUNTIME_DIR", rundir, 1);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int group_teardown(void **state)
{
	rmdir(rundir);
	return fake_group_teardown(state);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(ps_lists_every_task_with_its_thread_group),
		TEST(task_shows_identity_and_unknown_tid_is_a_clear_error),
		TEST(tg_lists_its_threads_leader_first),
		TEST(tree_nests_children_under_parents),
		TEST(pause_and_resume_nest),
		TEST(stop_and_cont_count_per_task),
		TEST(regs_and_bt_come_from_the_platform),
		TEST(fds_reads_the_host_table),
		TEST(kill_queues_a_signal_with_the_chosen_siginfo),
		TEST(dump_holds_every_object_and_parses_back),
		TEST(garbage_gets_an_error_and_the_connection_survives),
		TEST(oversized_request_is_refused_and_the_server_keeps_serving),
		TEST(client_that_disconnects_mid_request_is_forgotten),
		TEST(catchpoint_pauses_the_kernel_and_tells_every_client),
		TEST(watch_streams_events_without_pausing),
		TEST(two_clients_pausing_and_resuming_at_once_balance_out),
		TEST(other_users_are_refused),
		TEST(socket_and_directory_have_private_modes_and_go_away_on_stop),
		TEST(a_second_sentry_of_the_same_name_is_refused),
		TEST(stale_instances_are_skipped_and_cleaned),
		TEST(list_shows_the_instance),
		TEST(sentrydbg_client_connects_calls_and_reports_errors),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
