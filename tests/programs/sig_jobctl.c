/* Group stop and job control (man 2 wait, man 7 signal, credentials(7)):
 * WUNTRACED/WCONTINUED reports, SIGCHLD si_code for every child state
 * change, multi-threaded stops, orphaned process groups, and background
 * terminal access raising SIGTTIN/SIGTTOU (on a pty the program opens).
 *
 * Usage: sig_jobctl MODE. Prints facts only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
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

static const char *cld(int code)
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

static void describe(int st)
{
	if (WIFEXITED(st))
		printf("exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("killed by %s", name(WTERMSIG(st)));
	else if (WIFSTOPPED(st))
		printf("stopped by %s", name(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		printf("continued");
}

static int mode_wait_stop_cont(void)
{
	int go[2], st, r;
	pid_t c;
	siginfo_t si;
	char ch;

	if (pipe(go) < 0)
		return 98;
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		raise(SIGSTOP);
		if (read(go[0], &ch, 1) != 1)
			_exit(1);
		_exit(6);
	}
	setpgid(c, c);
	/* Without WUNTRACED the stop is not reported. */
	msleep(200);
	r = waitpid(c, &st, WNOHANG);
	printf("WNOHANG without WUNTRACED while stopped: %d\n", r);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, c, &si, WSTOPPED | WNOWAIT);
	printf("waitid WSTOPPED|WNOWAIT: ret=%d code=%s status=%s pid ok=%s\n",
	       r, cld(si.si_code), name(si.si_status), YN(si.si_pid == c));
	r = waitpid(c, &st, WUNTRACED);
	printf("waitpid WUNTRACED: child=%s ", YN(r == c));
	describe(st);
	printf(" WSTOPSIG=%s\n", name(WSTOPSIG(st)));
	r = waitpid(c, &st, WUNTRACED | WNOHANG);
	printf("reported once: second WUNTRACED|WNOHANG=%d\n", r);
	kill(c, SIGCONT);
	r = waitpid(c, &st, WCONTINUED);
	printf("waitpid WCONTINUED: child=%s ", YN(r == c));
	describe(st);
	printf("\n");
	r = waitpid(c, &st, WCONTINUED | WNOHANG);
	printf("reported once: second WCONTINUED|WNOHANG=%d\n", r);
	/* Stop again, consume with waitid (no WNOWAIT). */
	kill(c, SIGSTOP);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, c, &si, WSTOPPED);
	printf("waitid WSTOPPED after kill STOP: code=%s status=%s\n",
	       cld(si.si_code), name(si.si_status));
	kill(c, SIGCONT);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, c, &si, WCONTINUED);
	printf("waitid WCONTINUED: code=%s status=%s\n", cld(si.si_code),
	       name(si.si_status));
	if (write(go[1], "x", 1) != 1)
		return 97;
	r = waitpid(c, &st, WUNTRACED | WCONTINUED);
	printf("final: ");
	describe(st);
	printf("\n");
	return 0;
}

static int codes[32], statuses[32];
static volatile int ncodes;
static pid_t pids[32];
static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (ncodes < 32) {
		codes[ncodes] = si->si_code;
		statuses[ncodes] = si->si_status;
		pids[ncodes] = si->si_pid;
	}
	ncodes++;
}

/* Waits (with SIGCHLD blocked) until the next SIGCHLD is handled. */
static void next_chld(void)
{
	sigset_t none;
	int before = ncodes;

	sigemptyset(&none);
	while (ncodes == before)
		sigsuspend(&none);
}

