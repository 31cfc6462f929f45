/* Signals and threads (man 7 signal, pthread_sigmask, man 2 tgkill): a
 * process-directed signal goes to a thread that does not block it, a
 * thread-directed one stays with its thread, masks are per thread,
 * dispositions are shared, and a fatal signal kills every thread.
 *
 * Usage: sig_thread MODE. Prints facts only (threads are named by role). */
#include <errno.h>
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

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static volatile pid_t handled_by[16];
static volatile int nhandled;
static void on_sig(int sig)
{
	(void)sig;
	if (nhandled < 16)
		handled_by[nhandled] = gettid();
	nhandled++;
}

static void handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(sig, &sa, NULL);
}

static void block_all_but(int keep)
{
	sigset_t s;

	sigfillset(&s);
	if (keep)
		sigdelset(&s, keep);
	pthread_sigmask(SIG_SETMASK, &s, NULL);
}

static void unblock_all(void)
{
	sigset_t s;

	sigemptyset(&s);
	pthread_sigmask(SIG_SETMASK, &s, NULL);
}

static pthread_barrier_t bar;
static volatile int stop;
static pid_t tids[4];

struct targ {
	int idx;
	int block; /* block USR1? */
};

static void *worker(void *p)
{
	struct targ *a = p;

	if (a->block)
		block_all_but(0);
	else
		block_all_but(SIGUSR1);
	tids[a->idx] = gettid();
	pthread_barrier_wait(&bar);
	while (!stop)
		msleep(2);
	return NULL;
}

static const char *who(pid_t tid)
{
	for (int i = 0; i < 4; i++)
		if (tids[i] == tid)
			return i == 0 ? "main" : i == 1 ? "thread1" : i == 2 ?
			       "thread2" : "thread3";
	return "unknown";
}

static int mode_group_target(void)
{
	pthread_t th[3];
	struct targ args[3] = { { 1, 1 }, { 2, 0 }, { 3, 1 } };

	handle(SIGUSR1);
	pthread_barrier_init(&bar, NULL, 4);
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, worker, &args[i]);
	tids[0] = gettid();
	block_all_but(0); /* main blocks too: only thread2 accepts USR1 */
	pthread_barrier_wait(&bar);
	for (int round = 0; round < 5; round++) {
		int before = nhandled;

		kill(getpid(), SIGUSR1);
		for (int i = 0; i < 2000 && nhandled == before; i++)
			msleep(2);
	}
	printf("5x kill(USR1): handled=%d, all by the unblocking thread "
	       "(thread2)=%s\n", nhandled,
	       YN(nhandled == 5 && handled_by[0] == tids[2] &&
		  handled_by[4] == tids[2]));
	/* All block: it stays pending for the process, visible to every
	 * thread's sigpending; then main unblocks and takes it. */
	nhandled = 0;
	stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	stop = 0;
	pthread_barrier_destroy(&bar);
	pthread_barrier_init(&bar, NULL, 3);
	struct targ b[2] = { { 1, 1 }, { 2, 1 } };

	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, worker, &b[i]);
	pthread_barrier_wait(&bar);
	kill(getpid(), SIGUSR1);
	msleep(50);
	sigset_t p;

	sigpending(&p);
	printf("all blocked: pending in main=%s handled=%d\n",
	       YN(sigismember(&p, SIGUSR1)), nhandled);
	unblock_all();
	printf("main unblocks: handled by %s\n",
	       nhandled == 1 ? who(handled_by[0]) : "none");
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	return 0;
}

static sigset_t seen_pending;
static volatile int pend_ready;
static void *pending_probe(void *arg)
{
	(void)arg;
	block_all_but(0);
	tids[1] = gettid();
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar); /* main sent the signals */
	sigpending(&seen_pending);
	pend_ready = 1;
	pthread_barrier_wait(&bar);
	/* Unblocking in this thread takes only the process-directed one
	 * and its own; main's thread-directed one stays with main. */
	nhandled = 0;
	unblock_all();
	pthread_barrier_wait(&bar);
	return NULL;
}

