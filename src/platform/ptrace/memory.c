/*
 * This file implements access to a task's memory with process_vm_readv
 * and process_vm_writev: one syscall, any thread (no ptrace needed).
 */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernel/task.h"
#include "platform/ptrace/internal.h"

/* A read of one word (the sigset of rt_sigsuspend or rt_sigaction's
 * mask, say) from a stopped tracee, on the platform thread, uses
 * PTRACE_PEEKDATA: measured cheaper than process_vm_readv, which pins
 * pages; for longer reads one process_vm_readv beats several peeks. */
#define PEEK_MAX 8

static ssize_t peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t a = (addr + done) & ~(uint64_t)7;
		size_t off = (size_t)(addr + done - a), n = 8 - off;
		long w;

		errno = 0;
		w = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)a, NULL);
		if (errno)
			return done ? (ssize_t)done : -errno;
		if (n > len - done)
			n = len - done;
		memcpy((char *)buf + done, (char *)&w + off, n);
		done += n;
	}
	return (ssize_t)done;
}

/* The host thread behind t. On the platform thread, its own record: at
 * the exec event of a non-leader, the thread already has the leader's TID
 * while the kernel's task still has its former one until task_exec(). */
static pid_t host_tid_of(struct ptrace_platform *pp, struct task *t)
{
	struct pt_task *pt = pt_task_of(pp, t);

	return pt ? pt->host_tid : CMM_LOAD_SHARED(t->host_tid);
}

ssize_t pt_read_mem(struct platform *p, struct task *t, uint64_t addr,
		    void *buf, size_t len)
{
	struct ptrace_platform *pp = (struct ptrace_platform *)p;
	pid_t host = host_tid_of(pp, t);

	if (len <= PEEK_MAX && pt_on_platform_thread(pp)) {
		ssize_t n = peek(host, addr, buf, len);

		/* ESRCH: not stopped after all; fall back. */
		if (n != -ESRCH)
			return n;
	}
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n = process_vm_readv(host, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

ssize_t pt_write_mem(struct platform *p, struct task *t, uint64_t addr,
		     const void *buf, size_t len)
{
	struct iovec local = { .iov_base = (void *)buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n = process_vm_writev(host_tid_of((struct ptrace_platform *)p,
						  t),
				      &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}
