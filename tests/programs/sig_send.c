/* Senders (man 2 kill, tkill, tgkill, rt_sigqueueinfo, pidfd_send_signal):
 * the targets each form reaches, permission checks, and the errors Linux
 * gives for bad signals and targets.
 *
 * Usage: sig_send MODE. Prints facts only. kill(-1) is exercised only from
 * a child running under an otherwise unused UID, so that natively it can
 * reach nothing but the test's own processes. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xfork.h"

#define YN(c) ((c) ? "yes" : "no")
#define TEST_UID 54321
/* kill(-1) run natively reaches every process of its UID on the machine:
 * it gets a UID no other test uses, so parallel tests never see it. */
#define KILL_ALL_UID 54399

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *en(int r)
{
	return r < 0 ? strerrorname_np(errno) : "0";
}

#define NREC 16
static volatile int nrec;
static siginfo_t rec[NREC];
static volatile pid_t rec_tid[NREC];

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (nrec < NREC) {
		rec[nrec] = *si;
		rec_tid[nrec] = gettid();
	}
	nrec++;
}

static void handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

/* A child that waits for SIGUSR1 and exits 10 + number of deliveries
 * after a grace period, or 0 if none came. */
static pid_t waiter(int ready_fd, int pgid)
{
	pid_t c = fork();

	if (c == 0) {
		nrec = 0;
		if (pgid >= 0)
			setpgid(0, pgid);
		handle(SIGUSR1);
		if (ready_fd >= 0 && write(ready_fd, "r", 1) != 1)
			_exit(1);
		for (int i = 0; i < 200 && !nrec; i++)
			msleep(10);
		msleep(100);
		_exit(nrec ? 10 + nrec : 0);
	}
	return c;
}

