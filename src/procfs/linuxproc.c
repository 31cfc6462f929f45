/*
 * This file implements proc/: a Linux-compatible /proc of the sandbox
 * (DESIGN §6) that procps and psmisc accept when it is bind-mounted over
 * /proc. The system-wide files carry the emulated kernel's boot time,
 * uptime and task counts; CPU, memory and load numbers belong to the host
 * and pass through from its /proc. Per-process directories are in
 * linuxpid.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/kernel.h"
#include "procfs/procfs_internal.h"

static int proc_list(struct procfs_ctx *c, uint32_t **out)
{
	pid_t *v;
	int n = ts_list_tids(c->k, true, &v);

	if (n < 0)
		return n;
	*out = (uint32_t *)v;
	return n;
}

/* Copies the host file's lines that start with one of prefixes. */
static void copy_lines(struct pbuf *b, const struct pbuf *host,
		       const char *const *prefixes)
{
	const char *p = host->data, *end = host->data + host->len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl + 1 : end) - p);

		for (const char *const *pre = prefixes; *pre; pre++)
			if (!strncmp(p, *pre, strlen(*pre))) {
				pbuf_put(b, p, len);
				break;
			}
		p += len;
	}
}

/* The host's value of a "key N" line of /proc/stat, or -1. */
static long long host_stat_value(const struct pbuf *host, const char *key)
{
	const char *p = host->data;
	size_t kl = strlen(key);

	while (p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return atoll(p + kl + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static int proc_show_stat(struct procfs_ctx *c, struct pbuf *b)
{
	static const char *const head[] = { "cpu", "intr ", "ctxt ", NULL };
	static const char *const tail[] = { "softirq ", NULL };
	struct kernel_snap ks;
	struct pbuf host;
	long long running;

	kernel_snapshot(c->k, &ks);
	pbuf_init(&host);
	if (host_read_file("/proc/stat", &host) < 0 || !host.len) {
		pbuf_puts(b, "cpu  0 0 0 0 0 0 0 0 0 0\n"
			     "cpu0 0 0 0 0 0 0 0 0 0 0\nintr 0\nctxt 0\n");
	} else {
		copy_lines(b, &host, head);
	}
	running = host.len ? host_stat_value(&host, "procs_running") : 1;
	if (running < 1)
		running = 1;
	if (running > ks.nr_tasks)
		running = ks.nr_tasks;
	pbuf_printf(b, "btime %llu\nprocesses %llu\n",
		    (unsigned long long)(ks.boot_realtime_ns / 1000000000u),
		    (unsigned long long)ks.tasks_created);
	pbuf_printf(b, "procs_running %lld\nprocs_blocked 0\n", running);
	copy_lines(b, &host, tail);
	pbuf_free(&host);
	return 0;
}

static int proc_show_host(struct pbuf *b, const char *path)
{
	int err = host_read_file(path, b);

	return err == -ENOENT ? -ENOENT : (err < 0 ? -EIO : 0);
}

static int proc_show_meminfo(struct procfs_ctx *c, struct pbuf *b)
{
	return proc_show_host(b, "/proc/meminfo");
}

static int proc_show_cpuinfo(struct procfs_ctx *c, struct pbuf *b)
{
	return proc_show_host(b, "/proc/cpuinfo");
}

static int proc_show_version(struct procfs_ctx *c, struct pbuf *b)
{
	return proc_show_host(b, "/proc/version");
}

static int proc_show_uptime(struct procfs_ctx *c, struct pbuf *b)
{
	uint64_t cs = kernel_uptime_ns(c->k) / 10000000u;

	pbuf_printf(b, "%llu.%02llu 0.00\n", (unsigned long long)(cs / 100),
		    (unsigned long long)(cs % 100));
	return 0;
}

static int proc_show_loadavg(struct procfs_ctx *c, struct pbuf *b)
{
	struct kernel_snap ks;
	struct pbuf host;
	double l1 = 0, l5 = 0, l15 = 0;
	int running = 1, total;
	pid_t *tids;
	int n, last = 0;

	kernel_snapshot(c->k, &ks);
	pbuf_init(&host);
	if (host_read_file("/proc/loadavg", &host) == 0 && host.len)
		sscanf(host.data, "%lf %lf %lf %d/%d", &l1, &l5, &l15,
		       &running, &total);
	pbuf_free(&host);
	n = ts_list_tids(c->k, false, &tids);
	if (n > 0) {
		last = tids[n - 1];
		free(tids);
	}
	if (running > ks.nr_tasks)
		running = ks.nr_tasks;
	pbuf_printf(b, "%.2f %.2f %.2f %d/%d %d\n", l1, l5, l15, running,
		    ks.nr_tasks, last);
	return 0;
}

/* The mount table of the caller's mount namespace, as Linux's
 * /proc/mounts (a link to self/mounts) shows it. */
static int proc_show_mounts(struct procfs_ctx *c, struct pbuf *b)
{
	char path[64];

	if (c->caller > 0) {
		snprintf(path, sizeof(path), "/proc/%d/mounts", (int)c->caller);
		if (host_read_file(path, b) == 0)
			return 0;
		pbuf_free(b);
	}
	return proc_show_host(b, "/proc/self/mounts");
}

/* The caller's emulated TID and TGID; a caller outside the sandbox sees
 * the init task as itself. */
static void proc_caller(struct procfs_ctx *c, pid_t *tid, pid_t *tgid)
{
	if (procfs_task_by_host_tid(c->k, c->caller, tid, tgid) < 0)
		*tid = *tgid = 1;
}

static int proc_show_self(struct procfs_ctx *c, struct pbuf *b)
{
	pid_t tid, tgid;

	proc_caller(c, &tid, &tgid);
	pbuf_printf(b, "%d", (int)tgid);
	return 0;
}

static int proc_show_thread_self(struct procfs_ctx *c, struct pbuf *b)
{
	pid_t tid, tgid;

	proc_caller(c, &tid, &tgid);
	pbuf_printf(b, "%d/task/%d", (int)tgid, (int)tid);
	return 0;
}

#define HOST_SYSCTL(fn, path)                                   \
	static int fn(struct procfs_ctx *c, struct pbuf *b)     \
	{                                                       \
		return proc_show_host(b, path);                 \
	}
HOST_SYSCTL(proc_show_pid_max, "/proc/sys/kernel/pid_max")
HOST_SYSCTL(proc_show_osrelease, "/proc/sys/kernel/osrelease")
HOST_SYSCTL(proc_show_ostype, "/proc/sys/kernel/ostype")

static const struct procfs_entry proc_entries[] = {
	ONE("stat", proc_show_stat),
	ONE("meminfo", proc_show_meminfo),
	ONE("cpuinfo", proc_show_cpuinfo),
	ONE("uptime", proc_show_uptime),
	ONE("loadavg", proc_show_loadavg),
	ONE("mounts", proc_show_mounts),
	ONE("version", proc_show_version),
	LNK("self", proc_show_self),
	LNK("thread-self", proc_show_thread_self),
	DIR("sys", PD_PROC_SYS),
};

static const struct procfs_entry proc_sys_entries[] = {
	DIR("kernel", PD_PROC_SYS_KERNEL),
};

static const struct procfs_entry proc_sys_kernel_entries[] = {
	ONE("pid_max", proc_show_pid_max),
	ONE("osrelease", proc_show_osrelease),
	ONE("ostype", proc_show_ostype),
};

const struct procfs_dir procfs_proc_dir = {
	.name = "proc",
	.entries = proc_entries,
	.nr_entries = sizeof(proc_entries) / sizeof(proc_entries[0]),
	.list = proc_list,
	.num_sub = PD_PROC_PID,
	.caller_sub = PD_PROC_OUTSIDE,
};

const struct procfs_dir procfs_proc_sys_dir = {
	.name = "proc/sys",
	.entries = proc_sys_entries,
	.nr_entries = sizeof(proc_sys_entries) / sizeof(proc_sys_entries[0]),
};

const struct procfs_dir procfs_proc_sys_kernel_dir = {
	.name = "proc/sys/kernel",
	.entries = proc_sys_kernel_entries,
	.nr_entries = sizeof(proc_sys_kernel_entries) /
		      sizeof(proc_sys_kernel_entries[0]),
};

/*
 * proc/<pid> of a process outside the sandbox reading proc/ (ps run on
 * the host with proc/ bind-mounted over /proc): procps must find its own
 * PID's stat and status by lookup or it refuses to run. Such a process is
 * no emulated task, so it is shown to itself alone, never listed, with
 * the host's own files: what it sees of itself is the host's truth, and
 * the sandbox's tasks are unaffected.
 */
static pid_t host_tgid_of(pid_t host_tid)
{
	char path[64];
	struct pbuf b;
	const char *p;
	pid_t tgid = -1;

	if (host_tid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)host_tid);
	pbuf_init(&b);
	if (host_read_file(path, &b) == 0 && b.len &&
	    (p = strstr(b.data, "\nTgid:\t")))
		tgid = atoi(p + 7);
	pbuf_free(&b);
	return tgid;
}

static int outside_exists(struct procfs_ctx *c)
{
	struct stat st;
	char path[64];

	if (c->caller <= 0 || host_tgid_of(c->caller) != (pid_t)c->id)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%u", c->id);
	if (stat(path, &st) < 0)
		return -ENOENT;
	c->uid = st.st_uid;
	c->gid = st.st_gid;
	return 0;
}

#define OUTSIDE_FILE(fn, what)                                          \
	static int fn(struct procfs_ctx *c, struct pbuf *b)             \
	{                                                               \
		char path[64];                                          \
		snprintf(path, sizeof(path), "/proc/%u/" what, c->id);  \
		return proc_show_host(b, path);                         \
	}
OUTSIDE_FILE(outside_show_stat, "stat")
OUTSIDE_FILE(outside_show_status, "status")
OUTSIDE_FILE(outside_show_cmdline, "cmdline")
OUTSIDE_FILE(outside_show_comm, "comm")
OUTSIDE_FILE(outside_show_statm, "statm")

static const struct procfs_entry outside_entries[] = {
	ONE("stat", outside_show_stat),
	ONE("status", outside_show_status),
	ONE("cmdline", outside_show_cmdline),
	ONE("comm", outside_show_comm),
	ONE("statm", outside_show_statm),
};

const struct procfs_dir procfs_proc_outside_dir = {
	.name = "proc/PID (the caller, outside the sandbox)",
	.entries = outside_entries,
	.nr_entries = sizeof(outside_entries) / sizeof(outside_entries[0]),
	.exists = outside_exists,
};
