/* Signals the host kernel raises by itself (faults, SIGPIPE, timers,
 * resource limits): their siginfo, handlers that siglongjmp out, and the
 * default actions.
 *
 * Usage: sig_host MODE. Prints facts only. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xfork.h"

#define YN(c) ((c) ? "yes" : "no")

static sigjmp_buf jb;
static siginfo_t last;
static volatile int hits;

static void jump_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last = *si;
	hits++;
	siglongjmp(jb, 1);
}

static void record_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last = *si;
	hits++;
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

static void child_death(const char *what, void (*fn)(void))
{
	pid_t c = fork();
	int st;

	if (c == 0) {
		alarm(10); /* alarms are not inherited: a stuck child ends */
		fn();
		_exit(0);
	}
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: killed by %s core=%s\n", what,
		       sigabbrev_np(WTERMSIG(st)), YN(WCOREDUMP(st)));
	else
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
}

static volatile int *volatile null_ptr;
static void write_null(void)
{
	signal(SIGSEGV, SIG_DFL);
	*null_ptr = 1;
}

static void write_null_blocked(void)
{
	sigset_t s;

	handle(SIGSEGV, jump_handler);
	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, NULL);
	*null_ptr = 1;
}

static void write_null_ignored(void)
{
	signal(SIGSEGV, SIG_IGN);
	*null_ptr = 1;
}

static int mode_segv(void)
{
	no_core();
	handle(SIGSEGV, jump_handler);
	if (sigsetjmp(jb, 1) == 0) {
		*null_ptr = 1;
		printf("no fault?\n");
	}
	printf("SIGSEGV handled: hits=%d code=%s addr=%s\n", hits,
	       last.si_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
	       last.si_addr == NULL ? "NULL" : "other");
	/* A read-only page: SEGV_ACCERR with the exact address. */
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (sigsetjmp(jb, 1) == 0)
		ro[100] = 1;
	printf("write to read-only page: code=%s addr exact=%s\n",
	       last.si_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
	       YN(last.si_addr == ro + 100));
	/* The mask is restored by siglongjmp(.., 1) (sigsetjmp saved it). */
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("SEGV blocked after siglongjmp: %s\n",
	       YN(sigismember(&cur, SIGSEGV)));
	child_death("NULL write, default", write_null);
	child_death("NULL write, SEGV blocked", write_null_blocked);
	child_death("NULL write, SEGV ignored", write_null_ignored);
	return 0;
}

static volatile int zero;
static void divide(void)
{
	int a = 1, d = zero;

	/* idiv by zero: #DE, SIGFPE with FPE_INTDIV. */
	__asm__ volatile("cltd; idivl %2" : "+a"(a) : "d"(0), "r"(d));
	(void)a;
}

static int mode_fpe(void)
{
	no_core();
	handle(SIGFPE, jump_handler);
	if (sigsetjmp(jb, 1) == 0) {
		divide();
		printf("no fault?\n");
	}
	printf("SIGFPE handled: hits=%d code=%s\n", hits,
	       last.si_code == FPE_INTDIV ? "FPE_INTDIV" : "other");
	signal(SIGFPE, SIG_DFL);
	child_death("divide by zero, default", divide);
	return 0;
}

static void ud2(void)
{
	__asm__ volatile("ud2");
}

static void int3(void)
{
	__asm__ volatile("int3");
}

static int mode_ill_trap(void)
{
	no_core();
	handle(SIGILL, jump_handler);
	if (sigsetjmp(jb, 1) == 0)
		ud2();
	printf("SIGILL handled: code=%s\n",
	       last.si_code == ILL_ILLOPN ? "ILL_ILLOPN" : "other");
	handle(SIGTRAP, record_handler);
	hits = 0;
	int3();
	printf("SIGTRAP from int3 handled: hits=%d code=%s\n", hits,
	       last.si_code == SI_KERNEL ? "SI_KERNEL" : "other");
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
	child_death("ud2, default", ud2);
	child_death("int3, default", int3);
	return 0;
}

