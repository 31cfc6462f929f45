/*
 * This file implements the control server's commands (man/sentrydbg.1):
 * inspecting ones build their answers from kernel snapshots with the same
 * JSON builders as the dump (kernel/dump_objects.h); steering ones call the
 * kernel's external interfaces (pause, external stops, external signals).
 *
 * Every command runs on its client's thread with no server lock held and
 * answers -errno with a message a user can act on.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "debugger/dump_file.h"
#include "debugger/proto.h"
#include "debugger/server_internal.h"
#include "kernel/blocked.h"
#include "kernel/coredump.h"
#include "kernel/dump.h"
#include "kernel/dump_objects.h"
#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/timing.h"
#include "kernel/snapshot.h"
#include "kernel/syscalls/syscalls.h"
#include "kernel/task_stop.h"

#define CMD(fn)                                                                \
	static int fn(struct ctl_client *c, json_t *args, json_t **result,     \
		      char *err, size_t errlen)

/* Reads a positive pid argument. */
static int arg_pid(json_t *args, const char *key, pid_t *out, char *err,
		   size_t errlen)
{
	json_t *v = json_object_get(args, key);
	json_int_t n;

	if (!json_is_integer(v)) {
		snprintf(err, errlen, "missing %s", key);
		return -EINVAL;
	}
	n = json_integer_value(v);
	if (n <= 0 || n > INT_MAX) {
		snprintf(err, errlen, "invalid %s %lld", key, (long long)n);
		return -EINVAL;
	}
	*out = (pid_t)n;
	return 0;
}

/* Snapshots the task named by args.tid, with clear errors. */
static int snap_task(struct ctl_client *c, json_t *args,
		     struct task_snap *s, char *err, size_t errlen)
{
	pid_t tid;
	int rc = arg_pid(args, "tid", &tid, err, errlen);

	if (rc < 0)
		return rc;
	rc = task_snapshot(c->srv->k, tid, s);
	if (rc == 0)
		s->blocked = task_snap_blocked(c->srv->k, s);
	if (rc == -ESRCH)
		snprintf(err, errlen, "no task with TID %d", (int)tid);
	else if (rc < 0)
		snprintf(err, errlen, "task %d: %s", (int)tid, strerror(-rc));
	return rc;
}

static json_t *pid_array_json(const pid_t *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The one-letter state ps shows; "R" for a task the kernel lets run. */
static json_t *state_letter_json(const struct task_snap *s)
{
	char l[2] = { task_state_letter(s), '\0' };

	return json_string(l[0] ? l : "R");
}

static int ok(json_t **result, json_t *v)
{
	*result = v;
	return v ? 0 : -ENOMEM;
}

CMD(cmd_hello)
{
	return ok(result,
		  json_pack("{s:s, s:s, s:i, s:s, s:i, s:i}", "server", "sentry",
			    "version", SENTRY_VERSION, "protocol",
			    CTL_PROTO_VERSION, "name", c->srv->inst.name, "pid",
			    (int)getpid(), "client", (int)c->id));
}

CMD(cmd_status)
{
	struct ctl_server *srv = c->srv;
	json_t *o = dump_kernel_json(srv->k);
	struct ctl_catch *cp;
	int ncatch = 0, nclients;

	if (!o)
		return -ENOMEM;
	json_object_del(o, "syscalls");
	pthread_mutex_lock(&srv->mu);
	cds_list_for_each_entry(cp, &srv->catches, node)
		ncatch++;
	nclients = srv->nr_clients;
	pthread_mutex_unlock(&srv->mu);
	json_object_set_new(o, "catchpoints", json_integer(ncatch));
	json_object_set_new(o, "clients", json_integer(nclients));
	json_object_set_new(o, "command", json_string(srv->inst.command));
	json_object_set_new(o, "mountpoint",
			    srv->inst.mountpoint[0]
				    ? json_string(srv->inst.mountpoint)
				    : json_null());
	json_object_set_new(o, "socket", json_string(srv->inst.sock));
	return ok(result, o);
}

CMD(cmd_tids)
{
	pid_t *ids;
	bool groups = json_is_true(json_object_get(args, "groups"));
	int n = ts_list_tids(c->srv->k, groups, &ids);
	json_t *a;

	if (n < 0)
		return n;
	a = json_array();
	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	if (n > 0)
		free(ids);
	return ok(result, json_pack("{s:o}", groups ? "tgids" : "tids", a));
}

CMD(cmd_syscalls)
{
	json_t *a = json_array();

	for (long nr = 0; a && nr < KERNEL_NR_SYSCALLS; nr++) {
		const char *n = kernel_syscall_name(nr);

		if (n)
			json_array_append_new(
				a, json_pack("{s:i, s:s}", "nr", (int)nr, "name", n));
	}
	return ok(result, json_pack("{s:o}", "syscalls", a));
}

/* One line of ps: the columns a listing needs, no more. b is the task's
 * blocked-on state (NULL: unknown), which gives Linux's letter too. */
static json_t *ps_entry(const struct task_snap *s, const struct blocked_on *b)
{
	char letter = b && b->state ? b->state : task_linux_state_letter(s, 'R');
	char what[160] = "";
	json_t *o, *argv;
	size_t off = 0;

	if (b)
		blocked_on_short(b, what, sizeof(what));
	o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:b, s:s#, s:s, s:s, s:i, s:i, s:s}",
		      "tid", (int)s->tid, "tgid", (int)s->tgid, "ppid",
		      (int)s->ppid, "pgid", (int)s->pgid, "sid", (int)s->sid,
		      "leader", s->is_leader, "state", &letter, (int)1, "comm",
		      s->comm, "stop", task_stop_name(s->stop), "stop_count",
		      s->stop_count, "nr_threads", s->nr_threads, "blocked",
		      what);
	argv = json_array();
	while (argv && off < s->cmdline_len) {
		size_t n = strnlen(s->cmdline + off, s->cmdline_len - off);

		json_array_append_new(argv, json_stringn(s->cmdline + off, n));
		off += n + 1;
	}
	if (o)
		json_object_set_new(o, "cmdline", argv);
	else
		json_decref(argv);
	return o;
}

