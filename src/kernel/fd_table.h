/*
 * fd_table.h - FD table identity and sharing.
 *
 * The descriptors themselves live in the host (DESIGN §2: files are
 * host-owned); the kernel tracks which tasks share one table, following
 * clone(CLONE_FILES), unshare(CLONE_FILES) and execve.
 */
#ifndef SENTRY_KERNEL_FD_TABLE_H
#define SENTRY_KERNEL_FD_TABLE_H

#include <stdint.h>

struct fd_table {
	uint64_t id;   /* immutable; unique for the life of the kernel */
	int refs;      /* atomic: number of tasks using this table */
};

/* Returns a new table with a fresh id and one reference, or NULL. */
struct fd_table *fdt_new(void);
void fdt_get(struct fd_table *t);
void fdt_put(struct fd_table *t);
/* Number of tasks sharing t (atomic read). */
int fdt_users(const struct fd_table *t);

#endif
