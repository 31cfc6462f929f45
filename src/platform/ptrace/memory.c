/*
 * This file implements access to a task's memory with process_vm_readv
 * and process_vm_writev: one syscall, any thread (no ptrace needed).
 */
#include <errno.h>
#include <sys/uio.h>

#include "kernel/task.h"
#include "platform/ptrace/internal.h"

ssize_t pt_read_mem(struct platform *p, struct task *t, uint64_t addr,
		    void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n = process_vm_readv(t->host_tid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

ssize_t pt_write_mem(struct platform *p, struct task *t, uint64_t addr,
		     const void *buf, size_t len)
{
	struct iovec local = { .iov_base = (void *)buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n = process_vm_writev(t->host_tid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}
