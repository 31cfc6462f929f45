/*
 * This file implements the FUSE side of the filesystem: mounting (with
 * stale-mount recovery), the request loop and its threads, the lowlevel
 * operations (each a thin shell over the table walk in inode.c), and the
 * invalidation of cached entries when tasks leave.
 *
 * Caching: the kernel may cache entries and attributes for a second
 * (DESIGN §6: that, not threads, is what brings ps near the host's
 * speed). Numbered children that do not exist are never cached, so a new
 * task is visible at once; a task that leaves is invalidated explicitly
 * by procfs_task_gone() through a worker thread, because the platform
 * thread must not block on the FUSE device. File contents are never
 * cached (direct_io): every open renders afresh.
 */
#define FUSE_USE_VERSION 35

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/rcu.h"
#include "kernel/timing.h"
#include "procfs/passthrough.h"
#include "procfs/procfs.h"
#include "procfs/procfs_internal.h"
#include "procfs/readahead.h"
#include "procfs/uring.h"
#include "procfs/wire.h"

#define PROCFS_TIMEOUT 1.0 /* seconds entries and attributes are cached */
/* Entries explicitly invalidated when their task leaves (tasks/TID,
 * proc/PID, threadgroups/TGID... and every static row below them) and
 * static names that never appear (cached negative lookups: ps probes
 * proc/PID/ctty) may be cached much longer: that is what makes a second
 * `ps` cheap (DESIGN §6). */
#define PROCFS_TIMEOUT_LONG 60.0
#define PROCFS_MAX_THREADS 8
#define FUSE_SUPER_MAGIC 0x65735546

struct procfs {
	struct kernel *k;
	struct fuse_session *se;
	char *mountpoint;
	int stop_efd;              /* readable: loop threads must return */
	int nr_threads;
	unsigned long dev_requests; /* atomic: requests read from /dev/fuse */
	pthread_t threads[PROCFS_MAX_THREADS];

	/* TIDs whose entries must be invalidated; protected by inval_mu. */
	pthread_mutex_t inval_mu;
	pthread_cond_t inval_cv;
	pid_t *inval_q;
	size_t inval_n, inval_cap;
	bool inval_stop;
	bool inval_started;
	pthread_t inval_thread;

	/* Open files and directories: the kernel never releases what is
	 * still open when the session ends, so procfs_stop() frees what is
	 * left here. Protected by handles_mu. */
	pthread_mutex_t handles_mu;
	struct cds_list_head handles;

	/* Passthrough of file contents (passthrough.c), FUSE over io_uring
	 * (uring.c) and the I/O layer that negotiates them (wire.c); each
	 * may be NULL. */
	struct procfs_pt *pt;
	struct procfs_uring *ur;
	struct procfs_wire *wire;
	/* Host files read ahead of ordered readers (readahead.c); NULL
	 * without. */
	struct procfs_readahead *ra;
};

/* Header of every open handle (fi->fh). */
struct procfs_handle {
	struct cds_list_head node; /* in procfs.handles */
	bool dir;                  /* a struct procfs_dirlist */
};

/* A file rendered at open, served by offset until release (by the host
 * kernel from a backing memfd when passthrough is set). */
struct procfs_file {
	struct procfs_handle h;
	bool passthrough;
	fuse_ino_t ino;
	size_t len;
	char data[];
};

/* Request counters by opcode, printed at unmount when the environment
 * variable SENTRY_PROCFS_STATS is set (for bench/procfs_bench.sh). */
enum {
	ST_LOOKUP, ST_GETATTR, ST_READLINK, ST_OPEN, ST_READ, ST_RELEASE,
	ST_OPENDIR, ST_READDIR, ST_READDIRPLUS, ST_RELEASEDIR, ST_NR
};
static const char *const st_names[ST_NR] = {
	"lookup", "getattr", "readlink", "open", "read", "release",
	"opendir", "readdir", "readdirplus", "releasedir",
};
static unsigned long st_count[ST_NR];
#define STAT(op) __atomic_fetch_add(&st_count[ST_##op], 1, __ATOMIC_RELAXED)

struct procfs_dirlist {
	struct procfs_handle h;
	size_t nr;
	struct procfs_dirent *v;
};

