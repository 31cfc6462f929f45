/*
 * procfs_timeit - runs a command R times (stdout to /dev/null) and prints
 * the median and the minimum wall time in milliseconds: "median min".
 * For bench/procfs_bench.sh; it runs in the namespace under test, so the
 * numbers exclude nsenter/unshare set-up.
 *
 *   procfs_timeit R CMD [ARGS...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int reps, bad = 0;
	double *t;

	if (argc < 3 || (reps = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: procfs_timeit R CMD [ARGS...]\n");
		return 2;
	}
	t = calloc((size_t)reps, sizeof(*t));
	for (int i = 0; i < reps; i++) {
		double t0 = now_ms();
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		t[i] = now_ms() - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	qsort(t, (size_t)reps, sizeof(*t), cmp);
	printf("%.2f %.2f\n", reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2,
	       t[0]);
	if (bad)
		fprintf(stderr, "procfs_timeit: %d of %d runs failed: %s\n", bad,
			reps, argv[2]);
	return 0;
}
