/*
 * This file implements sentrydbg's output (client.h): one text form per
 * command, stable for scripts (fixed columns, one record a line, no
 * colours, nothing but the answer on stdout), plus JSON (--json) which is
 * the server's result as is, pretty-printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debugger/client.h"

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static bool is_sigset(json_t *v)
{
	return json_is_object(v) && json_object_size(v) == 2 &&
	       json_object_get(v, "mask") && json_object_get(v, "names");
}

/* One JSON value on one line: scalars as is, sigsets as "MASK (NAMES)",
 * arrays of scalars space-separated, anything else compact JSON. */
static void value(json_t *v, FILE *out)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		fputs(json_string_value(v), out);
	} else if (json_is_null(v)) {
		fputs("-", out);
	} else if (json_is_true(v) || json_is_false(v)) {
		fputs(json_is_true(v) ? "yes" : "no", out);
	} else if (json_is_integer(v)) {
		fprintf(out, "%lld", (long long)json_integer_value(v));
	} else if (is_sigset(v)) {
		json_t *names = json_object_get(v, "names");

		fputs(jstr(v, "mask"), out);
		json_array_foreach(names, i, e)
			fprintf(out, "%s%s", i ? " " : " (", json_string_value(e));
		if (json_array_size(names))
			fputs(")", out);
	} else if (json_is_array(v) && (json_array_size(v) == 0 ||
					!json_is_object(json_array_get(v, 0)))) {
		if (json_array_size(v) == 0)
			fputs("-", out);
		json_array_foreach(v, i, e) {
			if (i)
				fputc(' ', out);
			value(e, out);
		}
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		fputs(s ? s : "?", out);
		free(s);
	}
}

/* "key: value" lines; nested objects indented under their key. */
static void object(json_t *o, int indent, FILE *out)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (json_is_object(v) && json_object_size(v) == 2 &&
		    json_object_get(v, "cur") && json_object_get(v, "max")) {
			/* A resource limit; null is unlimited. */
			json_t *cur = json_object_get(v, "cur");
			json_t *max = json_object_get(v, "max");

			fprintf(out, "%*s%s: ", indent, "", key);
			if (json_is_null(cur))
				fputs("unlimited", out);
			else
				value(cur, out);
			fputs(" / ", out);
			if (json_is_null(max))
				fputs("unlimited", out);
			else
				value(max, out);
			fputc('\n', out);
		} else if (json_is_object(v) && !is_sigset(v)) {
			fprintf(out, "%*s%s:\n", indent, "", key);
			object(v, indent + 2, out);
		} else if (json_is_array(v) && json_array_size(v) &&
			   json_is_object(json_array_get(v, 0))) {
			size_t i;
			json_t *e;

			fprintf(out, "%*s%s:\n", indent, "", key);
			json_array_foreach(v, i, e) {
				fprintf(out, "%*s-\n", indent + 2, "");
				object(e, indent + 4, out);
			}
		} else {
			fprintf(out, "%*s%s: ", indent, "", key);
			value(v, out);
			fputc('\n', out);
		}
	}
}

/* Prints argv on one line: control characters (a newline in a python -c
 * script) become '?', as ps(1) shows them, so one task is one line. */
static void cmdline(json_t *argv, FILE *out)
{
	json_t *a;
	size_t i;

	json_array_foreach(argv, i, a) {
		const char *c = json_string_value(a);

		if (i)
			fputc(' ', out);
		for (; c && *c; c++)
			fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c,
			      out);
	}
}

static void r_ps(json_t *r, FILE *out)
{
	json_t *t;
	size_t i;

	fprintf(out, "%7s %7s %7s %7s %7s %s %4s %-16s %-32s %s\n", "TID",
		"TGID", "PPID", "PGID", "SID", "S", "STOP", "COMM", "WAIT",
		"CMD");
	json_array_foreach(json_object_get(r, "tasks"), i, t) {
		const char *wait = json_string_value(json_object_get(t, "blocked"));

		fprintf(out, "%7lld %7lld %7lld %7lld %7lld %s %4lld %-16s %-32.32s ",
			jint(t, "tid"), jint(t, "tgid"), jint(t, "ppid"),
			jint(t, "pgid"), jint(t, "sid"), jstr(t, "state"),
			jint(t, "stop_count"), jstr(t, "comm"),
			wait && wait[0] ? wait : "-");
		cmdline(json_object_get(t, "cmdline"), out);
		fputc('\n', out);
	}
}

