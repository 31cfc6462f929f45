/*
 * This file implements sentrydbg's front ends (client.h): running parsed
 * commands (for -c, --batch and each interactive line) and the
 * interactive session with GNU readline.
 *
 * The interactive loop uses readline's callback interface so it can wait
 * on the terminal and the socket at once: a catchpoint hit is printed
 * above the prompt as soon as it arrives, without disturbing the line
 * being typed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "debugger/client.h"
#include "debugger/dump_file.h"

#define HISTORY_MAX 1000

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Errors go to stderr, after whatever stdout holds so far, so a
 * terminal shows them in order. */
static void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errorf(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void print_event(json_t *ev, void *arg)
{
	(void)arg;
	dbg_render_event(ev, stdout);
	fflush(stdout);
}

/* Writes data to path, or to stdout for NULL. Returns 0 or -errno. */
static int write_out(const char *path, const char *data, size_t len)
{
	if (path)
		return dump_file_write(path, data, len);
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
		return -EIO;
	return 0;
}

static int run_dump(struct dbg_cmd *cmd, json_t *r)
{
	char *text;
	size_t len;
	int err;

	if (cmd->json) {
		text = json_dumps(json_object_get(r, "dump"), JSON_INDENT(2));
		if (!text) {
			errorf("dump: malformed answer\n");
			return -1;
		}
		len = strlen(text);
		/* End the file with a newline. */
		char *t = realloc(text, len + 2);
		if (!t) {
			free(text);
			return -1;
		}
		text = t;
		text[len++] = '\n';
		text[len] = '\0';
	} else {
		const char *s = json_string_value(json_object_get(r, "text"));

		text = strdup(s ? s : "");
		if (!text)
			return -1;
		len = strlen(text);
	}
	err = write_out(cmd->file, text, len);
	free(text);
	if (err < 0) {
		errorf("dump: cannot write %s: %s\n",
			cmd->file ? cmd->file : "stdout", strerror(-err));
		return -1;
	}
	if (cmd->file)
		printf("dump written to %s (%zu bytes)\n", cmd->file, len);
	return 0;
}

/*
 * dump [FILE]: the file (or our standard output) is passed to the sentry,
 * which writes the dump into it directly (no second rendering in the
 * client). Returns like run_one. A sentry that answers with the dump
 * itself (one that predates "to_fd") has it written the old way.
 */
static int run_dump_to_fd(struct dbg_conn *c, struct dbg_cmd *cmd)
{
	char err[1024];
	json_t *args = json_deep_copy(cmd->args), *r = NULL, *w;
	struct dump_file out;
	int fd = STDOUT_FILENO, rc, ferr;

	if (!args)
		return 1;
	if (cmd->file) {
		/* Whole or not at all: a failed dump leaves no empty or
		 * partial file (dump_file.h). */
		ferr = dump_file_open(&out, cmd->file);
		if (ferr < 0) {
			errorf("dump: cannot write %s: %s\n", cmd->file,
			       strerror(-ferr));
			json_decref(args);
			return 1;
		}
		fd = out.fd;
	} else {
		/* What we printed so far comes first. */
		fflush(stdout);
	}
	json_object_set_new(args, "to_fd", json_true());
	rc = dbg_call_fd(c, cmd->def->remote, args, fd, &r, err, sizeof(err));
	w = rc == 0 ? json_object_get(r, "written") : NULL;
	if (cmd->file) {
		ferr = dump_file_finish(&out, json_is_integer(w));
		if (ferr < 0 && rc == 0) {
			errorf("dump: cannot write %s: %s\n", cmd->file,
			       strerror(-ferr));
			json_decref(r);
			return 1;
		}
	}
	if (rc < 0) {
		errorf("%s\n", err);
		return -1;
	}
	if (rc > 0) {
		errorf("%s\n", err);
		return 1;
	}
	if (!json_is_integer(w)) {
		rc = run_dump(cmd, r) < 0 ? 1 : 0;
		json_decref(r);
		return rc;
	}
	if (cmd->file)
		printf("dump written to %s (%lld bytes)\n", cmd->file,
		       (long long)json_integer_value(w));
	json_decref(r);
	return 0;
}

/* Streams events until interrupted, the count is reached or the
 * connection drops. Returns 0, or -errno for a lost connection. */
static int run_watch(struct dbg_conn *c, struct dbg_cmd *cmd)
{
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	long seen = 0;
	int rc = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	interrupted = 0;
	while (!interrupted && (cmd->count == 0 || seen < cmd->count)) {
		rc = dbg_wait_event(c, 200);
		if (rc == -EINTR || rc == 0) {
			rc = 0;
			continue;
		}
		if (rc < 0)
			break;
		seen++;
		rc = 0;
	}
	sigaction(SIGINT, &old, NULL);
	interrupted = 0;
	return rc;
}

/* top: ps until interrupted or the count is reached, the screen cleared
 * before each on a terminal. Returns run_one()'s codes. */
static int run_top(struct dbg_conn *c, struct dbg_cmd *cmd)
{
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	bool tty = isatty(STDOUT_FILENO);
	const struct dbg_cmd_def *ps = dbg_cmd_lookup("ps");
	struct dbg_cmd as_ps = { .def = ps };
	char err[1024];
	int rc = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	interrupted = 0;
	for (long n = 0; !interrupted && (cmd->count == 0 || n < cmd->count);
	     n++) {
		json_t *r = NULL;

		if (n > 0) {
			struct timespec ts = { cmd->interval_ms / 1000,
					       (cmd->interval_ms % 1000) *
						       1000000 };

			/* SIGINT ends the sleep (EINTR): no SA_RESTART. */
			if (nanosleep(&ts, NULL) < 0 && interrupted)
				break;
		}
		rc = dbg_call(c, "ps", NULL, &r, err, sizeof(err));
		if (rc != 0) {
			errorf("%s\n", err);
			rc = rc < 0 ? -1 : 1;
			break;
		}
		if (tty)
			fputs("\033[H\033[2J", stdout);
		dbg_render(&as_ps, r, stdout);
		fflush(stdout);
		json_decref(r);
	}
	sigaction(SIGINT, &old, NULL);
	interrupted = 0;
	return rc;
}

/* Runs one command. Returns 0 ok, 1 failed, -1 connection lost, 2 quit. */
static int run_one(struct dbg_conn *c, struct dbg_cmd *cmd)
{
	char err[1024];
	json_t *r = NULL;
	int rc;

	switch (cmd->def->kind) {
	case DBG_QUIT:
		return 2;
	case DBG_HELP:
		if (dbg_help(cmd->topic, stdout) < 0) {
			errorf("no command '%s' (try help)\n",
				cmd->topic);
			return 1;
		}
		return 0;
	default:
		break;
	}
	if (cmd->def->kind == DBG_DUMP)
		return run_dump_to_fd(c, cmd);
	if (cmd->def->kind == DBG_TOP)
		return run_top(c, cmd);
	rc = dbg_call(c, cmd->def->remote, json_incref(cmd->args), &r, err,
		      sizeof(err));
	if (rc < 0) {
		errorf("%s\n", err);
		return -1;
	}
	if (rc > 0) {
		errorf("%s\n", err);
		return 1;
	}
	if (cmd->def->kind == DBG_DUMP) {
		rc = run_dump(cmd, r) < 0 ? 1 : 0;
	} else if (cmd->def->kind == DBG_WATCH) {
		json_t *u = NULL;

		printf("watching:");
		json_t *e;
		size_t i;

		json_array_foreach(json_object_get(r, "events"), i, e)
			printf(" %s", json_string_value(e));
		printf(" (Ctrl-C to stop)\n");
		fflush(stdout);
		if (run_watch(c, cmd) < 0) {
			errorf("connection to sentry '%s' lost\n",
				c->name);
			json_decref(r);
			return -1;
		}
		rc = dbg_call(c, "unwatch", NULL, &u, err, sizeof(err));
		json_decref(u);
		if (rc < 0) {
			errorf("%s\n", err);
			json_decref(r);
			return -1;
		}
		rc = 0;
	} else {
		dbg_render(cmd, r, stdout);
		rc = 0;
	}
	json_decref(r);
	fflush(stdout);
	return rc;
}

int dbg_run_commands(struct dbg_conn *c, struct dbg_cmd *cmds, int n,
		     bool stop_on_error)
{
	int status = DBG_EXIT_OK;

	c->on_event = print_event;
	for (int i = 0; i < n; i++) {
		int rc = run_one(c, &cmds[i]);

		if (rc == 2)
			break;
		if (rc < 0)
			return DBG_EXIT_LOST;
		if (rc == 1) {
			status = DBG_EXIT_CMD;
			if (stop_on_error)
				break;
		}
	}
	return status;
}

/* ---- interactive ---- */

static struct dbg_conn *rl_conn;
static bool rl_quit;
static int rl_status;
static char history_path[4096];

/* TIDs (or TGIDs) from the sentry, cached for a second so completing a
 * long word does not ask for each key. */
static json_t *tid_cache;
static bool tid_cache_groups;
static time_t tid_cache_time;

static json_t *known_ids(bool groups)
{
	char err[256];
	json_t *r = NULL;
	time_t now = time(NULL);

	if (tid_cache && tid_cache_groups == groups && now == tid_cache_time)
		return tid_cache;
	json_decref(tid_cache);
	tid_cache = NULL;
	if (dbg_call(rl_conn, "tids", groups ? json_pack("{s:b}", "groups", 1)
					     : NULL,
		     &r, err, sizeof(err)) != 0)
		return NULL;
	tid_cache = json_incref(json_object_get(r, groups ? "tgids" : "tids"));
	json_decref(r);
	tid_cache_groups = groups;
	tid_cache_time = now;
	return tid_cache;
}

/* Candidates for the word being completed, filled by complete(). */
static char **cands;
static size_t ncands, capcands;

static void cand_add(const char *prefix, const char *s)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		return;
	if (ncands + 2 > capcands) {
		size_t nc = capcands ? capcands * 2 : 64;
		char **v = realloc(cands, nc * sizeof(*v));

		if (!v)
			return;
		cands = v;
		capcands = nc;
	}
	cands[ncands] = strdup(s);
	if (cands[ncands])
		ncands++;
}

