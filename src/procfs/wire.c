/*
 * This file implements the session's I/O layer: libfuse reads requests
 * and writes replies through it (fuse_session_custom_io, public since
 * libfuse 3.14), and it adds what libfuse 3.14 (Debian 12) cannot say on
 * the wire, by patching exactly three kinds of messages:
 *
 *   INIT    the kernel's request says what it offers; the reply gains
 *           FUSE_PASSTHROUGH (with max_stack_depth 1) and
 *           FUSE_OVER_IO_URING, each only if offered and wanted;
 *   OPEN    the reply that procfs_open() armed on this thread gains
 *           FOPEN_PASSTHROUGH and the backing id (and loses direct_io);
 *   any     reply to a request a ring delivered goes back into the
 *           ring's entry instead of to /dev/fuse (uring.c).
 *
 * Everything else passes through untouched. The backings themselves are
 * passthrough.c's, the rings uring.c's.
 */
#include <errno.h>
#include <linux/fuse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "procfs/passthrough.h"
#include "procfs/uring.h"
#include "procfs/wire.h"

/* Wire-format additions after Debian 12's linux-libc-dev (protocol 7.38),
 * from Linux's include/uapi/linux/fuse.h: 7.40 and 7.42. */
#define W_FUSE_PASSTHROUGH_FLAGS2 (1u << (37 - 32))  /* FUSE_PASSTHROUGH */
#define W_FUSE_OVER_IO_URING_FLAGS2 (1u << (41 - 32)) /* FUSE_OVER_IO_URING */
#define W_FOPEN_PASSTHROUGH (1u << 7)
#define W_FUSE_PASSTHROUGH_MINOR 40
#define W_FUSE_IO_URING_MINOR 42
/* The smallest payload the kernel's ring accepts (FUSE_MIN_READ_BUFFER). */
#define W_MIN_PAYLOAD 8192u

/* fuse_init_out of protocol 7.40: max_stack_depth replaced unused[0]. */
struct w_init_out {
	uint32_t major, minor, max_readahead, flags;
	uint16_t max_background, congestion_threshold;
	uint32_t max_write, time_gran;
	uint16_t max_pages, map_alignment;
	uint32_t flags2;
	uint32_t max_stack_depth;
	uint32_t unused[6];
};
_Static_assert(sizeof(struct w_init_out) == sizeof(struct fuse_init_out),
	       "fuse_init_out layout");
_Static_assert(offsetof(struct w_init_out, flags2) ==
	       offsetof(struct fuse_init_out, flags2), "fuse_init_out layout");

/* fuse_open_out of protocol 7.40: backing_id replaced padding. */
struct w_open_out {
	uint64_t fh;
	uint32_t open_flags;
	int32_t backing_id;
};
_Static_assert(sizeof(struct w_open_out) == sizeof(struct fuse_open_out),
	       "fuse_open_out layout");

struct procfs_wire {
	struct procfs_pt *pt;
	struct procfs_uring *ur;
	/* Set by the reader from the kernel's INIT, consumed by the INIT
	 * reply. Only the loop thread that handles INIT touches these,
	 * before any other request can arrive. */
	bool offers_pt, offers_uring;
	bool init_pending;
};

/* The OPEN reply this thread is about to send (procfs_wire_arm_...). */
static __thread int w_armed_backing;
static __thread uint64_t w_armed_fh;

static ssize_t w_read(int fd, void *buf, size_t len, void *userdata)
{
	struct procfs_wire *w = procfs_wire_of(userdata);
	ssize_t n = read(fd, buf, len);
	const struct fuse_in_header *in = buf;

	if (w && n >= (ssize_t)(sizeof(*in) + sizeof(struct fuse_init_in)) &&
	    in->opcode == FUSE_INIT) {
		const struct fuse_init_in *init = (const void *)(in + 1);
		bool ext = init->major == 7 && (init->flags & FUSE_INIT_EXT);

		w->offers_pt = ext && init->minor >= W_FUSE_PASSTHROUGH_MINOR &&
			       (init->flags2 & W_FUSE_PASSTHROUGH_FLAGS2);
		w->offers_uring = ext && init->minor >= W_FUSE_IO_URING_MINOR &&
				  (init->flags2 & W_FUSE_OVER_IO_URING_FLAGS2);
	}
	return n;
}

