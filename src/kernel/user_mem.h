/*
 * user_mem.h - reading an application's memory through the platform.
 */
#ifndef SENTRY_KERNEL_USER_MEM_H
#define SENTRY_KERNEL_USER_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel;
struct task;

/* Reads a NUL-terminated string of at most len-1 bytes at addr into buf
 * (always terminated). Returns its length or -errno (-EFAULT when the
 * memory is not mapped). */
ssize_t user_read_string(struct kernel *k, struct task *t, uint64_t addr,
			 char *buf, size_t len);

#endif