static void cand_ids(const char *prefix, const char *pfx, bool groups)
{
	json_t *ids = known_ids(groups), *id;
	size_t i;
	char buf[32];

	json_array_foreach(ids, i, id) {
		snprintf(buf, sizeof(buf), "%s%lld", pfx,
			 (long long)json_integer_value(id));
		cand_add(prefix, buf);
	}
}

static void cand_signals(const char *prefix)
{
	char buf[16], full[20];

	for (int s = 1; s <= 64; s++) {
		if (!dbg_sig_name(s, buf, sizeof(buf)) ||
		    (buf[0] >= '0' && buf[0] <= '9'))
			continue;
		cand_add(prefix, buf);
		snprintf(full, sizeof(full), "SIG%s", buf);
		cand_add(prefix, full);
	}
}

static void cand_syscalls(const char *prefix)
{
	char err[256];
	json_t *r = NULL, *s;
	size_t i;

	if (dbg_call(rl_conn, "syscalls", NULL, &r, err, sizeof(err)) != 0)
		return;
	json_array_foreach(json_object_get(r, "syscalls"), i, s)
		cand_add(prefix, json_string_value(json_object_get(s, "name")));
	json_decref(r);
}

static void cand_cgroups(const char *prefix)
{
	char err[256];
	json_t *r = NULL, *cg;
	size_t i;

	if (dbg_call(rl_conn, "cgroups", NULL, &r, err, sizeof(err)) != 0)
		return;
	json_array_foreach(json_object_get(r, "cgroups"), i, cg)
		cand_add(prefix, json_string_value(json_object_get(cg, "path")));
	json_decref(r);
}

