/*
 * This file implements the root directory and kernel/: the state of the
 * emulated kernel as a whole (pause state, counts, trapped syscall
 * statistics) and the state dumps of man/sentry-dump.5.
 */
#include <errno.h>
#include <stdlib.h>

#include "kernel/dump.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/syscalls.h"
#include "procfs/procfs_internal.h"

#ifndef SENTRY_VERSION
#define SENTRY_VERSION "unknown"
#endif

static int kernel_show_state(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_puts(b, kernel_paused(c->k) ? "paused\n" : "running\n");
	return 0;
}

static int kernel_show_pause_depth(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_printf(b, "%d\n",
		    __atomic_load_n(&c->k->pause_depth, __ATOMIC_ACQUIRE));
	return 0;
}

static int kernel_show_version(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_printf(b, "sentry %s\n", SENTRY_VERSION);
	return 0;
}

static int kernel_show_name(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_printf(b, "%s\n", c->k->name);
	return 0;
}

static int kernel_show_uptime(struct procfs_ctx *c, struct pbuf *b)
{
	uint64_t ns = kernel_uptime_ns(c->k);

	pbuf_printf(b, "%llu.%09llu\n", (unsigned long long)(ns / 1000000000u),
		    (unsigned long long)(ns % 1000000000u));
	return 0;
}

static int kernel_show_counts(struct procfs_ctx *c, struct pbuf *b)
{
	struct kernel_snap ks;

	kernel_snapshot(c->k, &ks);
	pbuf_printf(b, "tasks: %d\nthread_groups: %d\n", ks.nr_tasks,
		    ks.nr_tgs);
	pbuf_printf(b, "process_groups: %d\nsessions: %d\n", ks.nr_pgrps,
		    ks.nr_sessions);
	pbuf_printf(b, "created: %llu\nexited: %llu\n",
		    (unsigned long long)ks.tasks_created,
		    (unsigned long long)ks.tasks_exited);
	pbuf_printf(b, "host_stops: %llu\n",
		    (unsigned long long)ks.host_stops);
	return 0;
}

static void show_syscall(struct pbuf *b, struct kernel *k, long nr)
{
	const struct syscall_stat *s = &k->syscalls[nr];
	uint64_t count = __atomic_load_n(&s->count, __ATOMIC_RELAXED);
	uint64_t enosys = __atomic_load_n(&s->enosys, __ATOMIC_RELAXED);
	uint64_t total = __atomic_load_n(&s->total_ns, __ATOMIC_RELAXED);
	const char *name = kernel_syscall_name(nr);

	if (name)
		pbuf_printf(b, "%-20s", name);
	else
		pbuf_printf(b, "syscall_%-12ld", nr);
	pbuf_printf(b, " %10llu %10llu %10llu\n", (unsigned long long)count,
		    (unsigned long long)enosys,
		    (unsigned long long)(count ? total / count : 0));
}

/* Every trapped syscall, in the platform's order, then any other number
 * the kernel counted (answered ENOSYS). */
static int kernel_show_syscalls(struct procfs_ctx *c, struct pbuf *b)
{
	bool trapped[KERNEL_NR_SYSCALLS] = { false };

	pbuf_printf(b, "%-20s %10s %10s %10s\n", "name", "count", "enosys",
		    "avg_ns");
	for (const int *nr = kernel_trapped_syscalls; *nr >= 0; nr++) {
		if (*nr >= KERNEL_NR_SYSCALLS || trapped[*nr])
			continue;
		trapped[*nr] = true;
		show_syscall(b, c->k, *nr);
	}
	for (long nr = 0; nr < KERNEL_NR_SYSCALLS; nr++)
		if (!trapped[nr] &&
		    __atomic_load_n(&c->k->syscalls[nr].count, __ATOMIC_RELAXED))
			show_syscall(b, c->k, nr);
	return 0;
}

static int kernel_show_dump(struct procfs_ctx *c, struct pbuf *b, bool json)
{
	char *text = NULL;
	size_t len = 0;
	int err = kernel_dump_render(c->k, json, &text, &len);

	if (err < 0)
		return err;
	pbuf_put(b, text, len);
	free(text);
	return 0;
}

static int kernel_show_dump_json(struct procfs_ctx *c, struct pbuf *b)
{
	return kernel_show_dump(c, b, true);
}

static int kernel_show_dump_txt(struct procfs_ctx *c, struct pbuf *b)
{
	return kernel_show_dump(c, b, false);
}

static const struct procfs_entry kernel_entries[] = {
	ONE("state", kernel_show_state),
	ONE("pause_depth", kernel_show_pause_depth),
	ONE("version", kernel_show_version),
	ONE("name", kernel_show_name),
	ONE("uptime", kernel_show_uptime),
	ONE("counts", kernel_show_counts),
	ONE("syscalls", kernel_show_syscalls),
	ONE("dump.json", kernel_show_dump_json),
	ONE("dump.txt", kernel_show_dump_txt),
};

static const struct procfs_entry root_entries[] = {
	DIR("kernel", PD_KERNEL),
	DIR("tasks", PD_TASKS),
	DIR("threadgroups", PD_TGS),
	DIR("sessions", PD_SESSIONS),
	DIR("pgrps", PD_PGRPS),
	DIR("cgroups", PD_CGROUPS),
	DIR("proc", PD_PROC),
};

const struct procfs_dir procfs_root_dir = {
	.name = "/",
	.entries = root_entries,
	.nr_entries = sizeof(root_entries) / sizeof(root_entries[0]),
};

const struct procfs_dir procfs_kernel_dir = {
	.name = "kernel",
	.entries = kernel_entries,
	.nr_entries = sizeof(kernel_entries) / sizeof(kernel_entries[0]),
};
