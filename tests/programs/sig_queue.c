/* Pending queues (man 7 signal): standard signals coalesce, real-time
 * signals queue in order with their values, lower numbers first,
 * sigtimedwait/sigwaitinfo/signalfd consume from the queue, and
 * RLIMIT_SIGPENDING bounds sigqueue.
 *
 * Usage: sig_queue MODE. Prints facts only. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
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

#define NREC 64
static volatile int nrec;
static siginfo_t rec[NREC];

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (nrec < NREC)
		rec[nrec] = *si;
	nrec++;
}

static void handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask); /* one at a time, in delivery order */
	sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static const char *name(int sig)
{
	static char buf[32];

	if (sig >= SIGRTMIN)
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "%s", sigabbrev_np(sig));
	return buf;
}

static void print_recs(pid_t sender)
{
	printf("deliveries: %d\n", nrec);
	for (int i = 0; i < nrec && i < NREC; i++) {
		printf("  %s code=%d", name(rec[i].si_signo), rec[i].si_code);
		if (rec[i].si_code == SI_QUEUE)
			printf(" value=%d", rec[i].si_value.sival_int);
		if (sender)
			printf(" from %s", rec[i].si_pid == sender ? "sender"
				   : rec[i].si_pid == getpid() ? "self" : "other");
		printf("\n");
	}
	nrec = 0;
}

static int mode_coalesce(void)
{
	pid_t c;

	handle(SIGUSR1);
	mask(SIG_BLOCK, SIGUSR1);
	for (int i = 0; i < 3; i++)
		kill(getpid(), SIGUSR1);
	mask(SIG_UNBLOCK, SIGUSR1);
	printf("3x kill USR1 while blocked:\n");
	print_recs(getpid());
	/* The first sender's siginfo is kept; later ones are dropped. */
	mask(SIG_BLOCK, SIGUSR1);
	c = fork();
	if (c == 0) {
		sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 1 });
		sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 2 });
		_exit(0);
	}
	waitpid(c, NULL, 0);
	kill(getpid(), SIGUSR1);
	mask(SIG_UNBLOCK, SIGUSR1);
	printf("2x sigqueue USR1 from child then kill from self:\n");
	print_recs(c);
	/* Thread-directed and process-directed copies are separate. */
	mask(SIG_BLOCK, SIGUSR1);
	kill(getpid(), SIGUSR1);
	raise(SIGUSR1);
	mask(SIG_UNBLOCK, SIGUSR1);
	printf("kill + raise USR1 while blocked:\n");
	print_recs(getpid());
	return 0;
}