static void complete_arg(const struct dbg_cmd_def *d, int argi, char **words,
			 const char *text)
{
	enum dbg_arg kind = argi < 3 ? d->args[argi] : DBG_ARG_NONE;

	/* Arguments past the table repeat the last kind for kill's siginfo
	 * and watch's events. */
	if (argi >= 3 && (d->args[2] == DBG_ARG_SIGINFO ||
			  d->args[2] == DBG_ARG_EVENT))
		kind = d->args[2];
	if (d->has_json)
		cand_add(text, "--json");
	switch (kind) {
	case DBG_ARG_TID:
		cand_ids(text, "", false);
		break;
	case DBG_ARG_TGID:
		cand_ids(text, "", true);
		break;
	case DBG_ARG_TARGET:
		cand_ids(text, "", false);
		if (strncmp(text, "g:", 2) == 0)
			cand_ids(text, "g:", true);
		else if (strncmp(text, "p:", 2) == 0)
			cand_ids(text, "p:", true);
		else {
			cand_add(text, "g:");
			cand_add(text, "p:");
		}
		break;
	case DBG_ARG_SIGNAL:
		if (strcmp(d->name, "catch") == 0 && argi == 1) {
			if (strcmp(words[1], "signal") == 0)
				cand_signals(text);
			else if (strcmp(words[1], "syscall") == 0)
				cand_syscalls(text);
		} else {
			cand_signals(text);
		}
		break;
	case DBG_ARG_SIGINFO:
		cand_add(text, "code=");
		cand_add(text, "pid=");
		cand_add(text, "uid=");
		cand_add(text, "value=");
		if (strncmp(text, "code=", 5) == 0) {
			static const char *const codes[] = {
				"code=SI_USER", "code=SI_QUEUE", "code=SI_TKILL",
				"code=SI_KERNEL", "code=SI_TIMER", "code=SI_MESGQ",
				"code=SI_ASYNCIO", "code=SI_SIGIO",
			};
			for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
				cand_add(text, codes[i]);
		}
		break;
	case DBG_ARG_CATCH:
		cand_add(text, "signal");
		cand_add(text, "exit");
		cand_add(text, "exec");
		cand_add(text, "clone");
		cand_add(text, "syscall");
		cand_add(text, "ptrace");
		break;
	case DBG_ARG_COMMAND:
		for (const struct dbg_cmd_def *c = dbg_commands; c->name; c++)
			cand_add(text, c->name);
		break;
	case DBG_ARG_EVENT:
		cand_add(text, "clone");
		cand_add(text, "exec");
		cand_add(text, "exit");
		cand_add(text, "signal");
		cand_add(text, "syscall");
		cand_add(text, "all");
		cand_add(text, "--count");
		break;
	case DBG_ARG_CGROUP:
		cand_cgroups(text);
		break;
	case DBG_ARG_INFO:
		cand_add(text, "catch");
		break;
	case DBG_ARG_DUMP:
		cand_add(text, "--json");
		cand_add(text, "--text");
		break;
	default:
		break;
	}
}

