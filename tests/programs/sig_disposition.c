/* Signal dispositions (man 2 sigaction, man 7 signal): SA_SIGINFO fields,
 * SA_RESTART, SA_NODEFER, SA_RESETHAND, SA_ONSTACK, SA_NOCLDSTOP,
 * SA_NOCLDWAIT, SIGCHLD ignored, ignored signals discarded, dispositions
 * across fork and exec.
 *
 * Usage: sig_disposition MODE. Prints facts only (no PIDs, no addresses),
 * so the output is the same natively and under the sentry. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
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

/* Waits until pid sleeps in a syscall (state S), then a little more. */
static void wait_sleeping(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 5000; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				break;
		}
		msleep(1);
	}
	msleep(100);
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *),
			int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0) {
		perror("sigaction");
		exit(99);
	}
}

static void block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void unblock(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static int is_blocked(int sig)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static int is_pending(int sig)
{
	sigset_t p;

	sigpending(&p);
	return sigismember(&p, sig);
}

/* ---- SA_SIGINFO fields ---- */

#define NREC 16
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

static void print_info(const char *what, const siginfo_t *si, pid_t pid,
		       int code, int value)
{
	printf("%s: si_signo=%d si_code=%s si_pid=%s si_uid=%s", what,
	       si->si_signo,
	       si->si_code == code ? "expected" : "UNEXPECTED",
	       si->si_pid == pid ? "sender" : "OTHER",
	       si->si_uid == getuid() ? "mine" : "OTHER");
	if (code == SI_QUEUE)
		printf(" si_value=%d", si->si_value.sival_int);
	printf("\n");
	(void)value;
}

static int mode_siginfo(void)
{
	pid_t child, me = getpid();

	set_handler(SIGUSR1, record, 0);
	set_handler(SIGRTMIN, record, 0);
	set_handler(SIGUSR2, record, 0);
	/* From ourselves: kill gives SI_USER, raise (tgkill) SI_TKILL,
	 * sigqueue SI_QUEUE. */
	kill(me, SIGUSR1);
	print_info("self kill", &rec[0], me, SI_USER, 0);
	nrec = 0;
	raise(SIGUSR2);
	print_info("self raise", &rec[0], me, SI_TKILL, 0);
	nrec = 0;
	sigqueue(me, SIGRTMIN, (union sigval){ .sival_int = 42 });
	print_info("self sigqueue", &rec[0], me, SI_QUEUE, 42);
	nrec = 0;

	/* From a child, while blocked, so that the child is the sender. */
	block(SIGUSR1);
	block(SIGRTMIN);
	child = fork();
	if (child == 0) {
		kill(getppid(), SIGUSR1);
		sigqueue(getppid(), SIGRTMIN, (union sigval){ .sival_int = 7 });
		_exit(0);
	}
	waitpid(child, NULL, 0);
	printf("pending after child sent: USR1=%s RTMIN=%s\n",
	       YN(is_pending(SIGUSR1)), YN(is_pending(SIGRTMIN)));
	unblock(SIGUSR1);
	unblock(SIGRTMIN);
	printf("deliveries: %d\n", nrec);
	for (int i = 0; i < nrec && i < NREC; i++)
		print_info(rec[i].si_signo == SIGUSR1 ? "child kill"
						       : "child sigqueue",
			   &rec[i], child,
			   rec[i].si_signo == SIGUSR1 ? SI_USER : SI_QUEUE, 0);
	return 0;
}

/* ---- SA_RESTART ---- */

static volatile int handled;
static void count_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	handled++;
}

