/*
 * This file implements FUSE passthrough for rendered files: the file's
 * contents are written to a memfd at open, the memfd is registered with
 * the kernel as the open file's backing file (FOPEN_PASSTHROUGH, Linux
 * 6.9+), and every read of that open file is served by the host kernel
 * from the memfd without a request to us.
 *
 * Why: with direct_io, `cat FILE` costs three synchronous round trips to
 * the daemon (OPEN, READ, READ at EOF). With passthrough it costs one
 * (OPEN). That, not rendering, is what kept `ps` and `cat tasks/N/status` on
 * the mount several times slower than the host's /proc (DESIGN §6).
 *
 * The wire side (offering FUSE_PASSTHROUGH at INIT, putting the backing id
 * in the OPEN reply) is in wire.c: libfuse 3.14 knows neither. This file
 * keeps the backings. Without the kernel's offer, without CAP_SYS_ADMIN
 * (FUSE_DEV_IOC_BACKING_OPEN needs it) or with SENTRY_PROCFS_PASSTHROUGH=0,
 * opens fall back to direct_io.
 *
 * One backing file per inode: the kernel refuses a passthrough open whose
 * backing differs from that of another open of the same inode (EBUSY),
 * and refuses a direct_io open of an inode open in passthrough (EINVAL).
 * So each inode with a live passthrough open keeps its backing here, in
 * `live`, and a second concurrent open of it renders afresh into a new
 * memfd only once the first is released; until then it gets the same
 * snapshot. See procfs_pt_open().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procfs/passthrough.h"

struct pt_backing_map {
	int32_t fd;
	uint32_t flags;
	uint64_t padding;
};
#define PT_DEV_IOC_BACKING_OPEN _IOW(229, 1, struct pt_backing_map)
#define PT_DEV_IOC_BACKING_CLOSE _IOW(229, 2, uint32_t)

/* Who may have kept a mapping of a backing: a reader that opened a file
 * through it (see "Reuse" below). Root reads everything anyway and does
 * not count. */
#define PT_SEEN_BY_NOBODY ((uid_t)-1)
#define PT_SEEN_BY_MANY ((uid_t)-2)

/* A memfd registered as a backing file, and how many bytes it holds. */
struct pt_backing {
	int fd;
	int id;
	size_t len;
	/* The memfd's first PT_RECYCLE_MAX bytes mapped shared, or NULL:
	 * contents no longer than that are copied in without a system call
	 * when their length is the backing's, which the pool prefers. */
	char *map;
	/* PT_SEEN_BY_NOBODY, the one user other than root that has opened
	 * a file through it, or PT_SEEN_BY_MANY. */
	uid_t seen_by;
};

/* An inode with live passthrough opens, and the backing they share. */
struct pt_live {
	struct pt_live *next;
	uint64_t ino;
	struct pt_backing b;
	unsigned opens;
};

#define PT_LIVE_BUCKETS 1024
/* Spare backings: made ahead of need between requests (procfs_pt_idle),
 * and released ones kept registered and reused, so an OPEN costs a
 * memcpy into the backing's mapping (and an ftruncate when the length
 * changes) instead of memfd_create, two ioctls and a close: a quarter of
 * the loop thread's time per open, measured with perf on `cat
 * tasks/1/status` in a loop. With a pwrite instead of the memcpy, taking
 * the backing and filling it took 0.88 us per OPEN of tasks/N/status (of
 * 3 us in user space); now 0.23.
 * Reuse is safe because RELEASE comes after the last descriptor of every
 * open that read the backing is gone: no reader can see the new contents,
 * except through a mapping made through the file and kept after close
 * (passthrough maps the memfd itself). Such a mapping sees later renders
 * of other files. So a file not everyone may read (proc/PID/environ)
 * goes only into a backing that no user but its reader (and root) has
 * ever opened a file through: a kept mapping then shows only what its
 * holder may open anyway. Each backing records who has (seen_by).
 * sentryfs(5) tells readers not to map these files, as Linux's /proc
 * refuses mmap altogether.
 * Backings grown past PT_RECYCLE_MAX bytes are not reused but closed, so
 * the pool's memory stays small; so are those that find the pool full. */
#define PT_SPARE_MAX 32
/* procfs_pt_idle() makes new ones only below this many: above it, the
 * released ones keep the pool stocked. */
