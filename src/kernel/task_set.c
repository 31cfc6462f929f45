/*
 * This file implements the task set: RCU hash tables of tasks by TID and
 * thread groups by TGID, and the lists of sessions and process groups.
 *
 * Lookups run under rcu_read_lock() alone and never block the platform
 * thread; insertions and removals hold ts.mu for writing.
 */
#include <errno.h>
#include <stdlib.h>

#include "kernel/kernel.h"
#include "kernel/task_set_internal.h"

static unsigned long tid_hash(pid_t tid)
{
	/* TIDs are dense small integers; spread them with a multiplicative
	 * hash so the split-ordered table's buckets fill evenly. */
	return (unsigned long)(uint32_t)tid * 2654435761UL;
}

static int task_match(struct cds_lfht_node *node, const void *key)
{
	const struct task *t = caa_container_of(node, struct task, ts_node);

	return t->tid == *(const pid_t *)key;
}

static int tg_match(struct cds_lfht_node *node, const void *key)
{
	const struct thread_group *tg =
		caa_container_of(node, struct thread_group, ts_node);

	return tg->tgid == *(const pid_t *)key;
}

int ts_init(struct task_set *ts)
{
	pthread_rwlockattr_t attr;

	/* Writers first: the platform thread writes the tree on every clone
	 * and exit, and a reader walking the whole tree (ls -R, a dump) must
	 * not starve it. The lock is never taken recursively for reading,
	 * which this kind requires. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&ts->mu, &attr);
	pthread_rwlockattr_destroy(&attr);
	CDS_INIT_LIST_HEAD(&ts->sessions);
	CDS_INIT_LIST_HEAD(&ts->pgrps);
	ts->tasks = cds_lfht_new(64, 64, 0, CDS_LFHT_AUTO_RESIZE, NULL);
	ts->tgs = cds_lfht_new(64, 64, 0, CDS_LFHT_AUTO_RESIZE, NULL);
	ts->cgroup_root = cg_new_root();
	if (!ts->tasks || !ts->tgs || !ts->cgroup_root)
		return -ENOMEM;
	return 0;
}

void ts_destroy(struct task_set *ts)
{
	if (ts->tasks)
		cds_lfht_destroy(ts->tasks, NULL);
	if (ts->tgs)
		cds_lfht_destroy(ts->tgs, NULL);
	cg_free_tree(ts->cgroup_root);
	pthread_rwlock_destroy(&ts->mu);
}

struct task *task_lookup_rcu(struct kernel *k, pid_t tid)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	cds_lfht_lookup(k->ts.tasks, tid_hash(tid), task_match, &tid, &iter);
	node = ts_iter_node(&iter);
	return node ? caa_container_of(node, struct task, ts_node) : NULL;
}

struct thread_group *tg_lookup_rcu(struct kernel *k, pid_t tgid)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	cds_lfht_lookup(k->ts.tgs, tid_hash(tgid), tg_match, &tgid, &iter);
	node = ts_iter_node(&iter);
	return node ? caa_container_of(node, struct thread_group, ts_node)
		    : NULL;
}

struct task *task_get_by_tid(struct kernel *k, pid_t tid)
{
	struct task *t;

	rcu_read_lock();
	t = task_lookup_rcu(k, tid);
	if (t && !task_tryget(t))
		t = NULL;
	rcu_read_unlock();
	return t;
}

int ts_insert_task_locked(struct kernel *k, struct task *t)
{
	struct cds_lfht_node *old;

	rcu_published(&t->ts_node);
	old = cds_lfht_add_unique(k->ts.tasks, tid_hash(t->tid), task_match,
				  &t->tid, &t->ts_node);
	if (old != &t->ts_node)
		return -EEXIST;
	k->ts.nr_tasks++;
	return 0;
}

void ts_remove_task_locked(struct kernel *k, struct task *t)
{
	if (cds_lfht_del(k->ts.tasks, &t->ts_node) == 0)
		k->ts.nr_tasks--;
}

int ts_insert_tg_locked(struct kernel *k, struct thread_group *tg)
{
	struct cds_lfht_node *old;

	rcu_published(&tg->ts_node);
	old = cds_lfht_add_unique(k->ts.tgs, tid_hash(tg->tgid), tg_match,
				  &tg->tgid, &tg->ts_node);
	if (old != &tg->ts_node)
		return -EEXIST;
	k->ts.nr_tgs++;
	return 0;
}

void ts_remove_tg_locked(struct kernel *k, struct thread_group *tg)
{
	if (cds_lfht_del(k->ts.tgs, &tg->ts_node) == 0)
		k->ts.nr_tgs--;
}

/* Orders PIDs for sorted listings. */
static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int ts_list_tids(struct kernel *k, bool groups_only, pid_t **out)
{
	struct cds_lfht *ht = groups_only ? k->ts.tgs : k->ts.tasks;
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	size_t n = 0, cap = 256;
	pid_t *v = malloc(cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	rcu_read_lock();
	ts_for_each_node(ht, &iter, node) {
		if (n == cap) {
			pid_t *nv = realloc(v, (cap *= 2) * sizeof(*v));

			if (!nv)
				goto err_unlock;
			v = nv;
		}
		v[n++] = groups_only
				 ? CMM_LOAD_SHARED(caa_container_of(
					   node, struct thread_group, ts_node)->tgid)
				 : CMM_LOAD_SHARED(caa_container_of(
					   node, struct task, ts_node)->tid);
	}
	rcu_read_unlock();
	if (n == 0) {
		/* Callers free only what they count: nothing for none. */
		free(v);
		v = NULL;
	} else {
		qsort(v, n, sizeof(*v), pid_cmp);
	}
	*out = v;
	return (int)n;

err_unlock:
	rcu_read_unlock();
	free(v);
	return -ENOMEM;
}
