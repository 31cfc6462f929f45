/*
 * sentry - run programs on the sentry's emulated kernel.
 *
 *   sentry run [--name NAME] [--mount DIR | --no-mount]
 *              [--dump-on=fatal-signal DIR] -- CMD [ARGS...]
 *   sentry list [--json]
 *
 * See man/sentry.1. This file only parses the command line, wires the
 * kernel, the platform, the filesystem and the control server together,
 * forwards termination signals to the sandbox's init and reports its exit
 * status as a shell would.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cmd/fatal_report.h"
#include "debugger/server.h"
#include "kernel/dump.h"
#include "kernel/kernel.h"
#include "kernel/rcu.h"
#include "platform/ptrace/ptrace_platform.h"
#include "procfs/procfs.h"

#define DEFAULT_MOUNT "/mnt/sentry"

struct sentry_app {
	struct kernel k;
	struct ptrace_platform *pp;
	struct procfs *fs;          /* atomic: read by the platform thread */
	struct ctl_server *ctl;
	const char *dump_dir;       /* --dump-on=fatal-signal DIR */
	struct fatal_report fatal;  /* what dump_dir gets */
	pthread_t main_thread;
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: sentry run [OPTIONS] -- CMD [ARGS...]\n"
"       sentry list [--json]\n"
"       sentry --help | --version\n"
"\n"
"Runs CMD inside a sandbox whose process model (tasks, thread groups,\n"
"sessions, signals, stops, wait, ptrace) is emulated by the sentry's\n"
"kernel, and exposes that kernel's live state under a FUSE filesystem and\n"
"to the sentrydbg debugger.\n"
"\n"
"run options:\n"
"  -n, --name NAME       name of this sentry for sentrydbg and `sentry list`\n"
"                        (default: its PID)\n"
"  -m, --mount DIR       mount the introspection filesystem at DIR\n"
"                        (default: " DEFAULT_MOUNT ")\n"
"      --no-mount        do not mount the filesystem\n"
"      --dump-on=fatal-signal DIR\n"
"                        write a state dump into DIR whenever a task dies of\n"
"                        a core-dumping signal\n"
"\n"
"The exit status is CMD's, or 128+N when it died of signal N.\n"
"See sentry(1), sentryfs(5), sentrydbg(1) and sentry-dump(5).\n");
}

static void on_task_gone(void *arg, pid_t tid)
{
	struct sentry_app *app = arg;
	struct procfs *fs = __atomic_load_n(&app->fs, __ATOMIC_ACQUIRE);

	if (fs)
		procfs_task_gone(fs, tid);
}

static void on_fatal_signal(void *arg, pid_t tid, int sig)
{
	struct sentry_app *app = arg;

	fatal_report_signal(&app->fatal, tid, sig);
}

/* Waits for the sandbox in its own thread, then wakes main's sigwait. */
static void *waiter_main(void *arg)
{
	struct sentry_app *app = arg;

	ptrace_platform_wait(app->pp);
	pthread_kill(app->main_thread, SIGUSR2);
	return NULL;
}

