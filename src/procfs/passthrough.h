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

struct procfs_pt;

/* The passthrough state of the session whose userdata is fs (procfs.c). */
struct procfs_pt *procfs_pt_of(void *fs);

/* Installs the I/O layer on a mounted session, before its first request.
 * Returns 0 or -errno (then the session is unchanged). */
int procfs_pt_install(struct fuse_session *se, struct procfs_pt **out);
void procfs_pt_free(struct procfs_pt *pt);

/* Called from the session's init callback: the next reply is INIT's. */
void procfs_pt_init_reply(struct procfs_pt *pt);
/* Whether passthrough was negotiated and still works. */
bool procfs_pt_enabled(const struct procfs_pt *pt);

/* Registers data as the contents of an open of inode ino. Returns the
 * backing id to reply with (shared with the inode's other live opens, if
 * any), or -errno: then serve the open with direct_io. Every success is
 * paired with one procfs_pt_release(). */
int procfs_pt_open(struct procfs_pt *pt, uint64_t ino, const void *data,
		   size_t len);
void procfs_pt_release(struct procfs_pt *pt, uint64_t ino);

/* Does one piece of deferred work (closes a released backing, or makes
 * a spare one); returns false when there is none. For loop threads
 * between requests. */
bool procfs_pt_idle(struct procfs_pt *pt);

/* Marks the OPEN reply this thread sends next (for handle fh) as a
 * passthrough open of backing_id; disarm after sending it. */
void procfs_pt_arm(uint64_t fh, int backing_id);
void procfs_pt_disarm(void);

#endif
