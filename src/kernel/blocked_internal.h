/*
 * blocked_internal.h - the world a blocked-on report is computed over,
 * shared by blocked.c (one task's wait) and hangs.c (the stuck set).
 */
#ifndef SENTRY_KERNEL_BLOCKED_INTERNAL_H
#define SENTRY_KERNEL_BLOCKED_INTERNAL_H

#include "kernel/blocked.h"
#include "kernel/snapshot.h"
#include "platform/platform.h"

struct bw_hold;

/* One FD table as the host showed it through one of its tasks. */
struct bw_table {
	uint64_t fdt_id;
	pid_t host_tid;
	struct host_fd *fds;   /* sorted by fd */
	int n;
};

/* Snapshots of every task and what has been read of the host for them,
 * each host fact read at most once and only when a wait needs it. Owned
 * by one thread. */
struct bw_world {
	struct kernel *k;
	struct task_snap *snaps;         /* sorted by TID */
	int n;
	struct host_thread_state *host;  /* by snapshot index */
	bool *host_read;
	int *by_tgid;                    /* snapshot indices by (tgid, tid) */
	int *by_fdt;                     /* snapshot indices by FD table */
	int *by_host;                    /* snapshot indices by host TID */
	bool no_wakers;                  /* objects only: skip the tables */
	/* bw_describe_all()'s results, by snapshot index. */
	struct blocked_on *out;
	/* For hangs.c's passes over some tasks: which, and what it saw. */
	const bool *selected;
	bool *moved;
	bool fds_read;
	struct bw_table *tables;         /* by fdt_id, once read */
	int nr_tables;
	struct bw_hold *holds;           /* pipe and socket ends, by inode */
	int nr_holds, cap_holds;
	bool peers_read;
	struct host_unix_peer *peers;    /* by inode */
	int nr_peers;
	struct host_lock *locks;
	int nr_locks;
};

int bw_world_init(struct bw_world *w, struct kernel *k);
void bw_world_free(struct bw_world *w);
const struct task_snap *bw_find(const struct bw_world *w, pid_t tid);
/* The task a host TID backs (host files such as /proc/locks name host
 * PIDs), or NULL. */
const struct task_snap *bw_find_host(const struct bw_world *w, pid_t host);
/* The host's state of snapshot i (stat and syscall), read once. */
const struct host_thread_state *bw_host(struct bw_world *w, int i);
/* Reads every task's host state, and with fds every FD table, on two
 * threads: what a report over all tasks needs anyway. */
void bw_prefetch(struct bw_world *w, bool fds);
/* Reads every FD table once (bw_prefetch does). */
void bw_read_fds(struct bw_world *w);
/* Runs fn(w, i) for every i below n, on this thread and one more. */
void bw_parallel(struct bw_world *w, int n,
		 void (*fn)(struct bw_world *w, int i));
/* How long snapshot i has been off the CPU, about; the host function it
 * sleeps in. Each a fresh read. */
uint64_t bw_slept(struct bw_world *w, int i);
void bw_wchan(struct bw_world *w, int i, char *buf, size_t len);
/* Descriptor fd of task s's table (the world's copy when it has read
 * the tables). Returns 0, -EBADF or -errno. */
int bw_fd(struct bw_world *w, const struct task_snap *s, int fd,
	  struct host_fd *out);

/* Wakers: one task (bw_describe() keeps one entry a task), every live
 * task of a thread group but except, or every live task holding inode
 * ino readable (want_read) or writable (want_write). */
void bw_add_waker(struct blocked_on *b, pid_t tid, int fd);
int bw_waker_cmp(const void *a, const void *b);
void bw_add_group(struct bw_world *w, struct blocked_on *b, pid_t tgid,
		  pid_t except);
void bw_add_holders(struct bw_world *w, struct blocked_on *b, uint64_t ino,
		    bool want_read, bool want_write);
/* The peer inode of unix socket ino, 0 when it has none. */
uint64_t bw_unix_peer(struct bw_world *w, uint64_t ino);
/* Describes snapshot i into *b (free with blocked_on_free). */
void bw_describe(struct bw_world *w, int i, struct blocked_on *b);
/* Prefetches (with fds: the tables and peers too) and describes every
 * snapshot into out[], on two threads. */
void bw_describe_all(struct bw_world *w, bool fds, struct blocked_on *out);

#endif
