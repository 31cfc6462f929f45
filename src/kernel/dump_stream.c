/*
 * This file implements the streamed JSON text of a state dump
 * (kernel/dump.json, `sentrydbg dump --json`, --dump-on): the same text as
 * json_dumps(d, JSON_INDENT(2)) of the whole dump object, one task at a time
 * (each encoded by jansson at depth 0, then indented to its depth) so the
 * millions of JSON nodes of a large dump never exist at once. The tasks of
 * a large dump are formatted by several threads, each into its own text.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/dump_internal.h"
#include "kernel/dump_objects.h"
#include "kernel/snapshot.h"

struct dump_text {
	char *p;
	size_t len, cap;
	bool oom;
};

static bool dt_reserve(struct dump_text *t, size_t n)
{
	size_t cap;
	char *np;

	if (t->oom)
		return false;
	if (t->len + n <= t->cap)
		return true;
	cap = t->cap ? t->cap : 1 << 20;
	while (cap < t->len + n)
		cap *= 2;
	np = realloc(t->p, cap);
	if (!np) {
		t->oom = true;
		return false;
	}
	t->p = np;
	t->cap = cap;
	return true;
}

static void dt_put(struct dump_text *t, const char *s, size_t n)
{
	if (dt_reserve(t, n)) {
		memcpy(t->p + t->len, s, n);
		t->len += n;
	}
}

/* Appends v encoded by jansson (JSON_INDENT(2)), every line after the
 * first indented by 2 * depth more spaces. */
static void dt_json(struct dump_text *t, json_t *v, int depth)
{
	size_t flags = JSON_INDENT(2) | JSON_ENCODE_ANY, n;
	size_t pad = 2 * (size_t)depth, start;

	if (!v) {
		t->oom = true;
		return;
	}
	/* Encode straight into the free space; only a value larger than
	 * that is encoded twice. */
	if (!dt_reserve(t, 64 * 1024))
		return;
	start = t->len;
	n = json_dumpb(v, t->p + start, t->cap - start, flags);
	if (n == 0) {
		t->oom = true;
		return;
	}
	if (n > t->cap - start) {
		if (!dt_reserve(t, n))
			return;
		json_dumpb(v, t->p + start, n, flags);
	}
	if (pad == 0) {
		t->len += n;
		return;
	}
	/* Re-indent: count the newlines, then move each line into place,
	 * from the end. */
	size_t lines = 0, i = n, j;
	char *base;

	for (const char *q = t->p + start;
	     (q = memchr(q, '\n', (size_t)(t->p + start + n - q))) != NULL; q++)
		lines++;
	if (!dt_reserve(t, n + lines * pad))
		return;
	base = t->p + start;
	j = n + lines * pad;
	t->len = start + j;
	while (lines-- > 0) {
		size_t nl = i - 1, run;

		while (base[nl] != '\n')
			nl--;
		run = i - (nl + 1);
		j -= run;
		memmove(base + j, base + nl + 1, run);
		j -= pad;
		memset(base + j, ' ', pad);
		base[--j] = '\n';
		i = nl;
	}
}

static void dt_key(struct dump_text *t, const char *key, bool first)
{
	json_t *k = json_string(key);

	dt_put(t, first ? "\n  " : ",\n  ", first ? 3 : 4);
	dt_json(t, k, 1);
	json_decref(k);
	dt_put(t, ": ", 2);
}

/* Appends the members of o as members of the top-level object. */
static void dt_members(struct dump_text *t, json_t *o, bool *first)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		dt_key(t, key, *first);
		*first = false;
		dt_json(t, v, 1);
	}
}

/* Formats tasks [lo, hi) of a dump into its own text, for one thread. */
struct dump_slice {
	struct kernel *k;
	const struct dump_parts *p;
	int lo, hi;
	struct dump_text t;
};

