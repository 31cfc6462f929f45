/* wait4/waitid semantics: WNOHANG, WNOWAIT, __WCLONE/__WALL, P_PID, P_PGID,
 * P_ALL, ECHILD, vfork and CLONE_PARENT. Prints facts, never PIDs. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[65536];

/* Runs a wait call and reports its result and errno, in that order. */
#define REPORT(label, call)                                              \
	do {                                                             \
		errno = 0;                                               \
		long r_ = (long)(call);                                  \
		printf("%s: %ld %s\n", label, r_ < 0 ? r_ : (r_ > 0), \
		       strerror(errno));                                 \
	} while (0)

static int clone_child(void *arg)
{
	_exit((int)(long)arg);
}

static pid_t spawn(int code)
{
	pid_t p = fork();

	if (p == 0)
		_exit(code);
	return p;
}

int main(void)
{
	siginfo_t si;
	int st;
	pid_t a, b, c;

	/* ECHILD with no children. */
	REPORT("wait no children", waitpid(-1, &st, 0));

	/* WNOHANG on a running child returns 0. */
	a = fork();
	if (a == 0) {
		usleep(200000);
		_exit(3);
	}
	printf("wnohang running: %d\n", (int)waitpid(a, &st, WNOHANG));
	/* WNOWAIT leaves the zombie waitable. */
	memset(&si, 0, sizeof(si));
	waitid(P_PID, a, &si, WEXITED | WNOWAIT);
	printf("wnowait: code=%d status=%d same-pid=%d\n", si.si_code,
	       si.si_status, si.si_pid == a);
	int reaped = waitpid(a, &st, 0) == a;
	printf("after wnowait: reaped=%d status=%d\n", reaped,
	       WEXITSTATUS(st));
	REPORT("reaped twice", waitpid(a, &st, 0));

	/* P_PGID: only children in that process group. */
	b = fork();
	if (b == 0) {
		setpgid(0, 0);
		usleep(100000);
		_exit(4);
	}
	setpgid(b, b);
	c = spawn(5);
	memset(&si, 0, sizeof(si));
	waitid(P_PGID, b, &si, WEXITED);
	printf("p_pgid: got-b=%d status=%d\n", si.si_pid == b, si.si_status);
	memset(&si, 0, sizeof(si));
	waitid(P_ALL, 0, &si, WEXITED);
	printf("p_all: got-c=%d status=%d\n", si.si_pid == c, si.si_status);

	/* A clone child with exit signal 0 is only seen by __WCLONE/__WALL. */
	pid_t cl = clone(clone_child, stack + sizeof(stack), 0, (void *)6L);
	usleep(50000);
	REPORT("plain wait on clone child", waitpid(cl, &st, WNOHANG));
	reaped = waitpid(cl, &st, __WCLONE) == cl;
	printf("__WCLONE: reaped=%d status=%d\n", reaped, WEXITSTATUS(st));
	cl = clone(clone_child, stack + sizeof(stack), 0, (void *)7L);
	reaped = waitpid(cl, &st, __WALL) == cl;
	printf("__WALL: reaped=%d status=%d\n", reaped, WEXITSTATUS(st));

	/* vfork: the parent resumes after the child exits. */
	volatile int shared = 0;
	pid_t v = vfork();
	if (v == 0) {
		shared = 8;
		_exit(8);
	}
	reaped = waitpid(v, &st, 0) == v;
	printf("vfork: shared=%d reaped=%d status=%d\n", shared, reaped,
	       WEXITSTATUS(st));

	/* CLONE_PARENT: the child is our sibling, not our child. */
	pid_t mid = fork();
	if (mid == 0) {
		pid_t sib = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD,
					   0, 0, 0, 0);
		if (sib == 0)
			_exit(9);
		errno = 0;
		int r = (int)waitpid(sib, &st, 0);
		_exit(r < 0 && errno == ECHILD ? 0 : 1);
	}
	int got_sibling = 0, mid_ok = 0;
	for (int i = 0; i < 2; i++) {
		pid_t w = wait(&st);

		if (w == mid)
			mid_ok = WEXITSTATUS(st) == 0;
		else if (w > 0 && WEXITSTATUS(st) == 9)
			got_sibling = 1;
	}
	printf("clone_parent: sibling-not-child=%d grandparent-reaps=%d\n",
	       mid_ok, got_sibling);

	/* Invalid options. */
	REPORT("bad options", waitpid(-1, &st, 0x10000000));
	REPORT("waitid no flags", waitid(P_ALL, 0, &si, 0));
	return 0;
}