static int blocked_tid_cmp(const void *key, const void *elem)
{
	pid_t tid = *(const pid_t *)key;
	const struct blocked_on *b = elem;

	return (tid > b->tid) - (tid < b->tid);
}

CMD(cmd_ps)
{
	pid_t *ids;
	struct blocked_on *bl = NULL;
	int nb = kernel_blocked_list(c->srv->k, false, &bl);
	int n = ts_list_tids(c->srv->k, false, &ids);
	json_t *a;

	if (n < 0) {
		blocked_list_free(bl, nb);
		return n;
	}
	a = json_array();
	for (int i = 0; a && i < n; i++) {
		struct task_snap s;
		const struct blocked_on *b = NULL;

		if (task_snapshot(c->srv->k, ids[i], &s) < 0)
			continue;
		if (nb > 0)
			b = bsearch(&ids[i], bl, (size_t)nb, sizeof(*bl),
				    blocked_tid_cmp);
		json_array_append_new(a, ps_entry(&s, b));
		task_snap_free(&s);
	}
	if (n > 0)
		free(ids);
	blocked_list_free(bl, nb);
	return ok(result, json_pack("{s:o}", "tasks", a));
}

/* hangs: the stuck set; "text" is the rendered report. */
CMD(cmd_hangs)
{
	struct hang_report *r;
	json_t *o;
	char *text;
	int rc = kernel_hangs(c->srv->k, &r);

	(void)args;
	if (rc < 0) {
		snprintf(err, errlen, "hangs: %s", strerror(-rc));
		return rc;
	}
	o = hang_report_json(r);
	text = hang_report_text(r);
	if (o && text)
		json_object_set_new(o, "text", json_string(text));
	free(text);
	hang_report_free(r);
	return ok(result, o);
}

/* why TID: the chain of waits from one task. */
CMD(cmd_why)
{
	struct hang_report *r;
	json_t *o;
	char *text;
	pid_t tid;
	int rc = arg_pid(args, "tid", &tid, err, errlen);

	if (rc < 0)
		return rc;
	rc = kernel_hangs(c->srv->k, &r);
	if (rc < 0) {
		snprintf(err, errlen, "why: %s", strerror(-rc));
		return rc;
	}
	if (!hang_report_find(r, tid)) {
		hang_report_free(r);
		snprintf(err, errlen, "no task with TID %d", (int)tid);
		return -ESRCH;
	}
	o = hang_why_json(r, tid);
	text = hang_why_text(r, tid);
	if (o && text)
		json_object_set_new(o, "text", json_string(text));
	free(text);
	hang_report_free(r);
	return ok(result, o);
}

