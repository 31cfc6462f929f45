/*
 * procfs_spawn - holds N sleeping processes for bench/procfs_bench.sh.
 *
 *   procfs_spawn N DIR
 *
 * Forks N children that pause(), creates DIR/ready (containing the
 * parent's PID as it sees itself) once all exist, then waits until
 * DIR/stop appears, kills the children, reaps them and exits 0. Run the
 * same way natively and under `sentry run`, so both /proc views hold the
 * same processes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char ready[4096], stop[4096], tmp[4200];
	struct stat st;
	pid_t *kids;
	long n;
	FILE *f;

	if (argc != 3 || (n = atol(argv[1])) < 0) {
		fprintf(stderr, "usage: procfs_spawn N DIR\n");
		return 2;
	}
	snprintf(ready, sizeof(ready), "%s/ready", argv[2]);
	snprintf(stop, sizeof(stop), "%s/stop", argv[2]);
	kids = calloc((size_t)n + 1, sizeof(*kids));
	if (!kids)
		return 1;
	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			for (;;)
				pause();
		}
		if (p < 0) {
			fprintf(stderr, "procfs_spawn: fork %ld: %m\n", i);
			n = i;
			break;
		}
		kids[i] = p;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%d %ld\n", (int)getpid(), n);
		fclose(f);
		rename(tmp, ready);
	}
	while (stat(stop, &st) < 0) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	for (long i = 0; i < n; i++)
		if (kids[i] > 0) /* never kill(0) or kill(-1) */
			kill(kids[i], SIGKILL);
	for (long i = 0; i < n; i++)
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	return 0;
}