/* Patches the INIT reply; returns whether it accepts io_uring. */
static bool w_patch_init(struct procfs_wire *w, struct w_init_out *init)
{
	bool uring = false;

	if (w->offers_pt && procfs_pt_wanted(w->pt)) {
		init->flags |= FUSE_INIT_EXT;
		init->flags2 |= W_FUSE_PASSTHROUGH_FLAGS2;
		init->max_stack_depth = 1;
	}
	if (w->offers_uring && w->ur) {
		/* The kernel's bound on a request or reply body. */
		size_t payload = init->max_write;

		if ((size_t)init->max_pages * 4096 > payload)
			payload = (size_t)init->max_pages * 4096;
		if (payload < W_MIN_PAYLOAD)
			payload = W_MIN_PAYLOAD;
		uring = procfs_uring_offer(w->ur, payload);
		if (uring) {
			init->flags |= FUSE_INIT_EXT;
			init->flags2 |= W_FUSE_OVER_IO_URING_FLAGS2;
		}
	}
	return uring;
}

static ssize_t w_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct procfs_wire *w = procfs_wire_of(userdata);
	const struct fuse_out_header *out = iov[0].iov_base;
	ssize_t res;

	if (!w || count < 1 || iov[0].iov_len != sizeof(*out))
		return writev(fd, iov, count);
	if (count == 2 && out->error == 0 && out->unique != 0) {
		if (w->init_pending &&
		    iov[1].iov_len >= offsetof(struct w_init_out, unused)) {
			struct w_init_out *init = iov[1].iov_base;
			bool uring, pt;

			w->init_pending = false;
			uring = w_patch_init(w, init);
			pt = init->flags2 & W_FUSE_PASSTHROUGH_FLAGS2;
			res = writev(fd, iov, count);
			if (res >= 0 && pt)
				procfs_pt_negotiated(w->pt);
			procfs_uring_start(w->ur, uring && res >= 0);
			return res;
		}
		if (w_armed_backing > 0 &&
		    iov[1].iov_len == sizeof(struct w_open_out)) {
			struct w_open_out *open = iov[1].iov_base;

			if (open->fh == w_armed_fh) {
				open->open_flags &= ~(uint32_t)FOPEN_DIRECT_IO;
				open->open_flags |= W_FOPEN_PASSTHROUGH;
				open->backing_id = w_armed_backing;
			}
			w_armed_backing = 0;
		}
	}
	if (procfs_uring_reply(iov, count, &res))
		return res;
	return writev(fd, iov, count);
}

static const struct fuse_custom_io w_io = {
	.read = w_read,
	.writev = w_writev,
};

int procfs_wire_install(struct fuse_session *se, struct procfs_pt *pt,
			struct procfs_uring *ur, struct procfs_wire **out)
{
	struct procfs_wire *w = calloc(1, sizeof(*w));
	int err;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->pt = pt;
	w->ur = ur;
	/* The session keeps its fd; the layer only changes how it is read
	 * and written. */
	err = fuse_session_custom_io(se, &w_io, fuse_session_fd(se));
	if (err < 0) {
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

void procfs_wire_free(struct procfs_wire *w)
{
	free(w);
}

void procfs_wire_init_reply(struct procfs_wire *w)
{
	if (w)
		w->init_pending = true;
}

void procfs_wire_arm_passthrough(uint64_t fh, int backing_id)
{
	w_armed_fh = fh;
	w_armed_backing = backing_id;
}

void procfs_wire_disarm(void)
{
	w_armed_backing = 0;
}
