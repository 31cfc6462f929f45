/*
 * ptrace_ops: ptrace(2) conformance, one mode per argument. Each mode
 * prints facts (no PIDs or addresses) so that its output natively and
 * under `sentry run` can be compared as is (tests/integration/tracers.py).
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *what, long r)
{
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "",
	       r < 0 ? strerror(errno) : "");
	fflush(stdout);
}

/* The stop or end a wait status says, in words. */
static void show(const char *what, int st)
{
	if (WIFSTOPPED(st))
		printf("%s: stopped sig=%d event=%d\n", what, WSTOPSIG(st),
		       st >> 16);
	else if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %d\n", what, WTERMSIG(st));
	fflush(stdout);
}

static int wait_for(pid_t pid, const char *what)
{
	int st = 0;
	pid_t r = waitpid(pid, &st, __WALL);

	if (r != pid) {
		say(what, r);
		exit(1);
	}
	show(what, st);
	return st;
}

/* wait_for(), passing on the signal-delivery-stops of signals other than
 * SIGTRAP and SIGSTOP (a SIGCHLD whose timing varies). */
static int wait_past_signals(pid_t pid, const char *what)
{
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, __WALL);

		if (r != pid) {
			say(what, r);
			exit(1);
		}
		if (!WIFSTOPPED(st) || st >> 16 || WSTOPSIG(st) == SIGTRAP ||
		    WSTOPSIG(st) == SIGSTOP)
			break;
		ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(st));
	}
	show(what, st);
	return st;
}

/* A child that asks to be traced and stops itself. */
static pid_t traced_child(void (*body)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		body();
		_exit(0);
	}
	return pid;
}

static volatile long word = 0x1122334455667788;

static void body_exit7(void) { _exit(7); }

static void body_getppid(void)
{
	long r = syscall(SYS_getppid);

	_exit(r == 4242 ? 0 : 1);
}

static void body_segv(void) { *(volatile int *)8 = 1; }

static void body_usr1(void)
{
	signal(SIGUSR1, SIG_DFL);
	raise(SIGUSR1);
	_exit(5);
}

static void body_fork(void)
{
	pid_t c = fork();
	int st;

	if (c == 0)
		_exit(9);
	waitpid(c, &st, 0);
	_exit(WEXITSTATUS(st));
}

static void body_pause(void)
{
	for (;;)
		pause();
}

/* TRACEME, the SIGSTOP stop, CONT, the exit. */
static void mode_traceme(void)
{
	pid_t pid = traced_child(body_exit7);

	wait_for(pid, "first");
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "end");
}

/* Errors Linux gives: no tracee, not stopped, bad request, self. */
static void mode_errors(void)
{
	pid_t pid = traced_child(body_pause);
	long r;

	wait_for(pid, "first");
	errno = 0;
	say("attach self", ptrace(PTRACE_ATTACH, getpid(), 0, 0));
	say("attach traced", ptrace(PTRACE_ATTACH, pid, 0, 0));
	say("bad request", ptrace((enum __ptrace_request)0x7777, pid, 0, 0));
	say("cont bad signal", ptrace(PTRACE_CONT, pid, 0, 100));
	errno = 0;
	r = ptrace(PTRACE_PEEKDATA, pid, (void *)8, 0);
	say("peek bad address", r == -1 && errno ? -1 : r);
	say("poke bad address", ptrace(PTRACE_POKEDATA, pid, (void *)8, 0));
	say("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &(siginfo_t){0}));
	say("seize needs zero addr", ptrace(PTRACE_SEIZE, pid, (void *)1, 0));
	say("interrupt unseized", ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	say("getregs running", ptrace(PTRACE_GETREGS, pid, 0,
				       &(struct user_regs_struct){0}));
	say("no such pid", ptrace(PTRACE_CONT, 999999, 0, 0));
	kill(pid, SIGKILL);
	wait_for(pid, "end");
}

/* PEEKDATA/POKEDATA of a variable, GETREGS/SETREGS. */
static void mode_peek_poke(void)
{
	pid_t pid = traced_child(body_exit7);
	struct user_regs_struct regs;
	long v;

	wait_for(pid, "first");
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, pid, (void *)&word, 0);
	printf("peek: %lx errno=%d\n", v, errno);
	say("poke", ptrace(PTRACE_POKEDATA, pid, (void *)&word, 0x42));
	v = ptrace(PTRACE_PEEKDATA, pid, (void *)&word, 0);
	printf("peek again: %lx\n", v);
	say("getregs", ptrace(PTRACE_GETREGS, pid, 0, &regs));
	printf("orig_rax is kill: %d\n", regs.orig_rax == SYS_kill);
	say("setregs", ptrace(PTRACE_SETREGS, pid, 0, &regs));
	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, pid,
		   (void *)offsetof(struct user_regs_struct, orig_rax), 0);
	printf("peekuser orig_rax is kill: %d\n", v == SYS_kill);
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "end");
}