static struct procfs *req_fs(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

struct procfs_wire *procfs_wire_of(void *fs)
{
	return ((struct procfs *)fs)->wire;
}

static void handle_track(struct procfs *fs, struct procfs_handle *h,
			 bool dir)
{
	h->dir = dir;
	pthread_mutex_lock(&fs->handles_mu);
	cds_list_add(&h->node, &fs->handles);
	pthread_mutex_unlock(&fs->handles_mu);
}

static void handle_untrack(struct procfs *fs, struct procfs_handle *h)
{
	pthread_mutex_lock(&fs->handles_mu);
	cds_list_del(&h->node);
	pthread_mutex_unlock(&fs->handles_mu);
}

/* Frees a handle of either kind: a directory's listing is its second
 * allocation. */
static void handle_free(struct procfs_handle *h)
{
	if (h->dir)
		free(((struct procfs_dirlist *)h)->v);
	free(h);
}

static void req_ctx(fuse_req_t req, struct procfs_ctx *c)
{
	struct kernel *k = req_fs(req)->k;
	uint64_t now = clock_now_ns(CLOCK_MONOTONIC);

	/* The platform co-locates only while nobody reads (colocate.c). */
	if (now - __atomic_load_n(&k->last_read_ns, __ATOMIC_RELAXED) >
	    1000 * 1000) {
		__atomic_store_n(&k->last_read_cpu, sched_getcpu(),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&k->last_read_ns, now, __ATOMIC_RELAXED);
	}
	procfs_ctx_init(c, k, fuse_req_ctx(req)->pid);
	c->ra = req_fs(req)->ra;
}

/* Whether a positive entry may be cached: not rows that come and go with
 * the task's state (regs). */
static bool entry_stable(const struct procfs_node *parent, const char *name)
{
	const struct procfs_dir *d = procfs_dir_get(parent->dir);

	for (size_t i = 0; d && i < d->nr_entries; i++)
		if (!strcmp(d->entries[i].name, name))
			return !d->entries[i].visible;
	return true;
}

/* How long the entry for child n under parent p may be cached: numbered
 * leaves (fd/N) and proc/PID/task/TID are not invalidated by name when
 * they go, so they get the short timeout. */
static double entry_timeout(const struct procfs_node *p,
			    const struct procfs_node *n)
{
	const struct procfs_dir *d = procfs_dir_get(p->dir);

	if (p->dir == PD_PROC_TASKS || (d && d->leaf_mode) ||
	    (n && n->slot && procfs_dir_get(n->dir) &&
	     procfs_dir_get(n->dir)->leaf_mode))
		return PROCFS_TIMEOUT;
	return PROCFS_TIMEOUT_LONG;
}

static void procfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct procfs_node p, n;
	struct procfs_ctx c;
	int err;

	STAT(LOOKUP);
	memset(&e, 0, sizeof(e));
	if (!procfs_ino_node(parent, &p)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	req_ctx(req, &c);
	err = procfs_node_lookup(&c, &p, name, &n, &e.attr);
	procfs_ctx_release(&c);
	if (err == -ENOENT && procfs_name_cacheable(&p, name)) {
		e.ino = 0; /* a cached negative entry */
		e.entry_timeout = entry_timeout(&p, NULL);
		fuse_reply_entry(req, &e);
		return;
	}
	if (err < 0) {
		fuse_reply_err(req, -err);
		return;
	}
	e.ino = e.attr.st_ino;
	/* The caller's own outside process is visible to it alone. */
	if (entry_stable(&p, name) && n.dir != PD_PROC_OUTSIDE) {
		e.entry_timeout = entry_timeout(&p, &n);
		e.attr_timeout = e.entry_timeout;
	}
	fuse_reply_entry(req, &e);
}

static void procfs_getattr(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct procfs_node n;
	struct procfs_ctx c;
	struct stat st;
	int err = -ENOENT;

	STAT(GETATTR);
	if (procfs_ino_node(ino, &n)) {
		req_ctx(req, &c);
		err = procfs_node_getattr(&c, &n, &st);
		procfs_ctx_release(&c);
	}
	if (err < 0)
		fuse_reply_err(req, -err);
	else
		fuse_reply_attr(req, &st, PROCFS_TIMEOUT);
}

/* Renders node ino for the caller of req into b. */
static int render_ino(fuse_req_t req, fuse_ino_t ino, struct pbuf *b,
		      mode_t *mode)
{
	struct procfs_node n;
	struct procfs_ctx c;
	int err;

	if (!procfs_ino_node(ino, &n))
		return -ENOENT;
	req_ctx(req, &c);
	err = procfs_node_render(&c, &n, b, mode);
	procfs_ctx_release(&c);
	return err;
}

static void procfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct pbuf b;
	int err;

	STAT(READLINK);
	pbuf_init(&b);
	err = render_ino(req, ino, &b, NULL);
	pbuf_terminate(&b);
	if (!err)
		err = b.err;
	if (err < 0)
		fuse_reply_err(req, -err);
	else
		fuse_reply_readlink(req, b.data);
	pbuf_free(&b);
}

