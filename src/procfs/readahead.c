/*
 * This file implements read-ahead of host-owned files for readers that
 * walk proc/ in order, as ps, top and pgrep do.
 *
 * proc/PID/stat, status and statm carry host-owned numbers (times,
 * memory, context switches: DESIGN §2), so rendering one reads the
 * host's own file: about as long again as the FUSE round trip itself,
 * and most of what kept `ps -e` on proc/ far above the host's /proc
 * (bench/procfs_bench.sh, "(per file)" rows). A reader that opens these
 * files for ascending PIDs will, nearly always, go on to the next PIDs.
 * Once RA_STREAK renders in a row have come in ascending order, a
 * thread of its own reads the host's files of the kinds the reader asked
 * for (ps: stat and status; top: stat and statm), keeping RA_WINDOW thread
 * groups ahead of the reader, into slots the renderers take them from.
 * That thread runs on another CPU than the reader's, so the host reads
 * run beside the reader's round trips instead of inside them.
 *
 * A file read ahead is used once, and only while younger than
 * RA_FRESH_NS: one tick of the clock that the times in these files
 * count (USER_HZ, 100 Hz), so a reader sees numbers at most that much
 * older than a read at open would have given. Anything else (an
 * isolated read, a file asked for twice, a slot taken by another group,
 * a TID reused by a new task) is read at open as before.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/rcu.h"
#include "kernel/task_set.h"
#include "procfs/procfs_internal.h"
#include "procfs/readahead.h"

/* Slots by TGID modulo RA_SLOTS, a power of two: a window of RA_WINDOW
 * groups spaced up to 32 apart (processes of up to 31 threads) takes
 * distinct slots. */
#define RA_SLOTS 1024
#define RA_WINDOW 32   /* thread groups read ahead of the reader */
#define RA_STREAK 3    /* ascending renders before reading ahead */
/* How long the thread's sorted list of TGIDs serves before it is taken
 * again if the tree changed meanwhile: a group created since is only
 * missed by the read-ahead. An unchanged tree (the same tasks created and
 * exited since boot) keeps its list: taking 10,000 TGIDs again every
 * 100 ms was about 5% of the sentry's CPU time while ps walked them. */
#define RA_LIST_NS (100u * 1000 * 1000)
/* How long after the sandbox's last stop it counts as busy. */
#define RA_QUIET_NS (100u * 1000 * 1000)

static const char *const ra_names[RA_NR_FILES] = { "stat", "status",
						  "statm" };

const char *procfs_ra_file_name(enum ra_file which)
{
	return ra_names[which];
}

/* One thread group's files, read ahead. */
struct ra_slot {
	/* mu protects the rest. */
	pthread_mutex_t mu;
	pid_t tgid;        /* 0: empty */
	pid_t host;        /* the leader's host TID */
	uint64_t start_ns; /* the leader's creation: tells a reused TID */
	uint64_t when_ns;  /* CLOCK_MONOTONIC before the reads */
	bool has[RA_NR_FILES];
	struct pbuf file[RA_NR_FILES];
};

struct procfs_readahead {
	struct kernel *k;
	pthread_t thread;
	bool started;

	/* mu protects the reader's position and the thread's orders. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pid_t last;       /* the last TGID rendered (written with mu held,
			     atomically: the thread reads it without) */
	int streak;       /* renders since the TGIDs last went down */
	unsigned files;   /* 1 << enum ra_file: what the streak asked for */
	pid_t want;       /* read ahead of this TGID; 0: nothing asked */
	pid_t refill_at;  /* ask again when the reader gets here */
	bool stop;
	int away_from;    /* the CPU the thread is kept off; -1: none */
	cpu_set_t cpus;   /* immutable: the CPUs the sentry may use */

	/* Owned by the thread: the sandbox's host stops when it last looked,
	 * when that was, and when it last saw a recent stop (0: never;
	 * ra_sandbox_busy). */
	uint64_t last_stops;
	uint64_t look_ns;
	uint64_t busy_ns;

	/* Owned by the thread: the TGIDs, ascending, as of list_ns. */
	pid_t *tgids;
	int nr_tgids;
	uint64_t list_ns;
	uint64_t list_gen;  /* tasks created + exited as of list_ns */