/* Syscall stops with TRACESYSGOOD; the tracer changes a result. */
static void mode_syscall_stops(void)
{
	pid_t pid = traced_child(body_getppid);
	struct user_regs_struct regs;
	int st, n = 0;

	wait_for(pid, "first");
	say("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0,
				 PTRACE_O_TRACESYSGOOD));
	for (;;) {
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		waitpid(pid, &st, 0);
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != (SIGTRAP | 0x80))
			continue;
		ptrace(PTRACE_GETREGS, pid, 0, &regs);
		if (regs.orig_rax != SYS_getppid)
			continue;
		n++;
		struct __ptrace_syscall_info info;
		long len = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info),
				  &info);
		printf("getppid stop %d: op=%d len>0=%d\n", n, info.op,
		       len > 0);
		if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
			regs.rax = 4242;
			ptrace(PTRACE_SETREGS, pid, 0, &regs);
		}
	}
	show("end", st);
}

/* A signal-delivery-stop: suppressed, then injected as another signal;
 * the siginfo the tracer sees. */
static void mode_signal_stops(void)
{
	pid_t pid = traced_child(body_usr1);
	siginfo_t si;
	int st;

	wait_for(pid, "first");
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	st = wait_for(pid, "usr1");
	say("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	printf("siginfo: signo=%d code=%d\n", si.si_signo, si.si_code);
	/* Suppress USR1: the child goes on to _exit(5)... unless we turn
	 * it into SIGTERM, which kills it. */
	(void)st;
	say("cont with TERM", ptrace(PTRACE_CONT, pid, 0, SIGTERM));
	wait_for(pid, "end");
}

/* A fault the tracer sees, then SIGKILL while in that stop. */
static void mode_fault_then_kill(void)
{
	pid_t pid = traced_child(body_segv);
	siginfo_t si;

	wait_for(pid, "first");
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "fault");
	say("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	printf("siginfo: signo=%d code=%d\n", si.si_signo, si.si_code);
	say("kill", kill(pid, SIGKILL));
	say("ptrace kill", ptrace(PTRACE_KILL, pid, 0, 0));
	wait_for(pid, "end");
}

/* TRACEFORK: the event, the message, the new child auto-attached. */
static void mode_fork_event(void)
{
	pid_t pid = traced_child(body_fork), child;
	unsigned long msg = 0;
	int st;

	wait_for(pid, "first");
	say("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0,
				 PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXIT));
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "fork event");
	say("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg));
	child = (pid_t)msg;
	wait_for(child, "new child");
	say("cont child", ptrace(PTRACE_CONT, child, 0, 0));
	st = wait_for(child, "child exit event");
	ptrace(PTRACE_GETEVENTMSG, child, 0, &msg);
	printf("exit event msg: exited %d\n", WEXITSTATUS((int)msg));
	(void)st;
	say("cont child", ptrace(PTRACE_CONT, child, 0, 0));
	wait_for(child, "child end");
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "exit event");
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "end");
}