static int status_of(pid_t c)
{
	int st;

	if (waitpid(c, &st, 0) != c)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void wait_ready(int fd, int n)
{
	char c;

	for (int i = 0; i < n; i++)
		if (read(fd, &c, 1) != 1)
			exit(97);
}

static int mode_kill_targets(void)
{
	int p[2];
	pid_t a, b, c;

	if (pipe(p) < 0)
		return 98;
	/* kill(pid > 0): exactly that process. */
	a = waiter(p[1], -1);
	b = waiter(p[1], -1);
	wait_ready(p[0], 2);
	printf("kill(pid): ret=%d\n", kill(a, SIGUSR1));
	printf("  target got it: %s, other got it: %s\n",
	       YN(status_of(a) == 11), YN(status_of(b) == 11));
	/* kill(-pgid): every member of the group, nobody else. */
	a = waiter(p[1], 0);
	wait_ready(p[0], 1);
	setpgid(a, a);
	b = waiter(p[1], a);
	c = waiter(p[1], -1);
	wait_ready(p[0], 2);
	printf("kill(-pgid): ret=%d\n", kill(-a, SIGUSR1));
	printf("  members got it: %s %s, outsider got it: %s\n",
	       YN(status_of(a) == 11), YN(status_of(b) == 11),
	       YN(status_of(c) == 11));
	/* kill(0): the caller's own group, the caller included. */
	c = fork();
	if (c == 0) {
		pid_t x, y, z;
		int q[2];

		setpgid(0, 0);
		if (pipe(q) < 0)
			_exit(98);
		handle(SIGUSR1);
		x = waiter(q[1], -1);
		y = waiter(q[1], -1);
		z = waiter(q[1], getpgid(getppid())); /* not ours */
		wait_ready(q[0], 3);
		int r = kill(0, SIGUSR1);
		int sx = status_of(x), sy = status_of(y), sz = status_of(z);

		printf("kill(0): ret=%d\n", r);
		printf("  caller got it: %s, group members: %s %s, other group: %s\n",
		       YN(nrec == 1), YN(sx == 11), YN(sy == 11), YN(sz == 11));
		_exit(0);
	}
	status_of(c);
	/* kill(0) when we are alone in our group reaches only us. */
	return 0;
}

static int mode_kill_minus1(void)
{
	pid_t c;

	if (getuid() != 0) {
		printf("skipped: needs root to change to an unused UID\n");
		return 0;
	}
	c = fork();
	if (c == 0) {
		int q[2];
		pid_t x, y;

		setpgid(0, 0);
		if (pipe(q) < 0)
			_exit(98);
		if (setgid(KILL_ALL_UID) || setuid(KILL_ALL_UID)) {
			perror("setuid");
			_exit(99);
		}
		handle(SIGUSR1);
		x = waiter(q[1], -1);
		y = waiter(q[1], 0);
		wait_ready(q[0], 2);
		int r = kill(-1, SIGUSR1);
		int sx = status_of(x), sy = status_of(y);

		printf("kill(-1): ret=%d\n", r);
		printf("  caller got it: %s, descendants: %s %s\n", YN(nrec > 0),
		       YN(sx == 11), YN(sy == 11));
		/* Signal 0 to -1 checks that some target exists. */
		printf("kill(-1, 0): ret=%d\n", kill(-1, 0));
		_exit(0);
	}
	status_of(c);
	return 0;
}

static pid_t thread_tid;
static volatile int thread_stop;
static void *thread_fn(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	while (!thread_stop)
		msleep(5);
	return NULL;
}

static int mode_tkill_tgkill(void)
{
	pthread_t th;
	pid_t c;
	int r;

	handle(SIGUSR1);
	pthread_create(&th, NULL, thread_fn, NULL);
	while (!thread_tid)
		msleep(1);
	r = (int)syscall(SYS_tgkill, getpid(), thread_tid, SIGUSR1);
	for (int i = 0; i < 2000 && !nrec; i++)
		msleep(5);
	printf("tgkill(me, thread): ret=%d handled by that thread=%s code=%s\n",
	       r, YN(nrec == 1 && rec_tid[0] == thread_tid),
	       rec[0].si_code == SI_TKILL ? "SI_TKILL" : "other");
	nrec = 0;
	r = (int)syscall(SYS_tkill, thread_tid, SIGUSR1);
	for (int i = 0; i < 2000 && !nrec; i++)
		msleep(5);
	printf("tkill(thread): ret=%d handled by that thread=%s\n", r,
	       YN(nrec == 1 && rec_tid[0] == thread_tid));
	nrec = 0;
	r = (int)syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1);
	printf("tgkill(me, me): ret=%d handled by main=%s\n", r,
	       YN(nrec == 1 && rec_tid[0] == getpid()));
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	errno = 0;
	r = (int)syscall(SYS_tgkill, c, thread_tid, 0);
	printf("tgkill(wrong tgid, thread): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tgkill, getpid(), c, 0);
	printf("tgkill(me, other process): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tgkill, c, c, 0);
	printf("tgkill(child, child, 0): ret=%d\n", r);
	r = (int)syscall(SYS_tgkill, 0, c, 0);
	printf("tgkill(0, child): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tgkill, c, 0, 0);
	printf("tgkill(child, 0): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tgkill, c, c, 65);
	printf("tgkill(child, child, 65): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tkill, -5, 0);
	printf("tkill(-5): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tkill, c, -1);
	printf("tkill(child, -1): ret=%d errno=%s\n", r, en(r));
	/* kill() with a thread's TID signals the whole process. */
	nrec = 0;
	r = kill(thread_tid, SIGUSR1);
	for (int i = 0; i < 2000 && !nrec; i++)
		msleep(5);
	printf("kill(thread tid): ret=%d delivered=%d code=%s\n", r, nrec,
	       rec[0].si_code == SI_USER ? "SI_USER" : "other");
	if (c > 0) /* never kill(0) or kill(-1) */
		kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	thread_stop = 1;
	pthread_join(th, NULL);
	/* The thread is gone: its TID no longer names anything. */
	r = (int)syscall(SYS_tgkill, getpid(), thread_tid, 0);
	printf("tgkill(me, exited thread): ret=%d errno=%s\n", r, en(r));
	return 0;
}

static int qinfo(pid_t pid, int sig, int code, int value, pid_t fake_pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = fake_pid;
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return (int)syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static int tgqinfo(pid_t tgid, pid_t tid, int sig, int code, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return (int)syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, &si);
}

static int mode_sigqueueinfo(void)
{
	pid_t c;
	int r, st;
	int p[2];

	handle(SIGUSR1);
	handle(SIGRTMIN);
	if (pipe(p) < 0)
		return 98;
	c = waiter(p[1], -1);
	wait_ready(p[0], 1);
	errno = 0;
	r = qinfo(c, SIGUSR1, SI_USER, 1, getpid());
	printf("rt_sigqueueinfo(other, SI_USER): ret=%d errno=%s\n", r, en(r));
	r = qinfo(c, SIGUSR1, SI_KERNEL, 1, getpid());
	printf("rt_sigqueueinfo(other, SI_KERNEL): ret=%d errno=%s\n", r, en(r));
	r = qinfo(c, SIGUSR1, SI_TKILL, 1, getpid());
	printf("rt_sigqueueinfo(other, SI_TKILL): ret=%d errno=%s\n", r, en(r));
	r = qinfo(c, SIGUSR1, SI_QUEUE, 1, getpid());
	printf("rt_sigqueueinfo(other, SI_QUEUE): ret=%d errno=%s\n", r, en(r));
	st = status_of(c);
	printf("  child got one: %s\n", YN(st == 11));
	/* To ourselves, any si_code is accepted, and the siginfo is
	 * delivered as given. */
	nrec = 0;
	r = qinfo(getpid(), SIGUSR1, SI_USER, 5, 4242);
	printf("rt_sigqueueinfo(self, SI_USER, fake pid): ret=%d code=%d "
	       "pid as given=%s\n", r, rec[0].si_code,
	       YN(rec[0].si_pid == 4242));
	nrec = 0;
	r = qinfo(getpid(), SIGRTMIN, SI_QUEUE, 6, getpid());
	printf("rt_sigqueueinfo(self, SI_QUEUE): ret=%d value=%d\n", r,
	       rec[0].si_value.sival_int);
	r = qinfo(getpid(), 65, SI_QUEUE, 6, getpid());
	printf("rt_sigqueueinfo(self, 65): ret=%d errno=%s\n", r, en(r));
	r = qinfo(getpid(), 0, SI_QUEUE, 6, getpid());
	printf("rt_sigqueueinfo(self, 0): ret=%d errno=%s\n", r, en(r));
	/* A reaped PID is gone. */
	c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
	r = qinfo(c, SIGUSR1, SI_QUEUE, 1, getpid());
	printf("rt_sigqueueinfo(reaped): ret=%d errno=%s\n", r, en(r));
	/* rt_tgsigqueueinfo: to our own thread with SI_QUEUE; to another
	 * process with SI_TKILL is EPERM; wrong tgid is ESRCH. */
	nrec = 0;
	r = tgqinfo(getpid(), gettid(), SIGRTMIN, SI_QUEUE, 8);
	printf("rt_tgsigqueueinfo(me, me, SI_QUEUE): ret=%d value=%d\n", r,
	       rec[0].si_value.sival_int);
	c = waiter(p[1], -1);
	wait_ready(p[0], 1);
	r = tgqinfo(c, c, SIGUSR1, SI_TKILL, 9);
	printf("rt_tgsigqueueinfo(child, SI_TKILL): ret=%d errno=%s\n", r,
	       en(r));
	r = tgqinfo(getpid(), c, SIGUSR1, SI_QUEUE, 9);
	printf("rt_tgsigqueueinfo(wrong tgid): ret=%d errno=%s\n", r, en(r));
	r = tgqinfo(c, c, SIGUSR1, SI_QUEUE, 9);
	printf("rt_tgsigqueueinfo(child, SI_QUEUE): ret=%d\n", r);
	printf("  child got one: %s\n", YN(status_of(c) == 11));
	return 0;
}

/* rt_sigqueueinfo has no process-group or "everyone" forms (Linux's
 * kill_proc_info()): a pid <= 0 is ESRCH, unlike rt_tgsigqueueinfo's
 * EINVAL for IDs <= 0; a forged si_code is checked first (EPERM) and the
 * siginfo is copied before anything (EFAULT). */
static void *forge_from_thread(void *arg)
{
	int r;

	(void)arg;
	r = qinfo(getpid(), SIGUSR1, SI_USER, 1, getpid());
	printf("thread: rt_sigqueueinfo(own process, SI_USER): ret=%d "
	       "errno=%s\n", r, en(r));
	r = qinfo(gettid(), SIGUSR1, SI_USER, 1, getpid());
	printf("thread: rt_sigqueueinfo(own TID, SI_USER): ret=%d\n", r);
	r = tgqinfo(getpid(), getpid(), SIGUSR1, SI_TKILL, 1);
	printf("thread: rt_tgsigqueueinfo(main thread, SI_TKILL): ret=%d "
	       "errno=%s\n", r, en(r));
	r = tgqinfo(getpid(), gettid(), SIGUSR1, SI_TKILL, 1);
	printf("thread: rt_tgsigqueueinfo(itself, SI_TKILL): ret=%d\n", r);
	return NULL;
}

static int mode_sigqueueinfo_ids(void)
{
	const pid_t pids[] = { 0, -1, -2, -getpid(), INT_MIN };
	const char *names[] = { "0", "-1", "-2", "-own pgid", "INT_MIN" };
	pthread_t th;
	int r;

	signal(SIGUSR1, SIG_IGN);
	setpgid(0, 0);
	for (int i = 0; i < 5; i++) {
		r = qinfo(pids[i], SIGUSR1, SI_QUEUE, 1, getpid());
		printf("rt_sigqueueinfo(%s, USR1, SI_QUEUE): ret=%d errno=%s\n",
		       names[i], r, en(r));
		r = qinfo(pids[i], 65, SI_QUEUE, 1, getpid());
		printf("rt_sigqueueinfo(%s, 65, SI_QUEUE): ret=%d errno=%s\n",
		       names[i], r, en(r));
		r = qinfo(pids[i], SIGUSR1, SI_USER, 1, getpid());
		printf("rt_sigqueueinfo(%s, USR1, SI_USER): ret=%d errno=%s\n",
		       names[i], r, en(r));
	}
	errno = 0;
	r = (int)syscall(SYS_rt_sigqueueinfo, -1, SIGUSR1, (void *)8);
	printf("rt_sigqueueinfo(-1, bad siginfo): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_rt_tgsigqueueinfo, 0, 0, SIGUSR1, (void *)8);
	printf("rt_tgsigqueueinfo(0, 0, bad siginfo): ret=%d errno=%s\n", r,
	       en(r));
	r = tgqinfo(-1, getpid(), SIGUSR1, SI_QUEUE, 1);
	printf("rt_tgsigqueueinfo(-1, me): ret=%d errno=%s\n", r, en(r));
	r = tgqinfo(getpid(), 0, SIGUSR1, SI_QUEUE, 1);
	printf("rt_tgsigqueueinfo(me, 0): ret=%d errno=%s\n", r, en(r));
	if (pthread_create(&th, NULL, forge_from_thread, NULL) != 0)
		return 98;
	pthread_join(th, NULL);
	return 0;
}

static int mode_pidfd(void)
{
	pid_t c;
	int fd, r, p[2];
	siginfo_t si;

	if (pipe(p) < 0)
		return 98;
	c = fork();
	if (c == 0) {
		handle(SIGUSR1);
		mask(SIG_BLOCK, SIGUSR1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (int i = 0; i < 200; i++) {
			sigset_t pend;

			sigpending(&pend);
			if (sigismember(&pend, SIGUSR1))
				break;
			msleep(5);
		}
		mask(SIG_UNBLOCK, SIGUSR1);
		/* 1: si_code SI_USER from the parent; 2: SI_QUEUE 33 */
		_exit(nrec == 1 && rec[0].si_pid == getppid() ?
		      (rec[0].si_code == SI_USER ? 1 :
		       rec[0].si_code == SI_QUEUE ? 2 + rec[0].si_value.sival_int
						  : 50) : 60);
	}
	wait_ready(p[0], 1);
	fd = (int)syscall(SYS_pidfd_open, c, 0);
	printf("pidfd_open(child): ok=%s\n", YN(fd >= 0));
	r = (int)syscall(SYS_pidfd_send_signal, fd, SIGUSR1, NULL, 0);
	printf("pidfd_send_signal(USR1): ret=%d\n", r);
	struct pollfd pfd = { fd, POLLIN, 0 };

	r = poll(&pfd, 1, 5000);
	printf("pidfd readable at exit: %s\n", YN(r == 1));
	int st = status_of(c);

	printf("child saw: %s\n", st == 1 ? "SI_USER from parent" : "other");
	r = (int)syscall(SYS_pidfd_send_signal, fd, SIGUSR1, NULL, 0);
	printf("pidfd_send_signal(reaped): ret=%d errno=%s\n", r, en(r));
	close(fd);
	/* With a siginfo. */
	c = fork();
	if (c == 0) {
		handle(SIGUSR1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (int i = 0; i < 2000 && !nrec; i++)
			msleep(5);
		_exit(nrec == 1 && rec[0].si_code == SI_QUEUE ?
		      rec[0].si_value.sival_int : 70);
	}
	wait_ready(p[0], 1);
	fd = (int)syscall(SYS_pidfd_open, c, 0);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 33;
	r = (int)syscall(SYS_pidfd_send_signal, fd, SIGUSR1, &si, 0);
	printf("pidfd_send_signal(SI_QUEUE 33): ret=%d\n", r);
	printf("child saw value: %d\n", status_of(c));
	/* Errors. */
	r = (int)syscall(SYS_pidfd_send_signal, fd, SIGUSR1, NULL, 1);
	printf("pidfd_send_signal(flags=1): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_pidfd_send_signal, 0, SIGUSR1, NULL, 0);
	printf("pidfd_send_signal(not a pidfd): ret=%d errno=%s\n", r, en(r));
	close(fd);
	c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
	r = (int)syscall(SYS_pidfd_open, c, 0);
	printf("pidfd_open(reaped): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_pidfd_open, getpid(), 12345);
	printf("pidfd_open(bad flags): ret=%d errno=%s\n", r, en(r));
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	handle(SIGUSR2);
	nrec = 0;
	r = (int)syscall(SYS_pidfd_send_signal, fd, SIGUSR2, NULL, 0);
	printf("pidfd_send_signal(self): ret=%d delivered=%d\n", r, nrec);
	r = (int)syscall(SYS_pidfd_send_signal, fd, 65, NULL, 0);
	printf("pidfd_send_signal(self, 65): ret=%d errno=%s\n", r, en(r));
	return 0;
}

static int mode_errors(void)
{
	pid_t c, z;
	int r;

	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	errno = 0;
	r = kill(c, 0);
	printf("kill(child, 0): ret=%d\n", r);
	r = kill(c, 65);
	printf("kill(child, 65): ret=%d errno=%s\n", r, en(r));
	r = kill(c, -1);
	printf("kill(child, -1): ret=%d errno=%s\n", r, en(r));
	r = kill(c, 64);
	printf("kill(child, 64): ret=%d\n", r);
	waitpid(c, &r, 0);
	printf("child killed by 64: %s\n", YN(WIFSIGNALED(r) && WTERMSIG(r) == 64));
	/* c is reaped: ESRCH for every form. */
	r = kill(c, 0);
	printf("kill(reaped, 0): ret=%d errno=%s\n", r, en(r));
	r = kill(c, SIGTERM);
	printf("kill(reaped, TERM): ret=%d errno=%s\n", r, en(r));
	r = kill(-c, SIGTERM);
	printf("kill(-reaped pgid): ret=%d errno=%s\n", r, en(r));
	r = kill(INT_MIN, SIGTERM);
	printf("kill(INT_MIN): ret=%d errno=%s\n", r, en(r));
	r = kill(c, 65);
	printf("kill(reaped, 65): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tkill, c, 0);
	printf("tkill(reaped): ret=%d errno=%s\n", r, en(r));
	/* A zombie still exists for kill. */
	z = fork();
	if (z == 0)
		_exit(5);
	msleep(200);
	r = kill(z, 0);
	printf("kill(zombie, 0): ret=%d errno=%s\n", r, en(r));
	r = kill(z, SIGTERM);
	printf("kill(zombie, TERM): ret=%d errno=%s\n", r, en(r));
	r = sigqueue(z, SIGUSR1, (union sigval){ .sival_int = 1 });
	printf("sigqueue(zombie): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tgkill, z, z, 0);
	printf("tgkill(zombie, zombie, 0): ret=%d errno=%s\n", r, en(r));
	r = (int)syscall(SYS_tkill, z, SIGTERM);
	printf("tkill(zombie, TERM): ret=%d errno=%s\n", r, en(r));
	int fd = (int)syscall(SYS_pidfd_open, z, 0);

	printf("pidfd_open(zombie): ok=%s\n", YN(fd >= 0));
	r = (int)syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
	printf("pidfd_send_signal(zombie): ret=%d errno=%s\n", r, en(r));
	r = kill(-z, 0);
	printf("kill(-pgid of zombie-only group): ret=%d errno=%s\n", r,
	       en(r));
	waitpid(z, &r, 0);
	printf("zombie still exits normally: status=%d\n", WEXITSTATUS(r));
	/* Our own process group with signal 0 (in a group of our own: the
	 * sandboxed command starts in init's group 1, and kill(-1) is not
	 * a process group). */
	setpgid(0, 0);
	printf("kill(0, 0): ret=%d\n", kill(0, 0));
	printf("kill(-getpgrp(), 0): ret=%d\n", kill(-getpgrp(), 0));
	return 0;
}

static int mode_permissions(void)
{
	pid_t c;
	int q[2];

	if (getuid() != 0) {
		printf("skipped: needs root to change to an unused UID\n");
		return 0;
	}
	handle(SIGUSR1);
	if (pipe(q) < 0)
		return 98;
	mask(SIG_BLOCK, SIGUSR1);
	c = fork();
	if (c == 0) {
		pid_t g;
		int st;

		if (setgid(TEST_UID) || setuid(TEST_UID))
			_exit(99);
		/* An unprivileged sender cannot signal root... */
		errno = 0;
		int r = kill(getppid(), SIGUSR1);

		printf("uid %d kill(root parent): ret=%d errno=%s\n", TEST_UID,
		       r, en(r));
		r = sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 1 });
		printf("uid %d sigqueue(root parent): ret=%d errno=%s\n",
		       TEST_UID, r, en(r));
		r = kill(getppid(), 0);
		printf("uid %d kill(root parent, 0): ret=%d errno=%s\n",
		       TEST_UID, r, en(r));
		r = kill(1, 0);
		printf("uid %d kill(1, 0): ret=%d errno=%s\n", TEST_UID, r,
		       en(r));
		/* ...but can signal its own UID, which sees its si_uid. */
		handle(SIGUSR2);
		g = fork();
		if (g == 0) {
			kill(getppid(), SIGUSR2);
			_exit(0);
		}
		waitpid(g, &st, 0);
		for (int i = 0; i < 2000 && !nrec; i++)
			msleep(5);
		printf("same-uid kill: delivered=%d si_uid=%d si_pid=%s\n",
		       nrec, nrec ? (int)rec[0].si_uid : -1,
		       nrec && rec[0].si_pid == g ? "sender" : "other");
		_exit(0);
	}
	waitpid(c, NULL, 0);
	/* The refused signals left nothing behind: the next USR1 is the
	 * one a root child sends. */
	c = fork();
	if (c == 0) {
		sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 2 });
		_exit(0);
	}
	waitpid(c, NULL, 0);
	nrec = 0;
	mask(SIG_UNBLOCK, SIGUSR1);
	printf("root parent: deliveries=%d", nrec);
	if (nrec)
		printf(" code=%d value=%d from root child=%s", rec[0].si_code,
		       rec[0].si_value.sival_int, YN(rec[0].si_pid == c));
	printf("\n");
	/* root may signal any UID, and the target sees si_uid 0. */
	c = fork();
	if (c == 0) {
		if (setgid(TEST_UID) || setuid(TEST_UID))
			_exit(99);
		handle(SIGUSR2);
		if (write(q[1], "r", 1) != 1)
			_exit(98);
		for (int i = 0; i < 2000 && !nrec; i++)
			msleep(5);
		_exit(nrec ? (rec[0].si_uid == 0 ? 10 : 11) : 0);
	}
	wait_ready(q[0], 1);
	printf("root kill(uid %d child): ret=%d\n", TEST_UID, kill(c, SIGUSR2));
	printf("  child saw si_uid 0: %s\n", YN(status_of(c) == 10));
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	if (!strcmp(m, "kill_targets"))
		return mode_kill_targets();
	if (!strcmp(m, "kill_minus1"))
		return mode_kill_minus1();
	if (!strcmp(m, "tkill_tgkill"))
		return mode_tkill_tgkill();
	if (!strcmp(m, "sigqueueinfo"))
		return mode_sigqueueinfo();
	if (!strcmp(m, "sigqueueinfo_ids"))
		return mode_sigqueueinfo_ids();
	if (!strcmp(m, "pidfd"))
		return mode_pidfd();
	if (!strcmp(m, "errors"))
		return mode_errors();
	if (!strcmp(m, "permissions"))
		return mode_permissions();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
