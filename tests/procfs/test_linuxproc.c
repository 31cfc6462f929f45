/*
 * Tests of proc/ (src/procfs/linuxproc.c, linuxpid.c): the Linux-format
 * view procps reads, rendered from emulated state.
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
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "kernel/dump.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/sigmask.h"
#include "procfs/procfs.h"

/* kernel/dump.* is rendered by src/kernel/dump.c; tests that do not link
 * it get this stand-in, which the real one overrides. */
__attribute__((weak)) int kernel_dump_render(struct kernel *k, bool json,
					     char **out, size_t *len)
{
	*out = strdup(json ? "{\"schema_version\":1}\n" : "dump\n");
	*len = strlen(*out);
	return 0;
}

/* A host TID that no host process has: host-owned fields fall back. */
#define NO_HOST 0x3ffffff0

static const char init_argv[] = "init\0--flag";

static struct kernel *new_kernel(void)
{
	struct kernel *k = calloc(1, sizeof(*k));

	tk_kernel_init(k);
	return k;
}

static void free_kernel(struct kernel *k)
{
	kernel_destroy(k);
	free(k);
}

/* status: every line is "Key:\tvalue", keys in Linux's order, signal
 * masks 16 hex digits, the emulated IDs and masks. */
static void status_is_linux_format_with_emulated_ids_and_masks(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, getpid(), init_argv, sizeof(init_argv));
	struct task *child = tk_fork(k, init, 7, getpid());
	static const char *const order[] = {
		"Name", "State", "Tgid", "Pid", "PPid", "TracerPid", "Uid",
		"NStgid", "NSpid", "NSpgid", "NSsid", "Threads", "SigQ",
		"SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt",
	};
	size_t next = 0;
	char *s, *line, *save = NULL;

	/* Held in a stop, the kernel's copy of the mask is the mask. */
	task_note_sigmask(child, sig_bit(SIGINT) | sig_bit(SIGRTMIN), true);
	s = tk_read(k, "proc/7/status", 0);
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tab = strstr(line, ":\t");

		assert_non_null(tab);
		*tab = '\0';
		if (next < sizeof(order) / sizeof(order[0]) &&
		    !strcmp(line, order[next]))
			next++;
		if (!strcmp(line, "Pid") || !strcmp(line, "Tgid"))
			assert_string_equal(tab + 2, "7");
		if (!strcmp(line, "PPid"))
			assert_string_equal(tab + 2, "1");
		if (!strcmp(line, "NSsid"))
			assert_string_equal(tab + 2, "1");
		if (!strcmp(line, "Name"))
			assert_string_equal(tab + 2, "init");
		if (!strcmp(line, "SigBlk"))
			assert_string_equal(tab + 2, "0000000200000002");
		if (!strncmp(line, "Sig", 3) || !strcmp(line, "ShdPnd"))
			if (strcmp(line, "SigQ"))
				assert_int_equal(strlen(tab + 2), 16);
	}
	assert_int_equal(next, sizeof(order) / sizeof(order[0]));
	free(s);
	free_kernel(k);
}

/* A running task's mask is the host's (kernel/sigmask.h): its SigBlk line
 * and stat field pass through, not the kernel's older copy. */
static void running_tasks_mask_is_the_hosts(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, getpid(), init_argv, sizeof(init_argv));
	sigset_t usr2, old;
	char *s, *p;
	int field;

	task_note_sigmask(init, sig_bit(SIGINT), false);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_SETMASK, &usr2, &old);
	s = tk_read(k, "proc/1/status", 0);
	assert_non_null(strstr(s, "\nSigBlk:\t0000000000000800\n"));
	free(s);
	s = tk_read(k, "proc/1/stat", 0);
	p = strrchr(s, ')');
	for (field = 2; p && field < 32; field++)
		p = strchr(p + 1, ' ');
	assert_non_null(p);
	assert_int_equal(strtol(p + 1, NULL, 10), 1 << (SIGUSR2 - 1));
	free(s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free_kernel(k);
}

