/*
 * This file implements the mirror's files on a cgroup v1 (or hybrid) host:
 * each v2 file is computed from the v1 files of the memory, cpu and
 * cpuacct hierarchies, and each v2 limit written as its v1 counterpart.
 * The table of what maps to what, and the approximations, are in
 * hostcg.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "platform/hostcg_internal.h"

/* v1 shows "no limit" as PAGE_COUNTER_MAX pages in bytes (and accepts -1
 * for it); anything from there up reads as "max". */
static bool v1_unlimited(int64_t bytes)
{
	int64_t page = sysconf(_SC_PAGESIZE);
	return bytes < 0 || bytes >= (INT64_MAX / page) * page;
}

static int write_memory(const char *dir, const char *v1file,
			const char *value)
{
	struct hostcg_memory_value v;
	int r = hostcg_parse_memory(value, &v);
	if (r < 0)
		return r;
	char out[32];
	if (v.max)
		snprintf(out, sizeof(out), "-1\n");
	else
		snprintf(out, sizeof(out), "%" PRIu64 "\n", v.bytes);
	return hostcg_write_text(dir, v1file, out);
}

/* cpu.max: the period first (the quota is checked against it), and the
 * old period back if the quota is refused. */
static int write_cpu_max(const char *dir, const char *value)
{
	struct hostcg_cpu_max_value v;
	int r = hostcg_parse_cpu_max(value, &v);
	if (r < 0)
		return r;
	int64_t old_period = 0;
	char out[32];
	if (v.has_period) {
		r = hostcg_read_i64(dir, "cpu.cfs_period_us", &old_period);
		if (r < 0)
			return r;
		snprintf(out, sizeof(out), "%" PRIu64 "\n", v.period_us);
		r = hostcg_write_text(dir, "cpu.cfs_period_us", out);
		if (r < 0)
			return r;
	}
	if (v.quota_max)
		snprintf(out, sizeof(out), "-1\n");
	else
		snprintf(out, sizeof(out), "%" PRIu64 "\n", v.quota_us);
	r = hostcg_write_text(dir, "cpu.cfs_quota_us", out);
	if (r < 0 && v.has_period) {
		snprintf(out, sizeof(out), "%" PRId64 "\n", old_period);
		hostcg_write_text(dir, "cpu.cfs_period_us", out);
	}
	return r;
}

int hostcg_v1_write(const struct hostcg *h, const char *path,
		    const char *file, const char *value)
{
	char dir[PATH_MAX];
	int r;
	if (strcmp(file, "memory.max") == 0 || strcmp(file, "memory.high") == 0) {
		r = hostcg_dir(h, HOSTCG_MEMORY, path, dir, sizeof(dir));
		if (r < 0)
			return r;
		return write_memory(dir,
				    strcmp(file, "memory.max") == 0
					    ? "memory.limit_in_bytes"
					    : "memory.soft_limit_in_bytes",
				    value);
	}
	if (strcmp(file, "cpu.max") == 0) {
		r = hostcg_dir(h, HOSTCG_CPU, path, dir, sizeof(dir));
		return r < 0 ? r : write_cpu_max(dir, value);
	}
	if (strcmp(file, "cpu.weight") == 0) {
		uint64_t w;
		r = hostcg_dir(h, HOSTCG_CPU, path, dir, sizeof(dir));
		if (r < 0)
			return r;
		r = hostcg_parse_weight(value, &w);
		if (r < 0)
			return r;
		char out[32];
		snprintf(out, sizeof(out), "%" PRIu64 "\n",
			 hostcg_weight_to_shares(w));
		return hostcg_write_text(dir, "cpu.shares", out);
	}
	/* The read-only files, as v2 refuses a write to them. */
	static const char *const readonly[] = {
		"memory.current", "memory.peak", "memory.events",
		"memory.stat", "cpu.stat",
	};
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++)
		if (strcmp(file, readonly[i]) == 0)
			return -EACCES;
	return -ENOENT;
}

/* One number file as v2 shows a limit: "max" or bytes. */
static int read_limit(const char *dir, const char *v1file, char *buf,
		      size_t len)
{
	int64_t v;
	int r = hostcg_read_i64(dir, v1file, &v);
	if (r < 0)
		return r;
	int n = v1_unlimited(v) ? snprintf(buf, len, "max\n")
				: snprintf(buf, len, "%" PRId64 "\n", v);
	return n < 0 || (size_t)n >= len ? -ERANGE : n;
}

