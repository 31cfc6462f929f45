/*
 * This file implements the shared, immutable copy of a program's initial
 * environment (exec_env.h).
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/exec_env.h"

struct exec_env *exec_env_new(const char *data, size_t len)
{
	struct exec_env *e = malloc(sizeof(*e) + len);

	if (!e)
		return NULL;
	e->refs = 1;
	e->len = len;
	if (data)
		memcpy(e->data, data, len);
	return e;
}

struct exec_env *exec_env_get(struct exec_env *e)
{
	if (e)
		__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
	return e;
}

void exec_env_put(struct exec_env *e)
{
	if (e && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(e);
}
