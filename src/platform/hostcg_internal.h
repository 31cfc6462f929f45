/*
 * hostcg_internal.h - what the files of the host cgroup mirror share.
 *
 * hostcg.c discovers the host and maps emulated paths, hostcg_v1.c and
 * hostcg_v2.c translate the files of each layout, hostcg_value.c parses
 * values as Linux does, hostcg_reaper.c removes the mirror (also from the
 * reaper process, so it is async-signal-safe).
 */
#ifndef SENTRY_PLATFORM_HOSTCG_INTERNAL_H
#define SENTRY_PLATFORM_HOSTCG_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/hostcg.h"

enum hostcg_layout_kind { HOSTCG_V1, HOSTCG_V2 };

/* The hierarchies a mirror may use. On v2 all are the one cgroup2 tree. */
enum hostcg_ctrl { HOSTCG_MEMORY, HOSTCG_CPU, HOSTCG_CPUACCT, HOSTCG_NCTRL };

/* Immutable after hostcg_open (see hostcg.h): no lock. */
struct hostcg {
	enum hostcg_layout_kind layout;
	/* root[c]: the host directory of the emulated root in controller c's
	 * hierarchy, "" when the host lacks c. Co-mounted controllers (v1
	 * "cpu,cpuacct", everything on v2) have equal strings. */
	char root[HOSTCG_NCTRL][PATH_MAX];
	/* The distinct non-empty roots, indices into root[], in the order
	 * they were created: what cleanup removes. */
	int distinct[HOSTCG_NCTRL];
	int ndistinct;
	/* Write end of the reaper's pipe (O_CLOEXEC); closing it tells the
	 * reaper to clean up and exit. -1 without a reaper. */
	int life_fd;
	/* Read end of a pipe whose only writer is the reaper: EOF when it
	 * has exited. -1 without a reaper. */
	int done_fd;
	pid_t reaper;
	char warning[256];
};

/* A controller's host directory for emulated path (validated, "/" or
 * "/a/b") into out. Returns 0, -EOPNOTSUPP if the host lacks ctrl,
 * -EINVAL for a bad path, -ENAMETOOLONG. */
int hostcg_dir(const struct hostcg *h, enum hostcg_ctrl ctrl,
	       const char *path, char *out, size_t outlen);

/* Whole-file helpers. hostcg_read_text reads dir/file into buf
 * (NUL-terminated) and returns its length or -errno (-EOPNOTSUPP when dir
 * exists and file does not: the host lacks the feature; -ENOENT when dir
 * does not exist; -ERANGE when buf is too small). hostcg_write_text
 * writes value with one write(2), never creating the file: a missing file
 * on a real cgroupfs means a missing feature, and creating it would write
 * to whatever filesystem is mounted there. */
int hostcg_read_text(const char *dir, const char *file, char *buf,
		     size_t len);
int hostcg_write_text(const char *dir, const char *file, const char *value);
/* The first number of dir/file ("-1" gives -1). */
int hostcg_read_i64(const char *dir, const char *file, int64_t *out);

/* The value of key in a flat-keyed file ("key value\n" lines). Returns 0
 * or -ENOENT. */
int hostcg_keyed(const char *text, const char *key, uint64_t *out);

/* Appends "key value\n" to buf of len at *pos; -ERANGE when full. */
int hostcg_emit(char *buf, size_t len, size_t *pos, const char *key,
		uint64_t value);

/* Values as Linux parses them (hostcg_value.c). */
struct hostcg_memory_value {
	bool max;       /* "max" */
	uint64_t bytes; /* rounded down to pages, when !max */
};
int hostcg_parse_memory(const char *s, struct hostcg_memory_value *v);

struct hostcg_cpu_max_value {
	bool quota_max;     /* "max" */
	uint64_t quota_us;  /* when !quota_max */
	bool has_period;    /* a second token was given */
	uint64_t period_us; /* when has_period */
};
int hostcg_parse_cpu_max(const char *s, struct hostcg_cpu_max_value *v);

int hostcg_parse_weight(const char *s, uint64_t *weight);
uint64_t hostcg_weight_to_shares(uint64_t weight);
uint64_t hostcg_shares_to_weight(uint64_t shares);

/* The per-layout files: 0 or -errno, reads return the length. dir is the
 * mirror's directory per controller (as hostcg_dir gives, "" when the
 * host lacks it). */
int hostcg_v1_write(const struct hostcg *h, const char *path,
		    const char *file, const char *value);
int hostcg_v1_read(const struct hostcg *h, const char *path,
		   const char *file, char *buf, size_t len);
int hostcg_v2_write(const struct hostcg *h, const char *path,
		    const char *file, const char *value);
int hostcg_v2_read(const struct hostcg *h, const char *path,
		   const char *file, char *buf, size_t len);
/* Enables memory and cpu (those the host has) for dir's children. */
int hostcg_v2_enable_subtree(const struct hostcg *h, const char *dir);

/* Kills every task in the mirror and removes it bottom-up, retrying
 * while rmdir gives EBUSY, for about two seconds. Async-signal-safe: the
 * reaper runs it in a forked child of a multi-threaded sentry. Returns 0
 * when every root is gone, else -errno of the last failure. */
int hostcg_remove_all(const struct hostcg *h);

/* Starts the reaper (hostcg_reaper.c): sets h->life_fd, done_fd, reaper.
 * Returns 0 or -errno. */
int hostcg_reaper_start(struct hostcg *h);
/* Tells the reaper to exit and waits for it. */
void hostcg_reaper_stop(struct hostcg *h);

#endif /* SENTRY_PLATFORM_HOSTCG_INTERNAL_H */