	struct ra_slot slot[RA_SLOTS];
	unsigned long taken, read; /* atomic */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct ra_slot *ra_slot(struct procfs_readahead *ra, pid_t tgid)
{
	return &ra->slot[(unsigned)tgid & (RA_SLOTS - 1)];
}

/* Empties s's files. Preconditions: s->mu. */
static void ra_slot_clear_locked(struct ra_slot *s)
{
	for (int i = 0; i < RA_NR_FILES; i++) {
		pbuf_free(&s->file[i]);
		s->has[i] = false;
	}
	s->tgid = 0;
}

/* Reads tgid's host files of the kinds in files (1 << enum ra_file)
 * into its slot, unless they are there and young enough to outlast the
 * reader's way to them. */
static void ra_read_group(struct procfs_readahead *ra, pid_t tgid,
			  unsigned files)
{
	struct pbuf f[RA_NR_FILES];
	struct ra_slot *s = ra_slot(ra, tgid);
	uint64_t start_ns = 0, when;
	pid_t host = 0;
	struct task *t;
	bool fresh;
	int i;

	if (!files)
		return;
	rcu_read_lock();
	t = task_lookup_rcu(ra->k, tgid);
	if (t) {
		host = CMM_LOAD_SHARED(t->host_tid);
		start_ns = __atomic_load_n(&t->start_ns, __ATOMIC_RELAXED);
	}
	rcu_read_unlock();
	if (host <= 0)
		return;
	when = mono_ns();
	pthread_mutex_lock(&s->mu);
	fresh = s->tgid == tgid && s->host == host &&
		s->start_ns == start_ns && when - s->when_ns < RA_FRESH_NS / 2;
	for (i = 0; i < RA_NR_FILES; i++)
		if ((files & (1u << i)) && !s->has[i])
			fresh = false;
	pthread_mutex_unlock(&s->mu);
	if (fresh)
		return;
	for (i = 0; i < RA_NR_FILES; i++) {
		char path[64];

		pbuf_init(&f[i]);
		if (!(files & (1u << i)))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)host,
			 ra_names[i]);
		if (host_read_record(path, &f[i]) < 0 || !f[i].len)
			break;
	}
	if (i < RA_NR_FILES) { /* gone meanwhile: left to the renderer */
		for (; i >= 0; i--)
			pbuf_free(&f[i]);
		return;
	}
	pthread_mutex_lock(&s->mu);
	ra_slot_clear_locked(s);
	s->tgid = tgid;
	s->host = host;
	s->start_ns = start_ns;
	s->when_ns = when;
	for (i = 0; i < RA_NR_FILES; i++) {
		s->file[i] = f[i];
		s->has[i] = (files & (1u << i)) != 0;
	}
	pthread_mutex_unlock(&s->mu);
	__atomic_add_fetch(&ra->read, (unsigned long)__builtin_popcount(files),
			   __ATOMIC_RELAXED);
}

