/*
 * sig_users.h - the sandbox's queued signals counted per real user ID, as
 * Linux counts them against RLIMIT_SIGPENDING (its ucounts) and shows them
 * as the first number of /proc/PID/status's SigQ: a queued entry is
 * charged to the real UID its target had when it was queued, and
 * uncharged, to that same user, when it leaves the queue.
 */
#ifndef SENTRY_KERNEL_SIG_USERS_H
#define SENTRY_KERNEL_SIG_USERS_H

#include <pthread.h>
#include <stdint.h>

/* Users with a count; a sandbox has a handful. Beyond that, entries
 * queued for further users are not counted (SigQ shows 0 for them). */
#define SIG_USERS_MAX 64

struct sig_user_count {
	uint32_t uid;   /* immutable once published (sig_users.nr) */
	long queued;    /* atomic */
};

struct sig_users {
	/* mu serialises adding a user; readers need no lock. */
	pthread_mutex_t mu;
	int nr;         /* users published: written with release under mu */
	struct sig_user_count u[SIG_USERS_MAX];
};

void sig_users_init(struct sig_users *su);
void sig_users_destroy(struct sig_users *su);
/* Charges one queued signal to uid. Returns the counter to uncharge, or
 * NULL when the table is full. */
long *sig_users_charge(struct sig_users *su, uint32_t uid);
/* Uncharges an entry charged by sig_users_charge(). Accepts NULL. */
void sig_users_uncharge(long *counter);
/* The signals queued for uid's tasks. */
long sig_users_queued(const struct sig_users *su, uint32_t uid);

#endif
