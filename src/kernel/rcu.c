/*
 * This file holds what kernel/rcu.h needs outside a header: the sync
 * object that stands, for ThreadSanitizer, for an RCU grace period.
 */
#include "kernel/rcu.h"

#ifdef SENTRY_TSAN
char sentry_rcu_grace_period;
#endif
