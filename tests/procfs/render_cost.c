/*
 * render_cost - what rendering one file costs the sentry's own code, the
 * part of an OPEN that runs in user space (bench/README.md, "render").
 *
 *   procfs_render_cost [ROUNDS [FILE...]]               # ns per render
 *   valgrind --tool=callgrind procfs_render_cost 2000 proc/7/stat
 *
 * A kernel built with the real API and no platform holds one process
 * whose host TID is this program's own, so stat and status read the
 * host's files as on the mount (without the read-ahead: that cost is the
 * host's). Each file is rendered ROUNDS times through procfs_read_path(),
 * the walk the mount's requests take (FILEs: only those). Under
 * callgrind the instruction count is free of the machine's noise:
 * compare two builds by it, one file at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "kernel/kernel.h"
#include "procfs/procfs.h"

/* kernel/dump.* is rendered by src/kernel/dump.c, which this does not
 * link; nothing here reads it. */
int kernel_dump_render(struct kernel *k, bool json, char **out, size_t *len)
{
	(void)k;
	*out = strdup(json ? "{}\n" : "\n");
	*len = strlen(*out);
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const char init_argv[] = "init\0--flag";
	static const char *const all[] = {
		"proc/7/stat",    "proc/7/status", "proc/7/cmdline",
		"proc/7/environ", "proc/7/comm",   "tasks/7/status",
		"tasks/7/stat",   "tasks/7/signals",
	};
	int rounds = argc > 1 ? atoi(argv[1]) : 20000;
	const char *const *files = argc > 2 ? (const char *const *)argv + 2
					    : all;
	size_t nr_files = argc > 2 ? (size_t)(argc - 2)
				   : sizeof(all) / sizeof(all[0]);
	struct kernel *k = calloc(1, sizeof(*k));
	struct task *init;

	if (rounds < 1 || !k) {
		fprintf(stderr, "usage: procfs_render_cost [ROUNDS [FILE...]]\n");
		return 2;
	}
	tk_kernel_init(k);
	init = tk_init(k, getpid(), init_argv, sizeof(init_argv));
	tk_fork(k, init, 7, getpid());
	printf("%d renders of each file:\n", rounds);
	for (size_t f = 0; f < nr_files; f++) {
		double t0 = now_ns();
		size_t bytes = 0;

		for (int r = 0; r < rounds; r++) {
			char *s;
			size_t len;

			if (procfs_read_path(k, files[f], 0, &s, &len) < 0) {
				fprintf(stderr, "render_cost: cannot read %s\n",
					files[f]);
				return 1;
			}
			bytes = len;
			free(s);
		}
		printf("  %-16s %6zu bytes %8.0f ns\n", files[f], bytes,
		       (now_ns() - t0) / rounds);
	}
	kernel_destroy(k);
	free(k);
	return 0;
}