CMD(cmd_tree)
{
	struct kernel *k = c->srv->k;
	pid_t *ids;
	int n = ts_list_tids(k, true, &ids);
	json_t *nodes, *roots, *childset, *node;
	const char *key;
	char kbuf[16];

	if (n < 0)
		return n;
	nodes = json_object();   /* tgid -> node */
	childset = json_object(); /* tgids that are someone's child */
	roots = json_array();
	for (int i = 0; i < n; i++) {
		struct tg_snap g;
		struct task_snap t;
		json_t *kids = json_array();

		if (tg_snapshot(k, ids[i], &g) < 0) {
			json_decref(kids);
			continue;
		}
		node = json_pack("{s:i, s:s, s:o, s:o}", "tgid", (int)g.tgid,
				 "state", tg_state_name(g.state), "threads",
				 json_array(), "children", kids);
		for (int j = 0; node && j < g.nr_tasks; j++)
			json_array_append_new(json_object_get(node, "threads"),
					      json_integer(g.tasks[j]));
		for (int j = 0; j < g.nr_children; j++) {
			snprintf(kbuf, sizeof(kbuf), "%d", (int)g.children[j]);
			json_object_set_new(childset, kbuf, json_true());
		}
		if (task_snapshot(k, g.leader ? g.leader : g.tgid, &t) == 0) {
			json_object_set_new(node, "comm", json_string(t.comm));
			json_object_set_new(node, "state_letter",
					    state_letter_json(&t));
			task_snap_free(&t);
		} else {
			json_object_set_new(node, "comm", json_string(""));
			json_object_set_new(node, "state_letter",
					    json_string(g.state == TG_ZOMBIE ? "Z" : "?"));
		}
		/* Keep the child list for linking below. */
		json_object_set_new(node, "_kids",
				    pid_array_json(g.children, g.nr_children));
		snprintf(kbuf, sizeof(kbuf), "%d", (int)g.tgid);
		json_object_set_new(nodes, kbuf, node);
		tg_snap_free(&g);
	}
	if (n > 0)
		free(ids);
	/* Link children to parents (sorted by tgid: the iteration order of
	 * the child lists is creation order, which is what pstree shows). */
	json_object_foreach(nodes, key, node) {
		json_t *kids = json_object_get(node, "_kids"), *kid;
		size_t i;

		json_array_foreach(kids, i, kid) {
			char kb[16];
			json_t *cn;

			snprintf(kb, sizeof(kb), "%lld",
				 (long long)json_integer_value(kid));
			cn = json_object_get(nodes, kb);
			if (cn)
				json_array_append(json_object_get(node, "children"),
						  cn);
		}
	}
	json_object_foreach(nodes, key, node)
		json_object_del(node, "_kids");
	{
		/* Roots in tgid order. */
		pid_t *rv = NULL;
		int nr = 0;

		json_object_foreach(nodes, key, node) {
			if (json_object_get(childset, key))
				continue;
			pid_t *nv = realloc(rv, sizeof(*rv) * (size_t)(nr + 1));

			if (!nv)
				break;
			rv = nv;
			rv[nr++] = (pid_t)atoi(key);
		}
		qsort(rv, (size_t)nr, sizeof(*rv), pid_cmp);
		for (int i = 0; i < nr; i++) {
			snprintf(kbuf, sizeof(kbuf), "%d", (int)rv[i]);
			json_array_append(roots, json_object_get(nodes, kbuf));
		}
		free(rv);
	}
	json_decref(nodes);
	json_decref(childset);
	return ok(result, json_pack("{s:o}", "tree", roots));
}

CMD(cmd_task)
{
	struct task_snap s;
	int rc = snap_task(c, args, &s, err, errlen);

	if (rc < 0)
		return rc;
	*result = dump_task_json(c->srv->k, &s, false);
	if (*result) {
		/* The dump's task object has its wait too. */
		struct blocked_on b;
		json_t *bj = json_null();

		if (kernel_blocked_on(c->srv->k, s.tid, &b) == 0) {
			bj = blocked_on_json(&b);
			blocked_on_free(&b);
		}
		json_object_set_new(*result, "blocked", bj);
	}
	task_snap_free(&s);
	return *result ? 0 : -ENOMEM;
}

