/*
 * timing.h - clocks and polling budgets shared by the kernel and the
 * threads that serve it (platform, filesystem, control server).
 */
#ifndef SENTRY_KERNEL_TIMING_H
#define SENTRY_KERNEL_TIMING_H

#include <stdint.h>
#include <time.h>

/* Clock c in nanoseconds. */
uint64_t clock_now_ns(clockid_t c);

/* How long a serving thread may poll for its next piece of work before it
 * sleeps: the environment variable env_name in microseconds if set, else
 * 50 µs, or 0 when this thread may run on a single CPU only (the poll
 * would take the CPU from the work it waits for). */
uint64_t poll_budget_ns(const char *env_name);

#endif
