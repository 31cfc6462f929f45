/* Signal masks (man 2 sigprocmask, sigsuspend, pause, sigpending): the
 * mask inside a handler is old|sa_mask|sig and is restored by sigreturn,
 * SIGKILL and SIGSTOP cannot be blocked, sigsuspend/pause wait with a
 * temporary mask, sigpending reports blocked pending signals.
 *
 * Usage: sig_mask MODE. Prints facts only. */
#include <errno.h>
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

static sigset_t cur_mask(void)
{
	sigset_t s;

	sigprocmask(SIG_BLOCK, NULL, &s);
	return s;
}

static void print_set(const char *what, const sigset_t *s)
{
	printf("%s:", what);
	int any = 0;

	for (int i = 1; i < 65; i++)
		if (sigismember(s, i) == 1) {
			printf(" %d", i);
			any = 1;
		}
	printf("%s\n", any ? "" : " (none)");
}

static sigset_t in_handler[4];
static volatile int nh;

static void mask_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	if (nh < 4)
		in_handler[nh] = cur_mask();
	/* The saved mask in the frame is the mask before the handler. */
	if (nh == 0)
		print_set("uc_sigmask in frame", &uc->uc_sigmask);
	nh++;
}

static void set_handler(int sig, int flags, const int *extra)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = mask_handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	for (; extra && *extra; extra++)
		sigaddset(&sa.sa_mask, *extra);
	sigaction(sig, &sa, NULL);
}

static int mode_handler_mask(void)
{
	sigset_t s, after;
	int extra[] = { SIGUSR2, SIGRTMIN + 3, SIGKILL, 0 };

	/* old mask: HUP */
	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_SETMASK, &s, NULL);
	set_handler(SIGUSR1, 0, extra);
	nh = 0;
	raise(SIGUSR1);
	print_set("mask in handler (old HUP, sa_mask USR2 RTMIN+3 KILL, sig USR1)",
		  &in_handler[0]);
	after = cur_mask();
	print_set("mask after return", &after);
	/* SA_NODEFER: the signal itself is not added, sa_mask still is. */
	set_handler(SIGUSR1, SA_NODEFER, extra);
	nh = 0;
	raise(SIGUSR1);
	print_set("mask in SA_NODEFER handler", &in_handler[0]);
	/* The handler can change its mask; sigreturn restores the old one. */
	after = cur_mask();
	print_set("mask after return", &after);
	return 0;
}

static volatile int modified;
static void modifying_handler(int sig)
{
	sigset_t s;

	(void)sig;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	modified = 1;
}

static void editing_frame_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	/* Editing uc_sigmask changes the mask sigreturn installs. */
	sigaddset(&uc->uc_sigmask, SIGQUIT);
}

static int mode_handler_restore(void)
{
	sigset_t s;
	struct sigaction sa;

	signal(SIGUSR1, modifying_handler);
	raise(SIGUSR1);
	s = cur_mask();
	printf("handler blocked TERM itself: %s\n", YN(modified));
	print_set("mask after return", &s);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = editing_frame_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	s = cur_mask();
	print_set("mask after return from a handler that edited uc_sigmask",
		  &s);
	/* Since QUIT is now blocked, a raised QUIT stays pending. */
	raise(SIGQUIT);
	sigpending(&s);
	print_set("pending", &s);
	/* A signal arriving in the handler is blocked until it returns. */
	return 0;
}