static char *cand_next(const char *text, int state)
{
	static size_t i;

	(void)text;
	if (state == 0)
		i = 0;
	return i < ncands ? strdup(cands[i++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	char *before, **words = NULL, err[128];
	const char *cmdstart;
	int n;

	(void)end;
	for (size_t i = 0; i < ncands; i++)
		free(cands[i]);
	ncands = 0;
	rl_attempted_completion_over = 1; /* no filename fallback by default */

	/* Only the command after the last ';' matters. */
	before = strndup(rl_line_buffer, (size_t)start);
	if (!before)
		return NULL;
	cmdstart = strrchr(before, ';');
	cmdstart = cmdstart ? cmdstart + 1 : before;
	n = dbg_split_words(cmdstart, &words, err, sizeof(err));
	if (n == 0) {
		for (const struct dbg_cmd_def *d = dbg_commands; d->name; d++)
			cand_add(text, d->name);
	} else if (n > 0) {
		const struct dbg_cmd_def *d = dbg_cmd_lookup(words[0]);
		int argi = 0;

		/* Count positional words, skipping --json. */
		for (int i = 1; i < n; i++)
			if (strcmp(words[i], "--json") != 0)
				argi++;
		if (d) {
			complete_arg(d, argi, words, text);
			if (d->args[argi < 3 ? argi : 2] == DBG_ARG_FILE ||
			    (d->kind == DBG_DUMP && text[0] != '-'))
				rl_attempted_completion_over = 0;
		}
	}
	dbg_words_free(words);
	free(before);
	if (ncands == 0)
		return NULL;
	return rl_completion_matches(text, cand_next);
}

/* Prints an event above the prompt, keeping what the user typed. */
static void interactive_event(json_t *ev, void *arg)
{
	char *saved = rl_copy_text(0, rl_end);
	int point = rl_point;

	(void)arg;
	rl_save_prompt();
	rl_replace_line("", 0);
	rl_redisplay();
	fputc('\r', stdout);
	dbg_render_event(ev, stdout);
	fflush(stdout);
	rl_restore_prompt();
	rl_replace_line(saved ? saved : "", 0);
	rl_point = point;
	rl_forced_update_display();
	free(saved);
}

static void on_line(char *line)
{
	struct dbg_cmd *cmds;
	char err[1024];
	int n, rc;

	if (!line) { /* EOF: Ctrl-D */
		fputc('\n', stdout);
		rl_quit = true;
		return;
	}
	if (line[0] && line[0] != ' ') {
		HIST_ENTRY *last = history_length ? history_get(history_base +
								history_length - 1)
						  : NULL;

		if (!last || strcmp(last->line, line) != 0)
			add_history(line);
	}
	if (dbg_parse_script(line, false, &cmds, &n, err, sizeof(err)) < 0) {
		/* "line 1: " means nothing on a prompt. */
		const char *m = strncmp(err, "line 1: ", 8) == 0 ? err + 8 : err;

		errorf("%s\n", m);
		free(line);
		return;
	}
	free(line);
	/* Commands run with the handler removed so their output and Ctrl-C
	 * (watch) are not mixed with line editing. */
	rl_callback_handler_remove();
	rl_conn->on_event = print_event;
	for (int i = 0; i < n; i++) {
		rc = run_one(rl_conn, &cmds[i]);
		if (rc == 2) {
			rl_quit = true;
			break;
		}
		if (rc < 0) {
			rl_quit = true;
			rl_status = DBG_EXIT_LOST;
			break;
		}
	}
	rl_conn->on_event = interactive_event;
	dbg_cmds_free(cmds, n);
	json_decref(tid_cache); /* the tree may have changed */
	tid_cache = NULL;
	if (!rl_quit) {
		char prompt[96];

		snprintf(prompt, sizeof(prompt), "(sentrydbg %s) ", rl_conn->name);
		rl_callback_handler_install(prompt, on_line);
	}
}

static void history_setup(void)
{
	const char *env = getenv("SENTRYDBG_HISTORY"), *home = getenv("HOME");

	history_path[0] = '\0';
	if (env)
		snprintf(history_path, sizeof(history_path), "%s", env);
	else if (home && *home)
		snprintf(history_path, sizeof(history_path),
			 "%s/.sentrydbg_history", home);
	using_history();
	stifle_history(HISTORY_MAX);
	if (history_path[0])
		read_history(history_path);
}

static void history_save(void)
{
	if (!history_path[0])
		return;
	if (write_history(history_path) == 0) {
		chmod(history_path, 0600);
		history_truncate_file(history_path, HISTORY_MAX);
	}
}

int dbg_interactive(struct dbg_conn *c, const struct dbg_options *o)
{
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	char prompt[96];

	rl_conn = c;
	rl_quit = false;
	rl_status = DBG_EXIT_OK;
	rl_readline_name = "sentrydbg";
	rl_attempted_completion_function = complete;
	rl_catch_signals = 0;
	rl_basic_word_break_characters = " \t\n;";
	history_setup();
	c->on_event = interactive_event;

	if (!o->quiet)
		printf("sentrydbg %s attached to sentry '%s' (pid %d). "
		       "Type help for commands.\n",
		       SENTRY_VERSION, c->name, (int)c->pid);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	snprintf(prompt, sizeof(prompt), "(sentrydbg %s) ", c->name);
	rl_callback_handler_install(prompt, on_line);
	while (!rl_quit) {
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = c->fd, .events = POLLIN },
		};
		sigset_t block, orig;
		int rc = -1;

		/* Check for Ctrl-C and wait atomically: a SIGINT that lands
		 * after the check would otherwise wait for the next key. */
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigprocmask(SIG_BLOCK, &block, &orig);
		if (!interrupted)
			rc = ppoll(pfd, 2, NULL, &orig);
		else
			errno = EINTR;
		sigprocmask(SIG_SETMASK, &orig, NULL);
		if (rc < 0 && errno != EINTR)
			break;
		if (interrupted) {
			/* Ctrl-C at the prompt drops the line, like a shell. */
			interrupted = 0;
			rl_free_line_state();
			rl_crlf();
			rl_replace_line("", 0);
			rl_on_new_line();
			rl_redisplay();
			continue;
		}
		if (rc <= 0)
			continue;
		if (pfd[1].revents) {
			rc = dbg_wait_event(c, 0);
			if (rc < 0 && rc != -EINTR) {
				rl_callback_handler_remove();
				errorf("connection to sentry '%s' lost\n",
					c->name);
				rl_status = DBG_EXIT_LOST;
				break;
			}
		}
		if (pfd[0].revents)
			rl_callback_read_char();
	}
	if (!rl_quit || rl_status == DBG_EXIT_OK)
		rl_callback_handler_remove();
	sigaction(SIGINT, &old, NULL);
	history_save();
	json_decref(tid_cache);
	tid_cache = NULL;
	for (size_t i = 0; i < ncands; i++)
		free(cands[i]);
	free(cands);
	cands = NULL;
	ncands = capcands = 0;
	return rl_status;
}
