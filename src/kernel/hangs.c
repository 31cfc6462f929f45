/*
 * This file finds the stuck set (blocked.h): the greatest set of blocked
 * tasks every one of whose wakers is in the set too, so that none of
 * them can ever run again unless something outside the sandbox acts. A
 * timed wait, a wait something outside can end, and a running task are
 * never in it; a zombie can wake no one.
 *
 * The host's facts are read one task after another, not at one instant,
 * so a pair that only looks deadlocked (a busy writer seen asleep on a
 * full pipe, its reader a moment later on the emptied one) is checked:
 * every task of the set is read again after the set is computed, and
 * one the host ran in between, or that now runs, leaves it and the set
 * is computed again. What remains was asleep in the same wait across an
 * instant common to all of them, a consistent cut.
 *
 * Cycles are the strongly connected parts of the stuck set's waker graph
 * (Tarjan's algorithm), a task waiting on itself included.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/blocked.h"
#include "kernel/blocked_internal.h"
#include "kernel/kernel.h"

/* The most tasks a why chain shows, and the wakers one line names. */
#define WHY_MAX_LINES 64
#define LINE_MAX_WAKERS 8

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int task_index(const struct hang_report *r, pid_t tid)
{
	int lo = 0, hi = r->nr_tasks - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (r->tasks[mid].tid == tid)
			return mid;
		if (r->tasks[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

const struct blocked_on *hang_report_find(const struct hang_report *r,
					  pid_t tid)
{
	int i = task_index(r, tid);

	return i < 0 ? NULL : &r->tasks[i];
}

bool hang_report_is_stuck(const struct hang_report *r, pid_t tid)
{
	return bsearch(&tid, r->stuck, (size_t)r->nr_stuck, sizeof(pid_t),
		       pid_cmp) != NULL;
}

/* A task that may be stuck: blocked, with nothing but tasks to wake it. */
static bool may_be_stuck(const struct blocked_on *b)
{
	return b->kind != BLOCKED_NONE && b->kind != BLOCKED_ZOMBIE &&
	       !b->timed && !b->external;
}

/* Narrows in[] (candidates) to the greatest fixed point. */
static void fixed_point(const struct hang_report *r, bool *in)
{
	bool changed = true;

	while (changed) {
		int live_out = 0;

		changed = false;
		/* A task outside the set, alive, can send any signal. */
		for (int i = 0; i < r->nr_tasks; i++)
			if (!in[i] && r->tasks[i].kind != BLOCKED_ZOMBIE)
				live_out++;
		for (int i = 0; i < r->nr_tasks; i++) {
			const struct blocked_on *b = &r->tasks[i];
			bool keep = true;

			if (!in[i])
				continue;
			if (b->wakers_any && live_out > 0)
				keep = false;
			for (int j = 0; keep && j < b->nr_wakers; j++) {
				int w = task_index(r, b->wakers[j].tid);

				/* A zombie wakes no one but a wait for
				 * it; an unknown TID may be anything. */
				if (w < 0 ||
				    (!in[w] && (r->tasks[w].kind != BLOCKED_ZOMBIE ||
						b->kind == BLOCKED_WAIT)))
					keep = false;
			}
			if (!keep) {
				in[i] = false;
				changed = true;
			}
		}
	}
}

/* Reads how often the host has run selected task i, as the baseline
 * host_moved() compares with, or notes it moved on already. */
static void read_runs(struct bw_world *w, int i)
{
	struct platform *p = w->k->plat;
	struct host_thread_state now;

	if (!w->selected[i] || !p || !p->ops->read_host_state)
		return;
	if (p->ops->read_host_state(p, w->snaps[i].host_tid,
				    HOST_STATE_RUNS | HOST_STATE_NO_STAT,
				    &now) < 0 ||
	    now.nr != w->host[i].nr)
		w->moved[i] = true;
	else
		w->host[i].runs = now.runs;
}

/* Whether the host ran selected task i since read_runs(), or shows it
 * elsewhere now. */
static void host_moved(struct bw_world *w, int i)
{
	struct platform *p = w->k->plat;
	struct host_thread_state now;

	if (!w->selected[i] || w->moved[i] || !p || !p->ops->read_host_state)
		return;
	/* Not run since read_runs() saw it in its syscall: still in it. */
	if (p->ops->read_host_state(p, w->snaps[i].host_tid,
				    HOST_STATE_RUNS | HOST_STATE_NO_STAT |
					    HOST_STATE_NO_SYSCALL,
				    &now) < 0 ||
	    now.runs != w->host[i].runs)
		w->moved[i] = true;
}

/* Tarjan's strongly connected components over the stuck tasks. */
struct scc {
	const struct hang_report *r;
	const bool *in;
	int *index, *low, *stack;
	bool *on_stack;
	int next, sp;
	struct hang_report *out;
};

static void scc_emit(struct scc *c, int root)
{
	int n = 0, top = c->sp;
	bool self = false;
	pid_t *v, **nc;
	int *nl;

	while (c->stack[--top] != root)
		;
	n = c->sp - top;
	if (n == 1) {
		const struct blocked_on *b = &c->r->tasks[root];

		for (int j = 0; j < b->nr_wakers; j++)
			self |= b->wakers[j].tid == b->tid;
	}
	if (n > 1 || self) {
		v = malloc(sizeof(*v) * (size_t)n);
		nc = realloc(c->out->cycles,
			     sizeof(*nc) * (size_t)(c->out->nr_cycles + 1));
		if (nc)
			c->out->cycles = nc;
		nl = realloc(c->out->cycle_len,
			     sizeof(*nl) * (size_t)(c->out->nr_cycles + 1));
		if (nl)
			c->out->cycle_len = nl;
		if (v && nc && nl) {
			for (int j = 0; j < n; j++)
				v[j] = c->r->tasks[c->stack[top + j]].tid;
			qsort(v, (size_t)n, sizeof(*v), pid_cmp);
			c->out->cycles[c->out->nr_cycles] = v;
			c->out->cycle_len[c->out->nr_cycles++] = n;
		} else {
			free(v);
		}
	}
	for (int j = top; j < c->sp; j++)
		c->on_stack[c->stack[j]] = false;
	c->sp = top;
}

static void scc_visit(struct scc *c, int i)
{
	const struct blocked_on *b = &c->r->tasks[i];

	c->index[i] = c->low[i] = c->next++;
	c->stack[c->sp++] = i;
	c->on_stack[i] = true;
	for (int j = 0; j < b->nr_wakers; j++) {
		int w = task_index(c->r, b->wakers[j].tid);

		if (w < 0 || !c->in[w])
			continue;
		if (c->index[w] < 0) {
			scc_visit(c, w);
			if (c->low[w] < c->low[i])
				c->low[i] = c->low[w];
		} else if (c->on_stack[w] && c->index[w] < c->low[i]) {
			c->low[i] = c->index[w];
		}
	}
	if (c->low[i] == c->index[i])
		scc_emit(c, i);
}

static int cycle_cmp(const void *a, const void *b)
{
	return pid_cmp(*(pid_t *const *)a, *(pid_t *const *)b);
}

static void find_cycles(struct hang_report *r, const bool *in)
{
	size_t n = (size_t)(r->nr_tasks ? r->nr_tasks : 1);
	struct scc c = { .r = r, .in = in, .out = r };

	c.index = malloc(sizeof(int) * n);
	c.low = malloc(sizeof(int) * n);
	c.stack = malloc(sizeof(int) * n);
	c.on_stack = calloc(n, sizeof(bool));
	if (c.index && c.low && c.stack && c.on_stack) {
		for (int i = 0; i < r->nr_tasks; i++)
			c.index[i] = -1;
		for (int i = 0; i < r->nr_tasks; i++)
			if (in[i] && c.index[i] < 0)
				scc_visit(&c, i);
	}
	free(c.index);
	free(c.low);
	free(c.stack);
	free(c.on_stack);
	/* Sort cycles by first TID, keeping each length with its cycle. */
	for (int i = 1; i < r->nr_cycles; i++)
		for (int j = i; j > 0 && cycle_cmp(&r->cycles[j - 1],
						   &r->cycles[j]) > 0;
		     j--) {
			pid_t *t = r->cycles[j];
			int l = r->cycle_len[j];

			r->cycles[j] = r->cycles[j - 1];
			r->cycle_len[j] = r->cycle_len[j - 1];
			r->cycles[j - 1] = t;
			r->cycle_len[j - 1] = l;
		}
}

int kernel_hangs(struct kernel *k, struct hang_report **out)
{
	struct hang_report *r;
	struct bw_world w;
	bool *in, *sel;
	int err;

	*out = NULL;
	err = bw_world_init(&w, k);
	if (err < 0)
		return err;
	r = calloc(1, sizeof(*r));
	in = calloc((size_t)(w.n ? w.n : 1), sizeof(bool));
	if (r)
		r->tasks = calloc((size_t)(w.n ? w.n : 1), sizeof(*r->tasks));
	if (!r || !in || !r->tasks) {
		free(in);
		hang_report_free(r);
		bw_world_free(&w);
		return -ENOMEM;
	}
	r->nr_tasks = w.n;
	bw_describe_all(&w, true, r->tasks);
	for (int i = 0; i < w.n; i++)
		in[i] = may_be_stuck(&r->tasks[i]);
	/* The host's facts are one look per task: a baseline of how often
	 * the host ran each task in a host syscall that may be stuck, then
	 * the set, then a second look at its members; any that moved
	 * leave it and the set is worked out again. */
	sel = calloc((size_t)(w.n ? w.n : 1), sizeof(bool));
	w.moved = calloc((size_t)(w.n ? w.n : 1), sizeof(bool));
	if (!sel || !w.moved) {
		free(sel);
		free(in);
		hang_report_free(r);
		bw_world_free(&w);
		return -ENOMEM;
	}
	w.selected = sel;
	for (int i = 0; i < w.n; i++)
		sel[i] = in[i] && r->tasks[i].kind == BLOCKED_SYSCALL;
	bw_parallel(&w, w.n, read_runs);
	for (int i = 0; i < w.n; i++)
		if (w.moved[i])
			in[i] = false;
	fixed_point(r, in);
	/* One second look is enough: every member left after it was still
	 * in the same sleep at both looks, so all were at once, between
	 * the passes; removing the ones that moved only shrinks the set. */
	for (int i = 0; i < w.n; i++)
		sel[i] = in[i] && r->tasks[i].kind == BLOCKED_SYSCALL;
	bw_parallel(&w, w.n, host_moved);
	for (int i = 0; i < w.n; i++)
		if (sel[i] && w.moved[i])
			in[i] = false;
	fixed_point(r, in);
	w.selected = NULL;
	free(sel);
	free(w.moved);
	w.moved = NULL;
	r->stuck = malloc(sizeof(pid_t) * (size_t)(w.n ? w.n : 1));
	if (!r->stuck) {
		free(in);
		hang_report_free(r);
		bw_world_free(&w);
		return -ENOMEM;
	}
	for (int i = 0; i < w.n; i++)
		if (in[i])
			r->stuck[r->nr_stuck++] = r->tasks[i].tid;
	find_cycles(r, in);
	free(in);
	bw_world_free(&w);
	*out = r;
	return 0;
}

void hang_report_free(struct hang_report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nr_tasks; i++)
		blocked_on_free(&r->tasks[i]);
	free(r->tasks);
	free(r->stuck);
	for (int i = 0; i < r->nr_cycles; i++)
		free(r->cycles[i]);
	free(r->cycles);
	free(r->cycle_len);
	free(r);
}

/* Appends to a fixed buffer, truncating. */
static void cat(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void cat(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

static const char *kind_word(const struct blocked_on *b)
{
	switch (b->kind) {
	case BLOCKED_NONE: return "running";
	case BLOCKED_SYSCALL: return b->syscall;
	case BLOCKED_WAIT:
	case BLOCKED_SIGNAL: return b->syscall[0] ? b->syscall : "wait";
	case BLOCKED_GROUP_STOP: return "stopped";
	case BLOCKED_PTRACE_STOP: return "traced";
	case BLOCKED_VFORK: return "vfork";
	case BLOCKED_EXTERNAL_STOP: return "held";
	case BLOCKED_ZOMBIE: return "zombie";
	}
	return "?";
}

static const char *kind_name(enum blocked_kind k)
{
	switch (k) {
	case BLOCKED_NONE: return "running";
	case BLOCKED_SYSCALL: return "syscall";
	case BLOCKED_WAIT: return "wait";
	case BLOCKED_SIGNAL: return "signal";
	case BLOCKED_GROUP_STOP: return "group-stop";
	case BLOCKED_PTRACE_STOP: return "ptrace-stop";
	case BLOCKED_VFORK: return "vfork";
	case BLOCKED_EXTERNAL_STOP: return "external-stop";
	case BLOCKED_ZOMBIE: return "zombie";
	}
	return "?";
}

void blocked_on_short(const struct blocked_on *b, char *buf, size_t len)
{
	size_t u = 0;

	buf[0] = '\0';
	if (b->kind == BLOCKED_NONE)
		return;
	cat(buf, len, &u, "%s", kind_word(b));
	if (b->object[0])
		cat(buf, len, &u, " %s", b->object);
}

void blocked_on_text(const struct blocked_on *b, char *buf, size_t len)
{
	size_t u = 0;

	buf[0] = '\0';
	if (b->kind == BLOCKED_NONE) {
		cat(buf, len, &u, "running");
		return;
	}
	blocked_on_short(b, buf, len);
	u = strlen(buf);
	if (b->timed) {
		if (b->has_remaining)
			cat(buf, len, &u, ", timed: %.1f s left",
			    (double)b->remaining_ns / 1e9);
		else
			cat(buf, len, &u, ", timed");
		return;
	}
	if (b->wakers_any) {
		cat(buf, len, &u, " ← any task");
	} else if (b->nr_wakers || b->role[0]) {
		cat(buf, len, &u, " ← %s: ", b->role[0] ? b->role : "wakers");
		if (!b->nr_wakers)
			cat(buf, len, &u, "none");
		for (int i = 0; i < b->nr_wakers && i < LINE_MAX_WAKERS; i++) {
			const struct blocked_waker *w = &b->wakers[i];

			cat(buf, len, &u, "%s%d", i ? ", " : "", (int)w->tid);
			if (w->tid == b->tid && w->fd >= 0)
				cat(buf, len, &u, " (itself: fd %d)", w->fd);
			else if (w->tid == b->tid)
				cat(buf, len, &u, " (itself)");
			else if (w->fd >= 0)
				cat(buf, len, &u, " (fd %d)", w->fd);
		}
		if (b->nr_wakers > LINE_MAX_WAKERS)
			cat(buf, len, &u, " and %d more",
			    b->nr_wakers - LINE_MAX_WAKERS);
	}
	if (b->external)
		cat(buf, len, &u, "; from outside: %s", b->external_why);
}

json_t *blocked_on_json(const struct blocked_on *b)
{
	json_t *o = json_object(), *wk = json_array();
	char line[512];

	if (!o || !wk) {
		json_decref(o);
		json_decref(wk);
		return NULL;
	}
	for (int i = 0; i < b->nr_wakers; i++) {
		json_t *w = json_pack("{s:i}", "tid", (int)b->wakers[i].tid);

		if (w && b->wakers[i].fd >= 0)
			json_object_set_new(w, "fd",
					    json_integer(b->wakers[i].fd));
		json_array_append_new(wk, w);
	}
	blocked_on_text(b, line, sizeof(line));
	json_object_set_new(o, "tid", json_integer(b->tid));
	json_object_set_new(o, "tgid", json_integer(b->tgid));
	json_object_set_new(o, "comm", json_string(b->comm));
	json_object_set_new(o, "state", json_stringn(&b->state, b->state ? 1 : 0));
	json_object_set_new(o, "kind", json_string(kind_name(b->kind)));
	json_object_set_new(o, "syscall",
			    b->syscall[0] ? json_string(b->syscall) : json_null());
	json_object_set_new(o, "object", json_string(b->object));
	json_object_set_new(o, "role", json_string(b->role));
	json_object_set_new(o, "wakers", wk);
	json_object_set_new(o, "any_task_wakes", json_boolean(b->wakers_any));
	json_object_set_new(o, "timed", json_boolean(b->timed));
	if (b->has_remaining)
		json_object_set_new(o, "remaining_ns",
				    json_integer((json_int_t)b->remaining_ns));
	json_object_set_new(o, "external",
			    b->external ? json_string(b->external_why) :
					  json_null());
	json_object_set_new(o, "wchan", json_string(b->wchan));
	json_object_set_new(o, "text", json_string(line));
	return o;
}

static json_t *pids_json(const pid_t *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *cycles_json(const struct hang_report *r, pid_t only)
{
	json_t *a = json_array();

	for (int i = 0; a && i < r->nr_cycles; i++) {
		bool has = only == 0;

		for (int j = 0; !has && j < r->cycle_len[i]; j++)
			has = r->cycles[i][j] == only;
		if (has)
			json_array_append_new(a, pids_json(r->cycles[i],
							   r->cycle_len[i]));
	}
	return a;
}

json_t *hang_report_json(const struct hang_report *r)
{
	json_t *o = json_object(), *blocked = json_array();

	if (!o || !blocked) {
		json_decref(o);
		json_decref(blocked);
		return NULL;
	}
	for (int i = 0; i < r->nr_tasks; i++)
		if (r->tasks[i].kind != BLOCKED_NONE)
			json_array_append_new(blocked,
					      blocked_on_json(&r->tasks[i]));
	json_object_set_new(o, "stuck", pids_json(r->stuck, r->nr_stuck));
	json_object_set_new(o, "cycles", cycles_json(r, 0));
	json_object_set_new(o, "blocked", blocked);
	return o;
}

/* A growing text. */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void text_add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0,
			      fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if (t->s && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		size_t ncap = t->cap * 2 + (size_t)n + 256;
		char *ns = realloc(t->s, ncap);

		if (!ns) {
			t->failed = true;
			return;
		}
		t->s = ns;
		t->cap = ncap;
	}
}

static char *text_done(struct text *t)
{
	if (t->failed) {
		free(t->s);
		return NULL;
	}
	if (!t->s)
		text_add(t, "%s", "");
	return t->failed ? NULL : t->s;
}

static void task_line(struct text *t, const struct blocked_on *b, int depth)
{
	char line[512];

	blocked_on_text(b, line, sizeof(line));
	text_add(t, "%*s%d (%s) %c %s\n", depth * 2, "", (int)b->tid, b->comm,
		 b->state ? b->state : '?', line);
}

char *hang_report_text(const struct hang_report *r)
{
	struct text t = { 0 };
	int blocked = 0;

	for (int i = 0; i < r->nr_tasks; i++)
		blocked += r->tasks[i].kind != BLOCKED_NONE &&
			   r->tasks[i].kind != BLOCKED_ZOMBIE;
	if (r->nr_stuck == 0) {
		text_add(&t, "no stuck tasks (%d tasks, %d blocked, none "
			     "beyond waking)\n", r->nr_tasks, blocked);
		return text_done(&t);
	}
	text_add(&t, "%d stuck task%s, %d cycle%s (%d tasks, %d blocked)\n",
		 r->nr_stuck, r->nr_stuck == 1 ? "" : "s", r->nr_cycles,
		 r->nr_cycles == 1 ? "" : "s", r->nr_tasks, blocked);
	for (int i = 0; i < r->nr_cycles; i++) {
		text_add(&t, "cycle:");
		for (int j = 0; j < r->cycle_len[i]; j++)
			text_add(&t, " %d", (int)r->cycles[i][j]);
		text_add(&t, "\n");
	}
	for (int i = 0; i < r->nr_stuck; i++)
		task_line(&t, hang_report_find(r, r->stuck[i]), 1);
	return text_done(&t);
}

/* Depth-first walk of the wakers from b, each task once. */
struct why_walk {
	const struct hang_report *r;
	bool *seen;
	int lines;
	struct text *t;
	json_t *chain;
	bool any_end;         /* reached something that can wake */
};

static void why_visit(struct why_walk *w, int i, int depth)
{
	const struct blocked_on *b = &w->r->tasks[i];

	w->seen[i] = true;
	if (w->lines++ >= WHY_MAX_LINES)
		return;
	if (w->t)
		task_line(w->t, b, depth);
	if (w->chain)
		json_array_append_new(w->chain, blocked_on_json(b));
	if (b->kind == BLOCKED_NONE || b->timed || b->external) {
		w->any_end = true;
		return;
	}
	if (b->wakers_any)
		return;
	for (int j = 0; j < b->nr_wakers; j++) {
		int k = task_index(w->r, b->wakers[j].tid);

		if (k < 0 || k == i)
			continue;
		if (w->seen[k]) {
			if (w->t && w->lines < WHY_MAX_LINES)
				text_add(w->t, "%*s%d: see above\n",
					 (depth + 1) * 2, "",
					 (int)b->wakers[j].tid);
			continue;
		}
		why_visit(w, k, depth + 1);
	}
}

static int why_walk(const struct hang_report *r, pid_t tid, struct text *t,
		    json_t *chain)
{
	int i = task_index(r, tid);
	struct why_walk w = { .r = r, .t = t, .chain = chain };

	if (i < 0)
		return -ESRCH;
	w.seen = calloc((size_t)r->nr_tasks, sizeof(bool));
	if (!w.seen)
		return -ENOMEM;
	why_visit(&w, i, 0);
	free(w.seen);
	return 0;
}

/* The last line: the verdict. */
static void why_verdict(const struct hang_report *r, pid_t tid,
			struct text *t)
{
	const struct blocked_on *b = hang_report_find(r, tid);

	if (hang_report_is_stuck(r, tid)) {
		for (int i = 0; i < r->nr_cycles; i++) {
			bool in = false;

			for (int j = 0; j < r->cycle_len[i]; j++)
				in |= r->cycles[i][j] == tid;
			if (!in)
				continue;
			text_add(t, "stuck: nothing outside the cycle");
			for (int j = 0; j < r->cycle_len[i]; j++)
				text_add(t, " %d", (int)r->cycles[i][j]);
			text_add(t, " can wake it\n");
			return;
		}
		text_add(t, "stuck: every task that could wake it is stuck\n");
	} else if (b->kind == BLOCKED_NONE) {
		text_add(t, "not stuck: it runs\n");
	} else if (b->kind == BLOCKED_ZOMBIE) {
		text_add(t, "dead: a zombie until its parent reaps it\n");
	} else {
		text_add(t, "not stuck: a task above can run, a timer can "
			    "fire or something outside can act\n");
	}
}

char *hang_why_text(const struct hang_report *r, pid_t tid)
{
	struct text t = { 0 };

	if (!hang_report_find(r, tid) || why_walk(r, tid, &t, NULL) < 0) {
		free(t.s);
		return NULL;
	}
	why_verdict(r, tid, &t);
	return text_done(&t);
}

json_t *hang_why_json(const struct hang_report *r, pid_t tid)
{
	json_t *chain = json_array(), *o;

	if (!chain || !hang_report_find(r, tid) ||
	    why_walk(r, tid, NULL, chain) < 0) {
		json_decref(chain);
		return NULL;
	}
	o = json_pack("{s:i,s:b,s:o,s:o}", "tid", (int)tid, "stuck",
		      hang_report_is_stuck(r, tid), "chain", chain, "cycles",
		      cycles_json(r, tid));
	return o;
}