static int mode_rt_order(void)
{
	pid_t c;
	int sig = SIGRTMIN + 1;

	handle(sig);
	mask(SIG_BLOCK, sig);
	c = fork();
	if (c == 0) {
		for (int v = 1; v <= 3; v++)
			sigqueue(getppid(), sig, (union sigval){ .sival_int = v });
		kill(getppid(), sig);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	for (int v = 4; v <= 5; v++)
		sigqueue(getpid(), sig, (union sigval){ .sival_int = v });
	mask(SIG_UNBLOCK, sig);
	printf("RTMIN+1 x3 sigqueue + kill from child, x2 sigqueue self:\n");
	print_recs(c);
	return 0;
}

static int mode_rt_lower_first(void)
{
	sigset_t all, none;
	int sigs[] = { SIGRTMIN + 5, SIGRTMIN + 2, SIGRTMAX, SIGRTMIN + 2,
		       SIGUSR2, SIGRTMIN, SIGTERM, SIGUSR1, 0 };

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (int i = 0; sigs[i]; i++) {
		handle(sigs[i]);
		sigqueue(getpid(), sigs[i], (union sigval){ .sival_int = i });
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	printf("queued RTMIN+5 RTMIN+2 RTMAX RTMIN+2 USR2 RTMIN TERM USR1:\n");
	print_recs(getpid());
	return 0;
}

static int mode_sigtimedwait(void)
{
	sigset_t s;
	siginfo_t si;
	struct timespec ts = { 0, 200 * 1000000L };
	pid_t c;
	int r;

	handle(SIGUSR1);
	handle(SIGRTMIN);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	errno = 0;
	r = sigtimedwait(&s, &si, &ts);
	printf("nothing pending: ret=%d errno=%s\n", r, strerrorname_np(errno));
	c = fork();
	if (c == 0) {
		sigqueue(getppid(), SIGRTMIN, (union sigval){ .sival_int = 10 });
		sigqueue(getppid(), SIGRTMIN, (union sigval){ .sival_int = 11 });
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	for (int i = 0; i < 3; i++) {
		memset(&si, 0, sizeof(si));
		r = sigtimedwait(&s, &si, &ts);
		printf("sigtimedwait: ret=%s si_signo=%s code=%d value=%d from "
		       "child=%s uid ok=%s\n",
		       r > 0 ? name(r) : "-1", si.si_signo ? name(si.si_signo) : "0",
		       si.si_code, si.si_code == SI_QUEUE ? si.si_value.sival_int : 0,
		       YN(si.si_pid == c), YN(si.si_uid == getuid()));
	}
	sigset_t p;

	sigpending(&p);
	printf("still pending: USR1=%s RTMIN=%s\n", YN(sigismember(&p, SIGUSR1)),
	       YN(sigismember(&p, SIGRTMIN)));
	/* Consumed signals are not delivered to the handler later; a new
	 * one carries its own siginfo. */
	c = fork();
	if (c == 0) {
		sigqueue(getppid(), SIGRTMIN, (union sigval){ .sival_int = 12 });
		_exit(0);
	}
	waitpid(c, NULL, 0);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("after unblock:\n");
	print_recs(c);
	/* Timeout zero is a poll; an unblocked signal waited for is still
	 * taken by sigtimedwait if it arrives while waiting. */
	ts.tv_nsec = 0;
	errno = 0;
	r = sigtimedwait(&s, &si, &ts);
	printf("poll: ret=%d errno=%s\n", r, strerrorname_np(errno));
	/* Invalid timeout. */
	ts.tv_nsec = 2000000000L;
	errno = 0;
	r = sigtimedwait(&s, &si, &ts);
	printf("bad timeout: ret=%d errno=%s\n", r, strerrorname_np(errno));
	/* Interrupted by a handled signal not in the set. */
	signal(SIGUSR2, SIG_IGN);
	handle(SIGUSR2);
	c = fork();
	if (c == 0) {
		msleep(100);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	sigprocmask(SIG_BLOCK, &s, NULL);
	errno = 0;
	r = sigtimedwait(&s, &si, &ts);
	printf("interrupted: ret=%d errno=%s handler ran=%s\n", r,
	       strerrorname_np(errno), YN(nrec == 1));
	waitpid(c, NULL, 0);
	return 0;
}

static int mode_sigwaitinfo(void)
{
	sigset_t s;
	siginfo_t si;
	pid_t c;
	int r, sig;

	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 3);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, NULL);
	c = fork();
	if (c == 0) {
		msleep(100);
		sigqueue(getppid(), SIGRTMIN + 3, (union sigval){ .sival_int = 99 });
		msleep(50);
		kill(getppid(), SIGHUP);
		_exit(0);
	}
	r = sigwaitinfo(&s, &si);
	printf("sigwaitinfo: %s value=%d code=%d from child=%s\n",
	       name(r), si.si_value.sival_int, si.si_code, YN(si.si_pid == c));
	r = sigwait(&s, &sig);
	printf("sigwait: ret=%d sig=%s\n", r, name(sig));
	waitpid(c, NULL, 0);
	/* sigwaitinfo also takes a signal that the disposition ignores by
	 * default as long as it is blocked and in the set. */
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, NULL);
	c = fork();
	if (c == 0)
		_exit(7);
	r = sigwaitinfo(&s, &si);
	printf("SIGCHLD by sigwaitinfo: %s code=%d status=%d from child=%s\n",
	       name(r), si.si_code, si.si_status, YN(si.si_pid == c));
	waitpid(c, NULL, 0);
	return 0;
}

static int mode_signalfd(void)
{
	sigset_t s;
	struct signalfd_siginfo fi;
	pid_t c;
	int fd;

	handle(SIGUSR1);
	handle(SIGRTMIN);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	fd = signalfd(-1, &s, SFD_NONBLOCK);
	kill(getpid(), SIGUSR1);
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 3 });
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 4 });
	for (int i = 0; i < 4; i++) {
		ssize_t n = read(fd, &fi, sizeof(fi));

		if (n != sizeof(fi)) {
			printf("signalfd read: %s\n", strerrorname_np(errno));
			break;
		}
		printf("signalfd read: %s code=%d value=%d self=%s\n",
		       name((int)fi.ssi_signo), fi.ssi_code, fi.ssi_int,
		       YN(fi.ssi_pid == (unsigned)getpid()));
	}
	/* What signalfd consumed is gone; later signals carry their own
	 * siginfo to the handler. */
	c = fork();
	if (c == 0) {
		sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 5 });
		sigqueue(getppid(), SIGRTMIN, (union sigval){ .sival_int = 6 });
		_exit(0);
	}
	waitpid(c, NULL, 0);
	close(fd);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("after unblock:\n");
	print_recs(c);
	return 0;
}

