/*
 * This file implements the emulated cgroup hierarchy. Today it holds the
 * root cgroup, which every thread group joins at creation; controllers and
 * moves between cgroups are future work (see man/sentryfs.5).
 */
#include "kernel/cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t cg_next_id = 1; /* atomic */

struct cgroup *cg_new_root(void)
{
	struct cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	CDS_INIT_LIST_HEAD(&cg->children);
	CDS_INIT_LIST_HEAD(&cg->sibling);
	cg->id = __atomic_fetch_add(&cg_next_id, 1, __ATOMIC_RELAXED);
	return cg;
}

void cg_free_tree(struct cgroup *root)
{
	struct cgroup *c, *tmp;

	if (!root)
		return;
	cds_list_for_each_entry_safe(c, tmp, &root->children, sibling)
		cg_free_tree(c);
	free(root);
}

void cg_path(const struct cgroup *cg, char *buf, size_t len)
{
	size_t n, name_len;

	if (!len)
		return;
	if (!cg->parent) {
		/* Every snapshot of a task takes this path: no printf. */
		if (len > 1)
			buf[0] = '/';
		buf[len > 1] = '\0';
		return;
	}
	cg_path(cg->parent, buf, len);
	n = strlen(buf);
	/* The root's path is "/"; deeper paths get "/NAME" appended,
	 * truncated to len - 1 bytes as snprintf would. */
	if (n == 1)
		n = 0;
	if (n + 1 >= len)
		return;
	buf[n++] = '/';
	name_len = strlen(cg->name);
	if (name_len > len - 1 - n)
		name_len = len - 1 - n;
	memcpy(buf + n, cg->name, name_len);
	buf[n + name_len] = '\0';
}
