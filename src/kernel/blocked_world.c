/*
 * This file holds what a blocked-on report knows (blocked_internal.h):
 * task snapshots with indices by thread group and FD table, the host
 * state of each task, every FD table read once with its pipe and socket
 * ends indexed by inode, and the host's unix socket peers.
 */
#include "kernel/blocked_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/rcu.h"
#include "kernel/task_set.h"

/* One descriptor some FD table holds on a pipe or socket inode. */
struct bw_hold {
	uint64_t ino;
	uint64_t fdt_id;
	int fd;
	bool readable, writable;
};

static int hold_cmp(const void *a, const void *b)
{
	const struct bw_hold *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}

static int snap_tid_cmp(const void *a, const void *b)
{
	const struct task_snap *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int peer_cmp(const void *a, const void *b)
{
	const struct host_unix_peer *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}


static int by_tgid_cmp(const void *a, const void *b, void *world)
{
	const struct bw_world *w = world;
	const struct task_snap *x = &w->snaps[*(const int *)a];
	const struct task_snap *y = &w->snaps[*(const int *)b];

	if (x->tgid != y->tgid)
		return (x->tgid > y->tgid) - (x->tgid < y->tgid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int by_fdt_cmp(const void *a, const void *b, void *world)
{
	const struct bw_world *w = world;
	const struct task_snap *x = &w->snaps[*(const int *)a];
	const struct task_snap *y = &w->snaps[*(const int *)b];

	if (x->fdt_id != y->fdt_id)
		return (x->fdt_id > y->fdt_id) - (x->fdt_id < y->fdt_id);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int by_host_cmp(const void *a, const void *b, void *world)
{
	const struct bw_world *w = world;
	const struct task_snap *x = &w->snaps[*(const int *)a];
	const struct task_snap *y = &w->snaps[*(const int *)b];

	return (x->host_tid > y->host_tid) - (x->host_tid < y->host_tid);
}

/* The first position of key in index idx (sorted by get), or -1. */
static int index_first(const struct bw_world *w, const int *idx,
		       uint64_t key, uint64_t (*get)(const struct task_snap *))
{
	int lo = 0, hi = w->n - 1, hit = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		uint64_t v = get(&w->snaps[idx[mid]]);

		if (v < key) {
			lo = mid + 1;
		} else {
			if (v == key)
				hit = mid;
			hi = mid - 1;
		}
	}
	return hit;
}

static uint64_t get_tgid(const struct task_snap *s)
{
	return (uint64_t)(uint32_t)s->tgid;
}

static uint64_t get_fdt(const struct task_snap *s)
{
	return s->fdt_id;
}

static bool live(const struct task_snap *s)
{
	return s->exit_state != TASK_EXIT_ZOMBIE &&
	       s->exit_state != TASK_EXIT_DEAD;
}

static struct platform *plat(struct bw_world *w)
{
	return w->k->plat;
}

int bw_world_init(struct bw_world *w, struct kernel *k)
{
	pid_t *tids;
	int n;

	memset(w, 0, sizeof(*w));
	w->k = k;
	n = ts_list_tids(k, false, &tids);
	if (n < 0)
		return n;
	w->snaps = calloc((size_t)(n ? n : 1), sizeof(*w->snaps));
	if (!w->snaps) {
		free(tids);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		int err = task_snapshot(k, tids[i], &w->snaps[w->n]);

		if (err == 0)
			w->n++;
		else if (err != -ESRCH) {
			free(tids);
			bw_world_free(w);
			return err;
		}
	}
	free(tids);
	qsort(w->snaps, (size_t)w->n, sizeof(*w->snaps), snap_tid_cmp);
	w->host = calloc((size_t)(w->n ? w->n : 1), sizeof(*w->host));
	w->host_read = calloc((size_t)(w->n ? w->n : 1), sizeof(bool));
	w->by_tgid = malloc(sizeof(int) * (size_t)(w->n ? w->n : 1));
	w->by_fdt = malloc(sizeof(int) * (size_t)(w->n ? w->n : 1));
	w->by_host = malloc(sizeof(int) * (size_t)(w->n ? w->n : 1));
	if (!w->host || !w->host_read || !w->by_tgid || !w->by_fdt ||
	    !w->by_host) {
		bw_world_free(w);
		return -ENOMEM;
	}
	for (int i = 0; i < w->n; i++)
		w->by_tgid[i] = w->by_fdt[i] = w->by_host[i] = i;
	qsort_r(w->by_tgid, (size_t)w->n, sizeof(int), by_tgid_cmp, w);
	qsort_r(w->by_fdt, (size_t)w->n, sizeof(int), by_fdt_cmp, w);
	qsort_r(w->by_host, (size_t)w->n, sizeof(int), by_host_cmp, w);
	return 0;
}

void bw_world_free(struct bw_world *w)
{
	for (int t = 0; t < w->nr_tables; t++)
		free(w->tables[t].fds);
	free(w->tables);
	for (int i = 0; i < w->n; i++)
		task_snap_free(&w->snaps[i]);
	free(w->snaps);
	free(w->host);
	free(w->host_read);
	free(w->by_tgid);
	free(w->by_fdt);
	free(w->by_host);
	free(w->holds);
	free(w->peers);
	free(w->locks);
	memset(w, 0, sizeof(*w));
}

const struct task_snap *bw_find(const struct bw_world *w, pid_t tid)
{
	struct task_snap key = { .tid = tid };

	return bsearch(&key, w->snaps, (size_t)w->n, sizeof(*w->snaps),
		       snap_tid_cmp);
}

static uint64_t get_host(const struct task_snap *s)
{
	return (uint64_t)(uint32_t)s->host_tid;
}

const struct task_snap *bw_find_host(const struct bw_world *w, pid_t host)
{
	int i = index_first(w, w->by_host, (uint64_t)(uint32_t)host, get_host);

	return i < 0 ? NULL : &w->snaps[w->by_host[i]];
}

/* Runs fn(w, i) for i in [0, n), on this thread and one more: the host
 * reads are syscalls into /proc that scale with CPUs. */
struct bw_job {
	struct bw_world *w;
	int from, to;
	void (*fn)(struct bw_world *w, int i);
};

static void *bw_job_main(void *arg)
{
	struct bw_job *j = arg;

	/* Describing looks tasks up (read_user): an RCU reader. */
	rcu_register_thread();
	for (int i = j->from; i < j->to; i++)
		j->fn(j->w, i);
	rcu_unregister_thread();
	return NULL;
}

void bw_parallel(struct bw_world *w, int n, void (*fn)(struct bw_world *, int))
{
	struct bw_job half = { w, n / 2, n, fn };
	pthread_t th;
	bool threaded = n >= 256 &&
			pthread_create(&th, NULL, bw_job_main, &half) == 0;

	for (int i = 0; i < (threaded ? n / 2 : n); i++)
		fn(w, i);
	if (threaded)
		pthread_join(th, NULL);
}

/* Reads the host's state of snapshot i with extras what. */
static void host_read(struct bw_world *w, int i, unsigned what)
{
	struct platform *p = plat(w);

	memset(&w->host[i], 0, sizeof(w->host[i]));
	w->host[i].nr = -1;
	if (p && p->ops->read_host_state && live(&w->snaps[i]) &&
	    p->ops->read_host_state(p, w->snaps[i].host_tid, what,
				    &w->host[i]) < 0) {
		memset(&w->host[i], 0, sizeof(w->host[i]));
		w->host[i].nr = -1;
	}
	w->host_read[i] = true;
}

static void host_read_plain(struct bw_world *w, int i)
{
	host_read(w, i, 0);
}

void bw_prefetch(struct bw_world *w, bool fds)
{
	bw_parallel(w, w->n, host_read_plain);
	if (fds && !w->no_wakers)
		bw_read_fds(w);
	/* Read now, so that describing may run on two threads: a socket's
	 * object names its peer even when the wakers are skipped (ps). */
	bw_unix_peer(w, 0);
}


const struct host_thread_state *bw_host(struct bw_world *w, int i)
{
	if (!w->host_read[i])
		host_read(w, i, 0);
	return &w->host[i];
}

uint64_t bw_slept(struct bw_world *w, int i)
{
	struct platform *p = plat(w);
	struct host_thread_state h;

	if (!p || !p->ops->read_host_state ||
	    p->ops->read_host_state(p, w->snaps[i].host_tid,
				    HOST_STATE_SLEPT | HOST_STATE_NO_STAT |
					    HOST_STATE_NO_SYSCALL,
				    &h) < 0)
		return 0;
	return h.slept_ns;
}

void bw_wchan(struct bw_world *w, int i, char *buf, size_t len)
{
	struct platform *p = plat(w);
	struct host_thread_state h;

	buf[0] = '\0';
	if (p && p->ops->read_host_state &&
	    p->ops->read_host_state(p, w->snaps[i].host_tid,
				    HOST_STATE_WCHAN | HOST_STATE_NO_STAT |
					    HOST_STATE_NO_SYSCALL,
				    &h) == 0)
		snprintf(buf, len, "%s", h.wchan);
}

/* Reads every FD table once, through its first live task, two host
 * threads' worth at a time (the host's /proc is the cost: 10,000 tables
 * are 100,000 syscalls), then indexes their pipe and socket ends by
 * inode. A table the host cannot show (its tasks gone meanwhile) holds
 * nothing. */
static void read_table(struct bw_world *w, int t)
{
	struct platform *p = plat(w);
	int n = p->ops->read_host_fds(p, w->tables[t].host_tid,
				      &w->tables[t].fds);

	w->tables[t].n = n > 0 ? n : 0;
	if (n <= 0) {
		free(w->tables[t].fds);
		w->tables[t].fds = NULL;
	}
}

void bw_read_fds(struct bw_world *w)
{
	struct platform *p = plat(w);

	if (w->fds_read)
		return;
	w->fds_read = true;
	if (!p || !p->ops->read_host_fds)
		return;
	w->tables = calloc((size_t)(w->n ? w->n : 1), sizeof(*w->tables));
	if (!w->tables)
		return;
	for (int i = 0; i < w->n; i++) {
		const struct task_snap *s = &w->snaps[w->by_fdt[i]];

		if (!live(s) || !s->fdt_id ||
		    (w->nr_tables &&
		     w->tables[w->nr_tables - 1].fdt_id == s->fdt_id))
			continue;
		w->tables[w->nr_tables].fdt_id = s->fdt_id;
		w->tables[w->nr_tables++].host_tid = s->host_tid;
	}
	bw_parallel(w, w->nr_tables, read_table);
	for (int t = 0; t < w->nr_tables; t++) {
		const struct host_fd *fds = w->tables[t].fds;
		int n = w->tables[t].n;

		for (int j = 0; j < n; j++) {
			if (fds[j].kind != HOST_FD_PIPE &&
			    fds[j].kind != HOST_FD_SOCKET)
				continue;
			if (w->nr_holds == w->cap_holds) {
				int cap = w->cap_holds ? w->cap_holds * 2 : 256;
				struct bw_hold *nh = realloc(
					w->holds, sizeof(*nh) * (size_t)cap);

				if (!nh)
					break;
				w->holds = nh;
				w->cap_holds = cap;
			}
			w->holds[w->nr_holds++] = (struct bw_hold){
				.ino = fds[j].ino,
				.fdt_id = w->tables[t].fdt_id,
				.fd = fds[j].fd, .readable = fds[j].readable,
				.writable = fds[j].writable,
			};
		}
	}
	if (w->nr_holds)
		qsort(w->holds, (size_t)w->nr_holds, sizeof(*w->holds),
		      hold_cmp);
}

static int table_cmp(const void *a, const void *b)
{
	const struct bw_table *x = a, *y = b;

	return (x->fdt_id > y->fdt_id) - (x->fdt_id < y->fdt_id);
}

int bw_fd(struct bw_world *w, const struct task_snap *s, int fd,
	  struct host_fd *out)
{
	struct platform *p = plat(w);
	struct host_fd *fds;
	int n, err = -EBADF;

	if (w->tables && w->nr_tables) {
		struct bw_table key = { .fdt_id = s->fdt_id }, *t;

		t = bsearch(&key, w->tables, (size_t)w->nr_tables,
			    sizeof(*w->tables), table_cmp);
		for (int i = 0; t && i < t->n; i++) {
			if (t->fds[i].fd == fd) {
				*out = t->fds[i];
				return 0;
			}
		}
		if (t)
			return -EBADF;
	}
	if (!p || !p->ops->read_host_fds)
		return -ENOSYS;
	n = p->ops->read_host_fds(p, s->host_tid, &fds);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (fds[i].fd == fd) {
			*out = fds[i];
			err = 0;
			break;
		}
	}
	free(fds);
	return err;
}

/* Appends a waker; bw_describe() sorts the list and keeps one entry a
 * task (the first descriptor seen) at the end. */
void bw_add_waker(struct blocked_on *b, pid_t tid, int fd)
{
	if (b->nr_wakers == b->cap_wakers) {
		int cap = b->cap_wakers ? b->cap_wakers * 2 : 4;
		struct blocked_waker *nw =
			realloc(b->wakers, sizeof(*nw) * (size_t)cap);

		if (!nw)
			return;
		b->wakers = nw;
		b->cap_wakers = cap;
	}
	b->wakers[b->nr_wakers++] = (struct blocked_waker){ .tid = tid,
							    .fd = fd };
}

int bw_waker_cmp(const void *a, const void *b)
{
	const struct blocked_waker *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* Every live task of thread group tgid wakes b. */
void bw_add_group(struct bw_world *w, struct blocked_on *b, pid_t tgid,
		      pid_t except)
{
	int i = index_first(w, w->by_tgid, get_tgid(&(struct task_snap){
						  .tgid = tgid }),
			    get_tgid);

	for (; i >= 0 && i < w->n && w->snaps[w->by_tgid[i]].tgid == tgid;
	     i++) {
		const struct task_snap *s = &w->snaps[w->by_tgid[i]];

		if (s->tid != except && live(s))
			bw_add_waker(b, s->tid, -1);
	}
}


void bw_add_holders(struct bw_world *w, struct blocked_on *b,
			uint64_t ino, bool want_read, bool want_write)
{
	struct bw_hold key = { .ino = ino };
	struct bw_hold *h;
	size_t i;

	if (w->no_wakers)
		return;
	bw_read_fds(w);
	if (!w->nr_holds)
		return;
	h = bsearch(&key, w->holds, (size_t)w->nr_holds, sizeof(*w->holds),
		    hold_cmp);
	if (!h)
		return;
	i = (size_t)(h - w->holds);
	while (i > 0 && w->holds[i - 1].ino == ino)
		i--;
	for (; i < (size_t)w->nr_holds && w->holds[i].ino == ino; i++) {
		const struct bw_hold *x = &w->holds[i];

		int j;

		if ((want_read && !x->readable) || (want_write && !x->writable))
			continue;
		j = index_first(w, w->by_fdt, x->fdt_id, get_fdt);
		for (; j >= 0 && j < w->n &&
		       w->snaps[w->by_fdt[j]].fdt_id == x->fdt_id;
		     j++) {
			const struct task_snap *s = &w->snaps[w->by_fdt[j]];

			if (live(s))
				bw_add_waker(b, s->tid, x->fd);
		}
	}
}

/* The peer inode of unix socket ino, 0 when it has none. */
uint64_t bw_unix_peer(struct bw_world *w, uint64_t ino)
{
	struct host_unix_peer key = { .ino = ino }, *hit;
	struct platform *p = plat(w);

	if (!w->peers_read) {
		w->peers_read = true;
		if (p && p->ops->read_unix_peers) {
			int n = p->ops->read_unix_peers(p, &w->peers);

			w->nr_peers = n > 0 ? n : 0;
			if (w->nr_peers)
				qsort(w->peers, (size_t)w->nr_peers,
				      sizeof(*w->peers), peer_cmp);
		}
	}
	if (!w->nr_peers)
		return 0;
	hit = bsearch(&key, w->peers, (size_t)w->nr_peers, sizeof(*w->peers),
		      peer_cmp);
	return hit ? hit->peer : 0;
}

