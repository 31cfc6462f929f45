/*
 * cgroup.h - the emulated cgroup hierarchy and membership.
 *
 * The hierarchy starts with the root cgroup holding every task. Nodes are
 * protected by the task set mutex (membership changes move tasks in the
 * tree).
 */
#ifndef SENTRY_KERNEL_CGROUP_H
#define SENTRY_KERNEL_CGROUP_H

#include <stdint.h>
#include <urcu/list.h>

struct cgroup {
	char name[64];                 /* immutable; "" for the root */
	struct cgroup *parent;         /* immutable */
	struct cds_list_head children; /* protected by ts.mu */
	struct cds_list_head sibling;  /* protected by ts.mu */
	int nr_procs;                  /* thread groups inside; ts.mu */
	uint64_t id;                   /* immutable */
};

struct cgroup *cg_new_root(void);
void cg_free_tree(struct cgroup *root);
/* Writes the cgroup's path ("/" for the root) into buf. */
void cg_path(const struct cgroup *cg, char *buf, size_t len);

#endif
