/*
 * sentrydbg - attach to a running sentry: inspect, pause, steer, dump
 * (DESIGN §7, man/sentrydbg.1).
 *
 *   sentrydbg [OPTIONS] [NAME|PID|SOCKET]
 *
 * Scripts get a parse of the whole script before anything runs (a typo
 * never half-runs a script) and the exit codes of client.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugger/client.h"
#include "debugger/server.h"

/* Reads a whole file (or stdin for "-"). Returns a malloc'd string or
 * NULL with errno set. */
static char *slurp(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t len = 0, cap = 4096;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (len + 1 < cap)
			break;
		char *nb = realloc(buf, cap *= 2);

		if (!nb) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
			break;
		}
		buf = nb;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	if (buf)
		buf[len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct dbg_options o;
	struct dbg_conn conn;
	struct dbg_cmd *cmds = NULL;
	char err[1024], *script = NULL;
	int n = 0, status;

	if (dbg_parse_argv(argc, argv, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "sentrydbg: %s\n", err);
		dbg_usage(stderr);
		return DBG_EXIT_USAGE;
	}
	if (o.help) {
		dbg_usage(stdout);
		dbg_options_free(&o);
		return DBG_EXIT_OK;
	}
	if (o.version) {
		printf("sentrydbg %s (protocol 1)\n", SENTRY_VERSION);
		dbg_options_free(&o);
		return DBG_EXIT_OK;
	}
	if (o.list) {
		int rc = ctl_list_instances(stdout, o.json);

		dbg_options_free(&o);
		if (rc < 0)
			fprintf(stderr, "sentrydbg: %s\n", strerror(-rc));
		return rc < 0 ? DBG_EXIT_CONNECT : DBG_EXIT_OK;
	}
	signal(SIGPIPE, SIG_IGN);

	/* A script that is not on the command line may come from a pipe. */
	if (!o.script && !o.batch && !isatty(STDIN_FILENO))
		o.batch = "-";
	if (o.batch) {
		script = slurp(o.batch);
		if (!script) {
			fprintf(stderr, "sentrydbg: cannot read %s: %s\n", o.batch,
				strerror(errno));
			dbg_options_free(&o);
			return DBG_EXIT_USAGE;
		}
	} else if (o.script) {
		script = strdup(o.script);
	}
	if (script && dbg_parse_script(script, o.json, &cmds, &n, err,
				       sizeof(err)) < 0) {
		fprintf(stderr, "sentrydbg: %s%s: %s\n",
			o.batch ? o.batch : "-c",
			o.batch ? "" : " script", err);
		free(script);
		dbg_options_free(&o);
		return DBG_EXIT_USAGE;
	}
	free(script);

	if (dbg_connect(&conn, o.target, err, sizeof(err)) < 0) {
		fprintf(stderr, "sentrydbg: %s\n", err);
		dbg_cmds_free(cmds, n);
		dbg_options_free(&o);
		return DBG_EXIT_CONNECT;
	}
	if (o.script || o.batch)
		status = dbg_run_commands(&conn, cmds, n, o.stop_on_error);
	else
		status = dbg_interactive(&conn, &o);
	dbg_disconnect(&conn);
	dbg_cmds_free(cmds, n);
	dbg_options_free(&o);
	return status;
}
