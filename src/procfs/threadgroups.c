/*
 * This file implements threadgroups/ and threadgroups/<tgid>/: the
 * process-wide emulated state (Linux's signal_struct and sighand_struct),
 * rendered from one tg_snap taken at open.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "kernel/kernel.h"
#include "procfs/procfs_internal.h"

static int tgs_list(struct procfs_ctx *c, uint32_t **out)
{
	pid_t *v;
	int n = ts_list_tids(c->k, true, &v);

	if (n < 0)
		return n;
	*out = (uint32_t *)v;
	return n;
}

static int tg_show_tasks(struct procfs_ctx *c, struct pbuf *b)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg)
		return -ENOENT;
	pbuf_pids(b, tg->tasks, tg->nr_tasks, '\n');
	return 0;
}

static int tg_show_children(struct procfs_ctx *c, struct pbuf *b)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg)
		return -ENOENT;
	pbuf_pids(b, tg->children, tg->nr_children, '\n');
	return 0;
}

#define TG_SHOW_PID(field)                                                \
	static int tg_show_##field(struct procfs_ctx *c, struct pbuf *b) \
	{                                                                 \
		const struct tg_snap *tg = ctx_tg(c);                     \
		if (!tg)                                                  \
			return -ENOENT;                                   \
		pbuf_printf(b, "%d\n", (int)tg->field);                   \
		return 0;                                                 \
	}
TG_SHOW_PID(leader)
TG_SHOW_PID(pgid)
TG_SHOW_PID(sid)
TG_SHOW_PID(ppid)

static const struct {
	uint64_t bit;
	const char *name;
} sa_flags[] = {
	{ SA_NOCLDSTOP, "NOCLDSTOP" }, { SA_NOCLDWAIT, "NOCLDWAIT" },
	{ SA_SIGINFO, "SIGINFO" },     { 0x04000000, "RESTORER" },
	{ SA_ONSTACK, "ONSTACK" },     { SA_RESTART, "RESTART" },
	{ SA_NODEFER, "NODEFER" },     { SA_RESETHAND, "RESETHAND" },
};

static int tg_show_sighand(struct procfs_ctx *c, struct pbuf *b)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg)
		return -ENOENT;
	pbuf_printf(b, "id: 0x%llx\nusers: %d\n",
		    (unsigned long long)tg->sighand_id, tg->sighand_users);
	for (int sig = 1; sig <= SIG_MAX; sig++) {
		const struct sig_action *a = &tg->actions[sig - 1];

		if (a->handler == (uint64_t)(uintptr_t)SIG_DFL)
			continue;
		pbuf_signame(b, sig);
		if (a->handler == (uint64_t)(uintptr_t)SIG_IGN) {
			pbuf_puts(b, ": ignore\n");
			continue;
		}
		pbuf_printf(b, ": handler=0x%llx flags=0x%llx",
			    (unsigned long long)a->handler,
			    (unsigned long long)a->flags);
		for (size_t i = 0, n = 0;
		     i < sizeof(sa_flags) / sizeof(sa_flags[0]); i++)
			if (a->flags & sa_flags[i].bit)
				pbuf_printf(b, "%s%s", n++ ? "|" : " ",
					    sa_flags[i].name);
		pbuf_puts(b, " mask=");
		pbuf_sigset_hex(b, a->mask);
		pbuf_printf(b, " restorer=0x%llx\n",
			    (unsigned long long)a->restorer);
	}
	return 0;
}

static int tg_show_groupstop(struct procfs_ctx *c, struct pbuf *b)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg)
		return -ENOENT;
	pbuf_printf(b, "active: %s\nsignal: ",
		    tg->group_stop_active ? "yes" : "no");
	pbuf_signame(b, tg->group_stop_active ? tg->group_stop_signal : 0);
	pbuf_printf(b, "\nremaining: %d\n", tg->group_stop_count);
	return 0;
}

static int tg_show_exit(struct procfs_ctx *c, struct pbuf *b)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg)
		return -ENOENT;
	pbuf_printf(b, "state: %s\nexiting: %s\n", tg_state_name(tg->state),
		    tg->exiting ? "yes" : "no");
	if (tg->state != TG_LIVE) {
		pbuf_printf(b, "status: %d\ndecoded: ", tg->exit_status);
		pbuf_wait_status(b, tg->exit_status);
		pbuf_puts(b, "\n");
	}
	return 0;
}

static const struct procfs_entry tg_entries[] = {
	ONE("tasks", tg_show_tasks),
	ONE("leader", tg_show_leader),
	ONE("sighand", tg_show_sighand),
	ONE("groupstop", tg_show_groupstop),
	ONE("exit", tg_show_exit),
	ONE("limits", linux_show_limits),
	ONE("pgid", tg_show_pgid),
	ONE("sid", tg_show_sid),
	ONE("ppid", tg_show_ppid),
	ONE("children", tg_show_children),
	ONE("cgroup", linux_show_cgroup),
};

const struct procfs_dir procfs_tgs_dir = {
	.name = "threadgroups",
	.list = tgs_list,
	.num_sub = PD_TG,
};

const struct procfs_dir procfs_tg_dir = {
	.name = "threadgroups/TGID",
	.entries = tg_entries,
	.nr_entries = sizeof(tg_entries) / sizeof(tg_entries[0]),
	.exists = procfs_tg_exists,
};