static int mode_thread_directed(void)
{
	pthread_t th;
	sigset_t p;

	handle(SIGUSR1);
	handle(SIGUSR2);
	handle(SIGHUP);
	tids[0] = gettid();
	block_all_but(0);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, pending_probe, NULL);
	pthread_barrier_wait(&bar);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1); /* to main */
	syscall(SYS_tgkill, getpid(), tids[1], SIGUSR2);  /* to thread1 */
	kill(getpid(), SIGHUP);                           /* to process */
	pthread_barrier_wait(&bar);
	sigpending(&p); /* before thread1 unblocks (next barrier) */
	pthread_barrier_wait(&bar);
	printf("main sees pending: USR1=%s USR2=%s HUP=%s\n",
	       YN(sigismember(&p, SIGUSR1)), YN(sigismember(&p, SIGUSR2)),
	       YN(sigismember(&p, SIGHUP)));
	printf("thread1 sees pending: USR1=%s USR2=%s HUP=%s\n",
	       YN(sigismember(&seen_pending, SIGUSR1)),
	       YN(sigismember(&seen_pending, SIGUSR2)),
	       YN(sigismember(&seen_pending, SIGHUP)));
	pthread_barrier_wait(&bar);
	msleep(20);
	printf("thread1 unblocked: handled %d, all by thread1=%s\n", nhandled,
	       YN(nhandled == 2 && handled_by[0] == tids[1] &&
		  handled_by[1] == tids[1]));
	sigpending(&p);
	printf("main still has: USR1=%s HUP=%s\n", YN(sigismember(&p, SIGUSR1)),
	       YN(sigismember(&p, SIGHUP)));
	pthread_join(th, NULL);
	nhandled = 0;
	unblock_all();
	printf("main unblocked: handled %d by main=%s\n", nhandled,
	       YN(nhandled == 1 && handled_by[0] == tids[0]));
	return 0;
}

static void *mask_reporter(void *arg)
{
	sigset_t s;

	(void)arg;
	pthread_sigmask(SIG_BLOCK, NULL, &s);
	printf("new thread inherits creator's mask: USR2 blocked=%s\n",
	       YN(sigismember(&s, SIGUSR2)));
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	/* A disposition set here is shared with main. */
	signal(SIGWINCH, SIG_IGN);
	return NULL;
}

static int mode_masks_dispositions(void)
{
	pthread_t th;
	sigset_t s;
	struct sigaction sa;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_create(&th, NULL, mask_reporter, NULL);
	pthread_join(th, NULL);
	pthread_sigmask(SIG_BLOCK, NULL, &s);
	printf("main's mask unaffected by the thread's: TERM blocked=%s\n",
	       YN(sigismember(&s, SIGTERM)));
	sigaction(SIGWINCH, NULL, &sa);
	printf("thread's sigaction visible in main: WINCH=%s\n",
	       sa.sa_handler == SIG_IGN ? "SIG_IGN" : "other");
	return 0;
}

static void *crasher(void *arg)
{
	(void)arg;
	msleep(50);
	syscall(SYS_tgkill, getpid(), gettid(), SIGTERM);
	for (;;)
		msleep(100);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		msleep(100);
	return NULL;
}

static int mode_fatal_kills_all(void)
{
	pid_t c = fork();
	int st;

	if (c == 0) {
		pthread_t a, b;

		pthread_create(&a, NULL, sleeper, NULL);
		pthread_create(&b, NULL, crasher, NULL);
		for (;;)
			msleep(100);
	}
	waitpid(c, &st, 0);
	printf("tgkill(TERM) to one thread: process killed by %s\n",
	       WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "nothing");
	/* A thread waiting in sigwaitinfo takes a process signal that all
	 * threads block. */
	sigset_t s;
	siginfo_t si;

	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	c = fork();
	if (c == 0) {
		pthread_t a;

		pthread_create(&a, NULL, sleeper, NULL);
		int r = sigwaitinfo(&s, &si);

		_exit(r == SIGRTMIN ? si.si_value.sival_int : 99);
	}
	msleep(100);
	sigqueue(c, SIGRTMIN, (union sigval){ .sival_int = 21 });
	waitpid(c, &st, 0);
	printf("sigwaitinfo in main with a sleeping thread: value=%d\n",
	       WEXITSTATUS(st));
	return 0;
}

/* exec from a process with pending thread/process signals and threads. */
static int mode_exec_pending(const char *self)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	kill(getpid(), SIGUSR1);
	raise(SIGUSR2);
	execl("/proc/self/exe", self, "exec-check", (char *)NULL);
	return 1;
}

static int mode_exec_check(void)
{
	sigset_t p;

	sigpending(&p);
	printf("after exec: USR1 (process) pending=%s USR2 (thread) "
	       "pending=%s\n", YN(sigismember(&p, SIGUSR1)),
	       YN(sigismember(&p, SIGUSR2)));
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	if (!strcmp(m, "group_target"))
		return mode_group_target();
	if (!strcmp(m, "thread_directed"))
		return mode_thread_directed();
	if (!strcmp(m, "masks_dispositions"))
		return mode_masks_dispositions();
	if (!strcmp(m, "fatal_kills_all"))
		return mode_fatal_kills_all();
	if (!strcmp(m, "exec_pending"))
		return mode_exec_pending(argv[0]);
	if (!strcmp(m, "exec-check"))
		return mode_exec_check();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
