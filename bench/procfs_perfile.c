/*
 * procfs_perfile - what one open+read+close of each per-process file
 * costs, over every process of a /proc-like directory, each file opened
 * once per process (as ps does). Prints, per file name, the mean in µs.
 * Run it on the sentry's proc/ and on the host's /proc in the same minute
 * to see which files carry the gap (bench/results-procfs.md):
 *
 *   procfs_perfile /mnt/sentry/proc [ROUNDS]    # default 3; best round
 *   procfs_perfile /proc
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_PIDS 65536

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	static const char *const files[] = { "stat", "status", "environ",
					     "cmdline", "comm" };
	static int pids[MAX_PIDS];
	static char buf[1 << 16];
	int rounds = argc > 2 ? atoi(argv[2]) : 3, n = 0;
	struct dirent *e;
	DIR *d;

	if (argc < 2 || rounds < 1) {
		fprintf(stderr, "usage: procfs_perfile PROC_DIR [ROUNDS]\n");
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 1;
	}
	while ((e = readdir(d)) && n < MAX_PIDS)
		if (isdigit((unsigned char)e->d_name[0]))
			pids[n++] = atoi(e->d_name);
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "%s: no processes\n", argv[1]);
		return 1;
	}
	printf("%d processes, best of %d rounds:", n, rounds);
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		double best = 0;

		for (int r = 0; r < rounds; r++) {
			double t0 = now_us(), us;

			for (int i = 0; i < n; i++) {
				char path[512];
				int fd;

				snprintf(path, sizeof(path), "%s/%d/%s", argv[1],
					 pids[i], files[f]);
				fd = open(path, O_RDONLY);
				if (fd < 0)
					continue; /* gone meanwhile */
				while (read(fd, buf, sizeof(buf)) > 0)
					;
				close(fd);
			}
			us = (now_us() - t0) / n;
			if (r == 0 || us < best)
				best = us;
		}
		printf(" %s %.1f", files[f], best);
	}
	printf(" (µs per file)\n");
	return 0;
}
