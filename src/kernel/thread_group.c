/*
 * This file implements thread groups, process groups and sessions: their
 * allocation and membership. setpgid(2) and setsid(2) are in
 * syscalls/identity.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/task_set_internal.h"

struct thread_group *tg_alloc(pid_t tgid)
{
	struct thread_group *tg = calloc(1, sizeof(*tg));

	if (!tg)
		return NULL;
	tg->tgid = tgid;
	tg->refs = 1;
	CDS_INIT_LIST_HEAD(&tg->tasks);
	CDS_INIT_LIST_HEAD(&tg->children);
	CDS_INIT_LIST_HEAD(&tg->child_node);
	CDS_INIT_LIST_HEAD(&tg->pgrp_node);
	sig_pending_init(&tg->shared_pending);
	cds_lfht_node_init(&tg->ts_node);
	return tg;
}

static void tg_free_rcu(struct rcu_head *head)
{
	struct thread_group *tg =
		caa_container_of(head, struct thread_group, rcu);

	rcu_callback_begin();
	sig_pending_clear(&tg->shared_pending);
	sighand_put(tg->sighand);
	free(tg);
}

void tg_release(struct thread_group *tg)
{
	if (__atomic_sub_fetch(&tg->refs, 1, __ATOMIC_ACQ_REL) == 0)
		call_rcu(&tg->rcu, tg_free_rcu);
}

pid_t tg_ppid(const struct thread_group *tg)
{
	const struct thread_group *p = CMM_LOAD_SHARED(tg->parent);

	return p ? CMM_LOAD_SHARED(p->tgid) : 0;
}

struct session *session_find_locked(struct kernel *k, pid_t sid)
{
	struct session *s;

	cds_list_for_each_entry(s, &k->ts.sessions, node)
		if (s->sid == sid)
			return s;
	return NULL;
}

struct session *session_new_locked(struct kernel *k, pid_t sid)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->sid = sid;
	cds_list_add_tail(&s->node, &k->ts.sessions);
	return s;
}

struct process_group *pgrp_find_locked(struct kernel *k, pid_t pgid)
{
	struct process_group *pg;

	cds_list_for_each_entry(pg, &k->ts.pgrps, node)
		if (pg->pgid == pgid)
			return pg;
	return NULL;
}

int tg_join_pgrp_locked(struct kernel *k, struct thread_group *tg,
			struct session *s, pid_t pgid)
{
	struct process_group *pg = pgrp_find_locked(k, pgid);

	if (!pg) {
		pg = calloc(1, sizeof(*pg));
		if (!pg)
			return -ENOMEM;
		pg->pgid = pgid;
		pg->session = s;
		CDS_INIT_LIST_HEAD(&pg->members);
		cds_list_add_tail(&pg->node, &k->ts.pgrps);
		s->nr_pgrps++;
		if (!s->foreground)
			s->foreground = pgid;
	}
	if (tg->pgrp == pg)
		return 0;
	if (tg->pgrp)
		tg_leave_pgrp_locked(k, tg);
	tg->pgrp = pg;
	cds_list_add_tail(&tg->pgrp_node, &pg->members);
	pg->nr_members++;
	return 0;
}

void tg_leave_pgrp_locked(struct kernel *k, struct thread_group *tg)
{
	struct process_group *pg = tg->pgrp;
	struct session *s;

	if (!pg)
		return;
	cds_list_del_init(&tg->pgrp_node);
	tg->pgrp = NULL;
	if (--pg->nr_members > 0)
		return;
	s = pg->session;
	cds_list_del(&pg->node);
	/* Readers only reach process groups under ts.mu, so the group can go
	 * at once. */
	free(pg);
	if (--s->nr_pgrps == 0) {
		cds_list_del(&s->node);
		free(s);
	}
}
