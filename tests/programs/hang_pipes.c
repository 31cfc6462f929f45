/*
 * hang_pipes: a deadlock beside tasks that only look blocked, for
 * sentrydbg hangs/why (tests/integration/hangs.py).
 *
 * Two children A and B each hold all four ends of two pipes and read
 * one: each waits for a writer that is itself or the other, so both are
 * stuck. Beside them a sleeper (a timer wakes it), a busy writer and its
 * reader (they wake each other), and the parent waiting for all of them
 * (the sleeper's exit can wake it). Prints "role=PID" lines, then
 * "ready", and waits; SIGTERM to the process group ends it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t spawn(const char *role, void (*body)(int *, int *), int *p,
		   int *q)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		body(p, q);
		_exit(0);
	}
	printf("%s=%d\n", role, (int)pid);
	return pid;
}

/* A deadlocked reader: holds every end, reads p. */
static void reader_a(int *p, int *q)
{
	char c;

	(void)q;
	if (read(p[0], &c, 1) < 0)
		perror("read");
}

static void reader_b(int *p, int *q)
{
	char c;

	(void)p;
	if (read(q[0], &c, 1) < 0)
		perror("read");
}

static void sleeper(int *p, int *q)
{
	struct timespec ts = { 600, 0 };

	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	nanosleep(&ts, NULL);
}

static int busy[2];

static void writer(int *p, int *q)
{
	char buf[65536];

	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(busy[0]);
	memset(buf, 'x', sizeof(buf));
	for (;;)
		if (write(busy[1], buf, sizeof(buf)) < 0)
			_exit(0);
}

static void reader(int *p, int *q)
{
	char buf[4096];

	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(busy[1]);
	while (read(busy[0], buf, sizeof(buf)) > 0)
		;
}

int main(void)
{
	int p[2], q[2];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(p) || pipe(q) || pipe(busy)) {
		perror("pipe");
		return 1;
	}
	spawn("a", reader_a, p, q);
	spawn("b", reader_b, p, q);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	spawn("sleeper", sleeper, p, q);
	spawn("writer", writer, p, q);
	spawn("reader", reader, p, q);
	close(busy[0]);
	close(busy[1]);
	printf("parent=%d\nready\n", (int)getpid());
	while (wait(NULL) > 0)
		;
	return 0;
}
