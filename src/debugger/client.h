/*
 * client.h - sentrydbg: the connection to a sentry (client.c), the
 * command language (client_parse.c), output (client_render.c) and the
 * interactive and scripted front ends (repl.c). man/sentrydbg.1 is the
 * user's view of all of it.
 */
#ifndef SENTRY_DEBUGGER_CLIENT_H
#define SENTRY_DEBUGGER_CLIENT_H

#include <jansson.h>

#include "kernel/signals.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes of sentrydbg (man/sentrydbg.1 "EXIT STATUS"). */
enum {
	DBG_EXIT_OK = 0,      /* every command succeeded */
	DBG_EXIT_CMD = 1,     /* at least one command failed */
	DBG_EXIT_USAGE = 2,   /* bad options or a script that does not parse */
	DBG_EXIT_CONNECT = 3, /* no sentry to attach to, or refused */
	DBG_EXIT_LOST = 4,    /* the connection was lost mid-session */
};

/* ---- connection (client.c) ---- */

typedef void (*dbg_event_fn)(json_t *ev, void *arg);

struct dbg_conn {
	int fd;
	long long next_id;
	char name[64];
	pid_t pid;
	char sock[108];
	dbg_event_fn on_event;  /* called for events read while waiting */
	void *event_arg;
};

/*
 * dbg_connect finds the sentry named by target (NULL: the only one
 * running; a name, a pid, or a socket path) and says hello. Returns 0, or
 * -errno with a message in err.
 */
int dbg_connect(struct dbg_conn *c, const char *target, char *err,
		size_t errlen);
void dbg_disconnect(struct dbg_conn *c);

/*
 * dbg_call sends one command and waits for its reply, handing events that
 * arrive meanwhile to c->on_event. Returns 0 and the result object (a new
 * reference) in *result; 1 when the sentry answered with an error (its
 * message in err); or -errno when the connection failed (message in err).
 * args is stolen (NULL: none).
 */
int dbg_call(struct dbg_conn *c, const char *cmd, json_t *args,
	     json_t **result, char *err, size_t errlen);
/* dbg_call passing descriptor pass_fd with the request (SCM_RIGHTS). */
int dbg_call_fd(struct dbg_conn *c, const char *cmd, json_t *args,
		int pass_fd, json_t **result, char *err, size_t errlen);

/* Reads one event if one arrives within timeout_ms (<0: wait), handing it
 * to c->on_event. Returns 1, 0 on timeout, -EINTR on a signal, or -errno
 * when the connection failed. */
int dbg_wait_event(struct dbg_conn *c, int timeout_ms);

/* ---- command language (client_parse.c) ---- */

/* What a positional argument is, for completion. */
enum dbg_arg {
	DBG_ARG_NONE,
	DBG_ARG_TID,
	DBG_ARG_TGID,
	DBG_ARG_SIGNAL,
	DBG_ARG_TARGET,     /* kill TARGET: TID, g:TGID, p:PGID */
	DBG_ARG_CATCH,      /* catch WHAT */
	DBG_ARG_COMMAND,    /* help CMD */
	DBG_ARG_FILE,
	DBG_ARG_EVENT,      /* watch EVENT */
	DBG_ARG_CGROUP,
	DBG_ARG_INFO,       /* info catch */
	DBG_ARG_DUMP,       /* dump --json|--text|FILE */
	DBG_ARG_SIGINFO,    /* kill …: code= pid= uid= value= */
};

enum dbg_kind {
	DBG_REMOTE,  /* one request to the sentry */
	DBG_HELP,
	DBG_QUIT,
	DBG_WATCH,   /* watch: a request, then events until interrupted */
	DBG_DUMP,    /* a request whose result is written to a file */
	DBG_TOP,     /* top: ps, again every interval, until interrupted */
};

struct dbg_cmd_def;

struct dbg_cmd {
	const struct dbg_cmd_def *def;
	json_t *args;        /* request arguments (owned) */
	bool json;           /* --json output */
	char *file;          /* dump FILE (owned), NULL: stdout */
	char *topic;         /* help TOPIC (owned) */
	long count;          /* watch/top --count N; 0: until interrupted */
	long interval_ms;    /* top --interval SECONDS */
	int line;            /* line in the script, for messages */
};

struct dbg_cmd_def {
	const char *name;
	enum dbg_kind kind;
	const char *remote;  /* the protocol command */
	const char *usage;
	const char *summary;
	const char *help;
	bool has_json;       /* accepts --json */
	enum dbg_arg args[3]; /* positional argument kinds, for completion */
	int (*parse)(const struct dbg_cmd_def *d, int argc, char **argv,
		     struct dbg_cmd *out, char *err, size_t errlen);
};

extern const struct dbg_cmd_def dbg_commands[];
const struct dbg_cmd_def *dbg_cmd_lookup(const char *name);

/*
 * dbg_parse_script parses text (commands separated by ';' or newlines;
 * words split on blanks with '…', "…" and \ quoting; '#' starts a
 * comment) into *cmds (n commands). json forces --json on every command
 * that has it. Returns 0, or -EINVAL with "line N: message" in err; on
 * error nothing is returned. Free with dbg_cmds_free.
 */
int dbg_parse_script(const char *text, bool json, struct dbg_cmd **cmds,
		     int *n, char *err, size_t errlen);
void dbg_cmds_free(struct dbg_cmd *cmds, int n);

/* Splits one command into words (the same rules). Returns the count and
 * a malloc'd NULL-terminated vector (free with dbg_words_free), or
 * -EINVAL with a message. */
int dbg_split_words(const char *s, char ***words, char *err, size_t errlen);
void dbg_words_free(char **words);

/* Signals by name, as the kernel numbers them (kill -l). */
/* Signal names as the sentry spells them (src/kernel/signames.c, linked
 * into sentrydbg too). */
static inline int dbg_sig_parse(const char *s)
{
	return sig_parse(s);
}

static inline const char *dbg_sig_name(int sig, char *buf, size_t len)
{
	return sig_name(sig, buf, len);
}

/* Options of sentrydbg itself. */
struct dbg_options {
	const char *target;   /* NAME|PID|SOCKET or NULL */
	char *script;         /* -c commands joined with ';' (owned) */
	const char *batch;    /* --batch FILE ("-": stdin) */
	bool json;
	bool quiet;
	bool stop_on_error;
	bool list;
	bool help;
	bool version;
};

/* Parses argv (argv[0] is the program). Returns 0, or -EINVAL with a
 * message in err. Free with dbg_options_free. */
int dbg_parse_argv(int argc, char **argv, struct dbg_options *o, char *err,
		   size_t errlen);
void dbg_options_free(struct dbg_options *o);
void dbg_usage(FILE *out);

/* ---- output (client_render.c) ---- */

/* Prints a command's result as text, or as JSON with cmd->json. */
void dbg_render(const struct dbg_cmd *cmd, json_t *result, FILE *out);
/* Prints an event on one line. */
void dbg_render_event(json_t *ev, FILE *out);
/* Prints help: the list of commands, or one command's. Returns 0, or -1
 * for an unknown topic. */
int dbg_help(const char *topic, FILE *out);

/* ---- front ends (repl.c) ---- */

/* Runs the parsed commands in order. Returns an exit code. */
int dbg_run_commands(struct dbg_conn *c, struct dbg_cmd *cmds, int n,
		     bool stop_on_error);
/* The interactive session on a terminal. Returns an exit code. */
int dbg_interactive(struct dbg_conn *c, const struct dbg_options *o);

#endif
