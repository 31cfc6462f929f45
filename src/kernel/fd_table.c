/*
 * This file implements FD table identity: which tasks share a table. The
 * descriptors themselves are the host's.
 */
#include "kernel/fd_table.h"

#include <stdlib.h>

static uint64_t fdt_next_id = 1; /* atomic */

struct fd_table *fdt_new(void)
{
	struct fd_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = __atomic_fetch_add(&fdt_next_id, 1, __ATOMIC_RELAXED);
	t->refs = 1;
	return t;
}

void fdt_get(struct fd_table *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void fdt_put(struct fd_table *t)
{
	if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(t);
}

int fdt_users(const struct fd_table *t)
{
	return __atomic_load_n(&t->refs, __ATOMIC_RELAXED);
}
