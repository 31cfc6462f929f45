/*
 * This file implements sig_users.h: a small table of per-user counters
 * that is only ever appended to, so a counter's address stays valid for
 * the kernel's lifetime and an entry can carry it to its uncharge.
 */
#include "kernel/sig_users.h"

void sig_users_init(struct sig_users *su)
{
	pthread_mutex_init(&su->mu, NULL);
	su->nr = 0;
}

void sig_users_destroy(struct sig_users *su)
{
	pthread_mutex_destroy(&su->mu);
}

static struct sig_user_count *sig_users_find(const struct sig_users *su,
					     uint32_t uid)
{
	int nr = __atomic_load_n(&su->nr, __ATOMIC_ACQUIRE);

	for (int i = 0; i < nr; i++)
		if (su->u[i].uid == uid)
			return (struct sig_user_count *)&su->u[i];
	return NULL;
}

long *sig_users_charge(struct sig_users *su, uint32_t uid)
{
	struct sig_user_count *c = sig_users_find(su, uid);

	if (!c) {
		pthread_mutex_lock(&su->mu);
		c = sig_users_find(su, uid);
		if (!c && su->nr < SIG_USERS_MAX) {
			c = &su->u[su->nr];
			c->uid = uid;
			c->queued = 0;
			__atomic_store_n(&su->nr, su->nr + 1, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&su->mu);
		if (!c)
			return NULL;
	}
	__atomic_add_fetch(&c->queued, 1, __ATOMIC_RELAXED);
	return &c->queued;
}

void sig_users_uncharge(long *counter)
{
	if (counter)
		__atomic_sub_fetch(counter, 1, __ATOMIC_RELAXED);
}

long sig_users_queued(const struct sig_users *su, uint32_t uid)
{
	const struct sig_user_count *c = sig_users_find(su, uid);

	return c ? __atomic_load_n(&c->queued, __ATOMIC_RELAXED) : 0;
}