CMD(cmd_tg)
{
	struct tg_snap g;
	pid_t tgid;
	int rc = arg_pid(args, "tgid", &tgid, err, errlen);

	if (rc < 0)
		return rc;
	rc = tg_snapshot(c->srv->k, tgid, &g);
	if (rc == -ESRCH) {
		snprintf(err, errlen, "no thread group with TGID %d", (int)tgid);
		return rc;
	}
	if (rc < 0)
		return rc;
	*result = dump_tg_json(&g);
	tg_snap_free(&g);
	return *result ? 0 : -ENOMEM;
}

CMD(cmd_signals)
{
	struct task_snap s;
	struct tg_snap g;
	json_t *o, *tgj;
	int rc = snap_task(c, args, &s, err, errlen);

	if (rc < 0)
		return rc;
	o = json_pack("{s:i, s:i, s:o}", "tid", (int)s.tid, "tgid",
		      (int)s.tgid, "signals", dump_task_signals_json(&s));
	if (o && tg_snapshot(c->srv->k, s.tgid, &g) == 0) {
		tgj = dump_tg_json(&g);
		json_object_set(o, "actions", json_object_get(tgj, "actions"));
		json_decref(tgj);
		tg_snap_free(&g);
	}
	task_snap_free(&s);
	return ok(result, o);
}

CMD(cmd_stop_state)
{
	struct task_snap s;
	struct kernel *k = c->srv->k;
	int depth = __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE);
	char letter;
	int rc = snap_task(c, args, &s, err, errlen);

	if (rc < 0)
		return rc;
	letter = task_state_letter(&s);
	*result = json_pack("{s:i, s:s#, s:o, s:b, s:i}", "tid", (int)s.tid,
			    "state", letter ? &letter : "R", (int)1, "stop",
			    dump_task_stop_json(&s, depth), "kernel_paused",
			    depth > 0, "pause_depth", depth);
	task_snap_free(&s);
	return *result ? 0 : -ENOMEM;
}

CMD(cmd_ptrace)
{
	struct task_snap s;
	int rc = snap_task(c, args, &s, err, errlen);

	if (rc < 0)
		return rc;
	*result = json_pack("{s:i, s:o}", "tid", (int)s.tid, "ptrace",
			    dump_task_ptrace_json(&s));
	task_snap_free(&s);
	return *result ? 0 : -ENOMEM;
}

CMD(cmd_fds)
{
	struct task_snap s;
	json_t *fds = NULL;
	int rc = snap_task(c, args, &s, err, errlen);

	if (rc < 0)
		return rc;
	if (s.exit_state >= TASK_EXIT_ZOMBIE) {
		snprintf(err, errlen, "task %d is a zombie: it has no descriptors",
			 (int)s.tid);
		task_snap_free(&s);
		return -ESRCH;
	}
	rc = dump_fds_json(s.host_tid, &fds);
	if (rc < 0) {
		snprintf(err, errlen,
			 "cannot read the descriptors of task %d (host /proc/%d/fd): %s",
			 (int)s.tid, (int)s.host_tid, strerror(-rc));
		task_snap_free(&s);
		return rc;
	}
	*result = json_pack("{s:i, s:i, s:I, s:i, s:o}", "tid", (int)s.tid,
			    "host_tid", (int)s.host_tid, "fd_table",
			    (json_int_t)s.fdt_id, "users", s.fdt_users, "fds",
			    fds);
	task_snap_free(&s);
	return *result ? 0 : -ENOMEM;
}

CMD(cmd_cgroups)
{
	json_t *all = dump_cgroups_json(c->srv->k), *cg;
	const char *path = json_string_value(json_object_get(args, "path"));
	size_t i;

	if (!all)
		return -ENOMEM;
	if (path) {
		json_t *sel = json_array();

		json_array_foreach(all, i, cg)
			if (strcmp(json_string_value(json_object_get(cg, "path")),
				   path) == 0)
				json_array_append(sel, cg);
		json_decref(all);
		if (json_array_size(sel) == 0) {
			json_decref(sel);
			snprintf(err, errlen, "no cgroup %s", path);
			return -ENOENT;
		}
		all = sel;
	}
	return ok(result, json_pack("{s:o}", "cgroups", all));
}