static void procfs_open(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	struct procfs *fs = req_fs(req);
	struct procfs_file *f;
	mode_t mode = 0;
	struct pbuf b;
	size_t len;
	int err, id = 0;

	STAT(OPEN);
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	pbuf_init(&b);
	err = render_ino(req, ino, &b, &mode);
	if (err < 0) {
		pbuf_free(&b);
		fuse_reply_err(req, -err);
		return;
	}
	if (procfs_pt_enabled(fs->pt)) {
		/* A file not everyone may read goes only into a memory
		 * file no other user has read through (see passthrough.c). */
		id = procfs_pt_open(fs->pt, ino, b.data, b.len,
				    (mode & S_IROTH) == 0,
				    fuse_req_ctx(req)->uid);
		if (id < 0)
			id = 0; /* refused: direct_io from our copy */
	}
	/* With passthrough, reads go to the backing memfd, never to us: the
	 * handle needs no copy of the contents. */
	len = id > 0 ? 0 : b.len;
	f = malloc(sizeof(*f) + len);
	if (!f) {
		if (id > 0)
			procfs_pt_release(fs->pt, ino);
		pbuf_free(&b);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	f->len = len;
	f->ino = ino;
	f->passthrough = id > 0;
	if (len)
		memcpy(f->data, b.data, len);
	pbuf_free(&b);
	fi->fh = (uint64_t)(uintptr_t)f;
	fi->keep_cache = 0;
	/* Sizes are 0; direct_io makes the kernel read until EOF anyway,
	 * and keeps it from caching a file that changes every open. */
	fi->direct_io = id == 0;
	handle_track(fs, &f->h, false);
	if (id > 0)
		procfs_wire_arm_passthrough(fi->fh, id);
	err = fuse_reply_open(req, fi);
	procfs_wire_disarm();
	if (err != 0) {
		/* interrupted: no release will come */
		if (id > 0)
			procfs_pt_release(fs->pt, ino);
		handle_untrack(fs, &f->h);
		free(f);
	}
}

static void procfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	const struct procfs_file *f = (void *)(uintptr_t)fi->fh;

	STAT(READ);
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if ((uint64_t)off >= f->len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > f->len - (size_t)off)
		size = f->len - (size_t)off;
	fuse_reply_buf(req, f->data + off, size);
}

static void procfs_release(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct procfs_file *f = (void *)(uintptr_t)fi->fh;

	STAT(RELEASE);
	if (f->passthrough)
		procfs_pt_release(req_fs(req)->pt, f->ino);
	handle_untrack(req_fs(req), &f->h);
	free(f);
	fuse_reply_err(req, 0);
}

static void procfs_opendir(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct procfs_dirlist *d;
	struct procfs_node n;
	struct procfs_ctx c;
	int err = -ENOENT;

	STAT(OPENDIR);
	d = calloc(1, sizeof(*d));
	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (procfs_ino_node(ino, &n)) {
		req_ctx(req, &c);
		err = procfs_node_list(&c, &n, &d->v, &d->nr);
		procfs_ctx_release(&c);
	}
	if (err < 0) {
		free(d);
		fuse_reply_err(req, -err);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	fi->cache_readdir = 0;
	handle_track(req_fs(req), &d->h, true);
	if (fuse_reply_open(req, fi) != 0) {
		handle_untrack(req_fs(req), &d->h);
		handle_free(&d->h);
	}
}

/* Serves a listing by offset: offset 0 and 1 are "." and "..", then the
 * snapshot taken at opendir. plus: readdirplus, with attributes so the
 * kernel need not look each entry up again (ps's pattern on proc/). */
static void procfs_readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size,
				  off_t off, struct fuse_file_info *fi,
				  bool plus)
{
	const struct procfs_dirlist *d = (void *)(uintptr_t)fi->fh;
	char *buf = malloc(size);
	size_t pos = 0;
	struct procfs_ctx c;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	req_ctx(req, &c);
	for (size_t i = (size_t)off; i < d->nr + 2; i++) {
		struct fuse_entry_param e;
		const char *name = i == 0 ? "." : i == 1 ? ".." : d->v[i - 2].name;
		size_t ent;

		memset(&e, 0, sizeof(e));
		if (i < 2) {
			e.attr.st_ino = ino;
			e.attr.st_mode = S_IFDIR;
		} else {
			e.attr.st_ino = procfs_node_ino(&d->v[i - 2].node);
			e.attr.st_mode = d->v[i - 2].mode;
		}
		if (!plus) {
			ent = fuse_add_direntry(req, buf + pos, size - pos, name,
						&e.attr, (off_t)i + 1);
		} else {
			/* Entries that vanished since opendir are listed
			 * without attributes (ino 0): no dentry is made. */
			if (i >= 2 &&
			    procfs_node_getattr(&c, &d->v[i - 2].node,
						&e.attr) == 0) {
				struct procfs_node pn;

				e.ino = e.attr.st_ino;
				if (procfs_ino_node(ino, &pn))
					e.entry_timeout = entry_timeout(
						&pn, &d->v[i - 2].node);
				e.attr_timeout = e.entry_timeout;
			}
			ent = fuse_add_direntry_plus(req, buf + pos, size - pos,
						     name, &e, (off_t)i + 1);
		}
		if (ent > size - pos)
			break;
		pos += ent;
	}
	procfs_ctx_release(&c);
	fuse_reply_buf(req, buf, pos);
	free(buf);
}

