/*
 * This file implements state dumps (DESIGN §8, man/sentry-dump.5): it
 * copies everything a dump shows from a consistent snapshot and builds the
 * dump object (kernel_dump_json) from the JSON forms of dump_objects.c.
 * kernel_dump_render hands the copies to dump_stream.c for the JSON text
 * or the object to dump_text.c for the human-readable text.
 *
 * Consistency: with pause, the whole dump is taken inside one
 * kernel_pause()/kernel_unpause() pair, so no task runs application code
 * (and no trapped syscall changes the tree) while objects are copied. Each
 * object is copied with the snapshot functions (snapshot.h) and formatted
 * after its locks are dropped. ext_mu is deliberately not held across the
 * dump: reading registers goes through the platform thread, which may
 * itself need ext_mu to pause the kernel for a catchpoint.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "kernel/blocked.h"
#include "kernel/dump.h"
#include "kernel/dump_internal.h"
#include "kernel/dump_objects.h"
#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/timing.h"
#include "kernel/snapshot.h"
#include "platform/platform.h"

static json_t *hangs_summary_json(const struct hang_report *r);

void dump_parts_free(struct dump_parts *p)
{
	for (int i = 0; i < p->nsnap; i++)
		task_snap_free(&p->snaps[i]);
	for (int i = 0; i < p->ntg; i++)
		tg_snap_free(&p->tgs[i]);
	free(p->snaps);
	free(p->regs);
	free(p->have);
	free(p->tgs);
	json_decref(p->head);
	json_decref(p->tail);
	hang_report_free(p->hangs);
	memset(p, 0, sizeof(*p));
}

/* The registers of every held task of a dump: in one platform request
 * when the platform can (get_regs_many), else one request a task. */
static void dump_read_regs(struct kernel *k, struct dump_parts *p)
{
	pid_t *host = calloc((size_t)p->nsnap, sizeof(*host));
	int *pos = calloc((size_t)p->nsnap, sizeof(*pos));
	int *res = calloc((size_t)p->nsnap, sizeof(*res));
	struct user_regs_struct *regs =
		calloc((size_t)p->nsnap, sizeof(*regs));
	int n = 0;

	if (!k->plat->ops->get_regs_many) {
		for (int i = 0; i < p->nsnap; i++) {
			struct task *t;

			if (!task_regs_readable(&p->snaps[i]) ||
			    !(t = task_get_by_tid(k, p->snaps[i].tid)))
				continue;
			p->have[i] = k->plat->ops->get_regs(k->plat, t,
							    &p->regs[i]) == 0;
			task_put(t);
		}
	} else if (host && pos && res && regs) {
		for (int i = 0; i < p->nsnap; i++) {
			if (!task_regs_readable(&p->snaps[i]))
				continue;
			pos[n] = i;
			host[n] = p->snaps[i].host_tid;
			res[n] = -ESRCH;
			n++;
		}
		if (n > 0 &&
		    k->plat->ops->get_regs_many(k->plat, host, n, regs, res) == 0)
			for (int i = 0; i < n; i++) {
				if (res[i] != 0)
					continue;
				p->regs[pos[i]] = regs[i];
				p->have[pos[i]] = true;
			}
	}
	free(host);
	free(pos);
	free(res);
	free(regs);
}

/*
 * Copies everything a dump shows. With pause, the copies are taken inside
 * one kernel_pause()/kernel_unpause() pair, and the pause is undone before
 * the (long) formatting, which reads only the copies.
 */