/* SEIZE a running child, INTERRUPT it, DETACH it; it runs on. */
static void mode_seize_interrupt(void)
{
	pid_t pid = fork();
	siginfo_t si;

	if (pid == 0) {
		for (int i = 0; i < 100; i++)
			usleep(10000);
		_exit(4);
	}
	say("seize", ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD));
	say("interrupt", ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	wait_for(pid, "interrupted");
	say("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	printf("siginfo: signo=%d code>>8=%d\n", si.si_signo, si.si_code >> 8);
	say("detach", ptrace(PTRACE_DETACH, pid, 0, 0));
	wait_for(pid, "end");
}

/* ATTACH to a running process (not a child): the SIGSTOP stop, DETACH;
 * its real parent reaps it. */
static void mode_attach_detach(void)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(1);
		_exit(6);
	}
	close(fds[0]);
	say("attach", ptrace(PTRACE_ATTACH, pid, 0, 0));
	wait_for(pid, "attached");
	say("detach", ptrace(PTRACE_DETACH, pid, 0, 0));
	say("detach again", ptrace(PTRACE_DETACH, pid, 0, 0));
	if (write(fds[1], "x", 1) != 1)
		return;
	wait_for(pid, "end");
}

/* Two vforks: one child exits, one execs. The parent stops with
 * PTRACE_EVENT_VFORK_DONE (message: the child's PID) after each, before
 * its vfork returns. */
static void body_vfork(void)
{
	int st1 = 0, st2 = 0;
	pid_t c = vfork();

	if (c == 0)
		_exit(3);
	waitpid(c, &st1, 0);
	c = vfork();
	if (c == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(c, &st2, 0);
	_exit(WEXITSTATUS(st1) + WEXITSTATUS(st2));
}

static void mode_vfork_done(void)
{
	pid_t pid = traced_child(body_vfork), child;
	unsigned long msg = 0, done = 0;

	wait_for(pid, "first");
	say("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0,
				 PTRACE_O_TRACEVFORK |
					 PTRACE_O_TRACEVFORKDONE));
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "vfork event");
	say("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg));
	child = (pid_t)msg;
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(child, "new child");
	say("cont child", ptrace(PTRACE_CONT, child, 0, 0));
	wait_for(child, "child end");
	wait_past_signals(pid, "vfork done event");
	say("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &done));
	printf("vfork done names the child: %d\n", done == msg);
	/* Without PTRACE_O_TRACEVFORK the second child is not traced; the
	 * parent still reports VFORK_DONE at its exec. */
	say("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0,
				 PTRACE_O_TRACEVFORKDONE));
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_past_signals(pid, "vfork done event");
	say("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &done));
	printf("vfork done names a new child: %d\n",
	       done != msg && done != 0);
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_past_signals(pid, "end");
}

/* Signals left pending (blocked) in the private and shared queues. */
static void body_pending(void)
{
	sigset_t set;
	union sigval v;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	v.sival_int = 11;
	sigqueue(getpid(), SIGRTMIN, v);
	v.sival_int = 12;
	sigqueue(getpid(), SIGRTMIN, v);
	kill(getpid(), SIGUSR2);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGRTMIN + 1);
	raise(SIGSTOP);
	body_pause();
}

static void show_peek(const char *what, pid_t pid, unsigned long long off,
		      unsigned flags, int nr)
{
	struct __ptrace_peeksiginfo_args a = { .off = off, .flags = flags,
					     .nr = nr };
	siginfo_t si[8];
	long n;

	memset(si, 0, sizeof(si));
	n = ptrace(PTRACE_PEEKSIGINFO, pid, &a, si);
	say(what, n);
	for (long i = 0; i < n && i < 8; i++)
		printf("  signo=%d code=%d value=%d\n", si[i].si_signo,
		       si[i].si_code,
		       si[i].si_code == SI_QUEUE ? si[i].si_value.sival_int
						 : 0);
}