static void procfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	STAT(READDIR);
	procfs_readdir_common(req, ino, size, off, fi, false);
}

static void procfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			       off_t off, struct fuse_file_info *fi)
{
	STAT(READDIRPLUS);
	procfs_readdir_common(req, ino, size, off, fi, true);
}

static void procfs_releasedir(fuse_req_t req, fuse_ino_t ino,
			      struct fuse_file_info *fi)
{
	struct procfs_dirlist *d = (void *)(uintptr_t)fi->fh;

	STAT(RELEASEDIR);
	handle_untrack(req_fs(req), &d->h);
	handle_free(&d->h);
	fuse_reply_err(req, 0);
}

static void procfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = sv.f_frsize = 4096;
	sv.f_namemax = 255;
	sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

/* The filesystem is read-only (the mount is "ro" too, so the VFS answers
 * most of these itself). Changes go through sentrydbg. */
static void procfs_erofs(fuse_req_t req)
{
	fuse_reply_err(req, EROFS);
}

static void procfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			   int to_set, struct fuse_file_info *fi)
{
	procfs_erofs(req);
}

static void procfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode, dev_t rdev)
{
	procfs_erofs(req);
}

static void procfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode)
{
	procfs_erofs(req);
}

static void procfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	procfs_erofs(req);
}

static void procfs_symlink(fuse_req_t req, const char *link,
			   fuse_ino_t parent, const char *name)
{
	procfs_erofs(req);
}

static void procfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			  fuse_ino_t newparent, const char *newname,
			  unsigned int flags)
{
	procfs_erofs(req);
}

static void procfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
			const char *newname)
{
	procfs_erofs(req);
}

static void procfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
			 size_t size, off_t off, struct fuse_file_info *fi)
{
	procfs_erofs(req);
}

static void procfs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			  mode_t mode, struct fuse_file_info *fi)
{
	procfs_erofs(req);
}

static void procfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			    const char *value, size_t size, int flags)
{
	procfs_erofs(req);
}

static void procfs_removexattr(fuse_req_t req, fuse_ino_t ino,
			       const char *name)
{
	procfs_erofs(req);
}

static void procfs_init(void *userdata, struct fuse_conn_info *conn)
{
	/* Nothing is written here, and no file or directory reply comes
	 * near this; the kernel sizes every io_uring entry's buffer by it
	 * (libfuse's default is 1 MiB). */
	conn->max_write = 128 << 10;
	/* libfuse sends the INIT reply right after this returns. */
	procfs_wire_init_reply(((struct procfs *)userdata)->wire);
}

static const struct fuse_lowlevel_ops procfs_ops = {
	.init = procfs_init,
	.lookup = procfs_lookup,
	.getattr = procfs_getattr,
	.readlink = procfs_readlink,
	.open = procfs_open,
	.read = procfs_read,
	.release = procfs_release,
	.opendir = procfs_opendir,
	.readdir = procfs_readdir,
	.readdirplus = procfs_readdirplus,
	.releasedir = procfs_releasedir,
	.statfs = procfs_statfs,
	.setattr = procfs_setattr,
	.mknod = procfs_mknod,
	.mkdir = procfs_mkdir,
	.unlink = procfs_unlink,
	.rmdir = procfs_unlink,
	.symlink = procfs_symlink,
	.rename = procfs_rename,
	.link = procfs_link,
	.write = procfs_write,
	.create = procfs_create,
	.setxattr = procfs_setxattr,
	.removexattr = procfs_removexattr,
};

/* ---- the request loop ---- */

/* One loop thread. The FUSE fd is non-blocking so several threads can
 * poll it, and stop_efd wakes them all for procfs_stop(). Readers of the
 * kernel use RCU, so the thread is registered for its whole life. */
