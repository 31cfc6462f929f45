/*
 * limits.h - resource limits (RLIMIT_*): the host enforces them, the
 * kernel keeps a copy per thread group (thread_group.h: limits) for what
 * it shows, reread from the host whenever a limit can have changed.
 */
#ifndef SENTRY_KERNEL_LIMITS_H
#define SENTRY_KERNEL_LIMITS_H

struct kernel;
struct task;

/* Rereads the limits of t's thread group from the host (the platform's
 * read_limits). Keeps the copy when the host cannot be read. Call without
 * kernel locks held. */
void tg_refresh_limits(struct kernel *k, struct task *t);

#endif