static void pipe_write(void)
{
	int p[2];

	if (pipe(p) < 0)
		_exit(98);
	close(p[0]);
	if (write(p[1], "x", 1) < 0)
		_exit(errno == EPIPE ? 32 : 33);
	_exit(0);
}

static int mode_pipe(void)
{
	int p[2];
	ssize_t r;

	handle(SIGPIPE, record_handler);
	if (pipe(p) < 0)
		return 98;
	close(p[0]);
	r = write(p[1], "x", 1);
	printf("handled: write ret=%zd errno=%s hits=%d code=%s\n", r,
	       strerrorname_np(errno), hits,
	       last.si_code == SI_USER ? "SI_USER" : "other");
	close(p[1]);
	signal(SIGPIPE, SIG_IGN);
	child_death("SIG_IGN", pipe_write);
	signal(SIGPIPE, SIG_DFL);
	child_death("default", pipe_write);
	/* A blocked SIGPIPE stays pending; write still fails. */
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	sigprocmask(SIG_BLOCK, &s, NULL);
	if (pipe(p) < 0)
		return 98;
	close(p[0]);
	errno = 0;
	r = write(p[1], "x", 1);
	sigpending(&s);
	printf("blocked: write ret=%zd errno=%s pending=%s\n", r,
	       strerrorname_np(errno), YN(sigismember(&s, SIGPIPE)));
	/* send() with MSG_NOSIGNAL would not raise it; socketpair
	 * without it does. */
	return 0;
}

static int mode_alarm(void)
{
	struct itimerval it, left;
	int r;

	handle(SIGALRM, record_handler);
	alarm(1);
	r = pause();
	printf("alarm(1): pause ret=%d hits=%d code=%s\n", r, hits,
	       last.si_code == SI_KERNEL ? "SI_KERNEL" : "other");
	printf("alarm remaining after: %u\n", alarm(0));
	/* alarm returns the previous remaining time. */
	alarm(10);
	printf("alarm(5) after alarm(10) returns >= 9: %s\n",
	       YN(alarm(5) >= 9));
	alarm(0);
	/* setitimer ITIMER_REAL with an interval: 3 expiries. */
	hits = 0;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 50000;
	it.it_interval.tv_usec = 50000;
	setitimer(ITIMER_REAL, &it, NULL);
	while (hits < 3)
		pause();
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, &left);
	printf("ITIMER_REAL interval: 3 expiries, code=%s, was armed=%s\n",
	       last.si_code == SI_KERNEL ? "SI_KERNEL" : "other",
	       YN(left.it_interval.tv_usec == 50000));
	/* ITIMER_VIRTUAL counts user CPU time. */
	handle(SIGVTALRM, record_handler);
	hits = 0;
	it.it_value.tv_usec = 20000;
	it.it_interval.tv_usec = 0;
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	for (volatile unsigned long i = 0; !hits && i < 20000000000UL; i++)
		;
	printf("ITIMER_VIRTUAL: hits=%d signo=%s\n", hits,
	       sigabbrev_np(last.si_signo));
	handle(SIGPROF, record_handler);
	hits = 0;
	setitimer(ITIMER_PROF, &it, NULL);
	for (volatile unsigned long i = 0; !hits && i < 20000000000UL; i++)
		;
	printf("ITIMER_PROF: hits=%d signo=%s\n", hits,
	       sigabbrev_np(last.si_signo));
	/* Default action of SIGALRM from alarm: terminate. */
	pid_t c = fork();
	int st;

	if (c == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		pause();
		_exit(0);
	}
	waitpid(c, &st, 0);
	printf("alarm with default action: killed by %s\n",
	       WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "nothing");
	return 0;
}