static void *procfs_serve(void *arg)
{
	struct procfs *fs = arg;
	struct fuse_buf buf;
	int fd = fuse_session_fd(fs->se);
	/* How long to poll for the next request before sleeping. Readers
	 * send requests back to back (ps: open, then the next file's open);
	 * a thread that sleeps between them makes each request pay for
	 * waking its CPU, which on a VM costs tens of µs. */
	uint64_t spin = poll_budget_ns("SENTRY_PROCFS_SPIN_US");
	uint64_t spin_until = 0, stops_seen = 0;

	memset(&buf, 0, sizeof(buf));
	/* At the sentry's own priority: at nice 10 (tried) a busy sandbox
	 * starved readers without making the workload measurably faster;
	 * what keeps a walking reader from slowing the sandbox is the
	 * platform thread's priority (tracer.c). */
	pthread_setname_np(pthread_self(), "sentry-fuse");
	rcu_register_thread();
	while (!fuse_session_exited(fs->se)) {
		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = fs->stop_efd, .events = POLLIN },
		};
		int r;

		/* Right after a request, poll the device without sleeping,
		 * but not while the sandbox is busy: the poll would take CPU
		 * time from it. */
		if (spin_until &&
		    __atomic_load_n(&fs->k->host_stops, __ATOMIC_RELAXED) !=
			    stops_seen)
			spin_until = 0;
		if (spin_until == 0 || clock_now_ns(CLOCK_MONOTONIC) >= spin_until) {
			spin_until = 0;
			/* Before sleeping, finish the deferred work while no
			 * request waits. */
			while (procfs_pt_idle(fs->pt) && poll(pfd, 2, 0) == 0)
				;
			if (poll(pfd, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (pfd[1].revents)
				break;
		}
		r = fuse_session_receive_buf(fs->se, &buf);
		if (r == -EAGAIN && spin_until) {
			/* Between requests: deferred passthrough work, or
			 * let a runnable thread of this CPU go first (the
			 * poll is for idle CPUs, not busy ones). */
			if (!procfs_pt_idle(fs->pt))
				sched_yield();
			continue;
		}
		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r <= 0)
			break; /* unmounted from outside, or a device error */
		__atomic_fetch_add(&fs->dev_requests, 1, __ATOMIC_RELAXED);
		fuse_session_process_buf(fs->se, &buf);
		/* With rings, this loop sees only INIT, FORGET and the like:
		 * nothing follows that is worth waiting for. */
		if (spin && !procfs_uring_active(fs->ur)) {
			spin_until = clock_now_ns(CLOCK_MONOTONIC) + spin;
			stops_seen = __atomic_load_n(&fs->k->host_stops,
						     __ATOMIC_RELAXED);
		}
	}
	free(buf.mem);
	rcu_unregister_thread();
	return NULL;
}

/* ---- invalidation ---- */

static void procfs_inval_tid(struct procfs *fs, pid_t tid)
{
	static const uint8_t parents[] = { PD_TASKS, PD_TGS, PD_PROC,
					   PD_SESSIONS, PD_PGRPS };
	static const uint8_t dirs[] = { PD_TASK, PD_TG, PD_PROC_PID,
					PD_PROC_TID };
	char name[16];
	int len = snprintf(name, sizeof(name), "%d", (int)tid);

	/* -ENOENT just means the kernel had nothing cached. */
	for (size_t i = 0; i < sizeof(parents); i++) {
		struct procfs_node p = { parents[i], 0, 0 };

		fuse_lowlevel_notify_inval_entry(fs->se, procfs_node_ino(&p),
						 name, (size_t)len);
	}
	for (size_t i = 0; i < sizeof(dirs); i++) {
		struct procfs_node n = { dirs[i], (uint32_t)tid, 0 };

		fuse_lowlevel_notify_inval_inode(fs->se, procfs_node_ino(&n),
						 0, 0);
	}
}

static void *procfs_inval_worker(void *arg)
{
	struct procfs *fs = arg;

	pthread_mutex_lock(&fs->inval_mu);
	while (!fs->inval_stop) {
		pid_t *q;
		size_t n;

		if (fs->inval_n == 0) {
			pthread_cond_wait(&fs->inval_cv, &fs->inval_mu);
			continue;
		}
		q = fs->inval_q;
		n = fs->inval_n;
		fs->inval_q = NULL;
		fs->inval_n = fs->inval_cap = 0;
		pthread_mutex_unlock(&fs->inval_mu);
		for (size_t i = 0; i < n; i++)
			procfs_inval_tid(fs, q[i]);
		free(q);
		pthread_mutex_lock(&fs->inval_mu);
	}
	pthread_mutex_unlock(&fs->inval_mu);
	return NULL;
}

