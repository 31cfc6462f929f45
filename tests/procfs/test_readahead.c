/*
 * Tests of src/procfs/readahead.c: the host's stat and status files read
 * ahead of a reader that renders proc/PID files in ascending order. The
 * emulated thread groups are backed by real sleeping host processes, so
 * the files read are real.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "kernel/kernel.h"
#include "procfs/procfs_internal.h"
#include "procfs/readahead.h"

#define NR_GROUPS 12

static struct {
	struct kernel k;
	pid_t host[NR_GROUPS + 2];     /* by TGID */
	struct task *task[NR_GROUPS + 2];
} g;

static int group_setup(void **state)
{
	(void)state;
	tk_kernel_init(&g.k);
	for (int tgid = 1; tgid <= NR_GROUPS; tgid++) {
		pid_t pid = fork();

		if (pid == 0) {
			pause();
			_exit(0);
		}
		g.host[tgid] = pid;
		g.task[tgid] = tgid == 1 ? tk_init(&g.k, pid, "init", 5)
					 : tk_fork(&g.k, g.task[1], tgid, pid);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (int tgid = 1; tgid <= NR_GROUPS; tgid++) {
		kill(g.host[tgid], SIGKILL);
		waitpid(g.host[tgid], NULL, 0);
	}
	kernel_destroy(&g.k);
	return 0;
}

static int take(struct procfs_readahead *ra, int tgid, enum ra_file which,
		struct pbuf *b)
{
	pbuf_init(b);
	return procfs_ra_take(ra, tgid, g.host[tgid], g.task[tgid]->start_ns,
			      which, b);
}

/* Whether b is the host's stat file of host process pid. */
static bool is_stat_of(const struct pbuf *b, pid_t pid)
{
	char want[32];

	snprintf(want, sizeof(want), "%d (", (int)pid);
	return b->len > strlen(want) && !strncmp(b->data, want, strlen(want));
}

/* Whether b is the host's status file of host process pid. */
static bool is_status_of(const struct pbuf *b, pid_t pid)
{
	char want[32];

	snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)pid);
	return b->data && !strncmp(b->data, "Name:\t", 6) &&
	       strstr(b->data, want);
}

/* Whether b is the host's statm file of host process pid: the same
 * seven numbers as a read now (a sleeping process's memory stays put). */