/* The result says how long the kernel took to hold every task
 * ("elapsed_ns", from the request to the last task held). */
CMD(cmd_pause)
{
	struct kernel *k = c->srv->k;
	uint64_t t0 = clock_now_ns(CLOCK_MONOTONIC);
	int rc = kernel_pause(k);
	uint64_t t1 = clock_now_ns(CLOCK_MONOTONIC);

	/* kernel_pause counts the pause before it waits for the tasks to
	 * reach their stops: a timeout leaves the pause in effect. */
	if (rc == -ETIMEDOUT) {
		snprintf(err, errlen,
			 "pause: not every task reached a stop in time; the pause is in effect (depth %d), resume undoes it",
			 __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE));
		return rc;
	}
	if (rc < 0)
		return rc;
	return ok(result, json_pack("{s:i, s:I}", "pause_depth",
				    __atomic_load_n(&k->pause_depth,
						    __ATOMIC_ACQUIRE),
				    "elapsed_ns", (json_int_t)(t1 - t0)));
}

CMD(cmd_resume)
{
	struct kernel *k = c->srv->k;
	int rc = kernel_unpause(k);

	if (rc == -EINVAL) {
		snprintf(err, errlen, "the kernel is not paused");
		return rc;
	}
	if (rc < 0)
		return rc;
	return ok(result, json_pack("{s:i}", "pause_depth",
				    __atomic_load_n(&k->pause_depth,
						    __ATOMIC_ACQUIRE)));
}

/* Refuses stop/cont/regs/bt on a task that is not there to act on. */
static int live_task(struct ctl_client *c, json_t *args, pid_t *tid,
		     char *err, size_t errlen)
{
	struct task_snap s;
	int rc = snap_task(c, args, &s, err, errlen);

	if (rc < 0)
		return rc;
	*tid = s.tid;
	if (s.exit_state >= TASK_EXIT_ZOMBIE) {
		snprintf(err, errlen, "task %d is dead (a zombie, not yet reaped)",
			 (int)s.tid);
		rc = -ESRCH;
	}
	task_snap_free(&s);
	return rc;
}

static int stop_count_result(struct ctl_client *c, pid_t tid, json_t **result)
{
	struct task_snap s;
	struct kernel *k = c->srv->k;

	if (task_snapshot(k, tid, &s) < 0)
		return ok(result, json_pack("{s:i}", "tid", (int)tid));
	*result = json_pack("{s:i, s:i, s:o}", "tid", (int)tid, "stop_count",
			    s.stop_count, "stop",
			    dump_task_stop_json(&s, __atomic_load_n(
							&k->pause_depth,
							__ATOMIC_ACQUIRE)));
	task_snap_free(&s);
	return *result ? 0 : -ENOMEM;
}

CMD(cmd_stop)
{
	pid_t tid;
	int rc = live_task(c, args, &tid, err, errlen);

	if (rc < 0)
		return rc;
	rc = task_stop_external(c->srv->k, tid);
	if (rc == -ESRCH)
		snprintf(err, errlen, "no task with TID %d", (int)tid);
	if (rc < 0)
		return rc;
	return stop_count_result(c, tid, result);
}

CMD(cmd_cont)
{
	pid_t tid;
	int rc = live_task(c, args, &tid, err, errlen);

	if (rc < 0)
		return rc;
	rc = task_cont_external(c->srv->k, tid);
	if (rc == -ESRCH)
		snprintf(err, errlen, "no task with TID %d", (int)tid);
	else if (rc == -EINVAL)
		snprintf(err, errlen,
			 "task %d has no debugger stop to undo (a kernel pause is undone with resume)",
			 (int)tid);
	if (rc < 0)
		return rc;
	return stop_count_result(c, tid, result);
}

