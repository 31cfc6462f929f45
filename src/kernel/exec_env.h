/*
 * exec_env.h - the environment a program was started with.
 *
 * Linux's /proc/PID/environ shows the bytes between the mm's env_start
 * and env_end: the environment strings the exec put on the new stack.
 * The kernel takes a copy of them when it parses that stack at exec
 * (task_exec.c), so that proc/PID/environ is served from the kernel's
 * own state instead of a read of the host's file per open. A fork shares
 * the parent's copy (its memory holds the same bytes); an exec replaces
 * it. Immutable once made; reference counted.
 *
 * A program that overwrites its environment strings in place (Linux
 * would show the new bytes) still shows those it was started with, as
 * proc/PID/cmdline shows the argv it was started with.
 */
#ifndef SENTRY_KERNEL_EXEC_ENV_H
#define SENTRY_KERNEL_EXEC_ENV_H

#include <stddef.h>

struct exec_env {
	int refs;     /* atomic */
	size_t len;   /* bytes of data: NUL-ended strings */
	char data[];
};

/* Returns an object of len bytes with one reference, or NULL: a copy of
 * data, or, when data is NULL, for the caller to fill. */
struct exec_env *exec_env_new(const char *data, size_t len);
/* Both accept NULL. */
struct exec_env *exec_env_get(struct exec_env *e);
void exec_env_put(struct exec_env *e);

#endif