/* A thread with the sandbox's default affinity shows the default, though
 * the host has it on one CPU (the platform's binding); one that chose its
 * CPUs shows the host's. */
static void cpus_allowed_is_the_default_unless_chosen(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, getpid(), init_argv, sizeof(init_argv));
	cpu_set_t all, one, old;
	char *s;

	CPU_ZERO(&all);
	CPU_SET(0, &all);
	CPU_SET(1, &all);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(kernel_set_default_affinity(k, &all, "3", "0-1"), 0);
	s = tk_read(k, "proc/1/status", 0);
	assert_non_null(strstr(s, "\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"));
	free(s);
	init->default_affinity = false;
	s = tk_read(k, "proc/1/status", 0);
	assert_non_null(strstr(s, "\nCpus_allowed_list:\t0\n"));
	free(s);
	sched_setaffinity(0, sizeof(old), &old);
	free_kernel(k);
}

/* Uid and Gid: real, effective, saved and filesystem IDs. */
static void status_ids_are_real_effective_saved_fs(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, getpid(), init_argv, sizeof(init_argv));
	char *s;

	init->uid = 1, init->euid = 2, init->suid = 3, init->fsuid = 4;
	init->gid = 5, init->egid = 6, init->sgid = 7, init->fsgid = 8;
	s = tk_read(k, "proc/1/status", 0);
	assert_non_null(strstr(s, "\nUid:\t1\t2\t3\t4\n"));
	assert_non_null(strstr(s, "\nGid:\t5\t6\t7\t8\n"));
	free(s);
	free_kernel(k);
}

/* Without a readable host thread status still has the emulated keys. */
static void status_without_host_thread_still_has_every_emulated_key(void **state)
{
	struct kernel *k = new_kernel();
	char *s;

	tk_init(k, NO_HOST, init_argv, sizeof(init_argv));
	s = tk_read(k, "proc/1/status", 0);
	assert_non_null(strstr(s, "Name:\tinit\n"));
	assert_non_null(strstr(s, "State:\tS (sleeping)\n"));
	assert_non_null(strstr(s, "\nPPid:\t0\n"));
	assert_non_null(strstr(s, "\nSigCgt:\t0000000000000000\n"));
	free(s);
	free_kernel(k);
}

/* stat: the name is everything between the first '(' and the last ')',
 * and there are 52 fields with the emulated IDs in place. */
static void stat_name_with_parens_splits_at_last_paren(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, getpid(), init_argv, sizeof(init_argv));
	struct task *child = tk_fork(k, init, 9, NO_HOST);
	char *s, *f[64];

	tk_set_comm(child, "a) (b) c");
	s = tk_read(k, "proc/9/stat", 0);
	assert_int_equal(tk_split_stat(s, f, 64), 52);
	assert_string_equal(f[0], "9");
	assert_string_equal(f[1], "a) (b) c");
	assert_string_equal(f[2], "S"); /* runs; host thread unreadable */
	assert_string_equal(f[3], "1"); /* ppid */
	assert_string_equal(f[4], "1"); /* pgrp */
	assert_string_equal(f[5], "1"); /* session */
	assert_string_equal(f[19], "1"); /* num_threads */
	assert_string_equal(f[37], "17"); /* exit_signal SIGCHLD */
	free(s);
	free_kernel(k);
}

