/*
 * wire.h - the session's I/O layer (see wire.c): what libfuse 3.14 cannot
 * say on the FUSE wire, namely passthrough opens and FUSE over io_uring.
 */
#ifndef SENTRY_PROCFS_WIRE_H
#define SENTRY_PROCFS_WIRE_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 35
#endif
#include <fuse_lowlevel.h>
#include <stdint.h>

struct procfs_pt;
struct procfs_uring;
struct procfs_wire;

/* The wire layer of the session whose userdata is fs (procfs.c). */
struct procfs_wire *procfs_wire_of(void *fs);

/* Installs the layer on a mounted session, before its first request.
 * pt and ur (either may be NULL) are what INIT may negotiate. Returns 0
 * or -errno (then the session is unchanged). */
int procfs_wire_install(struct fuse_session *se, struct procfs_pt *pt,
			struct procfs_uring *ur, struct procfs_wire **out);
void procfs_wire_free(struct procfs_wire *w);

/* Called from the session's init callback: the next reply is INIT's. */
void procfs_wire_init_reply(struct procfs_wire *w);

/* Marks the OPEN reply this thread sends next (for handle fh) as a
 * passthrough open of backing_id; disarm after sending it. */
void procfs_wire_arm_passthrough(uint64_t fh, int backing_id);
void procfs_wire_disarm(void);

#endif