static int mode_sigchld_codes(void)
{
	struct sigaction sa;
	sigset_t b;
	pid_t c;
	int go[2], st;
	char ch;
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&b);
	sigaddset(&b, SIGCHLD);
	sigprocmask(SIG_BLOCK, &b, NULL);
	if (pipe(go) < 0)
		return 98;
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		raise(SIGSTOP);
		if (read(go[0], &ch, 1) != 1)
			_exit(1);
		_exit(9);
	}
	setpgid(c, c);
	next_chld();
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGCONT);
	next_chld();
	waitpid(c, &st, WCONTINUED);
	if (write(go[1], "x", 1) != 1)
		return 97;
	next_chld();
	waitpid(c, &st, 0);
	/* killed */
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	kill(c, SIGTERM);
	next_chld();
	waitpid(c, &st, 0);
	/* dumped (RLIMIT_CORE 0: reported as killed) */
	c = fork();
	if (c == 0)
		abort();
	next_chld();
	waitpid(c, &st, 0);
	/* SIGCHLD while the child lives on after a stop by TSTP. */
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		raise(SIGTSTP);
		/* Exit only when told: SIGCHLD coalesces, so each state
		 * change is taken before the next one happens. */
		if (read(go[0], &ch, 1) != 1)
			_exit(1);
		_exit(2);
	}
	setpgid(c, c);
	next_chld();
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGCONT);
	next_chld();
	waitpid(c, &st, WCONTINUED);
	if (write(go[1], "x", 1) != 1)
		return 97;
	next_chld();
	waitpid(c, &st, 0);
	for (int i = 0; i < ncodes && i < 32; i++)
		printf("SIGCHLD %d: %s status=%s\n", i, cld(codes[i]),
		       codes[i] == CLD_EXITED ? (char[8]){ '0' + statuses[i], 0 }
					     : name(statuses[i]));
	return 0;
}

/* A multi-threaded child stops and continues as a whole. */
static volatile unsigned long *counters;
static void *spin(void *arg)
{
	long i = (long)arg;

	for (;;)
		counters[i]++;
	return NULL;
}

static int thread_states(pid_t pid, char *out, size_t len)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	out[0] = 0;
	while ((e = readdir(d))) {
		char p2[320], buf[512];
		int fd;
		ssize_t r;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "/proc/%d/task/%s/stat", pid, e->d_name);
		fd = open(p2, O_RDONLY);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		char *q = strrchr(buf, ')');
		/* 't' (tracing stop) and 'T' are both stopped. */
		if (q && (size_t)n + 2 < len)
			out[n++] = (q[2] == 't' || q[2] == 'T') ? 'T' : 'R';
	}
	out[n] = 0;
	closedir(d);
	return n;
}

