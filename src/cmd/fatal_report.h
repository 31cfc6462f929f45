/*
 * fatal_report.h - what `sentry run --dump-on=fatal-signal DIR` writes
 * when a task dies of a core-dumping signal: the process's core file
 * (when its RLIMIT_CORE allows one) and a JSON dump naming it.
 */
#ifndef SENTRY_CMD_FATAL_REPORT_H
#define SENTRY_CMD_FATAL_REPORT_H

#include <sys/types.h>

struct kernel;

struct fatal_report {
	struct kernel *k;
	const char *dir;  /* --dump-on=fatal-signal DIR */
};

/*
 * Task tid is about to die of sig (the platform holds it at the signal's
 * delivery). Holds it there, and writes the core and the dump from a
 * thread of their own (the platform thread must go on serving the
 * requests that read the process); the task dies once they are written.
 * Called on the platform's thread.
 */
void fatal_report_signal(struct fatal_report *r, pid_t tid, int sig);

/* Waits for reports still being written (at exit). */
void fatal_report_drain(struct fatal_report *r);

#endif