/* PTRACE_PEEKSIGINFO of both queues, its offset and count, its errors. */
static void mode_peeksiginfo(void)
{
	pid_t pid = traced_child(body_pending);
	struct __ptrace_peeksiginfo_args a = { .off = 0, .flags = 0, .nr = 1 };
	siginfo_t si;

	wait_for(pid, "first");
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "stop");
	show_peek("private", pid, 0, 0, 8);
	show_peek("shared", pid, 0, PTRACE_PEEKSIGINFO_SHARED, 8);
	show_peek("shared from 1, 1", pid, 1, PTRACE_PEEKSIGINFO_SHARED, 1);
	show_peek("shared past the end", pid, 3, PTRACE_PEEKSIGINFO_SHARED,
		  8);
	show_peek("huge offset", pid, ~0ull, PTRACE_PEEKSIGINFO_SHARED, 8);
	show_peek("none asked", pid, 0, 0, 0);
	show_peek("negative count", pid, 0, 0, -1);
	show_peek("bad flags", pid, 0, 2, 1);
	say("bad args address", ptrace(PTRACE_PEEKSIGINFO, pid, (void *)8,
				       &si));
	say("bad buffer", ptrace(PTRACE_PEEKSIGINFO, pid, &a, (void *)8));
	a.flags = 3;
	say("bad flags, bad buffer", ptrace(PTRACE_PEEKSIGINFO, pid, &a,
					    (void *)8));
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	say("peek running", ptrace(PTRACE_PEEKSIGINFO, pid, &a, &si));
	kill(pid, SIGKILL);
	wait_for(pid, "end");
}

static void show_waitid(const char *what, pid_t pid, int options)
{
	siginfo_t si;
	int r;

	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, (id_t)pid, &si, options);
	say(what, r);
	if (r == 0)
		printf("  pid ok=%d code=%d status=%d\n", si.si_pid == pid,
		       si.si_code, si.si_status);
	fflush(stdout);
}

/* A tracer's wait reports its untraced children's stops (WUNTRACED,
 * WSTOPPED) and continues (WCONTINUED), once each, as any wait does. */
static void mode_wait_untraced(void)
{
	pid_t tracee = traced_child(body_pause), pid;
	int st = 0, fds[2];
	char c;

	wait_for(tracee, "tracee first");
	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		/* After each stop, it waits until the parent has seen the
		 * continue: a new stop, or its death, would leave none to
		 * report. */
		close(fds[1]);
		raise(SIGSTOP);
		if (read(fds[0], &c, 1) != 1)
			_exit(1);
		raise(SIGSTOP);
		if (read(fds[0], &c, 1) != 1)
			_exit(1);
		_exit(2);
	}
	close(fds[0]);
	say("stop without WUNTRACED, WNOHANG", waitpid(pid, &st, WNOHANG) != 0);
	while (waitpid(pid, &st, WUNTRACED) < 0 && errno == EINTR)
		;
	show("wuntraced", st);
	say("stop reported once", waitpid(pid, &st, WUNTRACED | WNOHANG));
	say("cont", kill(pid, SIGCONT));
	st = 0;
	while (waitpid(pid, &st, WCONTINUED) < 0 && errno == EINTR)
		;
	printf("wcontinued: continued=%d\n", WIFCONTINUED(st));
	say("continue reported once", waitpid(pid, &st, WCONTINUED | WNOHANG));
	if (write(fds[1], "x", 1) != 1)
		return;
	show_waitid("waitid wstopped nowait", pid, WSTOPPED | WNOWAIT);
	show_waitid("waitid wstopped", pid, WSTOPPED);
	show_waitid("waitid wstopped again", pid, WSTOPPED | WNOHANG);
	say("cont", kill(pid, SIGCONT));
	show_waitid("waitid wcontinued", pid, WCONTINUED);
	if (write(fds[1], "x", 1) != 1)
		return;
	show_waitid("waitid wexited", pid, WEXITED);
	kill(tracee, SIGKILL);
	wait_for(tracee, "tracee end");
}

