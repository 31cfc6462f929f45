/*
 * passthrough.h - FUSE passthrough of rendered files (see passthrough.c):
 * reads of an open file served by the host kernel from a memfd.
 */
#ifndef SENTRY_PROCFS_PASSTHROUGH_H
#define SENTRY_PROCFS_PASSTHROUGH_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 35
#endif
#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procfs_pt;

/* The backings of the session on /dev/fuse descriptor dev_fd. Returns 0
 * or -errno. Passthrough stays off until procfs_pt_negotiated(). */
int procfs_pt_new(int dev_fd, struct procfs_pt **out);
void procfs_pt_free(struct procfs_pt *pt);

/* Whether to offer passthrough at INIT (not SENTRY_PROCFS_PASSTHROUGH=0). */
bool procfs_pt_wanted(const struct procfs_pt *pt);
/* The INIT reply accepted the kernel's passthrough offer. */
void procfs_pt_negotiated(struct procfs_pt *pt);
/* Whether passthrough was negotiated and still works. */
bool procfs_pt_enabled(const struct procfs_pt *pt);

/* Registers data as the contents of an open of inode ino. Returns the
 * backing id to reply with (shared with the inode's other live opens, if
 * any), or -errno: then serve the open with direct_io. Every success is
 * paired with one procfs_pt_release(). reader: the opener's user ID.
 * private: a file not everyone may read, put only in a memory file that
 * no other user (but root) has read a file through. */
int procfs_pt_open(struct procfs_pt *pt, uint64_t ino, const void *data,
		   size_t len, bool private, uid_t reader);
void procfs_pt_release(struct procfs_pt *pt, uint64_t ino);

/* Does one piece of deferred work (closes a released backing, or makes
 * a spare one); returns false when there is none. For loop threads
 * between requests. */
bool procfs_pt_idle(struct procfs_pt *pt);
/* Whether procfs_pt_idle() has anything to do. */
bool procfs_pt_has_idle_work(struct procfs_pt *pt);

#endif