static void restart_case(int flags, const char *name)
{
	int fds[2];
	pid_t child, me = getpid();
	char c;
	ssize_t n;

	handled = 0;
	set_handler(SIGUSR1, count_handler, flags);
	if (pipe(fds) < 0)
		exit(98);
	child = fork();
	if (child == 0) {
		wait_sleeping(me);
		kill(me, SIGUSR1);
		msleep(200);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	errno = 0;
	n = read(fds[0], &c, 1);
	printf("%s: read returned %zd errno=%s handler ran=%s\n", name, n,
	       n < 0 ? strerrorname_np(errno) : "0", YN(handled == 1));
	waitpid(child, NULL, 0);
	close(fds[0]);
}

static int mode_restart(void)
{
	restart_case(SA_RESTART, "SA_RESTART");
	restart_case(0, "no SA_RESTART");
	return 0;
}

/* ---- SA_NODEFER / default deferral ---- */

static volatile int depth, maxdepth, calls, masked_inside;
static void nest_handler(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;

	(void)si;
	(void)uc;
	calls++;
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (depth == 1)
		masked_inside = sigismember(&cur, sig);
	if (calls == 1)
		raise(sig);
	depth--;
}

static int mode_nodefer(void)
{
	calls = depth = maxdepth = 0;
	set_handler(SIGUSR1, nest_handler, 0);
	raise(SIGUSR1);
	printf("default: calls=%d nested=%s sig masked in handler=%s\n", calls,
	       YN(maxdepth > 1), YN(masked_inside));
	calls = depth = maxdepth = 0;
	set_handler(SIGUSR1, nest_handler, SA_NODEFER);
	raise(SIGUSR1);
	printf("SA_NODEFER: calls=%d nested=%s sig masked in handler=%s\n",
	       calls, YN(maxdepth > 1), YN(masked_inside));
	printf("mask after: USR1 blocked=%s\n", YN(is_blocked(SIGUSR1)));
	return 0;
}

/* ---- SA_RESETHAND ---- */

static int mode_resethand(void)
{
	struct sigaction old;
	pid_t child;
	int st;

	calls = depth = maxdepth = 0;
	masked_inside = -1;
	set_handler(SIGUSR2, count_handler, SA_RESETHAND);
	handled = 0;
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	printf("first: handler ran=%s\n", YN(handled == 1));
	printf("after: disposition is SIG_DFL=%s SA_SIGINFO kept=%s\n",
	       YN(old.sa_handler == SIG_DFL), YN(old.sa_flags & SA_SIGINFO));
	child = fork();
	if (child == 0) {
		set_handler(SIGUSR2, count_handler, SA_RESETHAND);
		raise(SIGUSR2);
		raise(SIGUSR2); /* default action: terminate */
		_exit(0);
	}
	waitpid(child, &st, 0);
	printf("second signal: killed=%s by=%d\n", YN(WIFSIGNALED(st)),
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	/* SA_RESETHAND with the handler's own signal: blocked or not
	 * inside the handler. */
	set_handler(SIGUSR1, nest_handler, SA_RESETHAND);
	calls = depth = maxdepth = 0;
	child = fork();
	if (child == 0) {
		raise(SIGUSR1);
		_exit(calls * 10 + maxdepth);
	}
	waitpid(child, &st, 0);
	if (WIFSIGNALED(st))
		printf("raise inside oneshot handler: child killed by %d\n",
		       WTERMSIG(st));
	else
		printf("raise inside oneshot handler: calls=%d depth=%d\n",
		       WEXITSTATUS(st) / 10, WEXITSTATUS(st) % 10);
	return 0;
}

/* ---- SA_ONSTACK ---- */

static char *alt_base;
static size_t alt_size;
static volatile int on_alt, ss_onstack;
static void stack_handler(int sig, siginfo_t *si, void *uc)
{
	char local;
	stack_t cur;

	(void)sig;
	(void)si;
	(void)uc;
	on_alt = &local >= alt_base && &local < alt_base + alt_size;
	sigaltstack(NULL, &cur);
	ss_onstack = !!(cur.ss_flags & SS_ONSTACK);
}

static int mode_onstack(void)
{
	stack_t ss, cur;

	alt_size = 1 << 16;
	alt_base = malloc(alt_size);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) < 0) {
		perror("sigaltstack");
		return 1;
	}
	sigaltstack(NULL, &cur);
	printf("sigaltstack set: size matches=%s flags=%d\n",
	       YN(cur.ss_size == alt_size && cur.ss_sp == alt_base),
	       cur.ss_flags);
	set_handler(SIGUSR1, stack_handler, SA_ONSTACK);
	raise(SIGUSR1);
	printf("SA_ONSTACK: handler on alt stack=%s SS_ONSTACK=%s\n",
	       YN(on_alt), YN(ss_onstack));
	set_handler(SIGUSR1, stack_handler, 0);
	raise(SIGUSR1);
	printf("no SA_ONSTACK: handler on alt stack=%s SS_ONSTACK=%s\n",
	       YN(on_alt), YN(ss_onstack));
	sigaltstack(NULL, &cur);
	printf("after: SS_ONSTACK=%s\n", YN(cur.ss_flags & SS_ONSTACK));
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	sigaltstack(NULL, &cur);
	printf("disabled: SS_DISABLE=%s\n", YN(cur.ss_flags & SS_DISABLE));
	ss.ss_size = 100;
	ss.ss_flags = 0;
	errno = 0;
	int r = sigaltstack(&ss, NULL);
	printf("too small: ret=%d errno=%s\n", r,
	       r < 0 ? strerrorname_np(errno) : "0");
	return 0;
}

