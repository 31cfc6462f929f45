/*
 * This file implements the human-readable text form of a state dump
 * (kernel/dump.txt, `sentrydbg dump --text`): it renders the dump
 * object of kernel_dump_json as headed sections, a task table, and every
 * object's members as indented key: value lines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/dump_internal.h"

/* A growing buffer with printf. */
struct tbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void tb_printf(struct tbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = b->cap ? b->cap * 2 : 4096;
		while (ncap < b->len + (size_t)n + 1)
			ncap *= 2;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* Renders a JSON value compactly on one line (arrays of scalars, small
 * objects). */
static void tb_value(struct tbuf *b, json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		tb_printf(b, "%s", json_string_value(v));
		return;
	}
	if (json_is_null(v)) {
		tb_printf(b, "-");
		return;
	}
	if (json_is_object(v) && json_object_get(v, "mask") &&
	    json_object_get(v, "names")) { /* a sigset */
		json_t *n;
		size_t i;

		tb_printf(b, "%s", jstr(v, "mask"));
		json_array_foreach(json_object_get(v, "names"), i, n)
			tb_printf(b, "%s%s", i ? "," : " (", json_string_value(n));
		if (json_array_size(json_object_get(v, "names")))
			tb_printf(b, ")");
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	tb_printf(b, "%s", s ? s : "?");
	free(s);
}

/* key: value lines for an object, nested objects indented. */
static void tb_object(struct tbuf *b, json_t *o, int indent)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (json_is_object(v) &&
		    !(json_object_get(v, "mask") && json_object_get(v, "names"))) {
			tb_printf(b, "%*s%s:\n", indent, "", key);
			tb_object(b, v, indent + 2);
			continue;
		}
		if (json_is_array(v) && json_array_size(v) &&
		    json_is_object(json_array_get(v, 0))) {
			size_t i;
			json_t *e;

			tb_printf(b, "%*s%s:\n", indent, "", key);
			json_array_foreach(v, i, e) {
				tb_printf(b, "%*s- ", indent + 2, "");
				tb_value(b, e);
				tb_printf(b, "\n");
			}
			continue;
		}
		tb_printf(b, "%*s%s: ", indent, "", key);
		tb_value(b, v);
		tb_printf(b, "\n");
	}
}

static void tb_cmdline(struct tbuf *b, json_t *argv)
{
	json_t *a;
	size_t i;

	json_array_foreach(argv, i, a)
		tb_printf(b, "%s%s", i ? " " : "", json_string_value(a));
}

static void render_text(struct tbuf *b, json_t *d)
{
	json_t *kern = json_object_get(d, "kernel"), *t, *e;
	size_t i;

	tb_printf(b, "sentry state dump (schema_version %lld)\n",
		  jint(d, "schema_version"));
	tb_printf(b, "generator: %s\ntaken_at_ns: %lld\nconsistent: %s\n\n",
		  jstr(d, "generator"), jint(d, "taken_at_ns"),
		  json_is_true(json_object_get(d, "consistent")) ? "yes" : "no");
	tb_printf(b, "== kernel\n");
	tb_object(b, kern, 2);

	tb_printf(b, "\n== tasks\n%7s %7s %7s %7s %7s %-5s %-16s %s\n", "TID",
		  "TGID", "PPID", "PGID", "SID", "STATE", "COMM", "CMD");
	json_array_foreach(json_object_get(d, "tasks"), i, t) {
		tb_printf(b, "%7lld %7lld %7lld %7lld %7lld %-5s %-16s ",
			  jint(t, "tid"), jint(t, "tgid"), jint(t, "ppid"),
			  jint(t, "pgid"), jint(t, "sid"), jstr(t, "state"),
			  jstr(t, "comm"));
		tb_cmdline(b, json_object_get(t, "cmdline"));
		tb_printf(b, "\n");
	}
	json_array_foreach(json_object_get(d, "tasks"), i, t) {
		tb_printf(b, "\n-- task %lld\n", jint(t, "tid"));
		tb_object(b, t, 2);
	}
	tb_printf(b, "\n== thread_groups\n");
	json_array_foreach(json_object_get(d, "thread_groups"), i, e) {
		tb_printf(b, "\n-- thread group %lld\n", jint(e, "tgid"));
		tb_object(b, e, 2);
	}
	tb_printf(b, "\n== sessions\n");
	json_array_foreach(json_object_get(d, "sessions"), i, e) {
		tb_printf(b, "  sid %lld: foreground ", jint(e, "sid"));
		tb_value(b, json_object_get(e, "foreground"));
		tb_printf(b, ", process groups ");
		tb_value(b, json_object_get(e, "process_groups"));
		tb_printf(b, "\n");
	}
	tb_printf(b, "\n== process_groups\n");
	json_array_foreach(json_object_get(d, "process_groups"), i, e) {
		tb_printf(b, "  pgid %lld (sid %lld%s): members ", jint(e, "pgid"),
			  jint(e, "sid"),
			  json_is_true(json_object_get(e, "foreground"))
				  ? ", foreground"
				  : "");
		tb_value(b, json_object_get(e, "members"));
		tb_printf(b, "\n");
	}
	tb_printf(b, "\n== cgroups\n");
	json_array_foreach(json_object_get(d, "cgroups"), i, e) {
		tb_printf(b, "  %s (id %lld): procs ", jstr(e, "path"),
			  jint(e, "id"));
		tb_value(b, json_object_get(e, "procs"));
		tb_printf(b, "\n");
	}
	tb_printf(b, "\n== fd_tables\n");
	json_array_foreach(json_object_get(d, "fd_tables"), i, e) {
		json_t *fd;
		size_t j;

		tb_printf(b, "  table %lld: tasks ", jint(e, "id"));
		tb_value(b, json_object_get(e, "tasks"));
		if (json_object_get(e, "error"))
			tb_printf(b, " (fds unreadable: %s)", jstr(e, "error"));
		tb_printf(b, "\n");
		json_array_foreach(json_object_get(e, "fds"), j, fd)
			tb_printf(b, "    %4lld -> %s\n", jint(fd, "fd"),
				  jstr(fd, "target"));
	}
}


int dump_render_text(json_t *d, char **out, size_t *len)
{
	struct tbuf b = { 0 };

	render_text(&b, d);
	json_decref(d);
	if (b.oom || !b.p) {
		free(b.p);
		return -ENOMEM;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
