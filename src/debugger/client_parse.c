/*
 * This file implements sentrydbg's command language and its command line
 * (client.h): the table of commands that drives parsing, help and
 * completion, the word splitter, and signal names.
 *
 * Everything here takes outside input and is fuzzed
 * (tests/fuzz/fuzz_cmdline.c): it never trusts lengths, never prints, and
 * reports errors as messages.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "debugger/client.h"

#define MAX_WORDS 64
#define MAX_SCRIPT_CMDS 10000

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v = 0;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* si_code values a user may pick for kill code=. */
static const struct {
	const char *name;
	int code;
} si_codes[] = {
	{ "SI_USER", SI_USER },   { "SI_KERNEL", SI_KERNEL },
	{ "SI_QUEUE", SI_QUEUE }, { "SI_TIMER", SI_TIMER },
	{ "SI_MESGQ", SI_MESGQ }, { "SI_ASYNCIO", SI_ASYNCIO },
	{ "SI_SIGIO", SI_SIGIO }, { "SI_TKILL", SI_TKILL },
};

static bool si_code_parse(const char *s, long *out)
{
	for (size_t i = 0; i < sizeof(si_codes) / sizeof(si_codes[0]); i++)
		if (strcasecmp(s, si_codes[i].name) == 0 ||
		    strcasecmp(s, si_codes[i].name + 3) == 0) {
			*out = si_codes[i].code;
			return true;
		}
	return parse_long(s, INT_MIN, INT_MAX, out);
}

/* ---- words ---- */

void dbg_words_free(char **words)
{
	if (!words)
		return;
	for (char **w = words; *w; w++)
		free(*w);
	free(words);
}

/*
 * Reads one word from *sp into a new string. Returns 1 and *out, 0 at the
 * end of the command (blank line, ';', newline or '#'), -EINVAL for an
 * unterminated quote. *sp is left after the word.
 */
static int next_word(const char **sp, char **out, char *err, size_t errlen)
{
	const char *s = *sp;
	size_t cap = 32, n = 0;
	char *w;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	*sp = s;
	if (!*s || *s == ';' || *s == '\n' || *s == '#')
		return 0;
	w = malloc(cap);
	if (!w)
		return -ENOMEM;
	while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != ';' &&
	       *s != '\n') {
		char q = 0, c = *s++;

		if (c == '\'' || c == '"') {
			q = c;
			while (*s && *s != q) {
				c = *s++;
				if (q == '"' && c == '\\' && *s)
					c = *s++;
				if (n + 2 > cap) {
					char *nw = realloc(w, cap *= 2);

					if (!nw) {
						free(w);
						return -ENOMEM;
					}
					w = nw;
				}
				w[n++] = c;
			}
			if (*s != q) {
				free(w);
				snprintf(err, errlen, "unterminated %c quote", q);
				return -EINVAL;
			}
			s++;
			continue;
		}
		if (c == '\\' && *s)
			c = *s++;
		if (n + 2 > cap) {
			char *nw = realloc(w, cap *= 2);

			if (!nw) {
				free(w);
				return -ENOMEM;
			}
			w = nw;
		}
		w[n++] = c;
	}
	w[n] = '\0';
	*sp = s;
	*out = w;
	return 1;
}

/* Splits the command starting at *sp into words, leaving *sp at its
 * terminator. Returns the count or -errno. */
static int split_command(const char **sp, char ***words, char *err,
			 size_t errlen)
{
	char **v = calloc(MAX_WORDS + 1, sizeof(*v));
	int n = 0, rc;

	if (!v)
		return -ENOMEM;
	for (;;) {
		char *w;

		rc = next_word(sp, &w, err, errlen);
		if (rc < 0)
			goto err;
		if (rc == 0)
			break;
		if (n == MAX_WORDS) {
			free(w);
			snprintf(err, errlen, "too many words (at most %d)",
				 MAX_WORDS);
			rc = -EINVAL;
			goto err;
		}
		v[n++] = w;
	}
	/* A comment runs to the end of the line. */
	if (**sp == '#')
		while (**sp && **sp != '\n')
			(*sp)++;
	*words = v;
	return n;
err:
	dbg_words_free(v);
	return rc;
}