#define PT_SPARE_LOW 4
#define PT_DEAD_MAX 256
#define PT_RECYCLE_MAX (64u << 10)
/* Backings with a mapping at most (see pt_backing_new). */
#define PT_MAPPED_MAX 1024

struct procfs_pt {
	int dev_fd;                /* the session's /dev/fuse fd */
	bool disabled;             /* SENTRY_PROCFS_PASSTHROUGH=0 */
	/* Whether passthrough was negotiated and still works: set at INIT
	 * (wire.c), cleared by any loop thread that finds it refused.
	 * Atomic. */
	bool on;
	/* Protected by mu: inodes with live passthrough opens; spare
	 * backings; released backings still to close. */
	pthread_mutex_t mu;
	struct pt_live *live[PT_LIVE_BUCKETS];
	struct pt_backing spare[PT_SPARE_MAX];
	size_t nr_spare;
	struct pt_backing dead[PT_DEAD_MAX];
	size_t nr_dead;
	/* Backings with a mapping. Atomic. */
	unsigned nr_mapped;
};

int procfs_pt_new(int dev_fd, struct procfs_pt **out)
{
	const char *env = getenv("SENTRY_PROCFS_PASSTHROUGH");
	struct procfs_pt *pt = calloc(1, sizeof(*pt));

	*out = NULL;
	if (!pt)
		return -ENOMEM;
	/* Its own descriptor: the rings (uring.c) may still open and
	 * release files after the session has closed its own at unmount. */
	pt->dev_fd = fcntl(dev_fd, F_DUPFD_CLOEXEC, 0);
	if (pt->dev_fd < 0) {
		int err = -errno;

		free(pt);
		return err;
	}
	pt->disabled = env && !strcmp(env, "0");
	pthread_mutex_init(&pt->mu, NULL);
	*out = pt;
	return 0;
}

bool procfs_pt_wanted(const struct procfs_pt *pt)
{
	return pt && !pt->disabled;
}

void procfs_pt_negotiated(struct procfs_pt *pt)
{
	__atomic_store_n(&pt->on, true, __ATOMIC_RELEASE);
}

bool procfs_pt_enabled(const struct procfs_pt *pt)
{
	return pt && __atomic_load_n(&pt->on, __ATOMIC_ACQUIRE);
}