/* ---- SIGCHLD: SA_NOCLDSTOP, SA_NOCLDWAIT, SIG_IGN ---- */

static int chld_codes[16];
static volatile int nchld;
static void chld_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (nchld < 16)
		chld_codes[nchld] = si->si_code;
	nchld++;
}

static const char *cld_name(int code)
{
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	case CLD_TRAPPED: return "CLD_TRAPPED";
	}
	return "other";
}

static int mode_nocldstop(void)
{
	pid_t child;
	int st;

	nchld = 0;
	set_handler(SIGCHLD, chld_handler, SA_NOCLDSTOP);
	block(SIGCHLD);
	int go[2];
	char c;

	if (pipe(go) < 0)
		return 98;
	child = fork();
	if (child == 0) {
		raise(SIGSTOP);
		/* Exit only when told, so WCONTINUED sees the continue. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(3);
	}
	st = 0;
	printf("waitpid WUNTRACED: %s", waitpid(child, &st, WUNTRACED) == child ? "child" : strerrorname_np(errno));
	printf(" stopped=%s\n", YN(WIFSTOPPED(st)));
	kill(child, SIGCONT);
	st = 0;
	printf("waitpid WCONTINUED: %s", waitpid(child, &st, WCONTINUED) == child ? "child" : strerrorname_np(errno));
	printf(" continued=%s\n", YN(WIFCONTINUED(st)));
	msleep(300);
	printf("SIGCHLD pending before exit: %s\n", YN(is_pending(SIGCHLD)));
	if (write(go[1], "x", 1) != 1)
		return 97;
	st = 0;
	printf("waitpid: %s", waitpid(child, &st, 0) == child ? "child" : strerrorname_np(errno));
	printf(" exited=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	printf("SIGCHLD pending after exit: %s\n", YN(is_pending(SIGCHLD)));
	unblock(SIGCHLD);
	printf("SIGCHLD deliveries: %d", nchld);
	for (int i = 0; i < nchld && i < 16; i++)
		printf(" %s", cld_name(chld_codes[i]));
	printf("\n");
	return 0;
}

static void nocldwait_case(const char *name, void (*setup)(void))
{
	pid_t child;
	int st;

	nchld = 0;
	setup();
	child = fork();
	if (child == 0)
		_exit(0);
	msleep(200);
	errno = 0;
	pid_t w = wait(&st);
	printf("%s: wait returned %s errno=%s\n", name,
	       w == child ? "child" : w < 0 ? "-1" : "other",
	       w < 0 ? strerrorname_np(errno) : "0");
	errno = 0;
	printf("%s: kill(child, 0) errno=%s\n", name,
	       kill(child, 0) < 0 ? strerrorname_np(errno) : "0");
	/* A blocking wait with a running child under auto-reap waits for
	 * it to exit, then fails with ECHILD. */
	child = fork();
	if (child == 0) {
		msleep(200);
		_exit(0);
	}
	errno = 0;
	w = waitpid(child, &st, 0);
	printf("%s: blocking waitpid returned %s errno=%s\n", name,
	       w == child ? "child" : w < 0 ? "-1" : "other",
	       w < 0 ? strerrorname_np(errno) : "0");
	printf("%s: SIGCHLD handler ran: %s\n", name, YN(nchld > 0));
}

static void setup_nocldwait(void)
{
	set_handler(SIGCHLD, chld_handler, SA_NOCLDWAIT);
}

static void setup_ign(void)
{
	signal(SIGCHLD, SIG_IGN);
}

static void setup_dfl(void)
{
	signal(SIGCHLD, SIG_DFL);
}

static int mode_nocldwait(void)
{
	nocldwait_case("SA_NOCLDWAIT", setup_nocldwait);
	return 0;
}

static int mode_sigchld_ign(void)
{
	nocldwait_case("SIG_IGN", setup_ign);
	/* Back to SIG_DFL: children become zombies again. */
	pid_t child;
	int st;

	setup_dfl();
	child = fork();
	if (child == 0)
		_exit(4);
	msleep(100);
	printf("SIG_DFL again: kill(zombie, 0)=%d\n", kill(child, 0));
	st = 0;
	pid_t w = waitpid(child, &st, 0);

	printf("SIG_DFL again: waitpid got child=%s status=%d\n",
	       YN(w == child), WEXITSTATUS(st));
	return 0;
}

/* ---- ignored signals are discarded, not queued ---- */

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child that sends SIGUSR1 to pid every 20 ms by kill, tgkill and
 * sigqueue in turn until it is killed (so that no SIGCHLD comes while the
 * parent waits). */
static pid_t ignored_sender(pid_t pid)
{
	pid_t c = fork();

	if (c == 0) {
		for (int i = 0;; i++) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			if (i % 3 == 0)
				kill(pid, SIGUSR1);
			else if (i % 3 == 1)
				syscall(SYS_tgkill, pid, pid, SIGUSR1);
			else
				sigqueue(pid, SIGUSR1, (union sigval){ 0 });
		}
	}
	return c;
}

