/*
 * xfork.h - fork() for the test programs: a failed fork ends the test.
 *
 * A PID of -1 handed to kill() would signal every process on the machine
 * (these programs also run natively, as root), so no test may go on after
 * fork() failed. Include after the system headers.
 */
#ifndef SENTRY_TESTS_XFORK_H
#define SENTRY_TESTS_XFORK_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline pid_t xfork(void)
{
	pid_t p = fork();

	if (p < 0) {
		perror("fork");
		exit(97);
	}
	return p;
}
#define fork xfork

#endif