/* The state letter is the emulated kernel's when it decides one. */
static void stat_state_shows_group_stop_ptrace_stop_and_zombie(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, getpid(), init_argv, sizeof(init_argv));
	struct task *a = tk_fork(k, init, 2, getpid());
	struct task *b = tk_fork(k, init, 3, getpid());
	struct task *z = tk_fork(k, init, 4, NO_HOST);
	char *s, *f[64];

	task_lock_signals(a);
	a->stop = TASK_STOP_GROUP;
	task_unlock_signals(a);
	task_lock_signals(b);
	b->stop = TASK_STOP_PTRACE;
	task_unlock_signals(b);
	tk_exit(k, z, 3 << 8);

	s = tk_read(k, "proc/2/stat", 0);
	assert_int_equal(tk_split_stat(s, f, 64), 52);
	assert_string_equal(f[2], "T");
	free(s);
	s = tk_read(k, "proc/3/stat", 0);
	assert_int_equal(tk_split_stat(s, f, 64), 52);
	assert_string_equal(f[2], "t");
	free(s);
	s = tk_read(k, "proc/4/stat", 0);
	assert_int_equal(tk_split_stat(s, f, 64), 52);
	assert_string_equal(f[2], "Z");
	assert_string_equal(f[19], "1"); /* num_threads: Linux counts it */
	assert_string_equal(f[51], "768"); /* exit_code: the wait status */
	free(s);
	s = tk_read(k, "proc/4/status", 0);
	assert_non_null(strstr(s, "\nThreads:\t1\n"));
	free(s);
	s = tk_read(k, "proc/2/status", 0);
	assert_non_null(strstr(s, "\nState:\tT (stopped)\n"));
	free(s);
	s = tk_read(k, "proc/3/status", 0);
	assert_non_null(strstr(s, "\nState:\tt (tracing stop)\n"));
	free(s);
	/* A zombie has no command line. */
	s = tk_read(k, "proc/4/cmdline", 0);
	assert_string_equal(s, "");
	free(s);
	free_kernel(k);
}

/* proc/ lists thread groups in ascending order and not their other
 * threads, which can still be looked up by TID (as on Linux). */
static void proc_lists_tgids_ascending_and_hides_threads(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, init_argv, sizeof(init_argv));
	struct task *p30 = tk_fork(k, init, 30, NO_HOST);
	char *s, *nums;

	tk_fork(k, init, 12, NO_HOST);
	tk_fork(k, init, 200, NO_HOST);
	tk_thread(k, p30, 31, NO_HOST);
	s = tk_list(k, "proc");
	nums = strstr(s, "\n1\n");
	assert_non_null(nums);
	assert_string_equal(nums, "\n1\n12\n30\n200\n");
	free(s);
	s = tk_list(k, "proc/30/task");
	assert_string_equal(s, "30\n31\n");
	free(s);
	s = tk_read(k, "proc/31/stat", 0);
	assert_int_equal(strncmp(s, "31 (init) ", 10), 0);
	free(s);
	s = tk_read(k, "proc/30/task/31/status", 0);
	assert_non_null(strstr(s, "\nTgid:\t30\n"));
	assert_non_null(strstr(s, "\nPid:\t31\n"));
	assert_non_null(strstr(s, "\nThreads:\t2\n"));
	free(s);
	/* 31 is not a thread of 12. */
	assert_int_equal(tk_read_err(k, "proc/12/task/31/stat"), -ENOENT);
	free_kernel(k);
}

/* A task that leaves between readdir and open gives ENOENT. */
static void vanished_task_gives_enoent(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, init_argv, sizeof(init_argv));
	struct task *th = tk_thread(k, init, 5, NO_HOST);
	char *s = tk_list(k, "proc/1/task");

	assert_string_equal(s, "1\n5\n");
	free(s);
	tk_exit(k, th, 0);
	assert_int_equal(tk_read_err(k, "proc/1/task/5/stat"), -ENOENT);
	assert_int_equal(tk_read_err(k, "proc/5/status"), -ENOENT);
	assert_int_equal(tk_read_err(k, "tasks/5/status"), -ENOENT);
	assert_int_equal(tk_read_err(k, "proc/99/stat"), -ENOENT);
	assert_int_equal(tk_read_err(k, "proc/01/stat"), -ENOENT);
	s = tk_list(k, "proc/1/task");
	assert_string_equal(s, "1\n");
	free(s);
	free_kernel(k);
}