int dbg_split_words(const char *s, char ***words, char *err, size_t errlen)
{
	const char *p = s;
	int n = split_command(&p, words, err, errlen);

	if (n >= 0 && *p && *p != '\n' && *p != ';' && *p != '#') {
		dbg_words_free(*words);
		snprintf(err, errlen, "unexpected '%c'", *p);
		return -EINVAL;
	}
	return n;
}

/* ---- argument helpers ---- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int want_args(const struct dbg_cmd_def *d, int argc, int min, int max,
		     char *err, size_t errlen)
{
	if (argc < min)
		return fail(err, errlen, "%s: missing argument; usage: %s",
			    d->name, d->usage);
	if (argc > max)
		return fail(err, errlen, "%s: too many arguments; usage: %s",
			    d->name, d->usage);
	return 0;
}

static int parse_id(const char *what, const char *s, long *out, char *err,
		    size_t errlen)
{
	if (!parse_long(s, 1, INT_MAX, out) || s[0] < '0' || s[0] > '9')
		return fail(err, errlen, "invalid %s '%s': expected a positive number",
			    what, s);
	return 0;
}

static int set_int(json_t *o, const char *key, long v)
{
	return json_object_set_new(o, key, json_integer(v)) < 0 ? -ENOMEM : 0;
}

/* ---- command parsers ---- */

static int p_none(const struct dbg_cmd_def *d, int argc, char **argv,
		  struct dbg_cmd *out, char *err, size_t errlen)
{
	return want_args(d, argc, 0, 0, err, errlen);
}

static int p_tid(const struct dbg_cmd_def *d, int argc, char **argv,
		 struct dbg_cmd *out, char *err, size_t errlen)
{
	long tid = 0;
	int rc = want_args(d, argc, 1, 1, err, errlen);

	if (rc == 0)
		rc = parse_id("TID", argv[0], &tid, err, errlen);
	return rc ? rc : set_int(out->args, "tid", tid);
}

/* gcore TID [FILE]: the sentry writes the file, so a relative FILE (and
 * the default core.TGID) is made absolute against this process's cwd. */
static int p_gcore(const struct dbg_cmd_def *d, int argc, char **argv,
		   struct dbg_cmd *out, char *err, size_t errlen)
{
	char cwd[4096], path[8192];
	long tid = 0;
	int rc = want_args(d, argc, 1, 2, err, errlen);

	if (rc == 0)
		rc = parse_id("TID", argv[0], &tid, err, errlen);
	if (rc == 0)
		rc = set_int(out->args, "tid", tid);
	if (rc)
		return rc;
	if (argc == 2 && argv[1][0] == '/')
		return json_object_set_new(out->args, "path",
					   json_string(argv[1])) ? -ENOMEM : 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return fail(err, errlen, "gcore: cannot tell the current "
			    "directory: %s", strerror(errno));
	if (argc == 2) {
		snprintf(path, sizeof(path), "%s/%s", cwd, argv[1]);
		return json_object_set_new(out->args, "path",
					   json_string(path)) ? -ENOMEM : 0;
	}
	return json_object_set_new(out->args, "dir", json_string(cwd)) ? -ENOMEM
									 : 0;
}

static int p_tgid(const struct dbg_cmd_def *d, int argc, char **argv,
		  struct dbg_cmd *out, char *err, size_t errlen)
{
	long tgid = 0;
	int rc = want_args(d, argc, 1, 1, err, errlen);

	if (rc == 0)
		rc = parse_id("TGID", argv[0], &tgid, err, errlen);
	return rc ? rc : set_int(out->args, "tgid", tgid);
}

static int p_cgroups(const struct dbg_cmd_def *d, int argc, char **argv,
		     struct dbg_cmd *out, char *err, size_t errlen)
{
	int rc = want_args(d, argc, 0, 1, err, errlen);

	if (rc == 0 && argc == 1) {
		if (argv[0][0] != '/')
			return fail(err, errlen,
				    "cgroups: a cgroup path starts with '/'");
		json_object_set_new(out->args, "path", json_string(argv[0]));
	}
	return rc;
}

static int p_kill(const struct dbg_cmd_def *d, int argc, char **argv,
		  struct dbg_cmd *out, char *err, size_t errlen)
{
	const char *t = argc > 0 ? argv[0] : "", *kind = "task", *num = t;
	long id = 0, v = 0;
	int sig, rc = want_args(d, argc, 2, 6, err, errlen);
	char name[16];

