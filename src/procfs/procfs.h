/*
 * procfs.h - the FUSE introspection filesystem (/mnt/sentry), see
 * man/sentryfs.5 and DESIGN §6.
 */
#ifndef SENTRY_PROCFS_PROCFS_H
#define SENTRY_PROCFS_PROCFS_H

#include <sys/types.h>

struct kernel;
struct procfs;

/*
 * procfs_start mounts the filesystem for k at mountpoint (creating the
 * directory if needed and clearing a stale mount left by a crashed sentry)
 * and serves it from its own threads. Returns 0 and the handle in *out, or
 * -errno with a message in errbuf. On success errbuf is empty, or holds a
 * notice for the user (a stale mount was cleared) that the caller should
 * print. The environment variable SENTRY_PROCFS_THREADS (1..8, default 1)
 * sets the number of request threads.
 */
int procfs_start(struct kernel *k, const char *mountpoint,
		 struct procfs **out, char *errbuf, size_t errlen);

/* Unmounts and stops serving; frees fs. Safe to call with NULL. */
void procfs_stop(struct procfs *fs);

/* How a mount is served (sentryfs(5) PERFORMANCE): whether file contents
 * are passed through from memfds, how many io_uring queues deliver
 * requests (0: all come through /dev/fuse reads), and how many requests
 * came each way. */
struct procfs_transport {
	bool passthrough;
	int ring_queues;
	unsigned long ring_requests;
	unsigned long dev_requests;
};
void procfs_get_transport(const struct procfs *fs, struct procfs_transport *out);

/* Tells the filesystem that a task left the tree, so cached entries for
 * it are invalidated. Cheap; callable from the platform thread. */
void procfs_task_gone(struct procfs *fs, pid_t tid);

/*
 * procfs_read_path renders one file of the filesystem without FUSE, as a
 * read by the host thread caller (0: someone outside the sandbox) would
 * see it: path is relative to the mount point ("tasks/1/status"). Returns
 * 0 and a malloc'd, NUL-terminated buffer in *out and its length (without
 * the NUL) in *len, or -ENOENT, -ENOTDIR, -EISDIR, -ENOMEM... Call it from
 * a thread registered with rcu_register_thread().
 */
int procfs_read_path(struct kernel *k, const char *path, pid_t caller,
		     char **out, size_t *len);

/* procfs_list_path lists a directory as readdir would, one name a line
 * (without "." and ".."). Same contract as procfs_read_path(). */
int procfs_list_path(struct kernel *k, const char *path, char **out,
		     size_t *len);

#endif