/* self is the caller's thread group; outside callers see init. */
static void self_is_the_callers_thread_group(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, 1000, init_argv, sizeof(init_argv));
	struct task *p = tk_fork(k, init, 40, 1040);
	char *s;

	tk_thread(k, p, 41, 1041);
	s = tk_read(k, "proc/self", 1041);
	assert_string_equal(s, "40");
	free(s);
	s = tk_read(k, "proc/thread-self", 1041);
	assert_string_equal(s, "40/task/41");
	free(s);
	s = tk_read(k, "proc/self", 4242);
	assert_string_equal(s, "1");
	free(s);
	free_kernel(k);
}

/* System files carry the emulated boot time and counts. */
static void proc_stat_has_cpu_lines_and_emulated_btime(void **state)
{
	struct kernel *k = new_kernel();
	char *s, btime[64];

	tk_init(k, NO_HOST, init_argv, sizeof(init_argv));
	s = tk_read(k, "proc/stat", 0);
	assert_int_equal(strncmp(s, "cpu ", 4), 0);
	assert_non_null(strstr(s, "\ncpu0 "));
	snprintf(btime, sizeof(btime), "\nbtime %llu\n",
		 (unsigned long long)(k->boot_realtime_ns / 1000000000u));
	assert_non_null(strstr(s, btime));
	assert_non_null(strstr(s, "\nprocesses 1\n"));
	free(s);
	s = tk_read(k, "proc/uptime", 0);
	assert_int_equal(strncmp(s, "0.", 2), 0);
	free(s);
	s = tk_read(k, "proc/loadavg", 0);
	assert_non_null(strstr(s, " 1/1 1\n"));
	free(s);
	s = tk_read(k, "proc/meminfo", 0);
	assert_int_equal(strncmp(s, "MemTotal:", 9), 0);
	free(s);
	free_kernel(k);
}

/* limits is Linux's table, from the emulated limits. */
static void limits_is_linux_table_of_emulated_limits(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, init_argv, sizeof(init_argv));
	static const char head[] = "Limit                     Soft Limit           "
				   "Hard Limit           Units     \n";
	char *s;

	pthread_mutex_lock(&init->tg->sighand->mu);
	init->tg->limits[RLIMIT_NOFILE].rlim_cur = 77;
	init->tg->limits[RLIMIT_NOFILE].rlim_max = RLIM_INFINITY;
	pthread_mutex_unlock(&init->tg->sighand->mu);
	s = tk_read(k, "proc/1/limits", 0);
	assert_int_equal(strncmp(s, head, strlen(head)), 0);
	assert_non_null(strstr(s, "\nMax open files            77                   "
				  "unlimited            files     \n"));
	free(s);
	free_kernel(k);
}

/* cmdline is argv with its NULs. */
static void cmdline_keeps_nul_separators(void **state)
{
	struct kernel *k = new_kernel();
	char *out = NULL;
	size_t len = 0;

	tk_init(k, NO_HOST, init_argv, sizeof(init_argv));
	assert_int_equal(procfs_read_path(k, "proc/1/cmdline", 0, &out, &len), 0);
	assert_int_equal(len, sizeof(init_argv));
	assert_memory_equal(out, init_argv, sizeof(init_argv));
	free(out);
	free_kernel(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_is_linux_format_with_emulated_ids_and_masks),
		cmocka_unit_test(running_tasks_mask_is_the_hosts),
		cmocka_unit_test(cpus_allowed_is_the_default_unless_chosen),
		cmocka_unit_test(status_ids_are_real_effective_saved_fs),
		cmocka_unit_test(status_without_host_thread_still_has_every_emulated_key),
		cmocka_unit_test(stat_name_with_parens_splits_at_last_paren),
		cmocka_unit_test(stat_state_shows_group_stop_ptrace_stop_and_zombie),
		cmocka_unit_test(proc_lists_tgids_ascending_and_hides_threads),
		cmocka_unit_test(vanished_task_gives_enoent),
		cmocka_unit_test(self_is_the_callers_thread_group),
		cmocka_unit_test(proc_stat_has_cpu_lines_and_emulated_btime),
		cmocka_unit_test(limits_is_linux_table_of_emulated_limits),
		cmocka_unit_test(cmdline_keeps_nul_separators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