	if (rc)
		return rc;
	if (strncmp(t, "g:", 2) == 0 || strncmp(t, "tg:", 3) == 0) {
		kind = "tg";
		num = strchr(t, ':') + 1;
	} else if (strncmp(t, "p:", 2) == 0 || strncmp(t, "pg:", 3) == 0) {
		kind = "pgrp";
		num = strchr(t, ':') + 1;
	} else if (strncmp(t, "t:", 2) == 0) {
		num = t + 2;
	}
	if (!parse_long(num, 1, INT_MAX, &id) || num[0] < '0' || num[0] > '9')
		return fail(err, errlen,
			    "kill: bad target '%s': use TID, g:TGID (thread group) or p:PGID (process group)",
			    t);
	sig = dbg_sig_parse(argv[1]);
	if (sig < 0)
		return fail(err, errlen,
			    "kill: bad signal '%s' (try TERM, SIGINT, 9, RTMIN+2)",
			    argv[1]);
	json_object_set_new(out->args, "target", json_string(kind));
	set_int(out->args, "id", id);
	set_int(out->args, "signal", sig);
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *key = argv[i];

		if (!eq)
			return fail(err, errlen,
				    "kill: expected FIELD=VALUE, got '%s' (fields: code pid uid value)",
				    argv[i]);
		*eq = '\0';
		if (strcmp(key, "code") == 0) {
			if (!si_code_parse(eq + 1, &v))
				return fail(err, errlen,
					    "kill: bad code '%s' (SI_USER SI_QUEUE SI_TKILL SI_KERNEL … or a number)",
					    eq + 1);
		} else if (strcmp(key, "pid") == 0 || strcmp(key, "uid") == 0 ||
			   strcmp(key, "value") == 0) {
			long lo = strcmp(key, "value") == 0 ? INT_MIN : 0;
			long hi = strcmp(key, "uid") == 0 ? (long)UINT_MAX : INT_MAX;

			if (!parse_long(eq + 1, lo, hi, &v))
				return fail(err, errlen, "kill: bad %s '%s'", key,
					    eq + 1);
		} else {
			return fail(err, errlen,
				    "kill: unknown siginfo field '%s' (fields: code pid uid value)",
				    key);
		}
		if (json_object_get(out->args, key))
			return fail(err, errlen, "kill: %s given twice", key);
		set_int(out->args, key, v);
	}
	(void)name;
	return 0;
}

static int p_catch(const struct dbg_cmd_def *d, int argc, char **argv,
		   struct dbg_cmd *out, char *err, size_t errlen)
{
	static const char *const whats[] = { "signal", "exit", "exec", "clone",
					     "syscall", "ptrace" };
	const char *what = NULL;
	int rc = want_args(d, argc, 1, 2, err, errlen);

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++)
		if (strcmp(argv[0], whats[i]) == 0)
			what = whats[i];
	if (!what)
		return fail(err, errlen,
			    "catch: unknown event '%s'; usage: %s", argv[0],
			    d->usage);
	json_object_set_new(out->args, "what", json_string(what));
	if (argc == 2 && strcmp(what, "signal") == 0) {
		int sig = dbg_sig_parse(argv[1]);

		if (sig < 0)
			return fail(err, errlen, "catch: bad signal '%s'", argv[1]);
		set_int(out->args, "signal", sig);
	} else if (argc == 2 && strcmp(what, "syscall") == 0) {
		long nr = 0;

		if (argv[1][0] >= '0' && argv[1][0] <= '9') {
			if (!parse_long(argv[1], 0, 1023, &nr))
				return fail(err, errlen, "catch: bad syscall '%s'",
					    argv[1]);
			set_int(out->args, "syscall", nr);
		} else {
			json_object_set_new(out->args, "syscall",
					    json_string(argv[1]));
		}
	} else if (argc == 2 && strcmp(what, "ptrace") == 0) {
		long req = 0;

		/* The server knows the names; numbers pass as they are. */
		if (argv[1][0] >= '0' && argv[1][0] <= '9') {
			if (!parse_long(argv[1], 0, 0xffff, &req))
				return fail(err, errlen,
					    "catch: bad ptrace request '%s'",
					    argv[1]);
			set_int(out->args, "request", req);
		} else {
			json_object_set_new(out->args, "request",
					    json_string(argv[1]));
		}
	} else if (argc == 2) {
		return fail(err, errlen, "catch %s takes no argument", what);
	}
	return 0;
}

