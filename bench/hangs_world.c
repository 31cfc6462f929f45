/*
 * hangs_world N: a sandbox of N tasks for bench/hangs_bench.sh, half of
 * them blocked reading a pipe only they can write (each stuck on
 * itself), half asleep with a timeout (never stuck). Prints "ready"
 * when all are in place, then waits for them.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int ready[2];
	char c;

	if (pipe(ready) < 0)
		return 1;
	for (int i = 1; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid > 0)
			continue;
		close(ready[0]);
		if (i % 2) {
			int p[2];

			if (pipe(p) == 0) {
				close(ready[1]);
				if (read(p[0], &c, 1) < 0)
					_exit(1);
			}
		} else {
			struct timespec ts = { 3600, 0 };

			close(ready[1]);
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	close(ready[1]);
	/* Every child closed its copy of the write end: EOF. */
	if (read(ready[0], &c, 1) != 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (wait(NULL) > 0)
		;
	return 0;
}
