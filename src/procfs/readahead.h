/*
 * readahead.h - the host's files for proc/PID/stat and proc/PID/status,
 * read ahead of a reader that walks proc/ in order (see readahead.c).
 */
#ifndef SENTRY_PROCFS_READAHEAD_H
#define SENTRY_PROCFS_READAHEAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel;
struct pbuf;
struct procfs_readahead;

/* How long a file read ahead may be used: one tick of the clock the
 * times in these files count (USER_HZ, 100 Hz). */
#define RA_FRESH_NS (10u * 1000 * 1000)

enum ra_file {
	RA_STAT,   /* the host's /proc/PID/stat */
	RA_STATUS, /* the host's /proc/PID/status */
	RA_STATM,  /* the host's /proc/PID/statm (top reads it with stat) */
	RA_NR_FILES
};

/* The file's name in a /proc/PID directory. */
const char *procfs_ra_file_name(enum ra_file which);

/* Whether to read ahead: more than one CPU to run on (with one, the
 * reads would only move between threads), and not
 * SENTRY_PROCFS_READAHEAD=0. */
bool procfs_ra_wanted(void);
/* Starts the read-ahead thread. Returns 0 or -errno. */
int procfs_ra_start(struct kernel *k, struct procfs_readahead **out);
/* Stops it and frees what it read. Accepts NULL. */
void procfs_ra_stop(struct procfs_readahead *ra);

/*
 * For a render of proc/TGID/<which> (whole process): takes the host's
 * file of the group leader host_tgid (started at start_ns, to tell a
 * reused TID) if it was read ahead less than RA_FRESH_NS ago, into out
 * (empty on entry); returns 0, or -ENOENT when the caller must read the
 * file itself. Either way, notes the reader's position, which starts or
 * continues the read-ahead. Accepts ra NULL (-ENOENT).
 */
int procfs_ra_take(struct procfs_readahead *ra, pid_t tgid, pid_t host_tgid,
		   uint64_t start_ns, enum ra_file which, struct pbuf *out);

/* Counters for SENTRY_PROCFS_STATS: files taken from the read-ahead, and
 * files it read. */
void procfs_ra_counts(const struct procfs_readahead *ra, unsigned long *taken,
		      unsigned long *read);

#endif