/* Linux discards an ignored, unblocked signal at send (prepare_signal()),
 * so it never ends a wait early, not even one that returns EINTR instead
 * of restarting (rt_sigtimedwait, epoll_wait). One in the waited set of
 * rt_sigtimedwait is discarded too unless it was blocked before. */
static int mode_ignored_never_wakes(void)
{
	struct timespec ts = { 0, 400 * 1000 * 1000 };
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t none, usr1;
	pid_t c;
	double t0;
	int r, p[2], ep;

	signal(SIGUSR1, SIG_IGN);
	sigemptyset(&none);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (pipe(p) < 0 || (ep = epoll_create1(0)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) < 0)
		return 98;
	c = ignored_sender(getpid());
	t0 = mono_s();
	errno = 0;
	r = sigtimedwait(&none, NULL, &ts);
	printf("sigtimedwait(empty set): ret=%d errno=%s full timeout=%s\n", r,
	       strerrorname_np(errno), YN(mono_s() - t0 > 0.35));
	t0 = mono_s();
	errno = 0;
	r = sigtimedwait(&usr1, NULL, &ts);
	printf("sigtimedwait(USR1, unblocked): ret=%d errno=%s full "
	       "timeout=%s\n", r, strerrorname_np(errno),
	       YN(mono_s() - t0 > 0.35));
	t0 = mono_s();
	errno = 0;
	r = epoll_wait(ep, &ev, 1, 400);
	printf("epoll_wait: ret=%d errno=%s full timeout=%s\n", r,
	       r < 0 ? strerrorname_np(errno) : "0", YN(mono_s() - t0 > 0.35));
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	r = sigtimedwait(&usr1, NULL, &ts);
	printf("sigtimedwait(USR1, blocked before): got USR1=%s\n",
	       YN(r == SIGUSR1));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return 0;
}

static int mode_ignored_discarded(void)
{
	pid_t child;

	signal(SIGUSR1, SIG_IGN);
	kill(getpid(), SIGUSR1);
	raise(SIGUSR1);
	printf("ignored, unblocked: pending=%s\n", YN(is_pending(SIGUSR1)));
	/* Ignored but blocked: stays pending until unblocked... */
	block(SIGUSR1);
	kill(getpid(), SIGUSR1);
	printf("ignored, blocked: pending=%s\n", YN(is_pending(SIGUSR1)));
	/* ...and setting SIG_IGN again discards it. */
	signal(SIGUSR1, SIG_IGN);
	printf("after SIG_IGN set again: pending=%s\n",
	       YN(is_pending(SIGUSR1)));
	kill(getpid(), SIGUSR1);
	unblock(SIGUSR1);
	printf("after unblock: pending=%s\n", YN(is_pending(SIGUSR1)));
	/* A later signal carries its own siginfo, not a stale one. */
	nrec = 0;
	set_handler(SIGUSR1, record, 0);
	block(SIGUSR1);
	child = fork();
	if (child == 0) {
		sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 77 });
		_exit(0);
	}
	waitpid(child, NULL, 0);
	unblock(SIGUSR1);
	printf("deliveries: %d\n", nrec);
	if (nrec)
		print_info("later sigqueue", &rec[0], child, SI_QUEUE, 77);
	/* Default-ignored signals (SIGURG, SIGWINCH) are discarded too. */
	kill(getpid(), SIGURG);
	kill(getpid(), SIGWINCH);
	set_handler(SIGURG, record, 0);
	set_handler(SIGWINCH, record, 0);
	nrec = 0;
	block(SIGURG);
	child = fork();
	if (child == 0) {
		kill(getppid(), SIGURG);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	unblock(SIGURG);
	printf("SIGURG deliveries: %d", nrec);
	if (nrec)
		printf(" from child=%s", YN(rec[0].si_pid == child));
	printf("\n");
	return 0;
}

