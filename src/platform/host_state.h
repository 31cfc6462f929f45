/*
 * host_state.h - what the host's /proc and sock_diag show of a host
 * thread that runs untrapped: the syscall it sleeps in, its descriptors,
 * and which unix sockets are connected to which.
 *
 * Not tied to a platform: any platform that runs sandboxed threads as
 * host threads (ptrace today) serves its read_host_* ops with these. They
 * read without stopping or otherwise disturbing the thread, so they may
 * be called from any thread, with no kernel lock held.
 */
#ifndef SENTRY_PLATFORM_HOST_STATE_H
#define SENTRY_PLATFORM_HOST_STATE_H

#include "platform/platform.h"

/* /proc/TID/stat's state and /proc/TID/syscall; with what's
 * HOST_STATE_* bits schedstat, wchan and sched too. */
int host_read_thread_state(pid_t host_tid, unsigned what,
			   struct host_thread_state *out);
/* /proc/TID/fd: each link and its open mode (the link's permission bits
 * say it: fs/proc/fd.c), sorted by fd. */
int host_read_fds(pid_t host_tid, struct host_fd **out);
/* /proc/TID/fdinfo/FD into buf (NUL-terminated); returns the length. */
int host_read_fdinfo(pid_t host_tid, int fd, char *buf, size_t len);
/* Every connected unix socket of the network namespace and its peer,
 * from NETLINK_SOCK_DIAG (UNIX_DIAG_PEER): ss -x's source. */
int host_read_unix_peers(struct host_unix_peer **out);
/* The whole of /proc/TID/name, malloc'd. */
int host_read_proc_file(pid_t host_tid, const char *name, char **out,
		   size_t *len);
/* /proc/locks: held locks and blocked requests. */
int host_read_locks(struct host_lock **out);
/* stat(2) through /proc/TID/fd/FD. */
int host_read_fd_inode(pid_t host_tid, int fd, unsigned *dev_major,
		       unsigned *dev_minor, uint64_t *ino);

#endif