CMD(cmd_kill)
{
	static const struct {
		const char *name;
		enum signal_target kind;
		const char *what;
	} kinds[] = {
		{ "task", SIGNAL_TARGET_TASK, "task with TID" },
		{ "tg", SIGNAL_TARGET_TG, "thread group with TGID" },
		{ "pgrp", SIGNAL_TARGET_PGRP, "process group with PGID" },
	};
	const char *kind = json_string_value(json_object_get(args, "target"));
	json_t *sj = json_object_get(args, "signal"), *v;
	siginfo_t si;
	pid_t id;
	int k = -1, sig, rc;
	char name[16];

	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].name) == 0)
			k = (int)i;
	if (k < 0) {
		snprintf(err, errlen, "kill: target must be task, tg or pgrp");
		return -EINVAL;
	}
	rc = arg_pid(args, "id", &id, err, errlen);
	if (rc < 0)
		return rc;
	sig = json_is_integer(sj) ? (int)json_integer_value(sj)
	      : json_is_string(sj) ? sig_parse(json_string_value(sj))
				   : -EINVAL;
	if (sig < 0 || !sig_valid(sig)) {
		snprintf(err, errlen, "bad signal '%s'",
			 json_is_string(sj) ? json_string_value(sj) : "?");
		return -EINVAL;
	}
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_USER;
	/* A sender outside the sandbox's PID namespace: pid and uid 0 unless
	 * the user chose otherwise. */
	if ((v = json_object_get(args, "code")))
		si.si_code = (int)json_integer_value(v);
	if ((v = json_object_get(args, "pid")))
		si.si_pid = (pid_t)json_integer_value(v);
	if ((v = json_object_get(args, "uid")))
		si.si_uid = (uid_t)json_integer_value(v);
	if ((v = json_object_get(args, "value")))
		si.si_value.sival_int = (int)json_integer_value(v);
	rc = kernel_send_external_signal(c->srv->k, kinds[k].kind, id, &si);
	if (rc == -ESRCH)
		snprintf(err, errlen, "no %s %d (or it is dead)", kinds[k].what,
			 (int)id);
	else if (rc == -EINVAL)
		snprintf(err, errlen, "the kernel refused signal %d", sig);
	else if (rc == -ENOSYS)
		snprintf(err, errlen, "external signals are not implemented yet");
	if (rc < 0)
		return rc;
	return ok(result,
		  json_pack("{s:s, s:i, s:i, s:s, s:i, s:i, s:i, s:i}", "target",
			    kinds[k].name, "id", (int)id, "signo", sig, "signal",
			    sig_name(sig, name, sizeof(name)), "code",
			    si.si_code, "pid", (int)si.si_pid, "uid",
			    (int)si.si_uid, "value", si.si_value.sival_int));
}

static int platform_error(int rc, pid_t tid, const char *what, char *err,
			  size_t errlen)
{
	switch (rc) {
	case -ENOSYS:
		snprintf(err, errlen, "%s: not available (no platform)", what);
		break;
	case -EBUSY:
		snprintf(err, errlen,
			 "task %d is running; stop it first (stop %d, or pause)",
			 (int)tid, (int)tid);
		break;
	case -ESRCH:
		snprintf(err, errlen, "task %d is gone", (int)tid);
		break;
	default:
		snprintf(err, errlen, "%s of task %d: %s", what, (int)tid,
			 strerror(-rc));
	}
	return rc;
}

CMD(cmd_regs)
{
	json_t *r;
	pid_t tid;
	int rc = live_task(c, args, &tid, err, errlen);

	if (rc < 0)
		return rc;
	rc = dump_regs_json(c->srv->k, tid, &r);
	if (rc < 0)
		return platform_error(rc, tid, "registers", err, errlen);
	return ok(result, json_pack("{s:i, s:o}", "tid", (int)tid, "regs", r));
}

CMD(cmd_bt)
{
	size_t len = 64 * 1024;
	char *buf = malloc(len);
	json_t *frames;
	pid_t tid;
	int rc = live_task(c, args, &tid, err, errlen);

	if (!buf)
		return -ENOMEM;
	if (rc == 0)
		rc = dump_backtrace(c->srv->k, tid, buf, len);
	if (rc < 0) {
		free(buf);
		return err[0] ? rc : platform_error(rc, tid, "backtrace", err, errlen);
	}
	buf[len - 1] = '\0';
	frames = json_array();
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		json_array_append_new(frames, json_string(line));
	free(buf);
	return ok(result, json_pack("{s:i, s:o}", "tid", (int)tid, "frames",
				    frames));
}

