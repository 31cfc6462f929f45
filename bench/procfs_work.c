/*
 * procfs_work - a CPU + fork workload for bench/procfs_bench.sh: FORKS
 * times, fork a child that spins SPIN iterations of a small loop and
 * exits, and wait for it. Prints the elapsed wall time in milliseconds
 * (timed inside, so sandbox start-up is excluded).
 *
 *   procfs_work FORKS SPIN [HOLD GOFILE]
 *
 * With HOLD and GOFILE: first forks HOLD children that pause() (so the
 * tree a reader walks is not trivial), then waits for GOFILE to exist
 * before it starts the clock; kills the HOLD children at the end.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
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

static unsigned long spin(long n)
{
	volatile unsigned long x = 1;

	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

int main(int argc, char **argv)
{
	long forks, n, hold = 0;
	pid_t *held = NULL;
	double t0;
	struct stat st;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: procfs_work FORKS SPIN [HOLD GOFILE]\n");
		return 2;
	}
	forks = atol(argv[1]);
	n = atol(argv[2]);
	if (argc == 5) {
		hold = atol(argv[3]);
		held = calloc((size_t)hold + 1, sizeof(*held));
		for (long i = 0; held && i < hold; i++) {
			held[i] = fork();
			if (held[i] == 0)
				for (;;)
					pause();
		}
		while (stat(argv[4], &st) < 0) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	t0 = now_ms();
	for (long i = 0; i < forks; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit((int)(spin(n) & 1) * 0);
		if (p > 0)
			waitpid(p, NULL, 0);
	}
	printf("%.1f\n", now_ms() - t0);
	fflush(stdout);
	for (long i = 0; held && i < hold; i++)
		if (held[i] > 0)
			if (held[i] > 0) /* never kill(0) or kill(-1) */
				kill(held[i], SIGKILL);
	for (long i = 0; held && i < hold; i++)
		if (held[i] > 0)
			waitpid(held[i], NULL, 0);
	return 0;
}