static int p_info(const struct dbg_cmd_def *d, int argc, char **argv,
		  struct dbg_cmd *out, char *err, size_t errlen)
{
	int rc = want_args(d, argc, 1, 1, err, errlen);

	if (rc == 0 && strcmp(argv[0], "catch") != 0)
		return fail(err, errlen, "info: only 'info catch' exists");
	return rc;
}

static int p_delete(const struct dbg_cmd_def *d, int argc, char **argv,
		    struct dbg_cmd *out, char *err, size_t errlen)
{
	long n = 0;
	int rc = want_args(d, argc, 1, 1, err, errlen);

	if (rc)
		return rc;
	if (strcmp(argv[0], "all") == 0)
		return json_object_set_new(out->args, "all", json_true());
	rc = parse_id("catchpoint number", argv[0], &n, err, errlen);
	return rc ? rc : set_int(out->args, "id", n);
}

static int p_dump(const struct dbg_cmd_def *d, int argc, char **argv,
		  struct dbg_cmd *out, char *err, size_t errlen)
{
	const char *fmt = NULL;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--text") == 0 || strcmp(argv[i], "--json") == 0) {
			const char *f = argv[i] + 2;

			if (fmt && strcmp(fmt, f) != 0)
				return fail(err, errlen,
					    "dump: choose one of --json and --text");
			fmt = f;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return fail(err, errlen, "dump: unknown option '%s'",
				    argv[i]);
		} else if (out->file) {
			return fail(err, errlen, "dump: only one FILE");
		} else {
			out->file = strdup(argv[i]);
			if (!out->file)
				return -ENOMEM;
		}
	}
	/* A dump to a file is JSON unless asked otherwise; to the terminal,
	 * text. */
	if (!fmt)
		fmt = out->file || out->json ? "json" : "text";
	out->json = strcmp(fmt, "json") == 0;
	json_object_set_new(out->args, "format", json_string(fmt));
	return 0;
}

static int p_top(const struct dbg_cmd_def *d, int argc, char **argv,
		 struct dbg_cmd *out, char *err, size_t errlen)
{
	(void)d;
	out->interval_ms = 2000;
	for (int i = 0; i < argc; i++) {
		long v;

		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc &&
		    parse_long(argv[i + 1], 1, LONG_MAX, &out->count)) {
			i++;
		} else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc &&
			   parse_long(argv[i + 1], 1, 3600, &v)) {
			out->interval_ms = v * 1000;
			i++;
		} else {
			return fail(err, errlen,
				    "top: usage: top [--interval SECONDS] [--count N]");
		}
	}
	return 0;
}

static int p_watch(const struct dbg_cmd_def *d, int argc, char **argv,
		   struct dbg_cmd *out, char *err, size_t errlen)
{
	static const char *const evs[] = { "clone", "exec", "exit", "signal",
					   "syscall", "ptrace", "all" };
	json_t *a = json_array();

	if (!a)
		return -ENOMEM;
	json_object_set_new(out->args, "events", a);
	for (int i = 0; i < argc; i++) {
		bool okay = false;

		if (strcmp(argv[i], "--count") == 0) {
			if (i + 1 >= argc || !parse_long(argv[i + 1], 1, LONG_MAX,
							 &out->count))
				return fail(err, errlen,
					    "watch: --count needs a positive number");
			i++;
			continue;
		}
		for (size_t j = 0; j < sizeof(evs) / sizeof(evs[0]); j++)
			if (strcmp(argv[i], evs[j]) == 0)
				okay = true;
		if (!okay)
			return fail(err, errlen,
				    "watch: unknown event '%s' (clone exec exit signal syscall ptrace all)",
				    argv[i]);
		json_array_append_new(a, json_string(argv[i]));
	}
	return 0;
}

static int p_help(const struct dbg_cmd_def *d, int argc, char **argv,
		  struct dbg_cmd *out, char *err, size_t errlen)
{
	int rc = want_args(d, argc, 0, 1, err, errlen);

	if (rc == 0 && argc == 1) {
		out->topic = strdup(argv[0]);
		if (!out->topic)
			return -ENOMEM;
	}
	return rc;
}

#define TID_HELP "TID is a task (thread) ID as the sandbox sees it.\n"