int dump_collect(struct kernel *k, bool pause, struct dump_parts *p)
{
	pid_t *ids;
	int n, err = 0;
	bool quiet = true;

	memset(p, 0, sizeof(*p));
	/* Before the pause, which would take every task out of the host
	 * syscall it sleeps in and show it held by the debugger. */
	if (kernel_hangs(k, &p->hangs) < 0)
		p->hangs = NULL;
	if (pause) {
		/* A timeout still counts the pause (kernel_pause waits after
		 * counting): the dump goes on, marked not consistent. */
		err = kernel_pause(k);
		if (err == -ETIMEDOUT)
			quiet = false;
		else if (err < 0)
			return err;
		err = 0;
	}
	p->consistent = kernel_paused(k) && quiet;
	p->pause_depth = __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE);
	p->head = json_object();
	p->tail = json_object();
	if (!p->head || !p->tail) {
		err = -ENOMEM;
		goto out;
	}
	set(p->head, "schema_version", json_integer(DUMP_SCHEMA_VERSION));
	set(p->head, "generator", json_string("sentry " SENTRY_VERSION));
	set(p->head, "taken_at_ns", json_integer((json_int_t)clock_now_ns(CLOCK_REALTIME)));
	set(p->head, "consistent", json_boolean(p->consistent));
	set(p->head, "kernel", dump_kernel_json(k));

	n = ts_list_tids(k, false, &ids);
	if (n < 0) {
		err = n;
		goto out;
	}
	if (n > 0) {
		p->snaps = calloc((size_t)n, sizeof(*p->snaps));
		p->regs = calloc((size_t)n, sizeof(*p->regs));
		p->have = calloc((size_t)n, sizeof(*p->have));
		if (!p->snaps || !p->regs || !p->have) {
			free(ids);
			err = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < n; i++)
			if (task_snapshot(k, ids[i], &p->snaps[p->nsnap]) == 0)
				p->nsnap++; /* else: exited since it was listed */
		free(ids);
		/* Held tasks' masks are exact; the host has the others'. */
		for (int i = 0; i < p->nsnap; i++)
			p->snaps[i].blocked = task_snap_blocked(k, &p->snaps[i]);
	}
	if (k->plat && k->plat->ops->get_regs && p->nsnap > 0)
		dump_read_regs(k, p);

	n = ts_list_tids(k, true, &ids);
	if (n < 0) {
		err = n;
		goto out;
	}
	if (n > 0) {
		p->tgs = calloc((size_t)n, sizeof(*p->tgs));
		if (!p->tgs) {
			free(ids);
			err = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < n; i++)
			if (tg_snapshot(k, ids[i], &p->tgs[p->ntg]) == 0)
				p->ntg++;
		free(ids);
	}
	set(p->tail, "sessions", dump_sessions_json(k));
	set(p->tail, "process_groups", dump_pgrps_json(k));
	set(p->tail, "cgroups", dump_cgroups_json(k));
	set(p->tail, "fd_tables", dump_fd_tables_json(p->snaps, p->nsnap));
	set(p->tail, "hangs", p->hangs ? hangs_summary_json(p->hangs)
				       : json_null());
	if (!json_is_array(json_object_get(p->tail, "sessions")) ||
	    !json_is_array(json_object_get(p->tail, "process_groups")))
		err = -ENOMEM;
out:
	if (pause)
		kernel_unpause(k);
	if (err < 0)
		dump_parts_free(p);
	return err;
}

/* {"stuck":[…],"cycles":[[…]…]}: the report without its per-task part,
 * which the task objects carry. */
static json_t *hangs_summary_json(const struct hang_report *r)
{
	json_t *o = hang_report_json(r);

	if (o)
		json_object_del(o, "blocked");
	return o;
}

json_t *dump_task_of_parts(struct kernel *k, const struct dump_parts *p,
			   int i)
{
	const struct blocked_on *b =
		p->hangs ? hang_report_find(p->hangs, p->snaps[i].tid) : NULL;
	json_t *o = dump_task_json_at(k, &p->snaps[i], false,
				      p->have[i] ? &p->regs[i] : NULL,
				      p->pause_depth);

	if (o)
		set(o, "blocked", b ? blocked_on_json(b) : json_null());
	return o;
}

/* The dump as one JSON object: head, tasks, thread_groups, tail. */
int kernel_dump_json(struct kernel *k, bool pause, json_t **out)
{
	struct sigset_cache cache;
	struct dump_parts p;
	json_t *tasks, *tgs, *d;
	const char *key;
	json_t *v;
	int err = dump_collect(k, pause, &p);

	if (err < 0)
		return err;
	sigset_cache_begin(&cache);
	d = json_incref(p.head); /* the dump grows from its head */
	tasks = json_array();
	tgs = json_array();
	for (int i = 0; i < p.nsnap; i++)
		json_array_append_new(tasks, dump_task_of_parts(k, &p, i));
	for (int i = 0; i < p.ntg; i++)
		json_array_append_new(tgs, dump_tg_json(&p.tgs[i]));
	sigset_cache_end(&cache);
	set(d, "tasks", tasks);
	set(d, "thread_groups", tgs);
	json_object_foreach(p.tail, key, v)
		set(d, key, json_incref(v));
	dump_parts_free(&p);
	if (!tasks || !tgs) {
		json_decref(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

int kernel_dump_render(struct kernel *k, bool json, char **out, size_t *len)
{
	json_t *d;
	int err;

	if (json)
		return dump_stream(k, out, len);
	err = kernel_dump_json(k, true, &d);
	return err < 0 ? err : dump_render_text(d, out, len);
}
