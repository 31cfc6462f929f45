/*
 * platform.h - how the kernel makes tasks run on the host.
 *
 * The kernel decides; the platform executes and mirrors (DESIGN §2). This
 * is the only interface between src/kernel/ and the host: the ptrace +
 * seccomp implementation lives in src/platform/ptrace/, a fake one for unit
 * tests in tests/fake_platform.c.
 *
 * Unless a function says otherwise it may be called from any thread; the
 * ptrace platform forwards calls made off its own thread to it and waits
 * for the answer.
 */
#ifndef SENTRY_PLATFORM_PLATFORM_H
#define SENTRY_PLATFORM_PLATFORM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct task;

struct platform;

struct platform_ops {
	/* Copies len bytes of the task's memory at addr into buf. Returns the
	 * number of bytes copied (possibly short at an unmapped page) or
	 * -errno. */
	ssize_t (*read_mem)(struct platform *p, struct task *t, uint64_t addr,
			    void *buf, size_t len);
	/* Copies buf into the task's memory. Returns bytes written or -errno. */
	ssize_t (*write_mem)(struct platform *p, struct task *t, uint64_t addr,
			     const void *buf, size_t len);
	/* Brings a running task to a stop where the kernel can hold it (an
	 * external stop). The task stays stopped while the kernel says it
	 * must (task_should_hold()). Returns 0 or -errno. */
	int (*interrupt)(struct platform *p, struct task *t);
	/* Lets a task the platform holds run again if the kernel no longer
	 * wants it held. Returns 0 or -errno. */
	int (*release)(struct platform *p, struct task *t);
	/* Rings the host doorbell for a signal: makes the task reach a host
	 * signal-delivery point for sig so the kernel can deliver. Returns 0
	 * or -errno. */
	int (*notify_signal)(struct platform *p, struct task *t, int sig);
	/* Reads the registers of a stopped task. Returns 0, -ESRCH for a task
	 * that is gone, -EBUSY for one that is running. */
	int (*get_regs)(struct platform *p, struct task *t,
			struct user_regs_struct *regs);
	/* Writes a backtrace of a stopped task into buf (one frame a line).
	 * Returns 0 or -errno. */
	int (*backtrace)(struct platform *p, struct task *t, char *buf,
			 size_t len);
};

struct platform {
	const struct platform_ops *ops;
};

static inline ssize_t plat_read_mem(struct platform *p, struct task *t,
				    uint64_t addr, void *buf, size_t len)
{
	return p->ops->read_mem(p, t, addr, buf, len);
}

static inline ssize_t plat_write_mem(struct platform *p, struct task *t,
				     uint64_t addr, const void *buf, size_t len)
{
	return p->ops->write_mem(p, t, addr, buf, len);
}

#endif