static int mode_rlimit_sigpending(void)
{
	struct rlimit rl = { 5, 5 };
	sigset_t s;
	int ok = 0, r = 0, err = 0;
	pid_t c;

	/* Pending signals count per user: do it in a child under an
	 * otherwise unused UID when we can, so that other processes' pending
	 * signals (other tests running in parallel) do not count. */
	c = fork();
	if (c == 0) {
		alarm(20);
		if (getuid() == 0 && (setgid(54322) || setuid(54322)))
			_exit(91);
		sigfillset(&s);
		sigprocmask(SIG_BLOCK, &s, NULL);
		if (setrlimit(RLIMIT_SIGPENDING, &rl) < 0)
			_exit(90);
		for (int i = 0; i < 20; i++) {
			r = sigqueue(getpid(), SIGRTMIN + 1,
				     (union sigval){ .sival_int = i });
			if (r < 0) {
				err = errno;
				break;
			}
			ok++;
		}
		printf("queued before failure: at most 5=%s, some=%s\n",
		       YN(ok <= 5), YN(ok > 0));
		printf("failure errno=%s\n", err ? strerrorname_np(err) : "none");
		/* Standard signals from kill are not limited: they still
		 * get through (override_rlimit). */
		r = kill(getpid(), SIGUSR1);
		printf("kill USR1 at limit: ret=%d\n", r);
		sigpending(&s);
		printf("USR1 pending: %s\n", YN(sigismember(&s, SIGUSR1)));
		/* Taking one frees a slot. */
		siginfo_t si;
		sigset_t w;

		sigemptyset(&w);
		sigaddset(&w, SIGRTMIN + 1);
		struct timespec ts = { 2, 0 };

		memset(&si, 0, sizeof(si));
		sigtimedwait(&w, &si, &ts);
		printf("first queued value=%d\n", si.si_value.sival_int);
		r = sigqueue(getpid(), SIGRTMIN + 1,
			     (union sigval){ .sival_int = 100 });
		printf("sigqueue after one taken: ret=%d\n", r);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	return 0;
}

static int mode_rt_queue_many(void)
{
	/* A few hundred RT signals queue and come back in order. */
	int sig = SIGRTMIN + 4, n = 200, bad = 0;
	sigset_t s;
	siginfo_t si;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 0; i < n; i++)
		if (sigqueue(getpid(), sig, (union sigval){ .sival_int = i }))
			bad++;
	printf("sigqueue failures: %d\n", bad);
	for (int i = 0; i < n; i++) {
		if (sigwaitinfo(&s, &si) != sig || si.si_value.sival_int != i) {
			printf("out of order at %d\n", i);
			return 1;
		}
	}
	printf("200 RT signals in order: yes\n");
	struct timespec ts = { 0, 0 };
	printf("queue empty: %s\n", YN(sigtimedwait(&s, &si, &ts) < 0));
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	if (!strcmp(m, "coalesce"))
		return mode_coalesce();
	if (!strcmp(m, "rt_order"))
		return mode_rt_order();
	if (!strcmp(m, "rt_lower_first"))
		return mode_rt_lower_first();
	if (!strcmp(m, "sigtimedwait"))
		return mode_sigtimedwait();
	if (!strcmp(m, "sigwaitinfo"))
		return mode_sigwaitinfo();
	if (!strcmp(m, "signalfd"))
		return mode_signalfd();
	if (!strcmp(m, "rlimit_sigpending"))
		return mode_rlimit_sigpending();
	if (!strcmp(m, "rt_queue_many"))
		return mode_rt_queue_many();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
