/*
 * core_target MODE: programs whose core files tests/integration/cores.py
 * reads with gdb.
 *
 *   block   two helper threads asleep in helper_sleeps(), the main
 *           thread blocked reading a pipe in wait_for_b(); prints
 *           "ready" and the value of the global marker.
 *   crash   writes through NULL in crash_here() (SIGSEGV).
 *   parent  forks a child that crashes, and prints what its wait says:
 *           "signal=11 core=1".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

volatile long marker = 0x5e57c0de;

static void *helper_sleeps(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void __attribute__((noinline)) wait_for_b(int fd)
{
	char c;
	int depth = 42; /* a variable gdb can print in this frame */

	(void)depth;
	if (read(fd, &c, 1) < 0)
		perror("read");
}

static void __attribute__((noinline)) crash_here(int *p)
{
	*p = 42;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "block";
	pthread_t t[2];
	int p[2];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "crash") == 0) {
		crash_here(NULL);
		return 0;
	}
	if (strcmp(mode, "parent") == 0) {
		pid_t c = fork();
		int st;

		if (c == 0) {
			crash_here(NULL);
			_exit(0);
		}
		if (waitpid(c, &st, 0) != c)
			return 1;
		printf("signal=%d core=%d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0,
		       WIFSIGNALED(st) && WCOREDUMP(st) ? 1 : 0);
		return 0;
	}
	if (pipe(p) < 0)
		return 1;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, helper_sleeps, NULL);
	printf("ready %d %lx\n", (int)getpid(), marker);
	wait_for_b(p[0]);
	return 0;
}