static void tree_node(json_t *n, const char *prefix, bool last, bool root,
		      FILE *out)
{
	json_t *threads = json_object_get(n, "threads"), *kid;
	json_t *kids = json_object_get(n, "children");
	char next[1024];
	size_t i;

	fprintf(out, "%s%s%lld %s", prefix,
		root ? "" : (last ? "`-- " : "|-- "), jint(n, "tgid"),
		jstr(n, "comm"));
	if (strcmp(jstr(n, "state_letter"), "R") != 0)
		fprintf(out, " [%s]", jstr(n, "state_letter"));
	if (json_array_size(threads) > 1) {
		fputs(" {", out);
		value(threads, out);
		fputs("}", out);
	}
	fputc('\n', out);
	snprintf(next, sizeof(next), "%s%s", prefix,
		 root ? "" : (last ? "    " : "|   "));
	json_array_foreach(kids, i, kid)
		tree_node(kid, next, i + 1 == json_array_size(kids), false, out);
}

static void r_tree(json_t *r, FILE *out)
{
	json_t *n;
	size_t i;

	json_array_foreach(json_object_get(r, "tree"), i, n)
		tree_node(n, "", true, true, out);
}

static void r_fds(json_t *r, FILE *out)
{
	json_t *fd;
	size_t i;

	fprintf(out, "task %lld (host tid %lld), fd table %lld shared by %lld task%s\n",
		jint(r, "tid"), jint(r, "host_tid"), jint(r, "fd_table"),
		jint(r, "users"), jint(r, "users") == 1 ? "" : "s");
	json_array_foreach(json_object_get(r, "fds"), i, fd)
		fprintf(out, "%5lld -> %s\n", jint(fd, "fd"), jstr(fd, "target"));
}

static void r_cgroups(json_t *r, FILE *out)
{
	json_t *cg;
	size_t i;

	fprintf(out, "%-32s %6s %6s %s\n", "PATH", "ID", "PROCS", "MEMBERS");
	json_array_foreach(json_object_get(r, "cgroups"), i, cg) {
		fprintf(out, "%-32s %6lld %6zu ", jstr(cg, "path"), jint(cg, "id"),
			json_array_size(json_object_get(cg, "procs")));
		value(json_object_get(cg, "procs"), out);
		fputc('\n', out);
	}
}

static void r_regs(json_t *r, FILE *out)
{
	const char *key;
	json_t *v;
	int col = 0;

	json_object_foreach(json_object_get(r, "regs"), key, v) {
		fprintf(out, "%-8s %s%s", key, json_string_value(v),
			++col % 3 ? "   " : "\n");
	}
	if (col % 3)
		fputc('\n', out);
}

static void r_bt(json_t *r, FILE *out)
{
	json_t *f;
	size_t i;

	if (json_array_size(json_object_get(r, "frames")) == 0)
		fputs("(no frames)\n", out);
	json_array_foreach(json_object_get(r, "frames"), i, f)
		fprintf(out, "%s\n", json_string_value(f));
}

static void r_info_catch(json_t *r, FILE *out)
{
	json_t *cp, *all = json_object_get(r, "catchpoints");
	size_t i;

	if (json_array_size(all) == 0) {
		fputs("No catchpoints.\n", out);
		return;
	}
	fprintf(out, "%-4s %-8s %-6s %-5s %s\n", "Num", "Event", "Hits", "Mine",
		"What");
	json_array_foreach(all, i, cp)
		fprintf(out, "%-4lld %-8s %-6lld %-5s %s\n", jint(cp, "id"),
			jstr(cp, "event"), jint(cp, "hits"),
			json_is_true(json_object_get(cp, "mine")) ? "yes" : "no",
			jstr(cp, "description"));
}

static void r_kill(json_t *r, FILE *out)
{
	static const char *const what[] = { "task", "thread group",
					    "process group" };
	const char *t = jstr(r, "target");
	int k = strcmp(t, "tg") == 0 ? 1 : strcmp(t, "pgrp") == 0 ? 2 : 0;

	fprintf(out, "sent SIG%s to %s %lld (code %lld, pid %lld, uid %lld, value %lld)\n",
		jstr(r, "signal"), what[k], jint(r, "id"), jint(r, "code"),
		jint(r, "pid"), jint(r, "uid"), jint(r, "value"));
}

