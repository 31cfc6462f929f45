/*
 * This file implements signal dispositions (struct sighand) and pending
 * sets. Delivery rules live in signal_deliver.c, names in signames.c.
 */
#include "kernel/signals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/sig_users.h"

struct sighand *sighand_new(void)
{
	struct sighand *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	pthread_mutex_init(&sh->mu, NULL);
	sh->refs = 1;
	return sh;
}

struct sighand *sighand_copy(struct sighand *src)
{
	struct sighand *sh = sighand_new();

	if (!sh)
		return NULL;
	pthread_mutex_lock(&src->mu);
	memcpy(sh->actions, src->actions, sizeof(sh->actions));
	pthread_mutex_unlock(&src->mu);
	return sh;
}

void sighand_get(struct sighand *sh)
{
	__atomic_add_fetch(&sh->refs, 1, __ATOMIC_RELAXED);
}

void sighand_put(struct sighand *sh)
{
	if (!sh || __atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	pthread_mutex_destroy(&sh->mu);
	free(sh);
}

void sighand_reset_for_exec_locked(struct sighand *sh)
{
	/* Linux's flush_signal_handlers(): handlers become SIG_DFL, SIG_IGN
	 * stays (so nohup works), flags and masks are cleared. */
	for (int i = 0; i < SIG_MAX; i++) {
		struct sig_action *a = &sh->actions[i];

		if (a->handler != (uint64_t)(uintptr_t)SIG_IGN)
			a->handler = (uint64_t)(uintptr_t)SIG_DFL;
		a->flags = 0;
		a->restorer = 0;
		a->mask = 0;
	}
}

void sig_pending_init(struct sig_pending *p)
{
	p->set = 0;
	p->nr_queued = 0;
	CDS_INIT_LIST_HEAD(&p->queue);
}

void sig_pending_remove(struct sig_pending *p, struct sig_queued *q)
{
	cds_list_del(&q->node);
	p->nr_queued--;
	sig_users_uncharge(q->charged);
	free(q);
}

void sig_pending_clear(struct sig_pending *p)
{
	struct sig_queued *q, *tmp;

	cds_list_for_each_entry_safe(q, tmp, &p->queue, node)
		sig_pending_remove(p, q);
	p->set = 0;
}
