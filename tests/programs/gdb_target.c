/*
 * gdb_target: what tests/integration/tracers.py debugs with gdb inside the
 * sandbox and natively. "f" is a breakpoint target with a value to
 * return; "threads" starts three threads, then changes a watched
 * variable and forks.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int counter;

__attribute__((noinline)) int f(int x)
{
	counter += x;
	return x * 2;
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

__attribute__((noinline)) void stopme(void)
{
	counter++;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "threads")) {
		pthread_t t[3];
		pid_t p;
		int st;

		for (int i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, worker, NULL);
		usleep(100000);
		stopme();
		counter = 5;
		p = fork();
		if (p == 0)
			_exit(3);
		waitpid(p, &st, 0);
		printf("child %d\n", WEXITSTATUS(st));
		return 0;
	}
	int s = 0;

	for (int i = 0; i < 3; i++)
		s += f(i);
	printf("sum %d\n", s);
	return 0;
}