void procfs_task_gone(struct procfs *fs, pid_t tid)
{
	if (!fs)
		return;
	pthread_mutex_lock(&fs->inval_mu);
	if (fs->inval_n == fs->inval_cap) {
		size_t nc = fs->inval_cap ? fs->inval_cap * 2 : 64;
		pid_t *nq = realloc(fs->inval_q, nc * sizeof(*nq));

		if (!nq) {
			/* Out of memory: the entry times out by itself. */
			pthread_mutex_unlock(&fs->inval_mu);
			return;
		}
		fs->inval_q = nq;
		fs->inval_cap = nc;
	}
	fs->inval_q[fs->inval_n++] = tid;
	pthread_cond_signal(&fs->inval_cv);
	pthread_mutex_unlock(&fs->inval_mu);
}

/* ---- mounting ---- */

static pthread_mutex_t procfs_log_mu = PTHREAD_MUTEX_INITIALIZER;
static char procfs_log_last[256];

/* libfuse reports mount failures through its log; keep the last message
 * for errbuf instead of writing to the sentry's stderr. */
static void procfs_fuse_log(enum fuse_log_level level, const char *fmt,
			    va_list ap)
{
	pthread_mutex_lock(&procfs_log_mu);
	vsnprintf(procfs_log_last, sizeof(procfs_log_last), fmt, ap);
	procfs_log_last[strcspn(procfs_log_last, "\n")] = '\0';
	pthread_mutex_unlock(&procfs_log_mu);
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Detaches a dead FUSE mount: umount2 as root, fusermount3 otherwise. */
static int unmount_stale(const char *mp)
{
	char *argv[] = { "fusermount3", "-u", "-z", (char *)mp, NULL };
	extern char **environ;
	pid_t pid;
	int status;

	if (umount2(mp, MNT_DETACH) == 0)
		return 0;
	if (posix_spawnp(&pid, "fusermount3", NULL, NULL, argv, environ) != 0)
		return -EPERM;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -EPERM;
	return 0;
}

/* Whether mp, which stat() says is st, is the root of a mount: its ".."
 * (resolved by the VFS, never by the filesystem) is on another device. */
static bool is_mount_root(const char *mp, const struct stat *st)
{
	char up[PATH_MAX];
	struct stat parent;

	snprintf(up, sizeof(up), "%s/..", mp);
	return stat(up, &parent) == 0 && parent.st_dev != st->st_dev;
}

/* Whether a sentry filesystem (type fuse.sentry) is mounted at mp, by the
 * mount table: the only way to tell without asking its daemon. */
static bool is_sentry_mount(const char *mp)
{
	char want[PATH_MAX], line[4096];
	bool found = false;
	FILE *f;

	if (!realpath(mp, want))
		return false;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char point[PATH_MAX], type[64];
		const char *sep = strstr(line, " - ");

		/* ID PARENT MAJ:MIN ROOT POINT ... - TYPE SOURCE OPTIONS;
		 * POINT escapes space, tab, newline and backslash in octal,
		 * which a sentry mount point would not have. */
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(sep + 3, "%63s", type) != 1)
			continue;
		found = !strcmp(point, want) && !strcmp(type, "fuse.sentry");
	}
	fclose(f);
	return found;
}

/* Makes mp a directory we can mount on: creates it, or clears a FUSE mount
 * whose daemon died (every access gives ENOTCONN). Refuses a mount point
 * where another live sentry filesystem is mounted. */