static int mode_unblockable(void)
{
	sigset_t s, got;
	int r;

	sigfillset(&s);
	r = sigprocmask(SIG_SETMASK, &s, NULL);
	got = cur_mask();
	printf("sigprocmask(all) ret=%d KILL blocked=%s STOP blocked=%s\n", r,
	       YN(sigismember(&got, SIGKILL)), YN(sigismember(&got, SIGSTOP)));
	printf("USR1 blocked=%s RTMAX blocked=%s 32 blocked=%s\n",
	       YN(sigismember(&got, SIGUSR1)), YN(sigismember(&got, SIGRTMAX)),
	       YN(sigismember(&got, 32)));
	/* Raw syscall: glibc hides 32 and 33 from sigfillset. */
	unsigned long all = ~0UL, raw = 0;
	r = (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &raw, 8);
	r = (int)syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &raw, 8);
	printf("raw set all: mask=%#lx\n", raw);
	/* Invalid how and sigsetsize. */
	errno = 0;
	r = (int)syscall(SYS_rt_sigprocmask, 7, &all, NULL, 8);
	printf("bad how: ret=%d errno=%s\n", r, r ? strerrorname_np(errno) : "0");
	r = (int)syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 4);
	printf("bad size: ret=%d errno=%s\n", r,
	       r ? strerrorname_np(errno) : "0");
	r = (int)syscall(SYS_rt_sigprocmask, 7, NULL, &raw, 8);
	printf("bad how, no set: ret=%d\n", r);
	/* sigaction on SIGKILL/SIGSTOP is EINVAL; querying them is fine. */
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	errno = 0;
	r = sigaction(SIGKILL, &sa, NULL);
	printf("sigaction(KILL, IGN): ret=%d errno=%s\n", r,
	       r ? strerrorname_np(errno) : "0");
	r = sigaction(SIGSTOP, &sa, NULL);
	printf("sigaction(STOP, IGN): ret=%d errno=%s\n", r,
	       r ? strerrorname_np(errno) : "0");
	r = sigaction(SIGKILL, NULL, &old);
	printf("sigaction(KILL, NULL, &old): ret=%d dfl=%s\n", r,
	       YN(old.sa_handler == SIG_DFL));
	r = (int)syscall(SYS_rt_sigaction, 0, NULL, &old, 8);
	printf("rt_sigaction(0): ret=%d errno=%s\n", r,
	       r ? strerrorname_np(errno) : "0");
	r = (int)syscall(SYS_rt_sigaction, 65, NULL, &old, 8);
	printf("rt_sigaction(65): ret=%d errno=%s\n", r,
	       r ? strerrorname_np(errno) : "0");
	/* sa_mask with SIGKILL/SIGSTOP: they are silently dropped. */
	sigfillset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &old);
	printf("sa_mask read back has KILL=%s STOP=%s USR2=%s\n",
	       YN(sigismember(&old.sa_mask, SIGKILL)),
	       YN(sigismember(&old.sa_mask, SIGSTOP)),
	       YN(sigismember(&old.sa_mask, SIGUSR2)));
	/* With everything blocked, SIGKILL still kills a child. */
	pid_t c = fork();
	int st;

	if (c == 0) {
		sigfillset(&s);
		sigprocmask(SIG_SETMASK, &s, NULL);
		for (;;)
			pause();
	}
	msleep(100);
	kill(c, SIGTERM);
	msleep(100);
	printf("child with all blocked alive after TERM: %s\n",
	       YN(waitpid(c, &st, WNOHANG) == 0));
	if (c > 0) /* never kill(0) or kill(-1) */
		kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("child killed by KILL: %s\n",
	       YN(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
	return 0;
}

static volatile int got_sig;
static sigset_t mask_seen;
static void note(int sig)
{
	got_sig = sig;
	mask_seen = cur_mask();
}

static int mode_sigsuspend(void)
{
	sigset_t block, wait_mask, after, pend;
	pid_t me = getpid(), c;
	int r;

	signal(SIGUSR1, note);
	signal(SIGUSR2, note);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	/* A child sends USR2 then USR1; the wait mask admits only USR1. */
	c = fork();
	if (c == 0) {
		kill(me, SIGUSR2);
		msleep(100);
		kill(me, SIGUSR1);
		_exit(0);
	}
	sigfillset(&wait_mask);
	sigdelset(&wait_mask, SIGUSR1);
	errno = 0;
	r = sigsuspend(&wait_mask);
	printf("sigsuspend ret=%d errno=%s woke by %s\n", r,
	       strerrorname_np(errno), got_sig == SIGUSR1 ? "USR1" : "other");
	print_set("mask in handler during sigsuspend", &mask_seen);
	after = cur_mask();
	print_set("mask after sigsuspend", &after);
	sigpending(&pend);
	print_set("pending after sigsuspend", &pend);
	waitpid(c, NULL, 0);
	/* Already pending and admitted by the wait mask: returns at once. */
	got_sig = 0;
	sigemptyset(&wait_mask);
	r = sigsuspend(&wait_mask);
	printf("sigsuspend with USR2 pending: ret=%d woke by %s\n", r,
	       got_sig == SIGUSR2 ? "USR2" : "other");
	after = cur_mask();
	print_set("mask after", &after);
	/* An ignored signal does not end sigsuspend; a handled one does. */
	signal(SIGURG, SIG_IGN);
	c = fork();
	if (c == 0) {
		kill(me, SIGURG);
		msleep(150);
		kill(me, SIGUSR1);
		_exit(0);
	}
	got_sig = 0;
	r = sigsuspend(&wait_mask);
	printf("ignored URG did not end sigsuspend: %s\n",
	       YN(got_sig == SIGUSR1));
	waitpid(c, NULL, 0);
	return 0;
}

static int mode_pause(void)
{
	pid_t me = getpid(), c;
	int r;

	signal(SIGUSR1, note);
	signal(SIGWINCH, SIG_DFL);
	c = fork();
	if (c == 0) {
		msleep(100);
		kill(me, SIGWINCH); /* default-ignored: pause goes on */
		msleep(100);
		kill(me, SIGUSR1);
		_exit(0);
	}
	got_sig = 0;
	errno = 0;
	r = pause();
	printf("pause ret=%d errno=%s by USR1=%s\n", r, strerrorname_np(errno),
	       YN(got_sig == SIGUSR1));
	waitpid(c, NULL, 0);
	/* A blocked signal does not end pause. */
	sigset_t b;

	sigemptyset(&b);
	sigaddset(&b, SIGUSR2);
	sigprocmask(SIG_BLOCK, &b, NULL);
	signal(SIGUSR2, note);
	c = fork();
	if (c == 0) {
		msleep(100);
		kill(me, SIGUSR2);
		msleep(100);
		kill(me, SIGUSR1);
		_exit(0);
	}
	got_sig = 0;
	r = pause();
	printf("blocked USR2 ignored by pause, woke by USR1=%s\n",
	       YN(got_sig == SIGUSR1));
	sigprocmask(SIG_BLOCK, NULL, &b);
	sigpending(&b);
	printf("USR2 pending=%s\n", YN(sigismember(&b, SIGUSR2)));
	waitpid(c, NULL, 0);
	return 0;
}

static int mode_sigpending(void)
{
	sigset_t b, p;

	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigaddset(&b, SIGRTMIN);
	sigaddset(&b, SIGTERM);
	sigprocmask(SIG_BLOCK, &b, NULL);
	signal(SIGUSR1, note);
	signal(SIGRTMIN, note);
	sigpending(&p);
	print_set("pending initially", &p);
	raise(SIGUSR1);
	kill(getpid(), SIGRTMIN);
	sigpending(&p);
	print_set("pending after raise USR1 and kill RTMIN", &p);
	/* Unblocking one delivers it and removes it from the set. */
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &b, NULL);
	sigpending(&p);
	print_set("pending after unblocking USR1", &p);
	/* Thread-directed and process-directed both show. */
	signal(SIGTERM, note);
	kill(getpid(), SIGTERM);
	sigpending(&p);
	print_set("pending after kill TERM", &p);
	/* Raw syscall with a bad size. */
	unsigned long raw;
	int r = (int)syscall(SYS_rt_sigpending, &raw, 16);

	printf("rt_sigpending size 16: ret=%d errno=%s\n", r,
	       r ? strerrorname_np(errno) : "0");
	r = (int)syscall(SYS_rt_sigpending, &raw, 8);
	printf("rt_sigpending size 8: ret=%d set=%#lx\n", r, raw);
	/* A fork child does not inherit pending signals. */
	pid_t c = fork();

	if (c == 0) {
		sigpending(&p);
		print_set("child pending", &p);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);
	sigpending(&p);
	print_set("pending after unblocking all", &p);
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	if (!strcmp(m, "handler_mask"))
		return mode_handler_mask();
	if (!strcmp(m, "handler_restore"))
		return mode_handler_restore();
	if (!strcmp(m, "unblockable"))
		return mode_unblockable();
	if (!strcmp(m, "sigsuspend"))
		return mode_sigsuspend();
	if (!strcmp(m, "pause"))
		return mode_pause();
	if (!strcmp(m, "sigpending"))
		return mode_sigpending();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
