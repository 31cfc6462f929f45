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

/* Snapshots of every task and what has been read of the host for them,
 * each host fact read at most once and only when a wait needs it. Owned
 * by one thread. */
struct bw_world {
	struct kernel *k;
	struct task_snap *snaps;         /* sorted by TID */
	int n;
	struct host_thread_state *host;  /* by snapshot index */
	bool *host_read;
	bool no_wakers;                  /* objects only: skip the tables */
	bool fds_read;
	struct bw_hold *holds;           /* pipe and socket ends, by inode */
	int nr_holds;
	bool peers_read;
	struct host_unix_peer *peers;    /* by inode */
	int nr_peers;
	struct host_lock *locks;
	int nr_locks;
};

int bw_world_init(struct bw_world *w, struct kernel *k);
void bw_world_free(struct bw_world *w);
const struct task_snap *bw_find(const struct bw_world *w, pid_t tid);
const struct host_thread_state *bw_host(struct bw_world *w, int i);
/* Describes snapshot i into *b (free with blocked_on_free). */
void bw_describe(struct bw_world *w, int i, struct blocked_on *b);

#endif