static bool is_statm_of(const struct pbuf *b, pid_t pid)
{
	char path[64], now[256];
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = (ssize_t)fread(now, 1, sizeof(now) - 1, f);
	fclose(f);
	return n > 0 && b->len == (size_t)n && !memcmp(b->data, now, (size_t)n);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The read-ahead thread must get a CPU within RA_FRESH_NS, which a loaded
 * machine may not give it on every attempt: tries for this long. */
#define TRY_MS 20000

/* Renders which for TGIDs 1..4 in order, which starts the read-ahead of
 * 5 and on, then gives the thread 2 ms. */
static void prime(struct procfs_readahead *ra, enum ra_file which)
{
	struct pbuf b;

	for (int tgid = 1; tgid <= 4; tgid++) {
		take(ra, tgid, which, &b);
		pbuf_free(&b);
	}
	sleep_ms(2);
}

/* Goes back below, which ends the streak. */
static void start_over(struct procfs_readahead *ra)
{
	struct pbuf b;

	take(ra, 1, RA_STAT, &b);
	pbuf_free(&b);
}

/* A reader going up the TGIDs: after a few renders, the following groups'
 * files come from the read-ahead, each the right process's, each once;
 * only the kinds the reader rendered are read (a stat reader gets no
 * status read for it). */
static void ordered_reader_gets_the_next_groups_files(void **state)
{
	struct procfs_readahead *ra;
	unsigned long taken = 0, read = 0;
	uint64_t deadline = now_ms() + TRY_MS;
	int served = 0;

	(void)state;
	assert_int_equal(procfs_ra_start(&g.k, &ra), 0);
	while (!served && now_ms() < deadline) {
		struct pbuf b;

		prime(ra, RA_STAT);
		for (int tgid = 5; tgid <= NR_GROUPS; tgid++) {
			if (take(ra, tgid, RA_STATUS, &b) == 0)
				fail_msg("status read ahead for a stat reader");
			pbuf_free(&b);
			if (take(ra, tgid, RA_STAT, &b) == 0) {
				assert_true(is_stat_of(&b, g.host[tgid]));
				served++;
				pbuf_free(&b);
				/* Used once: a second take reads anew. */
				assert_int_equal(take(ra, tgid, RA_STAT, &b),
						 -ENOENT);
			}
			pbuf_free(&b);
		}
		start_over(ra);
	}
	procfs_ra_counts(ra, &taken, &read);
	assert_true(served > 0);
	assert_true(taken >= (unsigned long)served);
	assert_true(read >= taken);
	/* A status reader gets status; a statm reader (top) statm. */
	for (enum ra_file which = RA_STATUS; which <= RA_STATM; which++) {
		struct pbuf b;
		int kind_served = 0;

		deadline = now_ms() + TRY_MS;
		while (!kind_served && now_ms() < deadline) {
			prime(ra, which);
			for (int tgid = 5; tgid <= NR_GROUPS; tgid++) {
				if (take(ra, tgid, which, &b) == 0) {
					assert_true(which == RA_STATUS
							    ? is_status_of(&b, g.host[tgid])
							    : is_statm_of(&b, g.host[tgid]));
					kind_served++;
				}
				pbuf_free(&b);
			}
			start_over(ra);
		}
		assert_true(kind_served > 0);
	}
	procfs_ra_stop(ra);
}

/* Nothing older than RA_FRESH_NS is used, nor a file read for another
 * task that had the same TID (another start time). */
static void stale_files_and_reused_tids_are_read_anew(void **state)
{
	struct procfs_readahead *ra;
	uint64_t deadline = now_ms() + TRY_MS;
	bool checked = false;

	(void)state;
	assert_int_equal(procfs_ra_start(&g.k, &ra), 0);
	while (!checked && now_ms() < deadline) {
		unsigned long taken, before, read = 0;
		uint64_t wait_until;
		struct pbuf b;

		/* Whatever an earlier attempt read is stale by now. */
		sleep_ms((int)(RA_FRESH_NS / 1000000) + 1);
		procfs_ra_counts(ra, &taken, &before);
		prime(ra, RA_STAT);
		/* The thread reads 5 to NR_GROUPS, then stops: wait for all
		 * of it, so nothing is read after the clock starts below. */
		wait_until = now_ms() + 1000;
		while (read < before + (NR_GROUPS - 4) && now_ms() < wait_until) {
			sleep_ms(1);
			procfs_ra_counts(ra, &taken, &read);
		}
		if (read < before + (NR_GROUPS - 4) ||
		    take(ra, 5, RA_STAT, &b) != 0) {
			pbuf_free(&b);
			start_over(ra);
			continue; /* too slow a machine this time */
		}
		pbuf_free(&b);
		/* 6, asked for as another task's: refused, and still there
		 * for its own. */
		pbuf_init(&b);
		assert_int_equal(procfs_ra_take(ra, 6, g.host[6],
						g.task[6]->start_ns + 1,
						RA_STAT, &b),
				 -ENOENT);
		pbuf_free(&b);
		if (take(ra, 6, RA_STAT, &b) != 0) {
			/* 6 went stale meanwhile. */
			pbuf_free(&b);
			start_over(ra);
			continue;
		}
		assert_true(is_stat_of(&b, g.host[6]));
		pbuf_free(&b);
		/* 7 was read with 5 and 6: once stale, refused. */
		sleep_ms((int)(RA_FRESH_NS / 1000000) + 5);
		assert_int_equal(take(ra, 7, RA_STAT, &b), -ENOENT);
		pbuf_free(&b);
		checked = true;
		start_over(ra);
	}
	procfs_ra_stop(ra);
	assert_true(checked);
}

/* An isolated read, or reads in no order, reads nothing ahead. */
static void unordered_reads_read_nothing_ahead(void **state)
{
	static const int order[] = { 5, 2, 9, 3, 11, 4, 8, 1, 6 };
	struct procfs_readahead *ra;
	unsigned long taken, read;

	(void)state;
	assert_int_equal(procfs_ra_start(&g.k, &ra), 0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct pbuf b;

		assert_int_equal(take(ra, order[i], RA_STAT, &b), -ENOENT);
		pbuf_free(&b);
		sleep_ms(1);
	}
	procfs_ra_counts(ra, &taken, &read);
	procfs_ra_stop(ra);
	assert_int_equal(read, 0);
	assert_int_equal(taken, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ordered_reader_gets_the_next_groups_files),
		cmocka_unit_test(stale_files_and_reused_tids_are_read_anew),
		cmocka_unit_test(unordered_reads_read_nothing_ahead),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
