/*
 * This file implements cgroups/: the emulated cgroup hierarchy in the
 * cgroup v2 file format. The kernel has only the root cgroup today (see
 * src/kernel/cgroup.c), which every thread group joins; its interface
 * files are the directory itself. Child cgroups become subdirectories
 * when the kernel grows them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "procfs/procfs_internal.h"

/* Appends, one per line, the IDs of thread groups (or, with threads, of
 * tasks) whose cgroup is path. */
static int cg_show_members(struct procfs_ctx *c, struct pbuf *b,
			   const char *path, bool threads)
{
	pid_t *tgids;
	int n = ts_list_tids(c->k, true, &tgids);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct tg_snap tg;

		if (tg_snapshot(c->k, tgids[i], &tg) < 0)
			continue;
		if (strcmp(tg.cgroup[0] ? tg.cgroup : "/", path) == 0 &&
		    tg.state == TG_LIVE) {
			if (threads)
				pbuf_pids(b, tg.tasks, tg.nr_tasks, '\n');
			else
				pbuf_printf(b, "%d\n", (int)tg.tgid);
		}
		tg_snap_free(&tg);
	}
	free(tgids);
	return 0;
}

static int cg_show_procs(struct procfs_ctx *c, struct pbuf *b)
{
	return cg_show_members(c, b, "/", false);
}

static int cg_show_threads(struct procfs_ctx *c, struct pbuf *b)
{
	return cg_show_members(c, b, "/", true);
}

static int cg_show_empty(struct procfs_ctx *c, struct pbuf *b)
{
	return 0;
}

static int cg_show_type(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_puts(b, "domain\n");
	return 0;
}

static int cg_show_max(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_puts(b, "max\n");
	return 0;
}

static int cg_show_stat(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_puts(b, "nr_descendants 0\nnr_dying_descendants 0\n");
	return 0;
}

static int cg_show_events(struct procfs_ctx *c, struct pbuf *b)
{
	struct kernel_snap ks;

	kernel_snapshot(c->k, &ks);
	pbuf_printf(b, "populated %d\nfrozen %d\n", ks.nr_tgs > 0 ? 1 : 0,
		    ks.paused ? 1 : 0);
	return 0;
}

static const struct procfs_entry cgroup_root_entries[] = {
	ONE("cgroup.procs", cg_show_procs),
	ONE("cgroup.threads", cg_show_threads),
	ONE("cgroup.controllers", cg_show_empty),
	ONE("cgroup.subtree_control", cg_show_empty),
	ONE("cgroup.type", cg_show_type),
	ONE("cgroup.max.depth", cg_show_max),
	ONE("cgroup.max.descendants", cg_show_max),
	ONE("cgroup.stat", cg_show_stat),
	ONE("cgroup.events", cg_show_events),
};

const struct procfs_dir procfs_cgroups_dir = {
	.name = "cgroups",
	.entries = cgroup_root_entries,
	.nr_entries = sizeof(cgroup_root_entries) /
		      sizeof(cgroup_root_entries[0]),
};