/* The exit status a shell reports for a wait(2) status. */
static int shell_status(int status)
{
	if (status < 0)
		return 125;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "mount", required_argument, NULL, 'm' },
		{ "no-mount", no_argument, NULL, 'M' },
		{ "dump-on", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sentry_app app; /* large (syscall stats); not on stack */
	const char *name = NULL, *mount = DEFAULT_MOUNT;
	char namebuf[32], err[512], cmdline[1024] = "";
	sigset_t sigs;
	pthread_t waiter;
	bool gave_tty;
	int c, status;

	while ((c = getopt_long(argc, argv, "+n:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'm':
			mount = optarg;
			break;
		case 'M':
			mount = NULL;
			break;
		case 'd': {
			const char *dir = strchr(optarg, ' ');

			if (strncmp(optarg, "fatal-signal", 12) != 0) {
				fprintf(stderr, "sentry: --dump-on takes "
						"fatal-signal DIR\n");
				return 2;
			}
			dir = optarg[12] == ',' || optarg[12] == '=' ? optarg + 13
								     : NULL;
			if (!dir || !*dir) {
				if (optind >= argc) {
					fprintf(stderr, "sentry: --dump-on=fatal-signal "
							"needs a directory\n");
					return 2;
				}
				dir = argv[optind++];
			}
			app.dump_dir = dir;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "sentry: run needs a command: sentry run -- CMD [ARGS...]\n");
		return 2;
	}
	if (app.dump_dir) {
		struct stat st;

		if (stat(app.dump_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "sentry: dump directory %s: %s\n",
				app.dump_dir,
				errno ? strerror(errno) : "not a directory");
			return 2;
		}
	}
	if (!name) {
		snprintf(namebuf, sizeof(namebuf), "%d", getpid());
		name = namebuf;
	}
	for (int i = optind; i < argc; i++) {
		size_t n = strlen(cmdline);

		snprintf(cmdline + n, sizeof(cmdline) - n, "%s%s", n ? " " : "",
			 argv[i]);
	}

	/* Signals for the sandbox are taken by sigwait in this thread only;
	 * every thread started below inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	app.main_thread = pthread_self();
	rcu_register_thread();

	app.pp = ptrace_platform_new();
	if (!app.pp || kernel_init(&app.k, ptrace_platform_base(app.pp), name) < 0) {
		fprintf(stderr, "sentry: out of memory\n");
		return 125;
	}
	ptrace_platform_attach(app.pp, &app.k);
	app.fatal = (struct fatal_report){ .k = &app.k, .dir = app.dump_dir };
	ptrace_platform_set_hooks(app.pp, on_task_gone, on_fatal_signal, &app);
	gave_tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	if (ptrace_platform_launch(app.pp, argv + optind, err, sizeof(err)) < 0) {
		fprintf(stderr, "sentry: %s\n", err);
		return 125;
	}
	if (mount) {
		struct procfs *fs = NULL;

		err[0] = '\0';
		if (procfs_start(&app.k, mount, &fs, err, sizeof(err)) < 0)
			fprintf(stderr, "sentry: cannot mount %s: %s (continuing "
					"without the filesystem)\n", mount, err);
		else if (err[0])
			fprintf(stderr, "sentry: %s\n", err);
		__atomic_store_n(&app.fs, fs, __ATOMIC_RELEASE);
	}
	err[0] = '\0';
	if (ctl_server_start(&app.k, name, cmdline, app.fs ? mount : NULL,
			     &app.ctl, err, sizeof(err)) < 0)
		fprintf(stderr, "sentry: no debugger socket: %s\n", err);

	pthread_create(&waiter, NULL, waiter_main, &app);
	for (;;) {
		int sig = sigwaitinfo(&sigs, NULL);

		if (sig < 0)
			continue;
		if (sig == SIGUSR2)
			break;
		if (kernel_paused(&app.k)) {
			/* A termination request must reach a sandbox that a
			 * debugger left paused. */
			fprintf(stderr, "sentry: %s while paused: resuming the "
					"sandbox\n", strsignal(sig));
			while (kernel_unpause(&app.k) == 0)
				;
		}
		/* Forward to the command, like a container runtime's init:
		 * the sandbox decides what a termination request means. */
		pid_t cmd = ptrace_platform_cmd_pid(app.pp);

		kill(cmd > 0 ? cmd : ptrace_platform_init_pid(app.pp), sig);
	}
	pthread_join(waiter, NULL);
	status = ptrace_platform_wait(app.pp);
	fatal_report_drain(&app.fatal);

	ctl_server_stop(app.ctl);
	procfs_stop(app.fs);
	if (gave_tty) {
		/* Take the terminal back from the sandbox's process group. */
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	}
	ptrace_platform_free(app.pp);
	kernel_destroy(&app.k);
	rcu_unregister_thread();
	return shell_status(status);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sentry %s\n", SENTRY_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list")) {
		bool json = argc > 2 && !strcmp(argv[2], "--json");

		return ctl_list_instances(stdout, json) < 0 ? 1 : 0;
	}
	fprintf(stderr, "sentry: unknown command '%s' (try sentry --help)\n",
		argv[1]);
	return 2;
}