/* The index in the thread's list of the first TGID above tgid. */
static int ra_index_after(const struct procfs_readahead *ra, pid_t tgid)
{
	int lo = 0, hi = ra->nr_tgids;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ra->tgids[mid] <= tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Reads the files in files (none: only moves on) ahead of TGID from;
 * returns the TGID whose render should ask for more (INT_MAX: the end of
 * the list). */
static pid_t ra_fill(struct procfs_readahead *ra, pid_t from, unsigned files)
{
	uint64_t now = mono_ns();
	uint64_t gen =
		__atomic_load_n(&ra->k->tasks_created, __ATOMIC_RELAXED) +
		__atomic_load_n(&ra->k->tasks_exited, __ATOMIC_RELAXED);
	int i;

	/* Not while nothing is read (a busy sandbox): taking the list walks
	 * every task under ts.mu, on the CPU the sandbox is working on. */
	if (!ra->tgids ||
	    (files && gen != ra->list_gen &&
	     (now - ra->list_ns > RA_LIST_NS ||
	      from >= ra->tgids[ra->nr_tgids - 1]))) {
		free(ra->tgids);
		ra->nr_tgids = ts_list_tids(ra->k, true, &ra->tgids);
		if (ra->nr_tgids <= 0) {
			ra->tgids = NULL;
			ra->nr_tgids = 0;
			return INT_MAX;
		}
		ra->list_ns = now;
		ra->list_gen = gen;
	}
	/* Reads until RA_WINDOW groups ahead of where the reader is now,
	 * skipping those it has passed meanwhile: a reader of two files per
	 * group (ps reads stat and status of every process before anything
	 * else) is about as fast as this thread, which must then keep
	 * going rather than read a fixed batch behind it. */
	for (i = ra_index_after(ra, from); i < ra->nr_tgids; i++) {
		int reader = ra_index_after(
			ra, __atomic_load_n(&ra->last, __ATOMIC_RELAXED));

		if (i >= reader + RA_WINDOW)
			break;
		if (i < reader)
			i = reader;
		if (i >= ra->nr_tgids)
			break; /* the reader is past the list's end */
		ra_read_group(ra, ra->tgids[i], files);
	}
	if (i >= ra->nr_tgids)
		return INT_MAX; /* the end: nothing more to ask for */
	/* Asked again when the reader is half a window behind. */
	i -= RA_WINDOW / 2;
	return ra->tgids[i > 0 ? i : 0];
}

/* Whether the sandbox worked (its threads stopped for the platform) in
 * the last RA_QUIET_NS. While it does, the thread reads nothing ahead and
 * the renderers read at open, on the reader's CPU: the reads would take
 * CPU time from the workload the reader watches, even at SCHED_IDLE
 * (bench/procfs_bench.sh, a fork+CPU workload while procfs_walk reads the
 * whole tree: +9-20% with read-ahead at SCHED_BATCH, +11-12% at
 * SCHED_IDLE or when only stops since the last fill counted, +5-10%
 * without). An idle sandbox, as ps on 10,000 sleeping tasks sees, is
 * read ahead. */
static bool ra_sandbox_busy(struct procfs_readahead *ra)
{
	uint64_t stops = __atomic_load_n(&ra->k->host_stops, __ATOMIC_RELAXED);
	uint64_t now = mono_ns();

	/* A change seen within RA_QUIET_NS of the last look is a stop that
	 * recent; one seen after a longer gap may be older, and counts only
	 * once the next look sees another. */
	if (stops != ra->last_stops) {
		if (ra->look_ns && now - ra->look_ns < RA_QUIET_NS)
			ra->busy_ns = now;
		ra->last_stops = stops;
	}
	ra->look_ns = now;
	return ra->busy_ns && now - ra->busy_ns < RA_QUIET_NS;
}

static void *ra_thread(void *arg)
{
	struct procfs_readahead *ra = arg;
	struct sched_param batch = { .sched_priority = 0 };

	/* SCHED_BATCH, as the rings: woken, it never preempts a reader or a
	 * sandboxed thread, and it is kept off the reader's CPU
	 * (ra_keep_off_this_cpu_locked), where the reads would lengthen the
	 * reader's requests instead of running beside them (stat 54 µs per
	 * open there, against 24 on the other CPU and 35 without
	 * read-ahead). Its reads are those the rings would otherwise make.
	 * At SCHED_IDLE it lost the other CPU to other work on this VM
	 * half the time: 45% of ps's files came from it, against 93%. */
	pthread_setschedparam(pthread_self(), SCHED_BATCH, &batch);
	ra->last_stops = __atomic_load_n(&ra->k->host_stops, __ATOMIC_RELAXED);
	rcu_register_thread();
	pthread_mutex_lock(&ra->mu);
	for (;;) {
		pid_t from, next;
		unsigned files;

		while (!ra->stop && !ra->want)
			pthread_cond_wait(&ra->cv, &ra->mu);
		if (ra->stop)
			break;
		from = ra->want;
		files = ra->files;
		ra->want = 0;
		pthread_mutex_unlock(&ra->mu);
		next = ra_fill(ra, from, ra_sandbox_busy(ra) ? 0 : files);
		pthread_mutex_lock(&ra->mu);
		/* Unless the reader started over meanwhile. */
		if (ra->refill_at == INT_MAX)
			ra->refill_at = next;
	}
	pthread_mutex_unlock(&ra->mu);
	rcu_unregister_thread();
	return NULL;
}

/* Keeps the thread off the CPU this render runs on: the reader's, as the
 * rings serve each request on its reader's CPU (uring.c). One system
 * call when the reader moves. Preconditions: ra->mu. */
static void ra_keep_off_this_cpu_locked(struct procfs_readahead *ra)
{
	int cpu = sched_getcpu();
	cpu_set_t away;

	if (cpu < 0 || cpu == ra->away_from || !CPU_ISSET(cpu, &ra->cpus))
		return;
	away = ra->cpus;
	CPU_CLR(cpu, &away);
	if (CPU_COUNT(&away) == 0)
		return;
	if (pthread_setaffinity_np(ra->thread, sizeof(away), &away) == 0)
		ra->away_from = cpu;
}

/* Notes a render of TGID tgid's file of kind which; asks the thread for
 * more of the kinds the reader renders when it has gone in order long
 * enough and reached the refill point. */
static void ra_note(struct procfs_readahead *ra, pid_t tgid,
		    enum ra_file which)
{
	pthread_mutex_lock(&ra->mu);
	if (tgid < ra->last) {
		ra->streak = 0;
		ra->refill_at = 0;
		ra->files = 0;
	} else if (tgid > ra->last) {
		ra->streak++;
	}
	ra->files |= 1u << which;
	/* Read by the thread without mu, to see where the reader is. */
	__atomic_store_n(&ra->last, tgid, __ATOMIC_RELAXED);
	if (ra->streak >= RA_STREAK && tgid >= ra->refill_at) {
		ra->want = tgid;
		ra->refill_at = INT_MAX; /* until the thread says */
		ra_keep_off_this_cpu_locked(ra);
		pthread_cond_signal(&ra->cv);
	}
	pthread_mutex_unlock(&ra->mu);
}

int procfs_ra_take(struct procfs_readahead *ra, pid_t tgid, pid_t host_tgid,
		   uint64_t start_ns, enum ra_file which, struct pbuf *out)
{
	struct ra_slot *s;
	int err = -ENOENT;

	if (!ra || tgid <= 0)
		return -ENOENT;
	s = ra_slot(ra, tgid);
	pthread_mutex_lock(&s->mu);
	if (s->tgid == tgid && s->host == host_tgid &&
	    s->start_ns == start_ns && s->has[which] &&
	    mono_ns() - s->when_ns < RA_FRESH_NS) {
		*out = s->file[which];
		pbuf_init(&s->file[which]);
		s->has[which] = false;
		err = 0;
	}
	pthread_mutex_unlock(&s->mu);
	if (err == 0)
		__atomic_add_fetch(&ra->taken, 1, __ATOMIC_RELAXED);
	ra_note(ra, tgid, which);
	return err;
}

bool procfs_ra_wanted(void)
{
	const char *env = getenv("SENTRY_PROCFS_READAHEAD");
	cpu_set_t cpus;

	if (env && !strcmp(env, "0"))
		return false;
	return sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
	       CPU_COUNT(&cpus) > 1;
}

int procfs_ra_start(struct kernel *k, struct procfs_readahead **out)
{
	struct procfs_readahead *ra = calloc(1, sizeof(*ra));
	int err;

	*out = NULL;
	if (!ra)
		return -ENOMEM;
	ra->k = k;
	ra->away_from = -1;
	if (sched_getaffinity(0, sizeof(ra->cpus), &ra->cpus) < 0)
		CPU_ZERO(&ra->cpus);
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->cv, NULL);
	for (int i = 0; i < RA_SLOTS; i++) {
		pthread_mutex_init(&ra->slot[i].mu, NULL);
		for (int f = 0; f < RA_NR_FILES; f++)
			pbuf_init(&ra->slot[i].file[f]);
	}
	err = -pthread_create(&ra->thread, NULL, ra_thread, ra);
	if (err < 0) {
		procfs_ra_stop(ra); /* no thread: only frees */
		return err;
	}
	ra->started = true;
	pthread_setname_np(ra->thread, "sentry-ra");
	*out = ra;
	return 0;
}

void procfs_ra_stop(struct procfs_readahead *ra)
{
	if (!ra)
		return;
	if (ra->started) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = true;
		pthread_cond_signal(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->thread, NULL);
	}
	for (int i = 0; i < RA_SLOTS; i++) {
		ra_slot_clear_locked(&ra->slot[i]);
		pthread_mutex_destroy(&ra->slot[i].mu);
	}
	free(ra->tgids);
	pthread_mutex_destroy(&ra->mu);
	pthread_cond_destroy(&ra->cv);
	free(ra);
}

void procfs_ra_counts(const struct procfs_readahead *ra, unsigned long *taken,
		      unsigned long *read)
{
	*taken = ra ? __atomic_load_n(&ra->taken, __ATOMIC_RELAXED) : 0;
	*read = ra ? __atomic_load_n(&ra->read, __ATOMIC_RELAXED) : 0;
}
