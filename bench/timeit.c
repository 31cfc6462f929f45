/*
 * timeit - runs a command R times and prints the wall time of each run in
 * nanoseconds, one per line. It runs inside the sandbox under test, so the
 * numbers exclude the sandbox's own start-up and tear-down.
 *
 *   timeit R CMD [ARGS...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int reps;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit R CMD [ARGS...]\n");
		return 2;
	}
	reps = atoi(argv[1]);
	for (int r = 0; r < reps; r++) {
		long long t0 = now_ns();
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execvp(argv[2], argv + 2);
			perror(argv[2]);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid) {
			perror("waitpid");
			return 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "timeit: command failed (status %#x)\n", st);
			return 1;
		}
		printf("%lld\n", now_ns() - t0);
		fflush(stdout);
	}
	return 0;
}
