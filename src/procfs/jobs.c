/*
 * This file implements sessions/<sid>/ and pgrps/<pgid>/: job control as
 * the emulated kernel keeps it. Each open takes one snapshot of all
 * sessions or process groups (they are few, and the snapshot is sorted).
 *
 * A session or group whose ID is 0 lies outside the sandbox's PID
 * namespace (the init task joined the terminal's session); it is listed
 * as "0", as Linux reports such IDs.
 */
#include <errno.h>
#include <stdlib.h>

#include "kernel/kernel.h"
#include "procfs/procfs_internal.h"

/* Finds session c->id in a fresh snapshot. Returns the index or -ENOENT;
 * *all and *n must be freed with session_snaps_free() when >= 0. */
static int session_find(struct procfs_ctx *c, struct session_snap **all,
			int *n)
{
	*n = session_snapshot_all(c->k, all);
	if (*n < 0)
		return *n;
	for (int i = 0; i < *n; i++)
		if ((*all)[i].sid == (pid_t)c->id)
			return i;
	session_snaps_free(*all, *n);
	return -ENOENT;
}

static int pgrp_find(struct procfs_ctx *c, struct pgrp_snap **all, int *n)
{
	*n = pgrp_snapshot_all(c->k, all);
	if (*n < 0)
		return *n;
	for (int i = 0; i < *n; i++)
		if ((*all)[i].pgid == (pid_t)c->id)
			return i;
	pgrp_snaps_free(*all, *n);
	return -ENOENT;
}

static int sessions_list(struct procfs_ctx *c, uint32_t **out)
{
	struct session_snap *all;
	int n = session_snapshot_all(c->k, &all);
	uint32_t *v;

	if (n < 0)
		return n;
	v = malloc(sizeof(*v) * ((size_t)n + 1));
	if (!v) {
		session_snaps_free(all, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		v[i] = (uint32_t)all[i].sid;
	session_snaps_free(all, n);
	*out = v;
	return n;
}

static int pgrps_list(struct procfs_ctx *c, uint32_t **out)
{
	struct pgrp_snap *all;
	int n = pgrp_snapshot_all(c->k, &all);
	uint32_t *v;

	if (n < 0)
		return n;
	v = malloc(sizeof(*v) * ((size_t)n + 1));
	if (!v) {
		pgrp_snaps_free(all, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		v[i] = (uint32_t)all[i].pgid;
	pgrp_snaps_free(all, n);
	*out = v;
	return n;
}

static int session_exists(struct procfs_ctx *c)
{
	struct session_snap *all;
	int n, i = session_find(c, &all, &n);

	if (i < 0)
		return -ENOENT;
	session_snaps_free(all, n);
	return 0;
}

static int pgrp_exists(struct procfs_ctx *c)
{
	struct pgrp_snap *all;
	int n, i = pgrp_find(c, &all, &n);

	if (i < 0)
		return -ENOENT;
	pgrp_snaps_free(all, n);
	return 0;
}

/* The leader of a session or group is the thread group whose TGID is its
 * ID; it may have exited since. */
static void show_leader(struct procfs_ctx *c, struct pbuf *b, pid_t id)
{
	struct tg_snap tg;

	if (id > 0 && tg_snapshot(c->k, id, &tg) == 0) {
		pbuf_printf(b, "%d\n", (int)id);
		tg_snap_free(&tg);
	} else {
		pbuf_puts(b, "none\n");
	}
}

static int session_show_members(struct procfs_ctx *c, struct pbuf *b)
{
	struct session_snap *all;
	int n, i = session_find(c, &all, &n);

	if (i < 0)
		return -ENOENT;
	pbuf_pids(b, all[i].pgrps, all[i].nr_pgrps, '\n');
	session_snaps_free(all, n);
	return 0;
}

static int session_show_foreground(struct procfs_ctx *c, struct pbuf *b)
{
	struct session_snap *all;
	int n, i = session_find(c, &all, &n);

	if (i < 0)
		return -ENOENT;
	if (all[i].foreground >= 0)
		pbuf_printf(b, "%d\n", (int)all[i].foreground);
	else
		pbuf_puts(b, "none\n");
	session_snaps_free(all, n);
	return 0;
}

static int session_show_leader(struct procfs_ctx *c, struct pbuf *b)
{
	if (session_exists(c) < 0)
		return -ENOENT;
	show_leader(c, b, (pid_t)c->id);
	return 0;
}

static int pgrp_show_members(struct procfs_ctx *c, struct pbuf *b)
{
	struct pgrp_snap *all;
	int n, i = pgrp_find(c, &all, &n);

	if (i < 0)
		return -ENOENT;
	pbuf_pids(b, all[i].members, all[i].nr_members, '\n');
	pgrp_snaps_free(all, n);
	return 0;
}

static int pgrp_show_foreground(struct procfs_ctx *c, struct pbuf *b)
{
	struct pgrp_snap *all;
	int n, i = pgrp_find(c, &all, &n);

	if (i < 0)
		return -ENOENT;
	pbuf_puts(b, all[i].foreground ? "yes\n" : "no\n");
	pgrp_snaps_free(all, n);
	return 0;
}

static int pgrp_show_session(struct procfs_ctx *c, struct pbuf *b)
{
	struct pgrp_snap *all;
	int n, i = pgrp_find(c, &all, &n);

	if (i < 0)
		return -ENOENT;
	pbuf_printf(b, "%d\n", (int)all[i].sid);
	pgrp_snaps_free(all, n);
	return 0;
}

static int pgrp_show_leader(struct procfs_ctx *c, struct pbuf *b)
{
	if (pgrp_exists(c) < 0)
		return -ENOENT;
	show_leader(c, b, (pid_t)c->id);
	return 0;
}

static const struct procfs_entry session_entries[] = {
	ONE("members", session_show_members),
	ONE("foreground", session_show_foreground),
	ONE("leader", session_show_leader),
};

static const struct procfs_entry pgrp_entries[] = {
	ONE("members", pgrp_show_members),
	ONE("foreground", pgrp_show_foreground),
	ONE("leader", pgrp_show_leader),
	ONE("session", pgrp_show_session),
};

const struct procfs_dir procfs_sessions_dir = {
	.name = "sessions",
	.list = sessions_list,
	.num_sub = PD_SESSION,
};

const struct procfs_dir procfs_session_dir = {
	.name = "sessions/SID",
	.entries = session_entries,
	.nr_entries = sizeof(session_entries) / sizeof(session_entries[0]),
	.exists = session_exists,
};

const struct procfs_dir procfs_pgrps_dir = {
	.name = "pgrps",
	.list = pgrps_list,
	.num_sub = PD_PGRP,
};

const struct procfs_dir procfs_pgrp_dir = {
	.name = "pgrps/PGID",
	.entries = pgrp_entries,
	.nr_entries = sizeof(pgrp_entries) / sizeof(pgrp_entries[0]),
	.exists = pgrp_exists,
};