static void dump_slice_format(struct dump_slice *sl)
{
	struct sigset_cache cache;

	sigset_cache_begin(&cache);
	for (int i = sl->lo; i < sl->hi; i++) {
		json_t *o = dump_task_of_parts(sl->k, sl->p, i);

		dt_put(&sl->t, i ? ",\n    " : "\n    ", i ? 6 : 5);
		dt_json(&sl->t, o, 2);
		json_decref(o);
	}
	sigset_cache_end(&cache);
}

static void *dump_slice_main(void *arg)
{
	dump_slice_format(arg);
	return NULL;
}

#define DUMP_MAX_SLICES 4
#define DUMP_TASKS_PER_SLICE 1000

/* The tasks of a dump as text, formatted by up to one thread per CPU.
 * The threads read only the copies, never the platform, so any thread
 * (the platform thread too) may take a dump. */
static void dump_tasks_text(struct kernel *k, const struct dump_parts *p,
			    struct dump_text *t)
{
	struct dump_slice sl[DUMP_MAX_SLICES];
	pthread_t th[DUMP_MAX_SLICES];
	bool started[DUMP_MAX_SLICES] = { false };
	int nsl = p->nsnap / DUMP_TASKS_PER_SLICE;
	int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);

	if (nsl > cpus)
		nsl = cpus;
	if (nsl > DUMP_MAX_SLICES)
		nsl = DUMP_MAX_SLICES;
	if (nsl < 1)
		nsl = 1;
	for (int i = 0; i < nsl; i++) {
		sl[i] = (struct dump_slice){
			.k = k, .p = p,
			.lo = (int)((long long)p->nsnap * i / nsl),
			.hi = (int)((long long)p->nsnap * (i + 1) / nsl),
		};
		/* A task takes about 3 KB: size the slice once rather than
		 * copy it at every doubling. */
		dt_reserve(&sl[i].t, (size_t)(sl[i].hi - sl[i].lo) * 3584);
	}
	/* The caller formats the first slice; helpers the others (or the
	 * caller too, if a helper cannot start). */
	for (int i = 1; i < nsl; i++)
		started[i] = pthread_create(&th[i], NULL, dump_slice_main,
					    &sl[i]) == 0;
	dump_slice_format(&sl[0]);
	for (int i = 1; i < nsl; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			dump_slice_format(&sl[i]);
	}
	size_t total = 64 * 1024; /* and the thread groups, cgroups... */

	for (int i = 0; i < nsl; i++)
		total += sl[i].t.len;
	dt_reserve(t, total);
	for (int i = 0; i < nsl; i++) {
		if (sl[i].t.oom)
			t->oom = true;
		dt_put(t, sl[i].t.p, sl[i].t.len);
		free(sl[i].t.p);
	}
}

int dump_stream(struct kernel *k, char **out, size_t *len)
{
	struct sigset_cache cache;
	struct dump_text t = { 0 };
	struct dump_parts p;
	bool first = true;
	int err = dump_collect(k, true, &p);

	if (err < 0)
		return err;
	dt_put(&t, "{", 1);
	dt_members(&t, p.head, &first);
	dt_key(&t, "tasks", first);
	dt_put(&t, p.nsnap ? "[" : "[]", p.nsnap ? 1 : 2);
	dump_tasks_text(k, &p, &t);
	if (p.nsnap)
		dt_put(&t, "\n  ]", 4);
	dt_key(&t, "thread_groups", false);
	dt_put(&t, p.ntg ? "[" : "[]", p.ntg ? 1 : 2);
	sigset_cache_begin(&cache);
	for (int i = 0; i < p.ntg; i++) {
		json_t *o = dump_tg_json(&p.tgs[i]);

		dt_put(&t, i ? ",\n    " : "\n    ", i ? 6 : 5);
		dt_json(&t, o, 2);
		json_decref(o);
	}
	sigset_cache_end(&cache);
	if (p.ntg)
		dt_put(&t, "\n  ]", 4);
	dt_members(&t, p.tail, &first);
	dt_put(&t, "\n}\n", 4); /* and a NUL, not counted */
	dump_parts_free(&p);
	if (t.oom) {
		free(t.p);
		return -ENOMEM;
	}
	*out = t.p;
	*len = t.len - 1;
	return 0;
}