/* A new empty memfd registered as a backing file. Returns 0 or -errno. */
static int pt_backing_new(struct procfs_pt *pt, struct pt_backing *out)
{
	struct pt_backing_map map = { 0 };
	int fd = memfd_create("sentryfs", MFD_CLOEXEC);
	int id;

	if (fd < 0)
		return -errno;
	map.fd = fd;
	id = ioctl(pt->dev_fd, PT_DEV_IOC_BACKING_OPEN, &map);
	if (id < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	out->fd = fd;
	out->id = id;
	out->len = 0;
	out->seen_by = PT_SEEN_BY_NOBODY;
	/* A mapping each, up to PT_MAPPED_MAX of them: live backings are one
	 * per open inode and unbounded, and the sentry's other mappings
	 * (thread stacks, large allocations) share vm.max_map_count. */
	out->map = NULL;
	if (__atomic_add_fetch(&pt->nr_mapped, 1, __ATOMIC_RELAXED) <=
	    PT_MAPPED_MAX) {
		out->map = mmap(NULL, PT_RECYCLE_MAX, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0);
		if (out->map == MAP_FAILED)
			out->map = NULL; /* filled with pwrite(2) instead */
	}
	if (!out->map)
		__atomic_sub_fetch(&pt->nr_mapped, 1, __ATOMIC_RELAXED);
	return 0;
}

static void pt_backing_unmap(struct procfs_pt *pt, struct pt_backing *b)
{
	if (!b->map)
		return;
	munmap(b->map, PT_RECYCLE_MAX);
	b->map = NULL;
	__atomic_sub_fetch(&pt->nr_mapped, 1, __ATOMIC_RELAXED);
}

static void pt_backing_close(struct procfs_pt *pt, struct pt_backing *b)
{
	uint32_t u = (uint32_t)b->id;

	ioctl(pt->dev_fd, PT_DEV_IOC_BACKING_CLOSE, &u);
	pt_backing_unmap(pt, b);
	close(b->fd);
}

/* Makes data the whole contents of b's memfd: through the mapping when it
 * covers them (an ftruncate first unless the length is unchanged; the
 * pages past the end of the file must not be touched), else pwrite. */
static int pt_backing_fill(struct pt_backing *b, const void *data, size_t len)
{
	if (b->map && len <= PT_RECYCLE_MAX) {
		if (len != b->len && ftruncate(b->fd, (off_t)len) < 0)
			return -errno;
		if (len) /* an empty render has no data at all */
			memcpy(b->map, data, len);
		b->len = len;
		return 0;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = pwrite(b->fd, (const char *)data + off, len - off,
				   (off_t)off);

		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (size_t)w;
	}
	if (len < b->len && ftruncate(b->fd, (off_t)len) < 0)
		return -errno;
	b->len = len;
	return 0;
}

static struct pt_live **pt_live_slot(struct procfs_pt *pt, uint64_t ino)
{
	struct pt_live **p = &pt->live[(ino ^ (ino >> 17)) % PT_LIVE_BUCKETS];

	while (*p && (*p)->ino != ino)
		p = &(*p)->next;
	return p;
}

/* Records that reader opened a file through b. */
static void pt_backing_seen(struct pt_backing *b, uid_t reader)
{
	if (reader == 0 || b->seen_by == reader)
		return;
	b->seen_by = b->seen_by == PT_SEEN_BY_NOBODY ? reader
						     : PT_SEEN_BY_MANY;
}

/* Whether reader may be given the private file's contents in b: nobody
 * else could have kept a mapping of it. */
static bool pt_backing_private_to(const struct pt_backing *b, uid_t reader)
{
	return b->seen_by == PT_SEEN_BY_NOBODY ||
	       (reader != 0 && b->seen_by == reader);
}

/* Takes a spare backing for len bytes, or makes one. Called without mu.
 * Prefers a spare of exactly len bytes (filling it is a memcpy), then the
 * fullest that len covers (filling it shrinks nothing). */
static int pt_backing_get(struct procfs_pt *pt, size_t len, bool private,
			  uid_t reader, struct pt_backing *out)
{
	size_t best = SIZE_MAX;
	int err;

	pthread_mutex_lock(&pt->mu);
	for (size_t i = 0; i < pt->nr_spare; i++) {
		const struct pt_backing *s = &pt->spare[i];

		if (private && !pt_backing_private_to(s, reader))
			continue;
		if (s->len == len) {
			best = i;
			break;
		}
		if (best != SIZE_MAX) {
			size_t b = pt->spare[best].len;

			/* The fullest that len covers, else any. */
			if (s->len > len || (b <= len && s->len <= b))
				continue;
		}
		best = i;
	}
	if (best != SIZE_MAX) {
		*out = pt->spare[best];
		pt->spare[best] = pt->spare[--pt->nr_spare];
		pthread_mutex_unlock(&pt->mu);
	} else {
		pthread_mutex_unlock(&pt->mu);
		err = pt_backing_new(pt, out);
		if (err < 0)
			return err;
	}
	pt_backing_seen(out, reader);
	return 0;
}

/* Takes back a backing whose opens have all been released: kept as a
 * spare if small and there is room, else queued for closing. */
static void pt_backing_put_locked(struct procfs_pt *pt, struct pt_backing *b,
				  struct pt_backing *overflow, bool *spill)
{
	if (b->len <= PT_RECYCLE_MAX &&
	    pt->nr_spare < PT_SPARE_MAX) {
		pt->spare[pt->nr_spare++] = *b;
		*spill = false;
	} else if (pt->nr_dead < PT_DEAD_MAX) {
		pt->dead[pt->nr_dead++] = *b;
		*spill = false;
	} else {
		*overflow = *b;
		*spill = true;
	}
}

int procfs_pt_open(struct procfs_pt *pt, uint64_t ino, const void *data,
		   size_t len, bool private, uid_t reader)
{
	struct pt_live **slot, *l;
	struct pt_backing b;
	int err;

	if (!procfs_pt_enabled(pt))
		return -EOPNOTSUPP;
	pthread_mutex_lock(&pt->mu);
	slot = pt_live_slot(pt, ino);
	if (*slot) {
		/* Another open of this inode is live: the kernel accepts
		 * only its backing. */
		(*slot)->opens++;
		pt_backing_seen(&(*slot)->b, reader);
		err = (*slot)->b.id;
		pthread_mutex_unlock(&pt->mu);
		return err;
	}
	pthread_mutex_unlock(&pt->mu);

	l = malloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	err = pt_backing_get(pt, len, private, reader, &b);
	if (err < 0) {
		free(l);
		if (err == -EPERM)
			/* No CAP_SYS_ADMIN: stop trying. */
			__atomic_store_n(&pt->on, false, __ATOMIC_RELEASE);
		return err;
	}
	err = pt_backing_fill(&b, data, len);
	if (err < 0) {
		free(l);
		pt_backing_close(pt, &b);
		return err;
	}
	pthread_mutex_lock(&pt->mu);
	slot = pt_live_slot(pt, ino);
	if (*slot) {
		/* Another thread registered one meanwhile: use that. */
		struct pt_backing spill;
		bool spilled;
		int theirs = (*slot)->b.id;

		(*slot)->opens++;
		pt_backing_seen(&(*slot)->b, reader);
		pt_backing_put_locked(pt, &b, &spill, &spilled);
		pthread_mutex_unlock(&pt->mu);
		free(l);
		if (spilled)
			pt_backing_close(pt, &spill);
		return theirs;
	}
	l->ino = ino;
	l->b = b;
	l->opens = 1;
	l->next = NULL;
	*slot = l;
	pthread_mutex_unlock(&pt->mu);
	return b.id;
}

void procfs_pt_release(struct procfs_pt *pt, uint64_t ino)
{
	struct pt_live **slot, *l = NULL;
	struct pt_backing spill;
	bool spilled = false;

	pthread_mutex_lock(&pt->mu);
	slot = pt_live_slot(pt, ino);
	if (*slot && --(*slot)->opens == 0) {
		l = *slot;
		*slot = l->next;
		pt_backing_put_locked(pt, &l->b, &spill, &spilled);
	}
	pthread_mutex_unlock(&pt->mu);
	free(l);
	if (spilled)
		pt_backing_close(pt, &spill);
}

/* The deferred work: a released backing to close, or too few spares.
 * Preconditions: mu. */
static bool pt_idle_work_locked(const struct procfs_pt *pt)
{
	return pt->nr_dead > 0 || pt->nr_spare < PT_SPARE_LOW;
}

bool procfs_pt_has_idle_work(struct procfs_pt *pt)
{
	bool work;

	if (!procfs_pt_enabled(pt))
		return false;
	pthread_mutex_lock(&pt->mu);
	work = pt_idle_work_locked(pt);
	pthread_mutex_unlock(&pt->mu);
	return work;
}

bool procfs_pt_idle(struct procfs_pt *pt)
{
	struct pt_backing b;

	if (!procfs_pt_enabled(pt))
		return false;
	pthread_mutex_lock(&pt->mu);
	if (!pt_idle_work_locked(pt)) {
		pthread_mutex_unlock(&pt->mu);
		return false;
	}
	if (pt->nr_dead > 0) {
		b = pt->dead[--pt->nr_dead];
		pthread_mutex_unlock(&pt->mu);
		pt_backing_close(pt, &b);
		return true;
	}
	pthread_mutex_unlock(&pt->mu);
	if (pt_backing_new(pt, &b) < 0)
		return false;
	pthread_mutex_lock(&pt->mu);
	if (pt->nr_spare < PT_SPARE_MAX) {
		pt->spare[pt->nr_spare++] = b;
		b.fd = -1;
	}
	pthread_mutex_unlock(&pt->mu);
	if (b.fd >= 0)
		pt_backing_close(pt, &b);
	return true;
}

void procfs_pt_free(struct procfs_pt *pt)
{
	if (!pt)
		return;
	/* The session is gone, and its backings with it: only our mappings
	 * and memfd descriptors are left to close. */
	for (size_t b = 0; b < PT_LIVE_BUCKETS; b++) {
		while (pt->live[b]) {
			struct pt_live *l = pt->live[b];

			pt->live[b] = l->next;
			pt_backing_unmap(pt, &l->b);
			close(l->b.fd);
			free(l);
		}
	}
	for (size_t i = 0; i < pt->nr_spare; i++) {
		pt_backing_unmap(pt, &pt->spare[i]);
		close(pt->spare[i].fd);
	}
	for (size_t i = 0; i < pt->nr_dead; i++) {
		pt_backing_unmap(pt, &pt->dead[i]);
		close(pt->dead[i].fd);
	}
	close(pt->dev_fd);
	pthread_mutex_destroy(&pt->mu);
	free(pt);
}
