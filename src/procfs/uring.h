/*
 * uring.h - FUSE over io_uring (see uring.c): requests delivered to a
 * loop thread on the requesting CPU instead of through /dev/fuse reads.
 */
#ifndef SENTRY_PROCFS_URING_H
#define SENTRY_PROCFS_URING_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 35
#endif
#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

struct procfs_pt;
struct procfs_uring;

/* Whether rings are wanted: not with SENTRY_PROCFS_URING=0, and only as
 * root. If wanted, turns on the fuse module's enable_uring parameter
 * (Linux 6.14+), which the kernel reads when the filesystem is mounted. */
bool procfs_uring_switch_on(void);

/* Starts one loop thread per possible CPU, each with its own ring, idle
 * until procfs_uring_start(). Call after mounting, before the session's
 * first request. Returns 0 or -errno (then *out is NULL). */
int procfs_uring_prepare(struct fuse_session *se, struct procfs_pt *pt,
			 struct procfs_uring **out);

/* Before the INIT reply: whether to accept the kernel's io_uring offer.
 * max_payload is the largest request or reply body the kernel may move
 * (from the reply's max_write and max_pages); the entries' buffers are
 * made here, because once the reply accepts, the kernel holds every
 * request until all queues have registered. */
bool procfs_uring_offer(struct procfs_uring *ur, size_t max_payload);

/* After the INIT reply has reached the kernel: accepted says whether it
 * accepted the offer. The threads register their rings, or end. */
void procfs_uring_start(struct procfs_uring *ur, bool accepted);

/* Whether the rings are serving requests (/dev/fuse then carries only
 * FORGET, INTERRUPT and the like). */
bool procfs_uring_active(const struct procfs_uring *ur);

/* The number of queues (one per possible CPU) if active, else 0; and how
 * many requests the rings have delivered. */
int procfs_uring_queues(const struct procfs_uring *ur);
unsigned long procfs_uring_served(const struct procfs_uring *ur);

/* For the session's writev: if the reply in iov answers the request
 * this thread is serving from a ring, stores it in the ring entry,
 * sets *res to what writev would have returned and returns true. */
bool procfs_uring_reply(const struct iovec *iov, int count, ssize_t *res);

/* Ends the threads and closes the rings. Then close /dev/fuse: the
 * kernel aborts requests still routed to the rings (procfs_stop). */
void procfs_uring_stop(struct procfs_uring *ur);

#endif