static int mode_posix_timer(void)
{
	timer_t t;
	struct sigevent sev;
	struct itimerspec its;
	sigset_t s;

	handle(SIGRTMIN + 2, record_handler);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 2;
	sev.sigev_value.sival_int = 1234;
	if (timer_create(CLOCK_MONOTONIC, &sev, &t) < 0) {
		perror("timer_create");
		return 1;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 30000000;
	timer_settime(t, 0, &its, NULL);
	while (!hits)
		pause();
	printf("timer: code=%s value=%d overrun=%d\n",
	       last.si_code == SI_TIMER ? "SI_TIMER" : "other",
	       last.si_value.sival_int, last.si_overrun);
	/* Blocked with a fast interval: one pending signal, overruns
	 * counted. */
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	its.it_value.tv_nsec = 1000000;
	its.it_interval.tv_nsec = 1000000;
	timer_settime(t, 0, &its, NULL);
	struct timespec ts = { 0, 200000000 };

	nanosleep(&ts, NULL);
	hits = 0;
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	memset(&its, 0, sizeof(its));
	timer_settime(t, 0, &its, NULL);
	/* How many expiries land between the unblock and the disarm, and
	 * how the overrun is split between them, depends on timing: only
	 * that the blocked timer was delivered is a fact. */
	printf("blocked periodic timer: delivered=%s\n", YN(hits >= 1));
	timer_delete(t);
	return 0;
}

static void touch_beyond_eof(void)
{
	char path[] = "/tmp/sig_host_busXXXXXX";
	int fd = mkstemp(path);
	char *p;

	unlink(path);
	if (fd < 0 || ftruncate(fd, 10) < 0)
		_exit(98);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(97);
	p[4096] = 1; /* page beyond EOF */
}

static int mode_bus(void)
{
	no_core();
	handle(SIGBUS, jump_handler);
	if (sigsetjmp(jb, 1) == 0) {
		touch_beyond_eof();
		printf("no fault?\n");
	}
	printf("SIGBUS handled: hits=%d code=%s\n", hits,
	       last.si_code == BUS_ADRERR ? "BUS_ADRERR" : "other");
	signal(SIGBUS, SIG_DFL);
	child_death("beyond EOF, default", touch_beyond_eof);
	return 0;
}

static void big_write(void)
{
	char path[] = "/tmp/sig_host_fszXXXXXX";
	int fd = mkstemp(path);
	struct rlimit rl = { 100, 100 };
	char buf[200] = { 0 };

	unlink(path);
	setrlimit(RLIMIT_FSIZE, &rl);
	ssize_t r = write(fd, buf, sizeof(buf));

	/* A partial write first, then EFBIG with SIGXFSZ. */
	r = write(fd, buf, sizeof(buf));
	_exit(r < 0 && errno == EFBIG ? 40 : 41);
}

static void burn_cpu(void)
{
	struct rlimit rl = { 1, 3 };

	setrlimit(RLIMIT_CPU, &rl);
	for (volatile unsigned long i = 0;; i++)
		;
}

static int mode_limits(void)
{
	no_core();
	child_death("RLIMIT_FSIZE exceeded, default", big_write);
	signal(SIGXFSZ, SIG_IGN);
	child_death("RLIMIT_FSIZE exceeded, SIGXFSZ ignored", big_write);
	child_death("RLIMIT_CPU soft limit, default", burn_cpu);
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(m, "alarm"))
		alarm(30);
	if (!strcmp(m, "segv"))
		return mode_segv();
	if (!strcmp(m, "fpe"))
		return mode_fpe();
	if (!strcmp(m, "ill_trap"))
		return mode_ill_trap();
	if (!strcmp(m, "pipe"))
		return mode_pipe();
	if (!strcmp(m, "alarm"))
		return mode_alarm();
	if (!strcmp(m, "posix_timer"))
		return mode_posix_timer();
	if (!strcmp(m, "bus"))
		return mode_bus();
	if (!strcmp(m, "limits"))
		return mode_limits();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
