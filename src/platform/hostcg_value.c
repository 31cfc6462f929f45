/*
 * This file implements the parsing of the v2 limit values the mirror
 * accepts, as Linux parses them, so that a value the host would refuse is
 * refused the same way on a v1 host (where the v1 file has other rules)
 * and a value it would accept is written in one canonical form:
 *
 *   memory.max, memory.high  mm/page_counter.c:page_counter_memparse()
 *   cpu.max                  kernel/sched/core.c:cpu_period_quota_parse()
 *                            and tg_set_cfs_bandwidth()'s limits
 *   cpu.weight               kernel/sched/core.c:cpu_weight_write_u64()
 *
 * Every kernfs write is strstrip()ped first (leading and trailing white
 * space, the newline of `echo`).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/hostcg_internal.h"

/* Linux's limits for CFS bandwidth, in µs: periods of 1 ms to 1 s, a quota
 * of at least 1 ms and at most MAX_BW (2^44 - 1) µs. */
#define CFS_PERIOD_MIN_US 1000ull
#define CFS_PERIOD_MAX_US 1000000ull
#define CFS_QUOTA_MIN_US 1000ull
#define CFS_QUOTA_MAX_US ((1ull << 44) - 1)

#define CPU_WEIGHT_MIN 1
#define CPU_WEIGHT_MAX 10000
#define CPU_SHARES_MIN 2ull
#define CPU_SHARES_MAX 262144ull

/* s without leading and trailing white space, copied into out. */
static int strip_copy(const char *s, char *out, size_t outlen)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= outlen)
		return -EINVAL;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int hostcg_parse_memory(const char *s, struct hostcg_memory_value *v)
{
	char buf[64];
	if (strip_copy(s, buf, sizeof(buf)) < 0)
		return -EINVAL;
	if (strcmp(buf, "max") == 0) {
		v->max = true;
		v->bytes = 0;
		return 0;
	}
	/* memparse(): simple_strtoull(base 0) then an optional suffix. Unlike
	 * simple_strtoull we refuse a sign and an overflow. An empty value
	 * is 0, as Linux has it (`echo > memory.max` sets 0). */
	if (buf[0] == '-' || buf[0] == '+')
		return -EINVAL;
	char *end = buf;
	uint64_t bytes = 0;
	if (buf[0] != '\0') {
		errno = 0;
		bytes = strtoull(buf, &end, 0);
		if (errno == ERANGE || end == buf)
			return -EINVAL;
	}
	int shift = 0;
	switch (*end) {
	case 'E': case 'e': shift = 60; break;
	case 'P': case 'p': shift = 50; break;
	case 'T': case 't': shift = 40; break;
	case 'G': case 'g': shift = 30; break;
	case 'M': case 'm': shift = 20; break;
	case 'K': case 'k': shift = 10; break;
	}
	if (shift)
		end++;
	if (*end != '\0')
		return -EINVAL;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	/* PAGE_COUNTER_MAX: LONG_MAX / PAGE_SIZE pages, the value "max"
	 * reads back as. Bigger values are clamped to it, as Linux does. */
	uint64_t max_pages = (uint64_t)INT64_MAX / page;
	uint64_t pages;
	if (shift && bytes > (UINT64_MAX >> shift))
		pages = max_pages;
	else
		pages = (bytes << shift) / page;
	if (pages >= max_pages) {
		v->max = true;
		v->bytes = 0;
		return 0;
	}
	v->max = false;
	v->bytes = pages * page;
	return 0;
}

/* sscanf's %llu, which takes a sign and wraps, as the kernel's vsscanf. */
static int scan_u64(const char *tok, uint64_t *out)
{
	unsigned long long v;
	char rest;
	if (sscanf(tok, "%llu%c", &v, &rest) < 1)
		return -EINVAL;
	*out = v;
	return 0;
}

int hostcg_parse_cpu_max(const char *s, struct hostcg_cpu_max_value *v)
{
	char buf[96];
	if (strip_copy(s, buf, sizeof(buf)) < 0)
		return -EINVAL;
	/* "%20s %llu": a token of at most 20 characters, then an optional
	 * period. */
	char tok[21];
	unsigned long long period;
	int n = sscanf(buf, "%20s %llu", tok, &period);
	if (n < 1)
		return -EINVAL;
	v->has_period = n >= 2;
	v->period_us = v->has_period ? period : 0;
	v->quota_max = strcmp(tok, "max") == 0;
	v->quota_us = 0;
	if (!v->quota_max && scan_u64(tok, &v->quota_us) < 0)
		return -EINVAL;
	if (v->has_period && (v->period_us < CFS_PERIOD_MIN_US ||
			      v->period_us > CFS_PERIOD_MAX_US))
		return -EINVAL;
	if (!v->quota_max && (v->quota_us < CFS_QUOTA_MIN_US ||
			      v->quota_us > CFS_QUOTA_MAX_US))
		return -EINVAL;
	return 0;
}

int hostcg_parse_weight(const char *s, uint64_t *weight)
{
	char buf[32];
	if (strip_copy(s, buf, sizeof(buf)) < 0 || buf[0] == '\0' ||
	    buf[0] == '-' || buf[0] == '+')
		return -EINVAL;
	/* kstrtoull(base 0): the whole string is the number. */
	char *end;
	errno = 0;
	unsigned long long w = strtoull(buf, &end, 0);
	if (errno == ERANGE || *end != '\0')
		return -EINVAL;
	if (w < CPU_WEIGHT_MIN || w > CPU_WEIGHT_MAX)
		return -ERANGE;
	*weight = w;
	return 0;
}

/* Inverse of runc's weight = 1 + (shares - 2) * 9999 / 262142, rounded up
 * so that hostcg_shares_to_weight() gives weight back (see hostcg.h). */
uint64_t hostcg_weight_to_shares(uint64_t weight)
{
	if (weight < CPU_WEIGHT_MIN)
		weight = CPU_WEIGHT_MIN;
	if (weight > CPU_WEIGHT_MAX)
		weight = CPU_WEIGHT_MAX;
	uint64_t span = (CPU_SHARES_MAX - CPU_SHARES_MIN);
	uint64_t steps = CPU_WEIGHT_MAX - CPU_WEIGHT_MIN;
	return CPU_SHARES_MIN + ((weight - 1) * span + steps - 1) / steps;
}

uint64_t hostcg_shares_to_weight(uint64_t shares)
{
	if (shares < CPU_SHARES_MIN)
		shares = CPU_SHARES_MIN;
	if (shares > CPU_SHARES_MAX)
		shares = CPU_SHARES_MAX;
	uint64_t span = (CPU_SHARES_MAX - CPU_SHARES_MIN);
	uint64_t steps = CPU_WEIGHT_MAX - CPU_WEIGHT_MIN;
	return CPU_WEIGHT_MIN + (shares - CPU_SHARES_MIN) * steps / span;
}
