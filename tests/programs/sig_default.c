/* Default actions (man 7 signal, "Standard signals" table): terminate,
 * core (with RLIMIT_CORE 0 so that no core is written and the core flag
 * is deterministic), ignore, stop and continue, and the interplay of
 * pending stop signals and SIGCONT.
 *
 * Usage: sig_default MODE. Prints facts only. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xfork.h"

#define YN(c) ((c) ? "yes" : "no")

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *name(int sig)
{
	static char buf[32];

	if (sig >= SIGRTMIN)
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
	else if (!sigabbrev_np(sig))
		snprintf(buf, sizeof(buf), "%d", sig);
	else
		snprintf(buf, sizeof(buf), "%s", sigabbrev_np(sig));
	return buf;
}

static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

static void describe(int st)
{
	if (WIFEXITED(st))
		printf("exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("killed by %s core=%s", name(WTERMSIG(st)),
		       YN(WCOREDUMP(st)));
	else if (WIFSTOPPED(st))
		printf("stopped by %s", name(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		printf("continued");
}

static void raise_in_child(int sig, int how)
{
	pid_t c = fork();
	int st;

	if (c == 0) {
		if (how == 1)
			kill(getpid(), sig);
		else
			raise(sig);
		_exit(0);
	}
	waitpid(c, &st, 0);
	printf("%s: ", name(sig));
	describe(st);
	printf("\n");
}

static int mode_terminate(void)
{
	int sigs[] = { SIGHUP, SIGINT, SIGKILL, SIGUSR1, SIGUSR2, SIGPIPE,
		       SIGALRM, SIGTERM, SIGSTKFLT, SIGVTALRM, SIGPROF, SIGIO,
		       SIGPWR, 0 };

	no_core();
	for (int i = 0; sigs[i]; i++)
		raise_in_child(sigs[i], 0);
	raise_in_child(SIGRTMIN, 1);
	raise_in_child(SIGRTMIN + 7, 1);
	raise_in_child(SIGRTMAX, 1);
	/* Signals 32 and 33 (glibc-internal) terminate too. */
	raise_in_child(32, 1);
	raise_in_child(33, 1);
	return 0;
}

static int mode_core(void)
{
	int sigs[] = { SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
		       SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS, 0 };

	no_core();
	for (int i = 0; sigs[i]; i++)
		raise_in_child(sigs[i], 1);
	return 0;
}

static int mode_ignore(void)
{
	int sigs[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT, 0 };

	for (int i = 0; sigs[i]; i++) {
		raise_in_child(sigs[i], 0);
		raise_in_child(sigs[i], 1);
	}
	/* SIG_IGN on a terminating signal. */
	signal(SIGTERM, SIG_IGN);
	raise_in_child(SIGTERM, 1);
	signal(SIGRTMIN, SIG_IGN);
	raise_in_child(SIGRTMIN, 1);
	return 0;
}

static int mode_self_death(void)
{
	/* The test's own process dies of SIGTERM: the exit status is 143. */
	printf("dying\n");
	kill(getpid(), SIGTERM);
	msleep(5000);
	printf("survived\n");
	return 0;
}

static int mode_self_core(void)
{
	no_core();
	printf("aborting\n");
	abort();
}

static pid_t stopper(void)
{
	pid_t c = fork();

	if (c == 0) {
		setpgid(0, 0); /* not orphaned: our parent is outside */
		for (int i = 0; i < 3000; i++)
			msleep(1);
		_exit(0);
	}
	setpgid(c, c);
	return c;
}

static int mode_stop_cont(void)
{
	int sigs[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, 0 };

	for (int i = 0; sigs[i]; i++) {
		pid_t c = stopper();
		int st;

		msleep(50);
		kill(c, sigs[i]);
		waitpid(c, &st, WUNTRACED);
		printf("kill %s: ", name(sigs[i]));
		describe(st);
		kill(c, SIGCONT);
		waitpid(c, &st, WCONTINUED);
		printf(", then SIGCONT: ");
		describe(st);
		if (c > 0) /* never kill(0) or kill(-1) */
			kill(c, SIGKILL);
		waitpid(c, &st, 0);
		printf(", then SIGKILL: ");
		describe(st);
		printf("\n");
	}
	/* A stopped process can be killed without SIGCONT; a terminating
	 * signal is held until SIGCONT. */
	pid_t c = stopper();
	int st;

	msleep(50);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGTERM);
	msleep(200);
	printf("stopped + TERM: still there=%s\n",
	       YN(waitpid(c, &st, WNOHANG) == 0));
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	printf("after CONT: ");
	describe(st);
	printf("\n");
	/* SIGCONT to a running process is harmless. */
	c = stopper();
	kill(c, SIGCONT);
	msleep(50);
	printf("CONT to running: still there=%s\n",
	       YN(waitpid(c, &st, WNOHANG) == 0));
	if (c > 0) /* never kill(0) or kill(-1) */
		kill(c, SIGKILL);
	waitpid(c, &st, 0);
	return 0;
}

