/*
 * task_set.h - the task tree of one kernel (gVisor's TaskSet with its one
 * PID namespace: the sandbox's).
 */
#ifndef SENTRY_KERNEL_TASK_SET_H
#define SENTRY_KERNEL_TASK_SET_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <urcu/list.h>

#include "kernel/rcu.h"

struct cgroup;
struct thread_group;

struct task_set {
	/* mu protects the tree (see kernel.h). Writers: the platform thread
	 * and control requests; readers take it for reading only to copy
	 * relations that span objects (children lists, members). It prefers
	 * writers, so it must never be taken twice for reading by one
	 * thread. */
	pthread_rwlock_t mu;

	/* tasks by TID and thread groups by TGID. RCU hash tables: lookups
	 * under rcu_read_lock() without mu; insertions and removals with mu
	 * held for writing. */
	struct cds_lfht *tasks;
	struct cds_lfht *tgs;

	/* Sessions and process groups. Protected by mu. */
	struct cds_list_head sessions;
	struct cds_list_head pgrps;

	/* The init thread group (TGID 1), NULL before it starts and after it
	 * is reaped. Protected by mu. */
	struct thread_group *init;

	/* Counts of live objects. Protected by mu (atomic reads are fine for
	 * reporting). */
	int nr_tasks;
	int nr_tgs;

	/* The root of the cgroup hierarchy. Immutable pointer. */
	struct cgroup *cgroup_root;
};

struct kernel;

/*
 * ts_list_tids returns in *out a sorted, malloc'd array of the TIDs of all
 * tasks (or, with groups_only, the TGIDs of all thread groups) and their
 * number (with *out NULL when it is 0), or -ENOMEM. Takes the RCU read
 * lock itself; never blocks the platform thread.
 */
int ts_list_tids(struct kernel *k, bool groups_only, pid_t **out);

/*
 * ts_iter_node is cds_lfht_iter_get_node() for readers of ts.tasks and
 * ts.tgs: the node the iterator is at, or NULL, ordered after its
 * publication (kernel/rcu.h). Preconditions: rcu_read_lock() held.
 */
static inline struct cds_lfht_node *ts_iter_node(struct cds_lfht_iter *iter)
{
	struct cds_lfht_node *node = cds_lfht_iter_get_node(iter);

	if (node)
		rcu_found(node);
	return node;
}

/*
 * ts_for_each_node iterates the nodes of an RCU hash table (ts.tasks or
 * ts.tgs); take the object with caa_container_of(node, ...). Unlike
 * cds_lfht_for_each_entry it never forms a pointer from a NULL node, which
 * UBSan rightly rejects. Preconditions: rcu_read_lock() held.
 */
#define ts_for_each_node(ht, iter, node)                                  \
	for (cds_lfht_first((ht), (iter)), (node) = ts_iter_node(iter);   \
	     (node); cds_lfht_next((ht), (iter)), (node) = ts_iter_node(iter))
#endif