void dbg_render(const struct dbg_cmd *cmd, json_t *r, FILE *out)
{
	const char *name = cmd->def->name;

	if (cmd->json) {
		json_dumpf(r, out, JSON_INDENT(2));
		fputc('\n', out);
		return;
	}
	if (strcmp(name, "ps") == 0) {
		r_ps(r, out);
	} else if (strcmp(name, "gcore") == 0) {
		fprintf(out, "core of process %lld (%lld threads, %lld segments, "
			"%lld bytes) written to %s\n", jint(r, "tgid"),
			jint(r, "threads"), jint(r, "segments"), jint(r, "bytes"),
			jstr(r, "path"));
	} else if (strcmp(name, "hangs") == 0 || strcmp(name, "why") == 0) {
		fputs(jstr(r, "text"), out);
	} else if (strcmp(name, "tree") == 0) {
		r_tree(r, out);
	} else if (strcmp(name, "fds") == 0) {
		r_fds(r, out);
	} else if (strcmp(name, "cgroups") == 0) {
		r_cgroups(r, out);
	} else if (strcmp(name, "regs") == 0) {
		r_regs(r, out);
	} else if (strcmp(name, "bt") == 0) {
		r_bt(r, out);
	} else if (strcmp(name, "info") == 0) {
		r_info_catch(r, out);
	} else if (strcmp(name, "kill") == 0) {
		r_kill(r, out);
	} else if (strcmp(name, "pause") == 0) {
		fprintf(out, "kernel paused (depth %lld)\n", jint(r, "pause_depth"));
	} else if (strcmp(name, "resume") == 0) {
		if (jint(r, "pause_depth") > 0)
			fprintf(out, "kernel still paused (depth %lld)\n",
				jint(r, "pause_depth"));
		else
			fputs("kernel running\n", out);
	} else if (strcmp(name, "stop") == 0 || strcmp(name, "cont") == 0) {
		long long n = jint(r, "stop_count");

		if (n > 0)
			fprintf(out, "task %lld held (external stop count %lld)\n",
				jint(r, "tid"), n);
		else
			fprintf(out, "task %lld released\n", jint(r, "tid"));
	} else if (strcmp(name, "catch") == 0) {
		fprintf(out, "Catchpoint %lld: %s\n", jint(r, "id"),
			jstr(r, "description"));
	} else if (strcmp(name, "delete") == 0) {
		fprintf(out, "deleted %lld catchpoint%s\n", jint(r, "deleted"),
			jint(r, "deleted") == 1 ? "" : "s");
	} else {
		object(r, 0, out);
	}
}

static void exit_status(long long st, FILE *out)
{
	if ((st & 0x7f) == 0)
		fprintf(out, "exited %lld", (st >> 8) & 0xff);
	else
		fprintf(out, "killed by signal %lld%s", st & 0x7f,
			st & 0x80 ? " (core dumped)" : "");
}

void dbg_render_event(json_t *ev, FILE *out)
{
	const char *type = jstr(ev, "event"), *kind = jstr(ev, "kind");

	if (strcmp(type, "dropped") == 0) {
		fprintf(out, "[events] %lld events dropped (too slow to read)\n",
			jint(ev, "count"));
		return;
	}
	if (strcmp(type, "catch") == 0)
		fprintf(out, "[catch %lld] ", jint(ev, "catchpoint"));
	else
		fprintf(out, "[%s] ", kind);
	fprintf(out, "task %lld ", jint(ev, "tid"));
	if (strcmp(kind, "clone") == 0)
		fprintf(out, "created by task %lld", jint(ev, "parent"));
	else if (strcmp(kind, "exec") == 0)
		fputs("exec'd", out);
	else if (strcmp(kind, "exit") == 0)
		exit_status(jint(ev, "status"), out);
	else if (strcmp(kind, "signal") == 0)
		fprintf(out, "got SIG%s", jstr(ev, "signal"));
	else if (strcmp(kind, "syscall") == 0)
		fprintf(out, "entered syscall %s", jstr(ev, "syscall"));
	else if (strcmp(kind, "ptrace") == 0)
		fprintf(out, "made ptrace request PTRACE_%s",
			jstr(ev, "request_name"));
	if (strcmp(type, "catch") == 0)
		fputs("; kernel paused (resume to continue)", out);
	fputc('\n', out);
}

int dbg_help(const char *topic, FILE *out)
{
	const struct dbg_cmd_def *d;

	if (topic) {
		d = dbg_cmd_lookup(topic);
		if (!d)
			return -1;
		fprintf(out, "usage: %s\n%s.\n\n%s", d->usage, d->summary, d->help);
		if (d->has_json)
			fputs("--json prints the answer as JSON.\n", out);
		return 0;
	}
	fputs("Commands (help COMMAND for more):\n", out);
	for (d = dbg_commands; d->name; d++)
		fprintf(out, "  %-58s %s\n", d->usage, d->summary);
	fputs("Separate several commands with ';'.\n", out);
	return 0;
}