static int prepare_mountpoint(const char *mp, char *errbuf, size_t errlen)
{
	struct statfs sfs;
	struct stat st;
	bool stale = false;
	int err;

	if (stat(mp, &st) < 0) {
		err = -errno;
		/* What a dead daemon's mount answers: ENOTCONN, or until the
		 * kernel has aborted it, ECONNABORTED or ECANCELED from its
		 * torn-down rings. */
		if (err == -ENOTCONN || err == -ECONNABORTED ||
		    err == -ECANCELED) {
			stale = true;
		} else if (err == -ENOENT) {
			err = mkdir_p(mp, 0755);
			if (err < 0) {
				snprintf(errbuf, errlen, "%s: mkdir: %s", mp,
					 strerror(-err));
				return err;
			}
			return 0;
		} else {
			snprintf(errbuf, errlen, "%s: %s", mp, strerror(-err));
			return err;
		}
	} else if (statfs(mp, &sfs) < 0 && is_mount_root(mp, &st) &&
		   is_sentry_mount(mp)) {
		/* stat() may be answered from attributes the kernel cached
		 * before the sentry died (for a second); statfs() always asks
		 * the daemon. A dead one's mount fails it: ENOTCONN once the
		 * kernel has aborted the connection, and until then (its
		 * rings are torn down after the process is gone)
		 * ECONNABORTED or ECANCELED, seen in the test suite. Only a sentry's mount is cleared that way: another
		 * filesystem failing statfs() is not ours to detach. */
		stale = true;
	}
	if (stale) {
		err = unmount_stale(mp);
		if (err < 0) {
			snprintf(errbuf, errlen,
				 "%s: stale FUSE mount that could not be unmounted",
				 mp);
			return err;
		}
		snprintf(errbuf, errlen,
			 "%s: cleared a stale mount left by a sentry that died",
			 mp);
		if (stat(mp, &st) < 0)
			return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "%s: not a directory", mp);
		return -ENOTDIR;
	}
	if (statfs(mp, &sfs) == 0 && sfs.f_type == FUSE_SUPER_MAGIC &&
	    is_mount_root(mp, &st)) {
		snprintf(errbuf, errlen,
			 "%s: a live FUSE filesystem is already mounted there",
			 mp);
		return -EBUSY;
	}
	return 0;
}

static int procfs_threads_wanted(void)
{
	const char *s = getenv("SENTRY_PROCFS_THREADS");
	int n = s ? atoi(s) : 1;

	if (n < 1)
		n = 1;
	if (n > PROCFS_MAX_THREADS)
		n = PROCFS_MAX_THREADS;
	return n;
}

static void procfs_free(struct procfs *fs)
{
	if (fs->stop_efd >= 0)
		close(fs->stop_efd);
	pthread_mutex_destroy(&fs->inval_mu);
	pthread_cond_destroy(&fs->inval_cv);
	free(fs->inval_q);
	free(fs->mountpoint);
	free(fs);
}

int procfs_start(struct kernel *k, const char *mountpoint,
		 struct procfs **out, char *errbuf, size_t errlen)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	char opts[128];
	struct procfs *fs;
	bool uring;
	int err, fd;

	if (errlen)
		errbuf[0] = '\0';
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	fs->k = k;
	fs->stop_efd = -1;
	pthread_mutex_init(&fs->inval_mu, NULL);
	pthread_mutex_init(&fs->handles_mu, NULL);
	CDS_INIT_LIST_HEAD(&fs->handles);
	pthread_cond_init(&fs->inval_cv, NULL);
	fs->mountpoint = strdup(mountpoint);
	if (!fs->mountpoint) {
		err = -ENOMEM;
		goto err_free;
	}
	err = prepare_mountpoint(mountpoint, errbuf, errlen);
	if (err < 0)
		goto err_free;

	fuse_set_log_func(procfs_fuse_log);
	/* Before mounting: the kernel decides at mount whether to offer. */
	uring = procfs_uring_switch_on();
	snprintf(opts, sizeof(opts),
		 "ro,default_permissions,fsname=sentry,subtype=sentry%s",
		 geteuid() == 0 ? ",allow_other" : "");
	if (fuse_opt_add_arg(&args, "sentry") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, opts)) {
		err = -ENOMEM;
		goto err_args;
	}
	fs->se = fuse_session_new(&args, &procfs_ops, sizeof(procfs_ops), fs);
	if (!fs->se) {
		snprintf(errbuf, errlen, "fuse_session_new: %s", procfs_log_last);
		err = -EINVAL;
		goto err_args;
	}
	if (fuse_session_mount(fs->se, mountpoint) != 0) {
		snprintf(errbuf, errlen, "mount %s: %s", mountpoint,
			 procfs_log_last);
		err = -EIO;
		goto err_session;
	}
	fd = fuse_session_fd(fs->se);
	/* Passthrough needs CAP_SYS_ADMIN; without it, direct_io only, and
	 * no rings either (procfs_uring_switch_on). Each is an optimisation:
	 * failing to set one up leaves the filesystem as it was without. */
	if (geteuid() == 0 && procfs_pt_new(fd, &fs->pt) < 0)
		fs->pt = NULL;
	if (uring && procfs_uring_prepare(fs->se, fs->pt, &fs->ur) < 0)
		fs->ur = NULL;
	if ((fs->pt || fs->ur) &&
	    procfs_wire_install(fs->se, fs->pt, fs->ur, &fs->wire) < 0) {
		procfs_uring_stop(fs->ur);
		procfs_pt_free(fs->pt);
		fs->ur = NULL;
		fs->pt = NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fs->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (fs->stop_efd < 0) {
		err = -errno;
		goto err_unmount;
	}
	/* An optimisation too: without its thread, files are read at open. */
	if (procfs_ra_wanted() && procfs_ra_start(k, &fs->ra) < 0)
		fs->ra = NULL;
	err = -pthread_create(&fs->inval_thread, NULL, procfs_inval_worker, fs);
	if (err < 0)
		goto err_unmount;
	fs->inval_started = true;
	for (int i = procfs_threads_wanted(); fs->nr_threads < i;
	     fs->nr_threads++) {
		err = -pthread_create(&fs->threads[fs->nr_threads], NULL,
				      procfs_serve, fs);
		if (err < 0) {
			snprintf(errbuf, errlen, "pthread_create: %s",
				 strerror(-err));
			procfs_stop(fs);
			fuse_opt_free_args(&args);
			return err;
		}
	}
	fuse_opt_free_args(&args);
	*out = fs;
	return 0;

err_unmount:
	snprintf(errbuf, errlen, "%s: %s", mountpoint, strerror(-err));
	fuse_session_unmount(fs->se);
	procfs_uring_stop(fs->ur);
	procfs_pt_free(fs->pt);
	procfs_wire_free(fs->wire);
	procfs_ra_stop(fs->ra);
err_session:
	fuse_session_destroy(fs->se);
err_args:
	fuse_opt_free_args(&args);
err_free:
	if (errlen && !errbuf[0])
		snprintf(errbuf, errlen, "%s: %s", mountpoint, strerror(-err));
	procfs_free(fs);
	return err;
}