static int read_number(const char *dir, const char *v1file, char *buf,
		       size_t len)
{
	int64_t v;
	int r = hostcg_read_i64(dir, v1file, &v);
	if (r < 0)
		return r;
	int n = snprintf(buf, len, "%" PRId64 "\n", v);
	return n < 0 || (size_t)n >= len ? -ERANGE : n;
}

static int read_events(const char *dir, char *buf, size_t len)
{
	int64_t failcnt;
	int r = hostcg_read_i64(dir, "memory.failcnt", &failcnt);
	if (r < 0)
		return r;
	char oom[256];
	uint64_t kills = 0;
	r = hostcg_read_text(dir, "memory.oom_control", oom, sizeof(oom));
	if (r < 0)
		return r;
	/* Kernels before 4.13 have no oom_kill line: no kills counted. */
	hostcg_keyed(oom, "oom_kill", &kills);
	size_t pos = 0;
	if ((r = hostcg_emit(buf, len, &pos, "low", 0)) < 0 ||
	    (r = hostcg_emit(buf, len, &pos, "high", 0)) < 0 ||
	    (r = hostcg_emit(buf, len, &pos, "max", (uint64_t)failcnt)) < 0 ||
	    (r = hostcg_emit(buf, len, &pos, "oom", kills)) < 0 ||
	    (r = hostcg_emit(buf, len, &pos, "oom_kill", kills)) < 0)
		return r;
	return (int)pos;
}

/* memory.stat's v2 lines, in v2's order, from v1's hierarchical totals. */
static const struct {
	const char *v2;
	const char *v1;
} stat_map[] = {
	{ "anon", "total_rss" },
	{ "file", "total_cache" },
	{ "kernel", NULL }, /* memory.kmem.usage_in_bytes */
	{ "sock", NULL },   /* memory.kmem.tcp.usage_in_bytes */
	{ "shmem", "total_shmem" },
	{ "file_mapped", "total_mapped_file" },
	{ "file_dirty", "total_dirty" },
	{ "file_writeback", "total_writeback" },
	{ "swapcached", "total_swapcached" },
	{ "anon_thp", "total_rss_huge" },
	{ "inactive_anon", "total_inactive_anon" },
	{ "active_anon", "total_active_anon" },
	{ "inactive_file", "total_inactive_file" },
	{ "active_file", "total_active_file" },
	{ "unevictable", "total_unevictable" },
	{ "workingset_refault_anon", "total_workingset_refault_anon" },
	{ "workingset_refault_file", "total_workingset_refault_file" },
	{ "pgfault", "total_pgfault" },
	{ "pgmajfault", "total_pgmajfault" },
};

static int read_memory_stat(const char *dir, char *buf, size_t len)
{
	char v1[8192];
	int r = hostcg_read_text(dir, "memory.stat", v1, sizeof(v1));
	if (r < 0)
		return r;
	size_t pos = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(stat_map) / sizeof(stat_map[0]); i++) {
		uint64_t v;
		if (stat_map[i].v1) {
			if (hostcg_keyed(v1, stat_map[i].v1, &v) < 0)
				continue;
		} else {
			int64_t s;
			const char *f = strcmp(stat_map[i].v2, "kernel") == 0
						? "memory.kmem.usage_in_bytes"
						: "memory.kmem.tcp.usage_in_bytes";
			if (hostcg_read_i64(dir, f, &s) < 0)
				continue;
			v = (uint64_t)s;
		}
		if ((r = hostcg_emit(buf, len, &pos, stat_map[i].v2, v)) < 0)
			return r;
	}
	return (int)pos;
}