/* Counts to 5 in 20 ms steps, then exits 8. */
static void body_count(void)
{
	for (int i = 0; i < 5; i++)
		usleep(20000);
	_exit(8);
}

/* PTRACE_CONT of a tracee in a group-stop: it runs, although the group
 * stop is still in effect. */
static void mode_cont_group_stop(void)
{
	pid_t pid = traced_child(body_count);
	siginfo_t si;

	wait_for(pid, "first");
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	say("stop", kill(pid, SIGSTOP));
	wait_for(pid, "signal stop");
	say("cont with STOP", ptrace(PTRACE_CONT, pid, 0, SIGSTOP));
	wait_for(pid, "group stop");
	say("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "end");
}

/* The same for a seized tracee, whose group-stop is a PTRACE_EVENT_STOP;
 * a second one is resumed with PTRACE_SYSCALL. */
static void mode_cont_group_stop_seized(void)
{
	pid_t pid = fork();
	siginfo_t si;
	int st;

	if (pid == 0) {
		usleep(50000);
		body_count();
	}
	say("seize", ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD));
	say("stop", kill(pid, SIGSTOP));
	wait_for(pid, "signal stop");
	say("cont with STOP", ptrace(PTRACE_CONT, pid, 0, SIGSTOP));
	wait_for(pid, "group stop");
	say("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	printf("siginfo: signo=%d code>>8=%d\n", si.si_signo, si.si_code >> 8);
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	say("stop", kill(pid, SIGSTOP));
	wait_for(pid, "signal stop");
	say("cont with STOP", ptrace(PTRACE_CONT, pid, 0, SIGSTOP));
	wait_for(pid, "group stop");
	say("syscall", ptrace(PTRACE_SYSCALL, pid, 0, 0));
	st = wait_for(pid, "syscall stop");
	(void)st;
	say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_for(pid, "end");
}

/* A SIGCONT traps a running seized tracee (PTRACE_EVENT_STOP, SIGTRAP)
 * before its signal-delivery-stop, with or without a group stop before. */
static void mode_sigcont_seized(void)
{
	for (int through_stop = 0; through_stop < 2; through_stop++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			usleep(50000);
			body_count();
		}
		say("seize", ptrace(PTRACE_SEIZE, pid, 0, 0));
		if (through_stop) {
			say("stop", kill(pid, SIGSTOP));
			wait_for(pid, "signal stop");
			say("cont with STOP",
			    ptrace(PTRACE_CONT, pid, 0, SIGSTOP));
			wait_for(pid, "group stop");
			say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
		}
		say("sigcont", kill(pid, SIGCONT));
		st = wait_for(pid, "trap");
		say("cont", ptrace(PTRACE_CONT, pid, 0, 0));
		st = wait_for(pid, "signal stop");
		say("cont with it", ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(st)));
		wait_for(pid, "end");
	}
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "traceme", mode_traceme },
		{ "errors", mode_errors },
		{ "peek_poke", mode_peek_poke },
		{ "syscall_stops", mode_syscall_stops },
		{ "signal_stops", mode_signal_stops },
		{ "fault_then_kill", mode_fault_then_kill },
		{ "fork_event", mode_fork_event },
		{ "seize_interrupt", mode_seize_interrupt },
		{ "attach_detach", mode_attach_detach },
		{ "vfork_done", mode_vfork_done },
		{ "peeksiginfo", mode_peeksiginfo },
		{ "wait_untraced", mode_wait_untraced },
		{ "cont_group_stop", mode_cont_group_stop },
		{ "cont_group_stop_seized", mode_cont_group_stop_seized },
		{ "sigcont_seized", mode_sigcont_seized },
	};

	/* A mode the sentry gets wrong must fail, not hang. */
	alarm(30);
	for (size_t i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]);
	     i++)
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	fprintf(stderr, "usage: ptrace_ops MODE\n");
	return 2;
}