static int mode_mt_stop(void)
{
	pid_t c;
	int st, n;
	unsigned long a[4], b[4];
	char states[64];

	counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	c = fork();
	if (c == 0) {
		pthread_t th[3];

		setpgid(0, 0);
		for (long i = 1; i < 4; i++)
			pthread_create(&th[i - 1], NULL, spin, (void *)i);
		spin((void *)0);
	}
	setpgid(c, c);
	for (int i = 0; i < 4; i++)
		while (!counters[i])
			msleep(5);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	printf("waitpid: ");
	describe(st);
	printf("\n");
	msleep(50);
	n = thread_states(c, states, sizeof(states));
	printf("threads: %d all stopped in /proc: %s\n", n,
	       YN(n == 4 && !strchr(states, 'R')));
	memcpy(a, (void *)counters, sizeof(a));
	msleep(200);
	memcpy(b, (void *)counters, sizeof(b));
	printf("no thread ran while stopped: %s\n", YN(!memcmp(a, b, sizeof(a))));
	/* Thread-directed SIGCONT resumes the whole group. */
	char path[64];
	DIR *d;
	struct dirent *e;
	pid_t other = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", c);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != c)
			other = atoi(e->d_name);
	if (d)
		closedir(d);
	syscall(SYS_tgkill, c, other, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	printf("tgkill(CONT) to one thread: ");
	describe(st);
	printf("\n");
	msleep(100);
	memcpy(a, (void *)counters, sizeof(a));
	msleep(200);
	memcpy(b, (void *)counters, sizeof(b));
	int all = 1;

	for (int i = 0; i < 4; i++)
		all &= a[i] != b[i];
	printf("every thread runs again: %s\n", YN(all));
	/* SIGSTOP sent to one thread stops them all too. */
	syscall(SYS_tgkill, c, other, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	printf("tgkill(STOP) to one thread: ");
	describe(st);
	printf("\n");
	msleep(50);
	memcpy(a, (void *)counters, sizeof(a));
	msleep(200);
	memcpy(b, (void *)counters, sizeof(b));
	printf("no thread ran: %s\n", YN(!memcmp(a, b, sizeof(a))));
	if (c > 0) /* never kill(0) or kill(-1) */
		kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("then SIGKILL: ");
	describe(st);
	printf("\n");
	return 0;
}

/* Orphaned process groups. P is a subreaper (in another session, so it
 * does not keep the group attached); S is a session leader; C leads job
 * group G with a stopped member D. When C exits, G is orphaned and,
 * having a stopped member, gets SIGHUP then SIGCONT. */
static int report_fd;
static void say(const char *s)
{
	if (write(report_fd, s, strlen(s)) < 0)
		_exit(96);
}

static void on_hup(int sig)
{
	say(sig == SIGHUP ? "D got SIGHUP\n" : "D got SIGCONT\n");
}

static void orphan_case(int with_handlers)
{
	int p[2], st;
	pid_t s;
	char buf[512];
	ssize_t n, total = 0;

	if (pipe(p) < 0)
		exit(98);
	report_fd = p[1];
	s = fork();
	if (s == 0) {
		pid_t c;

		close(p[0]);
		setsid();
		c = fork();
		if (c == 0) {
			pid_t d;
			int dst;

			setpgid(0, 0);
			d = fork();
			if (d == 0) {
				if (with_handlers) {
					signal(SIGHUP, on_hup);
					signal(SIGCONT, on_hup);
				}
				raise(SIGSTOP);
				say("D running again\n");
				/* A stop signal other than SIGSTOP is now
				 * discarded: the group is orphaned. */
				raise(SIGTSTP);
				say("D not stopped by TSTP\n");
				_exit(0);
			}
			waitpid(d, &dst, WUNTRACED);
			say(WIFSTOPPED(dst) ? "C saw D stopped, exits\n"
					    : "C saw D not stopped\n");
			_exit(0);
		}
		waitpid(c, &st, 0);
		_exit(0);
	}
	close(p[1]);
	waitpid(s, &st, 0);
	while ((n = read(p[0], buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	buf[total] = 0;
	printf("%s", buf);
	close(p[0]);
	/* D was reparented to us (the subreaper). */
	pid_t w;

	while ((w = waitpid(-1, &st, 0)) > 0) {
		printf("reaped orphan: ");
		describe(st);
		printf("\n");
	}
}

static int mode_orphan_pgrp(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	printf("-- with SIGHUP/SIGCONT handlers\n");
	orphan_case(1);
	printf("-- with default actions\n");
	orphan_case(0);
	return 0;
}

/* Background access to a controlling terminal: a pty this program
 * opens, so nothing depends on the caller's terminal. */
static int mode_tty_background(void)
{
	int master, st;
	pid_t s;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		printf("no pty\n");
		return 0;
	}
	s = fork();
	if (s == 0) {
		int slave;
		pid_t bg;

		setsid();
		slave = open(ptsname(master), O_RDWR);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(90);
		printf("foreground group is ours: %s\n",
		       YN(tcgetpgrp(slave) == getpid()));
		/* A background job reading: SIGTTIN stops it. */
		bg = fork();
		if (bg == 0) {
			char ch;

			setpgid(0, 0);
			ssize_t r = read(slave, &ch, 1);
			_exit(r == 1 ? 1 : 2);
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		printf("background read: ");
		describe(st);
		printf("\n");
		if (bg > 0) /* never kill(0) or kill(-1) */
			kill(bg, SIGKILL);
		waitpid(bg, &st, 0);
		/* Writing without TOSTOP is allowed. */
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			_exit(write(slave, "w\n", 2) == 2 ? 3 : 4);
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		printf("background write without TOSTOP: ");
		describe(st);
		printf("\n");
		/* With TOSTOP: SIGTTOU stops it. */
		struct termios t;

		tcgetattr(slave, &t);
		t.c_lflag |= TOSTOP;
		tcsetattr(slave, TCSANOW, &t);
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			_exit(write(slave, "w\n", 2) == 2 ? 3 : 4);
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		printf("background write with TOSTOP: ");
		describe(st);
		printf("\n");
		/* Moved to the foreground and continued, it completes. */
		tcsetpgrp(slave, bg);
		kill(bg, SIGCONT);
		waitpid(bg, &st, 0);
		printf("after tcsetpgrp + SIGCONT: ");
		describe(st);
		printf("\n");
		tcsetpgrp(slave, getpid());
		/* A background job ignoring SIGTTIN reads and gets EIO. */
		bg = fork();
		if (bg == 0) {
			char ch;

			setpgid(0, 0);
			signal(SIGTTIN, SIG_IGN);
			ssize_t r = read(slave, &ch, 1);
			_exit(r < 0 && errno == EIO ? 5 : 6);
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		printf("background read ignoring TTIN: ");
		describe(st);
		printf("\n");
		/* tcsetpgrp from the background: SIGTTOU. */
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			_exit(tcsetpgrp(slave, getpid()) == 0 ? 7 : 8);
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		printf("background tcsetpgrp: ");
		describe(st);
		printf("\n");
		if (bg > 0) /* never kill(0) or kill(-1) */
			kill(bg, SIGKILL);
		waitpid(bg, &st, 0);
		/* The terminal's ^C reaches the foreground group only. */
		fflush(stdout);
		_exit(0);
	}
	/* Drain the pty so writes never block. */
	for (;;) {
		char buf[256];
		struct timespec ts = { 0, 20 * 1000000L };

		if (waitpid(s, &st, WNOHANG) == s)
			break;
		int fl = fcntl(master, F_GETFL);

		fcntl(master, F_SETFL, fl | O_NONBLOCK);
		while (read(master, buf, sizeof(buf)) > 0)
			;
		nanosleep(&ts, NULL);
	}
	printf("session leader: ");
	describe(st);
	printf("\n");
	return 0;
}

/* ^C and ^Z typed at a pty reach its foreground process group. */
static int mode_tty_signals(void)
{
	int master, st, p[2];
	pid_t s;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		printf("no pty\n");
		return 0;
	}
	if (pipe(p) < 0)
		return 98;
	s = fork();
	if (s == 0) {
		int slave;
		pid_t fg;

		setsid();
		slave = open(ptsname(master), O_RDWR);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(90);
		signal(SIGINT, SIG_IGN);
		signal(SIGTSTP, SIG_IGN);
		fg = fork();
		if (fg == 0) {
			setpgid(0, 0);
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(slave, getpid());
			signal(SIGTTOU, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGTSTP, SIG_DFL);
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		setpgid(fg, fg);
		waitpid(fg, &st, WUNTRACED);
		printf("foreground job after ^Z: ");
		describe(st);
		printf("\n");
		tcsetpgrp(slave, fg);
		kill(fg, SIGCONT);
		waitpid(fg, &st, WCONTINUED);
		if (write(p[1], "c", 1) != 1)
			_exit(1);
		waitpid(fg, &st, 0);
		printf("foreground job after ^C: ");
		describe(st);
		printf("\n");
		_exit(0);
	}
	char ch;

	if (read(p[0], &ch, 1) != 1)
		return 97;
	msleep(100);
	if (write(master, "\x1a", 1) != 1)
		return 96;
	if (read(p[0], &ch, 1) != 1)
		return 97;
	msleep(100);
	if (write(master, "\x03", 1) != 1)
		return 96;
	waitpid(s, &st, 0);
	printf("session leader (ignoring INT/TSTP): ");
	describe(st);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	if (!strcmp(m, "wait_stop_cont"))
		return mode_wait_stop_cont();
	if (!strcmp(m, "sigchld_codes"))
		return mode_sigchld_codes();
	if (!strcmp(m, "mt_stop"))
		return mode_mt_stop();
	if (!strcmp(m, "orphan_pgrp"))
		return mode_orphan_pgrp();
	if (!strcmp(m, "tty_background"))
		return mode_tty_background();
	if (!strcmp(m, "tty_signals"))
		return mode_tty_signals();
	fprintf(stderr, "unknown mode %s\n", m);
	return 2;
}