void procfs_get_transport(const struct procfs *fs, struct procfs_transport *out)
{
	out->passthrough = procfs_pt_enabled(fs->pt);
	out->ring_queues = procfs_uring_queues(fs->ur);
	out->ring_requests = procfs_uring_served(fs->ur);
	out->dev_requests = __atomic_load_n(&fs->dev_requests, __ATOMIC_RELAXED);
}

void procfs_stop(struct procfs *fs)
{
	struct procfs_transport tr;
	uint64_t one = 1;
	int queues;
	unsigned long ra_taken, ra_read;

	if (!fs)
		return;
	/* The rings in service (the unmount below may end them before the
	 * count is printed). */
	procfs_get_transport(fs, &tr);
	queues = tr.ring_queues;
	/* The invalidation worker first: it talks to the kernel, which may
	 * wait on requests only the loop threads answer. */
	if (fs->inval_started) {
		pthread_mutex_lock(&fs->inval_mu);
		fs->inval_stop = true;
		pthread_cond_signal(&fs->inval_cv);
		pthread_mutex_unlock(&fs->inval_mu);
		pthread_join(fs->inval_thread, NULL);
	}
	fuse_session_exit(fs->se);
	if (write(fs->stop_efd, &one, sizeof(one)) < 0) {
		/* An eventfd write only fails on overflow: already woken. */
	}
	for (int i = 0; i < fs->nr_threads; i++)
		pthread_join(fs->threads[i], NULL);
	/* Closes the device first (aborting the connection so no access
	 * can hang), then detaches the mount. With rings, the rings hold
	 * the device open, so the abort comes from the unmount (or, if a
	 * reader holds a file open, when the rings close): their threads
	 * keep serving until then. */
	fuse_session_unmount(fs->se);
	procfs_get_transport(fs, &tr);
	tr.ring_queues = queues;
	procfs_uring_stop(fs->ur);
	fuse_session_destroy(fs->se);
	/* What readers still held open when the session ended. */
	while (!cds_list_empty(&fs->handles)) {
		struct procfs_handle *h = cds_list_first_entry(
			&fs->handles, struct procfs_handle, node);

		cds_list_del(&h->node);
		handle_free(h);
	}
	procfs_pt_free(fs->pt);
	procfs_wire_free(fs->wire);
	procfs_ra_counts(fs->ra, &ra_taken, &ra_read);
	procfs_ra_stop(fs->ra);
	if (getenv("SENTRY_PROCFS_STATS")) {
		fprintf(stderr, "sentry: procfs requests:");
		for (int i = 0; i < ST_NR; i++)
			fprintf(stderr, " %s=%lu", st_names[i],
				__atomic_load_n(&st_count[i], __ATOMIC_RELAXED));
		fprintf(stderr, "; through io_uring (%d queues): %lu, through "
			"/dev/fuse: %lu; passthrough %s; host files read "
			"ahead: %lu, used: %lu\n", tr.ring_queues,
			tr.ring_requests, tr.dev_requests,
			tr.passthrough ? "on" : "off", ra_read, ra_taken);
	}
	procfs_free(fs);
}