/* gcore TID [path|dir]: a core file of TID's process (coredump.h). */
CMD(cmd_gcore)
{
	const char *path = json_string_value(json_object_get(args, "path"));
	const char *dir = json_string_value(json_object_get(args, "dir"));
	struct core_result res;
	struct task_snap s;
	char buf[4096];
	int rc = snap_task(c, args, &s, err, errlen);

	if (rc < 0)
		return rc;
	if (!path && dir) {
		snprintf(buf, sizeof(buf), "%s/core.%d", dir, (int)s.tgid);
		path = buf;
	}
	task_snap_free(&s);
	if (!path || path[0] != '/') {
		snprintf(err, errlen, "gcore: an absolute path or dir is needed");
		return -EINVAL;
	}
	rc = kernel_write_core(c->srv->k, (pid_t)json_integer_value(
						  json_object_get(args, "tid")),
			       path, NULL, &res, err, errlen);
	if (rc < 0)
		return rc;
	return ok(result, json_pack("{s:i, s:s, s:i, s:i, s:I}", "tgid",
				    (int)res.tgid, "path", path, "threads",
				    res.nr_threads, "segments",
				    res.nr_segments, "bytes",
				    (json_int_t)res.bytes));
}

/*
 * dump: with "to_fd" the client passed the file to write (SCM_RIGHTS) and
 * the reply only says how much was written; the dump is rendered once,
 * here, instead of being sent as JSON and rendered again by the client.
 */
CMD(cmd_dump)
{
	const char *fmt = json_string_value(json_object_get(args, "format"));
	bool json = !fmt || strcmp(fmt, "json") == 0;
	char *text;
	size_t len;
	json_t *d;
	int rc;

	if (!json && strcmp(fmt, "text") != 0) {
		snprintf(err, errlen, "dump format must be json or text");
		return -EINVAL;
	}
	if (json_is_true(json_object_get(args, "to_fd"))) {
		if (c->req_fd < 0) {
			snprintf(err, errlen,
				 "dump to_fd: no descriptor came with the request");
			return -EBADF;
		}
		rc = kernel_dump_render(c->srv->k, json, &text, &len);
		if (rc < 0)
			return rc;
		rc = dump_write_all(c->req_fd, text, len);
		free(text);
		if (rc < 0) {
			snprintf(err, errlen, "dump: cannot write the file: %s",
				 strerror(-rc));
			return rc;
		}
		return ok(result, json_pack("{s:s, s:I}", "format",
					    json ? "json" : "text", "written",
					    (json_int_t)len));
	}
	if (json) {
		rc = kernel_dump_json(c->srv->k, true, &d);
		if (rc < 0)
			return rc;
		return ok(result, json_pack("{s:s, s:o}", "format", "json",
					    "dump", d));
	}
	rc = kernel_dump_render(c->srv->k, false, &text, &len);
	if (rc < 0)
		return rc;
	*result = json_pack("{s:s, s:s#}", "format", "text", "text", text,
			    (int)len);
	free(text);
	return *result ? 0 : -ENOMEM;
}

const struct ctl_cmd ctl_commands[] = {
	{ "hello", cmd_hello },
	{ "status", cmd_status },
	{ "tids", cmd_tids },
	{ "syscalls", cmd_syscalls },
	{ "ps", cmd_ps },
	{ "hangs", cmd_hangs },
	{ "why", cmd_why },
	{ "tree", cmd_tree },
	{ "task", cmd_task },
	{ "tg", cmd_tg },
	{ "signals", cmd_signals },
	{ "stop-state", cmd_stop_state },
	{ "ptrace", cmd_ptrace },
	{ "fds", cmd_fds },
	{ "cgroups", cmd_cgroups },
	{ "pause", cmd_pause },
	{ "resume", cmd_resume },
	{ "stop", cmd_stop },
	{ "cont", cmd_cont },
	{ "kill", cmd_kill },
	{ "regs", cmd_regs },
	{ "bt", cmd_bt },
	{ "gcore", cmd_gcore },
	{ "catch", ctl_cmd_catch },
	{ "info-catch", ctl_cmd_info_catch },
	{ "delete", ctl_cmd_delete },
	{ "dump", cmd_dump },
	{ "watch", ctl_cmd_watch },
	{ "unwatch", ctl_cmd_unwatch },
	{ NULL, NULL },
};

const struct ctl_cmd *ctl_cmd_find(const char *name)
{
	for (const struct ctl_cmd *c = ctl_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