/* ---- fork and exec ---- */

static void dummy(int sig)
{
	(void)sig;
	handled++;
}

static void report_dispositions(const char *who, void (*expect)(int))
{
	struct sigaction a;
	stack_t ss;

	sigaction(SIGUSR1, NULL, &a);
	printf("%s: USR1 handler=%s", who,
	       a.sa_handler == SIG_DFL ? "SIG_DFL" :
	       a.sa_handler == SIG_IGN ? "SIG_IGN" :
	       a.sa_handler == expect ? "same-handler" : "other");
	printf(" flags_restart=%s", YN(a.sa_flags & SA_RESTART));
	printf(" mask_has_USR2=%s\n", YN(sigismember(&a.sa_mask, SIGUSR2)));
	sigaction(SIGUSR2, NULL, &a);
	printf("%s: USR2=%s\n", who,
	       a.sa_handler == SIG_IGN ? "SIG_IGN" :
	       a.sa_handler == SIG_DFL ? "SIG_DFL" : "handler");
	sigaction(SIGHUP, NULL, &a);
	printf("%s: HUP=%s\n", who,
	       a.sa_handler == SIG_IGN ? "SIG_IGN" :
	       a.sa_handler == SIG_DFL ? "SIG_DFL" : "handler");
	printf("%s: TERM blocked=%s INT pending=%s\n", who,
	       YN(is_blocked(SIGTERM)), YN(is_pending(SIGINT)));
	sigaltstack(NULL, &ss);
	printf("%s: altstack disabled=%s\n", who, YN(ss.ss_flags & SS_DISABLE));
}

static void setup_inherit(void)
{
	struct sigaction sa;
	stack_t ss;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dummy;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	block(SIGTERM);
	block(SIGINT);
	raise(SIGINT);
	ss.ss_sp = malloc(1 << 16);
	ss.ss_size = 1 << 16;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
}

static int mode_fork_inherit(void)
{
	pid_t child;
	int st;

	setup_inherit();
	report_dispositions("parent", dummy);
	child = fork();
	if (child == 0) {
		report_dispositions("child", dummy);
		handled = 0;
		raise(SIGUSR1);
		printf("child: handler runs=%s\n", YN(handled == 1));
		_exit(0);
	}
	waitpid(child, &st, 0);
	/* The child's changes do not reach the parent. */
	child = fork();
	if (child == 0) {
		signal(SIGUSR1, SIG_IGN);
		sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);
		_exit(0);
	}
	waitpid(child, &st, 0);
	report_dispositions("parent after child changed its own", dummy);
	return 0;
}

static int mode_exec_reset(const char *self)
{
	setup_inherit();
	fflush(stdout);
	execl("/proc/self/exe", self, "exec-helper", (char *)NULL);
	perror("exec");
	return 1;
}

static int mode_exec_helper(void)
{
	report_dispositions("after exec", NULL);
	/* The SIG_DFL action really is the default: terminate. */
	pid_t child = fork();
	int st;

	if (child == 0) {
		raise(SIGUSR1);
		_exit(0);
	}
	waitpid(child, &st, 0);
	printf("after exec: USR1 kills=%s\n",
	       YN(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1));
	/* The SIGINT pending across exec is delivered (default action:
	 * terminate, exit status 130) once unblocked. */
	unblock(SIGINT);
	printf("after exec: survived unblocking INT\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	if (!strcmp(m, "siginfo"))
		return mode_siginfo();
	if (!strcmp(m, "restart"))
		return mode_restart();
	if (!strcmp(m, "nodefer"))
		return mode_nodefer();
	if (!strcmp(m, "resethand"))
		return mode_resethand();
	if (!strcmp(m, "onstack"))
		return mode_onstack();
	if (!strcmp(m, "nocldstop"))
		return mode_nocldstop();
	if (!strcmp(m, "nocldwait"))
		return mode_nocldwait();
	if (!strcmp(m, "sigchld_ign"))
		return mode_sigchld_ign();
	if (!strcmp(m, "ignored_never_wakes"))
		return mode_ignored_never_wakes();
	if (!strcmp(m, "ignored_discarded"))
		return mode_ignored_discarded();
	if (!strcmp(m, "fork_inherit"))
		return mode_fork_inherit();
	if (!strcmp(m, "exec_reset"))
		return mode_exec_reset(argv[0]);
	if (!strcmp(m, "exec-helper"))
		return mode_exec_helper();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