/* cpu.stat from cpuacct (usage) and cpu (bandwidth), each when present. */
static int read_cpu_stat(const struct hostcg *h, const char *path,
			 char *buf, size_t len)
{
	char acct[PATH_MAX], cpu[PATH_MAX];
	bool has_acct = hostcg_dir(h, HOSTCG_CPUACCT, path, acct,
				   sizeof(acct)) == 0;
	int r = hostcg_dir(h, HOSTCG_CPU, path, cpu, sizeof(cpu));
	if (r < 0)
		return r;
	size_t pos = 0;
	buf[0] = '\0';
	if (has_acct) {
		int64_t usage, user, sys;
		r = hostcg_read_i64(acct, "cpuacct.usage", &usage);
		if (r < 0)
			return r;
		if (hostcg_read_i64(acct, "cpuacct.usage_user", &user) < 0 ||
		    hostcg_read_i64(acct, "cpuacct.usage_sys", &sys) < 0) {
			/* Before 4.7: cpuacct.stat in USER_HZ ticks. */
			char st[256];
			uint64_t ut = 0, stk = 0;
			r = hostcg_read_text(acct, "cpuacct.stat", st, sizeof(st));
			if (r < 0)
				return r;
			hostcg_keyed(st, "user", &ut);
			hostcg_keyed(st, "system", &stk);
			long hz = sysconf(_SC_CLK_TCK);
			if (hz <= 0)
				hz = 100;
			user = (int64_t)(ut * (1000000000ull / (uint64_t)hz));
			sys = (int64_t)(stk * (1000000000ull / (uint64_t)hz));
		}
		if ((r = hostcg_emit(buf, len, &pos, "usage_usec",
				     (uint64_t)usage / 1000)) < 0 ||
		    (r = hostcg_emit(buf, len, &pos, "user_usec",
				     (uint64_t)user / 1000)) < 0 ||
		    (r = hostcg_emit(buf, len, &pos, "system_usec",
				     (uint64_t)sys / 1000)) < 0)
			return r;
	}
	char st[512];
	r = hostcg_read_text(cpu, "cpu.stat", st, sizeof(st));
	if (r < 0)
		return r;
	static const struct {
		const char *v2, *v1;
		uint64_t div; /* ns -> µs */
	} bw[] = {
		{ "nr_periods", "nr_periods", 1 },
		{ "nr_throttled", "nr_throttled", 1 },
		{ "throttled_usec", "throttled_time", 1000 },
		{ "nr_bursts", "nr_bursts", 1 },
		{ "burst_usec", "burst_time", 1000 },
	};
	for (size_t i = 0; i < sizeof(bw) / sizeof(bw[0]); i++) {
		uint64_t v;
		if (hostcg_keyed(st, bw[i].v1, &v) < 0)
			continue;
		if ((r = hostcg_emit(buf, len, &pos, bw[i].v2, v / bw[i].div)) < 0)
			return r;
	}
	return (int)pos;
}

static int read_cpu_max(const char *dir, char *buf, size_t len)
{
	int64_t quota, period;
	int r;
	if ((r = hostcg_read_i64(dir, "cpu.cfs_quota_us", &quota)) < 0 ||
	    (r = hostcg_read_i64(dir, "cpu.cfs_period_us", &period)) < 0)
		return r;
	int n = quota < 0
			? snprintf(buf, len, "max %" PRId64 "\n", period)
			: snprintf(buf, len, "%" PRId64 " %" PRId64 "\n", quota,
				   period);
	return n < 0 || (size_t)n >= len ? -ERANGE : n;
}

static int read_cpu_weight(const char *dir, char *buf, size_t len)
{
	int64_t shares;
	int r = hostcg_read_i64(dir, "cpu.shares", &shares);
	if (r < 0)
		return r;
	int n = snprintf(buf, len, "%" PRIu64 "\n",
			 hostcg_shares_to_weight(shares < 0 ? 0 : (uint64_t)shares));
	return n < 0 || (size_t)n >= len ? -ERANGE : n;
}

int hostcg_v1_read(const struct hostcg *h, const char *path,
		   const char *file, char *buf, size_t len)
{
	char dir[PATH_MAX];
	int r;
	if (strncmp(file, "memory.", 7) == 0) {
		static const char *const known[] = {
			"memory.max", "memory.high", "memory.current",
			"memory.peak", "memory.events", "memory.stat",
		};
		bool ok = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= strcmp(file, known[i]) == 0;
		if (!ok)
			return -ENOENT;
		r = hostcg_dir(h, HOSTCG_MEMORY, path, dir, sizeof(dir));
		if (r < 0)
			return r;
		if (strcmp(file, "memory.max") == 0)
			return read_limit(dir, "memory.limit_in_bytes", buf, len);
		if (strcmp(file, "memory.high") == 0)
			return read_limit(dir, "memory.soft_limit_in_bytes", buf,
					  len);
		if (strcmp(file, "memory.current") == 0)
			return read_number(dir, "memory.usage_in_bytes", buf, len);
		if (strcmp(file, "memory.peak") == 0)
			return read_number(dir, "memory.max_usage_in_bytes", buf,
					   len);
		if (strcmp(file, "memory.events") == 0)
			return read_events(dir, buf, len);
		return read_memory_stat(dir, buf, len);
	}
	if (strcmp(file, "cpu.stat") == 0)
		return read_cpu_stat(h, path, buf, len);
	if (strcmp(file, "cpu.max") != 0 && strcmp(file, "cpu.weight") != 0)
		return -ENOENT;
	r = hostcg_dir(h, HOSTCG_CPU, path, dir, sizeof(dir));
	if (r < 0)
		return r;
	return strcmp(file, "cpu.max") == 0 ? read_cpu_max(dir, buf, len)
					    : read_cpu_weight(dir, buf, len);
}
