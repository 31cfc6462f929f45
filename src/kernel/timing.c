/*
 * This file implements the clocks and polling budgets of timing.h.
 */
#include <sched.h>
#include <stdlib.h>

#include "kernel/timing.h"

uint64_t clock_now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t poll_budget_ns(const char *env_name)
{
	const char *e = getenv(env_name);
	cpu_set_t cpus;

	if (e)
		return strtoull(e, NULL, 10) * 1000;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0 ||
	    CPU_COUNT(&cpus) < 2)
		return 0;
	return 50 * 1000;
}