const struct dbg_cmd_def dbg_commands[] = {
	{ "help", DBG_HELP, NULL, "help [COMMAND]", "list commands, or explain one",
	  "Without an argument lists every command; with one, explains it.\n",
	  false, { DBG_ARG_COMMAND }, p_help },
	{ "status", DBG_REMOTE, "status", "status [--json]",
	  "the kernel: name, pid, running or paused, counts",
	  "Shows the sentry's name and pid, whether the kernel is running or\n"
	  "paused (and how deep the pause nests), uptime and task counts.\n",
	  true, { 0 }, p_none },
	{ "ps", DBG_REMOTE, "ps", "ps [--json]", "list every task",
	  "One line per task: TID TGID PPID PGID SID, Linux's state letter (R\n"
	  "running, S sleeping, D uninterruptible or a vfork parent, T stopped,\n"
	  "t ptrace stop, Z zombie: the same as proc/PID/stat), the external\n"
	  "stop count, comm, what the task waits for (see why) and the\n"
	  "command line.\n",
	  true, { 0 }, p_none },
	{ "top", DBG_TOP, "ps", "top [--interval SECONDS] [--count N]",
	  "ps, refreshed until Ctrl-C",
	  "Prints ps every SECONDS (default 2), clearing the screen first on a\n"
	  "terminal, until Ctrl-C or N refreshes: states and waits as they\n"
	  "change.\n",
	  false, { 0 }, p_top },
	{ "hangs", DBG_REMOTE, "hangs", "hangs [--json]",
	  "the stuck tasks: deadlocks and waits no one can end",
	  "Works out what every task waits for and who could wake it, and\n"
	  "names the stuck set: the blocked tasks every one of whose wakers is\n"
	  "stuck too (a timed wait, a terminal, a socket to outside or a\n"
	  "running task is never stuck). Prints its cycles and, for each stuck\n"
	  "task, its wait: \"12 (a.out) S read pipe:[N] <- writers: 12 (itself:\n"
	  "fd 4), 13 (fd 6)\". --json: {\"stuck\":[TIDs], \"cycles\":[[TIDs]],\n"
	  "\"blocked\":[per task: syscall, object, wakers...]} (sentrydbg(1)).\n",
	  true, { 0 }, p_none },
	{ "why", DBG_REMOTE, "why", "why TID [--json]",
	  "why a task does not run: its chain of waits",
	  TID_HELP "Follows what TID waits for to the tasks that could wake it,\n"
	  "and theirs, until a running task, a timer, something outside the\n"
	  "sandbox or a cycle; the last line says whether TID is stuck.\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "tree", DBG_REMOTE, "tree", "tree [--json]",
	  "the process tree (thread groups)",
	  "The thread groups as a tree of parents and children, like pstree;\n"
	  "groups with several threads list their TIDs in braces.\n",
	  true, { 0 }, p_none },
	{ "task", DBG_REMOTE, "task", "task TID [--json]",
	  "everything the kernel knows about one task",
	  TID_HELP "Shows identity, state, exit, credentials, cgroup, FD table,\n"
	  "signal state, stop state and ptrace state: the dump's task object.\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "tg", DBG_REMOTE, "tg", "tg TGID [--json]", "one thread group (process)",
	  "Threads, children, process group and session, signal dispositions,\n"
	  "shared pending signals, group stop, resource limits, cgroup.\n",
	  true, { DBG_ARG_TGID }, p_tgid },
	{ "signals", DBG_REMOTE, "signals", "signals TID [--json]",
	  "a task's signal state",
	  TID_HELP "Blocked, pending (own and shared), ignored and caught sets,\n"
	  "queued signals with their siginfo, the alternate stack, and the\n"
	  "thread group's dispositions that are not default.\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "stop-state", DBG_REMOTE, "stop-state", "stop-state TID [--json]",
	  "why a task is stopped, if it is",
	  TID_HELP "The internal stop (group, ptrace, vfork, exec), the external\n"
	  "stop count (pause plus stop TID), and group stop bookkeeping.\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "ptrace", DBG_REMOTE, "ptrace", "ptrace TID [--json]",
	  "a task's emulated ptrace state",
	  TID_HELP "Its tracer and tracees inside the sandbox, options, syscall\n"
	  "tracing mode, the current ptrace stop and its siginfo.\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "fds", DBG_REMOTE, "fds", "fds TID [--json]", "a task's open files",
	  TID_HELP "The descriptors, read from the host (/proc/HOST_TID/fd), and\n"
	  "the identity of the FD table with the number of tasks sharing it.\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "cgroups", DBG_REMOTE, "cgroups", "cgroups [PATH] [--json]",
	  "the cgroup hierarchy and members",
	  "Every cgroup (or only PATH) with its id and member thread groups.\n",
	  true, { DBG_ARG_CGROUP }, p_cgroups },
	{ "pause", DBG_REMOTE, "pause", "pause", "stop every task of the kernel",
	  "Stops every task (an external stop): when pause returns no task\n"
	  "runs application code until resume. Pauses nest: each pause needs\n"
	  "its resume. Tasks created while paused start stopped.\n",
	  false, { 0 }, p_none },
	{ "resume", DBG_REMOTE, "resume", "resume", "undo one pause",
	  "Undoes one pause (or one catchpoint hit). The kernel runs again\n"
	  "when the last pause is undone.\n",
	  false, { 0 }, p_none },
	{ "stop", DBG_REMOTE, "stop", "stop TID", "stop one task",
	  TID_HELP "Adds one external stop to the task; cont undoes it.\n",
	  false, { DBG_ARG_TID }, p_tid },
	{ "cont", DBG_REMOTE, "cont", "cont TID", "undo one stop TID",
	  TID_HELP "Undoes one stop TID. It does not undo a pause (use resume).\n",
	  false, { DBG_ARG_TID }, p_tid },
	{ "kill", DBG_REMOTE, "kill",
	  "kill TARGET SIGNAL [code=C] [pid=P] [uid=U] [value=V]",
	  "send a signal through the emulated kernel",
	  "Queues SIGNAL as if sent from outside the sandbox; it shows as\n"
	  "pending until delivered. TARGET is TID (one task), g:TGID (a\n"
	  "thread group) or p:PGID (every process of a process group).\n"
	  "SIGNAL is a name (TERM, SIGINT, RTMIN+2) or a number. The siginfo\n"
	  "defaults to code=SI_USER pid=0 uid=0; code takes SI_USER SI_QUEUE\n"
	  "SI_TKILL SI_KERNEL SI_TIMER SI_MESGQ SI_ASYNCIO SI_SIGIO or a\n"
	  "number, value sets si_value.sival_int.\n",
	  false, { DBG_ARG_TARGET, DBG_ARG_SIGNAL, DBG_ARG_SIGINFO }, p_kill },
	{ "regs", DBG_REMOTE, "regs", "regs TID [--json]",
	  "registers of a stopped task",
	  TID_HELP "The task must be stopped (stop TID, or pause).\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "bt", DBG_REMOTE, "bt", "bt TID [--json]",
	  "symbolized backtrace of a stopped task",
	  TID_HELP "The task must be stopped (stop TID, or pause).\n",
	  true, { DBG_ARG_TID }, p_tid },
	{ "gcore", DBG_REMOTE, "gcore", "gcore TID [FILE]",
	  "write a core file of a live process",
	  TID_HELP "Writes an ELF core of TID's process to FILE (default\n"
	  "core.TGID in the current directory), that gdb PROGRAM FILE and\n"
	  "eu-stack --core FILE read: every thread's registers, the memory\n"
	  "Linux's default coredump_filter keeps. Only that process stops,\n"
	  "briefly; the file is written whole or not at all.\n",
	  false, { DBG_ARG_TID, DBG_ARG_FILE }, p_gcore },
	{ "catch", DBG_REMOTE, "catch",
	  "catch signal [SIG] | exit | exec | clone | syscall [NAME] | ptrace [REQUEST]",
	  "pause the kernel when something happens",
	  "Sets a catchpoint: when a task receives SIG (any signal without\n"
	  "one), exits, execs, is created, enters the trapped syscall NAME\n"
	  "(any trapped syscall without one), or makes the ptrace(2) request\n"
	  "REQUEST (ATTACH, PTRACE_SEIZE, cont...; any without one: a tracer\n"
	  "such as strace or gdb inside the sandbox), the kernel pauses and every\n"
	  "attached debugger is told which task hit it. Use resume to go on.\n"
	  "Catchpoints last as long as the session that set them.\n",
	  false, { DBG_ARG_CATCH, DBG_ARG_SIGNAL }, p_catch },
	{ "info", DBG_REMOTE, "info-catch", "info catch [--json]",
	  "list catchpoints",
	  "Every catchpoint of every attached debugger, with hit counts.\n",
	  true, { DBG_ARG_INFO }, p_info },
	{ "delete", DBG_REMOTE, "delete", "delete N|all", "delete a catchpoint",
	  "Deletes catchpoint N (see info catch), or all of them.\n",
	  false, { 0 }, p_delete },
	{ "dump", DBG_DUMP, "dump", "dump [--json|--text] [FILE]",
	  "write a state dump",
	  "Takes a dump of the whole kernel from a consistent snapshot (the\n"
	  "kernel is paused for its duration) and writes it to FILE, or to\n"
	  "standard output. The default is JSON for a FILE, text otherwise.\n"
	  "The JSON schema is sentry-dump(5).\n",
	  false, { DBG_ARG_DUMP, DBG_ARG_FILE }, p_dump },
	{ "watch", DBG_WATCH, "watch",
	  "watch [clone|exec|exit|signal|syscall|ptrace|all]... [--count N]",
	  "stream kernel events until Ctrl-C",
	  "Prints events as they happen, one a line, until Ctrl-C (or N\n"
	  "events). Default: clone exec exit signal; syscall (every trapped\n"
	  "syscall) only when asked. Watching does not pause anything.\n",
	  false, { DBG_ARG_EVENT, DBG_ARG_EVENT, DBG_ARG_EVENT }, p_watch },
	{ "quit", DBG_QUIT, NULL, "quit", "leave sentrydbg",
	  "Leaves sentrydbg; the sentry keeps running. Pauses stay in place.\n",
	  false, { 0 }, p_none },
	{ "exit", DBG_QUIT, NULL, "exit", "leave sentrydbg", "Same as quit.\n",
	  false, { 0 }, p_none },
	{ NULL },
};

