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
 * directory if needed and clearing a stale mount left by a crashed sentry,
 * reporting that through the log callback) and serves it from its own
 * threads. Returns 0 and the handle in *out, or -errno with a message in
 * errbuf.
 */
int procfs_start(struct kernel *k, const char *mountpoint,
		 struct procfs **out, char *errbuf, size_t errlen);

/* Unmounts and stops serving; frees fs. Safe to call with NULL. */
void procfs_stop(struct procfs *fs);

/* Tells the filesystem that a task left the tree, so cached entries for
 * it are invalidated. Cheap; callable from the platform thread. */
void procfs_task_gone(struct procfs *fs, pid_t tid);

#endif
