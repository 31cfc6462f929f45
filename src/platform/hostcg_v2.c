/*
 * This file implements the mirror's files on a cgroup v2 host: the names
 * are the host's, so reads pass through and writes are the parsed value
 * in canonical form (hostcg_value.c), after the same checks the host
 * makes, so both layouts refuse the same values with the same errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "platform/hostcg_internal.h"

/* The controller whose directory holds each file we serve. */
static const struct {
	const char *name;
	enum hostcg_ctrl ctrl;
	bool writable;
} v2_files[] = {
	{ "memory.max", HOSTCG_MEMORY, true },
	{ "memory.high", HOSTCG_MEMORY, true },
	{ "memory.current", HOSTCG_MEMORY, false },
	{ "memory.peak", HOSTCG_MEMORY, false },
	{ "memory.events", HOSTCG_MEMORY, false },
	{ "memory.stat", HOSTCG_MEMORY, false },
	{ "cpu.max", HOSTCG_CPU, true },
	{ "cpu.weight", HOSTCG_CPU, true },
	/* cpu.stat exists without the cpu controller (usage only), but
	 * without it there is no throttling to report: served with cpu. */
	{ "cpu.stat", HOSTCG_CPU, false },
};

static int find_file(const char *file, bool write, enum hostcg_ctrl *ctrl)
{
	for (size_t i = 0; i < sizeof(v2_files) / sizeof(v2_files[0]); i++) {
		if (strcmp(v2_files[i].name, file) != 0)
			continue;
		if (write && !v2_files[i].writable)
			return -EACCES;
		*ctrl = v2_files[i].ctrl;
		return 0;
	}
	return -ENOENT;
}

int hostcg_v2_enable_subtree(const struct hostcg *h, const char *dir)
{
	if (h->root[HOSTCG_MEMORY][0]) {
		int r = hostcg_write_text(dir, "cgroup.subtree_control", "+memory");
		if (r < 0)
			return r;
	}
	if (h->root[HOSTCG_CPU][0]) {
		int r = hostcg_write_text(dir, "cgroup.subtree_control", "+cpu");
		if (r < 0)
			return r;
	}
	return 0;
}

int hostcg_v2_write(const struct hostcg *h, const char *path,
		    const char *file, const char *value)
{
	enum hostcg_ctrl ctrl;
	int r = find_file(file, true, &ctrl);
	if (r < 0)
		return r;
	char dir[PATH_MAX];
	r = hostcg_dir(h, ctrl, path, dir, sizeof(dir));
	if (r < 0)
		return r;
	char out[64];
	if (ctrl == HOSTCG_MEMORY) {
		struct hostcg_memory_value v;
		r = hostcg_parse_memory(value, &v);
		if (r < 0)
			return r;
		if (v.max)
			snprintf(out, sizeof(out), "max\n");
		else
			snprintf(out, sizeof(out), "%" PRIu64 "\n", v.bytes);
	} else if (strcmp(file, "cpu.max") == 0) {
		struct hostcg_cpu_max_value v;
		r = hostcg_parse_cpu_max(value, &v);
		if (r < 0)
			return r;
		char quota[24];
		if (v.quota_max)
			snprintf(quota, sizeof(quota), "max");
		else
			snprintf(quota, sizeof(quota), "%" PRIu64, v.quota_us);
		if (v.has_period)
			snprintf(out, sizeof(out), "%s %" PRIu64 "\n", quota,
				 v.period_us);
		else
			snprintf(out, sizeof(out), "%s\n", quota);
	} else {
		uint64_t w;
		r = hostcg_parse_weight(value, &w);
		if (r < 0)
			return r;
		snprintf(out, sizeof(out), "%" PRIu64 "\n", w);
	}
	r = hostcg_write_text(dir, file, out);
	return r;
}

int hostcg_v2_read(const struct hostcg *h, const char *path,
		   const char *file, char *buf, size_t len)
{
	enum hostcg_ctrl ctrl;
	int r = find_file(file, false, &ctrl);
	if (r < 0)
		return r;
	char dir[PATH_MAX];
	r = hostcg_dir(h, ctrl, path, dir, sizeof(dir));
	if (r < 0)
		return r;
	return hostcg_read_text(dir, file, buf, len);
}