const struct dbg_cmd_def *dbg_cmd_lookup(const char *name)
{
	for (const struct dbg_cmd_def *d = dbg_commands; d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* Parses one command's words into out. */
static int parse_one(char **words, int n, bool json, struct dbg_cmd *out,
		     char *err, size_t errlen)
{
	const struct dbg_cmd_def *d = dbg_cmd_lookup(words[0]);
	char *pos[MAX_WORDS];
	int np = 0;

	memset(out, 0, sizeof(*out));
	if (!d)
		return fail(err, errlen, "unknown command '%s' (try help)",
			    words[0]);
	out->def = d;
	out->args = json_object();
	if (!out->args)
		return -ENOMEM;
	out->json = json && d->has_json;
	for (int i = 1; i < n; i++) {
		if (strcmp(words[i], "--json") == 0 && d->has_json) {
			out->json = true;
			continue;
		}
		pos[np++] = words[i];
	}
	return d->parse(d, np, pos, out, err, errlen);
}

static void cmd_free(struct dbg_cmd *c)
{
	json_decref(c->args);
	free(c->file);
	free(c->topic);
}

void dbg_cmds_free(struct dbg_cmd *cmds, int n)
{
	for (int i = 0; cmds && i < n; i++)
		cmd_free(&cmds[i]);
	free(cmds);
}

int dbg_parse_script(const char *text, bool json, struct dbg_cmd **cmds,
		     int *n, char *err, size_t errlen)
{
	struct dbg_cmd *v = NULL;
	const char *p = text;
	int count = 0, line = 1, rc = 0;
	char msg[512];

	*cmds = NULL;
	*n = 0;
	while (*p) {
		char **words;
		int nw = split_command(&p, &words, msg, sizeof(msg));

		if (nw < 0) {
			rc = nw;
			goto err;
		}
		if (nw > 0) {
			struct dbg_cmd *nv;

			if (count == MAX_SCRIPT_CMDS) {
				dbg_words_free(words);
				snprintf(msg, sizeof(msg), "too many commands");
				rc = -EINVAL;
				goto err;
			}
			nv = realloc(v, sizeof(*v) * (size_t)(count + 1));
			if (!nv) {
				dbg_words_free(words);
				rc = -ENOMEM;
				snprintf(msg, sizeof(msg), "out of memory");
				goto err;
			}
			v = nv;
			rc = parse_one(words, nw, json, &v[count], msg, sizeof(msg));
			v[count].line = line;
			count++;
			dbg_words_free(words);
			if (rc < 0)
				goto err;
		} else {
			dbg_words_free(words);
		}
		if (*p == '\n')
			line++;
		if (*p)
			p++; /* the ';' or newline */
	}
	*cmds = v;
	*n = count;
	return 0;
err:
	snprintf(err, errlen, "line %d: %s", line, msg);
	dbg_cmds_free(v, count);
	return rc == -ENOMEM ? rc : -EINVAL;
}

/* ---- sentrydbg's own command line ---- */

void dbg_usage(FILE *out)
{
	fputs("usage: sentrydbg [OPTIONS] [NAME|PID|SOCKET]\n"
	      "Attach to a running sentry (the only one, unless named).\n"
	      "\n"
	      "  -c, --command CMDS    run CMDS ('cmd; cmd') and exit; repeatable\n"
	      "  -b, --batch FILE      run the commands in FILE ('-': stdin) and exit\n"
	      "  -e, --stop-on-error   stop a script at the first failing command\n"
	      "  -j, --json            JSON output for every inspecting command\n"
	      "  -q, --quiet           no banner in interactive sessions\n"
	      "  -l, --list            list running sentries and exit\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         print the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 a command failed, 2 usage error, 3 cannot\n"
	      "connect, 4 connection lost. See sentrydbg(1).\n",
	      out);
}

void dbg_options_free(struct dbg_options *o)
{
	free(o->script);
	o->script = NULL;
}

static int add_script(struct dbg_options *o, const char *cmds)
{
	size_t old = o->script ? strlen(o->script) : 0;
	char *s = realloc(o->script, old + strlen(cmds) + 2);

	if (!s)
		return -ENOMEM;
	if (old)
		s[old++] = '\n';
	strcpy(s + old, cmds);
	o->script = s;
	return 0;
}

int dbg_parse_argv(int argc, char **argv, struct dbg_options *o, char *err,
		   size_t errlen)
{
	bool opts_done = false;

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char opt = 0;

		if (!a)
			break;
		if (opts_done || a[0] != '-' || !a[1]) {
			if (o->target) {
				dbg_options_free(o);
				return fail(err, errlen,
					    "more than one sentry named ('%s' and '%s')",
					    o->target, a);
			}
			o->target = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (a[1] == '-') {
			static const struct {
				const char *name;
				char opt;
			} longs[] = {
				{ "command", 'c' },       { "batch", 'b' },
				{ "stop-on-error", 'e' }, { "json", 'j' },
				{ "quiet", 'q' },         { "list", 'l' },
				{ "help", 'h' },          { "version", 'V' },
			};
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			for (size_t j = 0; j < sizeof(longs) / sizeof(longs[0]); j++)
				if (strlen(longs[j].name) == len &&
				    strncmp(a + 2, longs[j].name, len) == 0)
					opt = longs[j].opt;
			if (!opt) {
				dbg_options_free(o);
				return fail(err, errlen, "unknown option '%s'", a);
			}
			if (eq)
				val = eq + 1;
		} else {
			opt = a[1];
			if (a[2]) {
				if (opt != 'c' && opt != 'b') {
					dbg_options_free(o);
					return fail(err, errlen,
						    "unknown option '%s'", a);
				}
				val = a + 2;
			}
		}
		switch (opt) {
		case 'c':
		case 'b':
			if (!val) {
				if (i + 1 >= argc || !argv[i + 1]) {
					dbg_options_free(o);
					return fail(err, errlen,
						    "option '%s' needs an argument",
						    a);
				}
				val = argv[++i];
			}
			if (opt == 'b') {
				if (o->batch) {
					dbg_options_free(o);
					return fail(err, errlen,
						    "only one --batch FILE");
				}
				o->batch = val;
			} else if (add_script(o, val) < 0) {
				dbg_options_free(o);
				return -ENOMEM;
			}
			break;
		case 'e': o->stop_on_error = true; break;
		case 'j': o->json = true; break;
		case 'q': o->quiet = true; break;
		case 'l': o->list = true; break;
		case 'h': o->help = true; break;
		case 'V': o->version = true; break;
		default:
			dbg_options_free(o);
			return fail(err, errlen, "unknown option '%s'", a);
		}
		if (val && opt != 'c' && opt != 'b') {
			dbg_options_free(o);
			return fail(err, errlen, "option '%s' takes no argument",
				    a);
		}
	}
	if (o->script && o->batch) {
		dbg_options_free(o);
		return fail(err, errlen, "use -c or --batch, not both");
	}
	return 0;
}
