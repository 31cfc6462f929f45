/*
 * getpid - trapped-syscall latency: calls syscall(SYS_getpid) in a loop
 * (raw syscall, never glibc's wrapper) and prints the mean ns per call.
 *
 *   getpid [MAX_CALLS [MAX_MS]]
 *
 * Runs MAX_CALLS calls (default 200000) in batches of 1000, stopping early
 * once MAX_MS (default 3000) have passed, so that a slow sandbox does not
 * blow the benchmark's time budget. Prints "<ns/call> <calls>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
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
	long max_calls = argc > 1 ? atol(argv[1]) : 200000;
	long long max_ns = (argc > 2 ? atoll(argv[2]) : 3000) * 1000000LL;
	long calls = 0;
	long long t0, dt;
	pid_t want = (pid_t)syscall(SYS_getpid);

	for (int i = 0; i < 1000; i++) /* warm-up */
		syscall(SYS_getpid);
	t0 = now_ns();
	do {
		for (int i = 0; i < 1000; i++)
			if ((pid_t)syscall(SYS_getpid) != want) {
				fprintf(stderr, "getpid: wrong answer\n");
				return 1;
			}
		calls += 1000;
		dt = now_ns() - t0;
	} while (calls < max_calls && dt < max_ns);
	printf("%.1f %ld\n", (double)dt / (double)calls, calls);
	return 0;
}