/* A stop signal discards pending SIGCONT and SIGCONT discards pending
 * stop signals (even blocked ones). */
static int mode_stop_cont_pending(void)
{
	int p[2];
	pid_t c;
	int st;
	char buf[256];

	if (pipe(p) < 0)
		return 98;
	c = fork();
	if (c == 0) {
		sigset_t b, pend;
		char line[200];
		int n;

		setpgid(0, 0);
		sigemptyset(&b);
		sigaddset(&b, SIGTSTP);
		sigaddset(&b, SIGCONT);
		sigaddset(&b, SIGTTOU);
		sigprocmask(SIG_BLOCK, &b, NULL);
		kill(getpid(), SIGTSTP);
		sigpending(&pend);
		n = snprintf(line, sizeof(line), "TSTP pending=%s; ",
			     YN(sigismember(&pend, SIGTSTP)));
		kill(getpid(), SIGCONT);
		sigpending(&pend);
		n += snprintf(line + n, sizeof(line) - n,
			      "after CONT: TSTP pending=%s CONT pending=%s; ",
			      YN(sigismember(&pend, SIGTSTP)),
			      YN(sigismember(&pend, SIGCONT)));
		kill(getpid(), SIGTTOU);
		sigpending(&pend);
		n += snprintf(line + n, sizeof(line) - n,
			      "after TTOU: CONT pending=%s TTOU pending=%s\n",
			      YN(sigismember(&pend, SIGCONT)),
			      YN(sigismember(&pend, SIGTTOU)));
		if (write(p[1], line, n) != n)
			_exit(1);
		/* Unblocking TTOU stops us now. */
		sigprocmask(SIG_UNBLOCK, &b, NULL);
		_exit(4);
	}
	setpgid(c, c);
	close(p[1]);
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	printf("%s", buf);
	waitpid(c, &st, WUNTRACED);
	printf("child: ");
	describe(st);
	printf("\n");
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	printf("child: ");
	describe(st);
	printf("\n");
	return 0;
}

/* Handlers and SIG_IGN override the default stop. */
static volatile int tstp_handled;
static void on_tstp(int sig)
{
	(void)sig;
	tstp_handled++;
}

static int mode_stop_overridden(void)
{
	pid_t c;
	int st;

	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		signal(SIGTSTP, on_tstp);
		signal(SIGTTIN, SIG_IGN);
		raise(SIGTSTP);
		raise(SIGTTIN);
		_exit(tstp_handled);
	}
	setpgid(c, c);
	waitpid(c, &st, WUNTRACED);
	printf("TSTP handled, TTIN ignored: ");
	describe(st);
	printf("\n");
	/* SIGSTOP cannot be caught: sigaction fails, the default stays. */
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		signal(SIGSTOP, on_tstp);
		raise(SIGSTOP);
		_exit(tstp_handled);
	}
	setpgid(c, c);
	waitpid(c, &st, WUNTRACED);
	printf("STOP with attempted handler: ");
	describe(st);
	printf("\n");
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	printf("then: ");
	describe(st);
	printf("\n");
	/* A SIGCONT handler runs when continued. */
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		signal(SIGCONT, on_tstp);
		raise(SIGSTOP);
		_exit(10 + tstp_handled);
	}
	setpgid(c, c);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	printf("CONT handler after stop: ");
	describe(st);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	if (!strcmp(m, "terminate"))
		return mode_terminate();
	if (!strcmp(m, "core"))
		return mode_core();
	if (!strcmp(m, "ignore"))
		return mode_ignore();
	if (!strcmp(m, "self_death"))
		return mode_self_death();
	if (!strcmp(m, "self_core"))
		return mode_self_core();
	if (!strcmp(m, "stop_cont"))
		return mode_stop_cont();
	if (!strcmp(m, "stop_cont_pending"))
		return mode_stop_cont_pending();
	if (!strcmp(m, "stop_overridden"))
		return mode_stop_overridden();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
