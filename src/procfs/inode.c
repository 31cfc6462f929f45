/*
 * This file implements the table walk every request goes through: inode
 * numbers, lookup, getattr, readdir listings and rendering, driven by the
 * per-directory tables (struct procfs_dir) of the other files. FUSE
 * (procfs.c) and procfs_read_path() share it, so what the tests read is
 * what the mount serves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/rcu.h"
#include "procfs/procfs.h"
#include "procfs/procfs_internal.h"

static const struct procfs_dir *const procfs_dirs[PD_NR] = {
	[PD_ROOT] = &procfs_root_dir,
	[PD_KERNEL] = &procfs_kernel_dir,
	[PD_TASKS] = &procfs_tasks_dir,
	[PD_TASK] = &procfs_task_dir,
	[PD_TASK_FD] = &procfs_task_fd_dir,
	[PD_TASK_FDINFO] = &procfs_task_fdinfo_dir,
	[PD_TGS] = &procfs_tgs_dir,
	[PD_TG] = &procfs_tg_dir,
	[PD_SESSIONS] = &procfs_sessions_dir,
	[PD_SESSION] = &procfs_session_dir,
	[PD_PGRPS] = &procfs_pgrps_dir,
	[PD_PGRP] = &procfs_pgrp_dir,
	[PD_CGROUPS] = &procfs_cgroups_dir,
	[PD_PROC] = &procfs_proc_dir,
	[PD_PROC_SYS] = &procfs_proc_sys_dir,
	[PD_PROC_SYS_KERNEL] = &procfs_proc_sys_kernel_dir,
	[PD_PROC_PID] = &procfs_proc_pid_dir,
	[PD_PROC_TASKS] = &procfs_proc_tasks_dir,
	[PD_PROC_TID] = &procfs_proc_tid_dir,
	[PD_PROC_FD] = &procfs_proc_fd_dir,
	[PD_PROC_FDINFO] = &procfs_proc_fdinfo_dir,
	[PD_PROC_TID_FD] = &procfs_proc_tid_fd_dir,
	[PD_PROC_TID_FDINFO] = &procfs_proc_tid_fdinfo_dir,
	[PD_PROC_OUTSIDE] = &procfs_proc_outside_dir,
};

#define SLOT_BITS 24
#define SLOT_MASK ((1u << SLOT_BITS) - 1)

const struct procfs_dir *procfs_dir_get(uint8_t kind)
{
	return kind < PD_NR ? procfs_dirs[kind] : NULL;
}

/* Inode numbers are the packed node plus one, so the root (all zero)
 * is FUSE_ROOT_ID (1). */
uint64_t procfs_node_ino(const struct procfs_node *n)
{
	return (((uint64_t)n->dir << 56) | ((uint64_t)n->id << SLOT_BITS) |
		(n->slot & SLOT_MASK)) + 1;
}

bool procfs_ino_node(uint64_t ino, struct procfs_node *n)
{
	uint64_t raw = ino - 1;

	if (ino == 0 || (raw >> 56) >= PD_NR)
		return false;
	n->dir = (uint8_t)(raw >> 56);
	n->id = (uint32_t)(raw >> SLOT_BITS);
	n->slot = (uint32_t)(raw & SLOT_MASK);
	return true;
}

void procfs_ctx_init(struct procfs_ctx *c, struct kernel *k, pid_t caller)
{
	memset(c, 0, sizeof(*c));
	c->k = k;
	c->caller = caller;
	c->task_err = 1;
	c->tg_err = 1;
}

void procfs_ctx_release(struct procfs_ctx *c)
{
	if (c->task_err == 0)
		task_snap_free(&c->task);
	if (c->tg_err == 0)
		tg_snap_free(&c->tg);
	c->task_err = 1;
	c->tg_err = 1;
}

void procfs_ctx_at(struct procfs_ctx *c, const struct procfs_node *n)
{
	if (c->id != n->id)
		procfs_ctx_release(c);
	c->id = n->id;
	c->leaf = 0;
	c->uid = 0;
	c->gid = 0;
}

const struct task_snap *ctx_task(struct procfs_ctx *c)
{
	if (c->task_err == 1)
		c->task_err = task_snapshot(c->k, (pid_t)c->id, &c->task);
	return c->task_err ? NULL : &c->task;
}

const struct tg_snap *ctx_tg(struct procfs_ctx *c)
{
	if (c->tg_err == 1) {
		const struct task_snap *t = ctx_task(c);

		c->tg_err = tg_snapshot(c->k, t ? t->tgid : (pid_t)c->id,
					&c->tg);
	}
	return c->tg_err ? NULL : &c->tg;
}

int procfs_task_exists(struct procfs_ctx *c)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	c->uid = t->euid;
	c->gid = t->egid;
	return 0;
}

int procfs_tg_exists(struct procfs_ctx *c)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg || tg->tgid != (pid_t)c->id)
		return -ENOENT;
	if (ctx_task(c)) {
		c->uid = c->task.euid;
		c->gid = c->task.egid;
	}
	return 0;
}

/* Parses a canonical decimal number ("0", "17"; not "017", "+1", ""). */
static bool parse_num(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static void fill_times(struct procfs_ctx *c, struct stat *st)
{
	time_t boot = (time_t)(c->k->boot_realtime_ns / 1000000000u);

	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = boot;
}

int procfs_node_getattr(struct procfs_ctx *c, const struct procfs_node *n,
			struct stat *st)
{
	const struct procfs_dir *d = procfs_dir_get(n->dir);
	const struct procfs_entry *e;
	int err;

	if (!d)
		return -ENOENT;
	procfs_ctx_at(c, n);
	if (d->exists && (err = d->exists(c)) < 0)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->st_ino = procfs_node_ino(n);
	st->st_uid = c->uid;
	st->st_gid = c->gid;
	st->st_blksize = 4096;
	fill_times(c, st);
	if (n->slot == 0) {
		st->st_mode = S_IFDIR | (d->dir_mode ? d->dir_mode : 0555);
		st->st_nlink = 2;
		return 0;
	}
	st->st_nlink = 1;
	if (d->leaf_mode) {
		struct pbuf b;

		c->leaf = n->slot - 1;
		pbuf_init(&b);
		err = d->leaf_show(c, &b);
		pbuf_free(&b);
		if (err < 0)
			return -ENOENT;
		st->st_mode = d->leaf_mode;
		return 0;
	}
	if (n->slot - 1 >= d->nr_entries)
		return -ENOENT;
	e = &d->entries[n->slot - 1];
	if (S_ISDIR(e->mode) || (e->visible && !e->visible(c)))
		return -ENOENT;
	st->st_mode = e->mode;
	return 0;
}

int procfs_node_lookup(struct procfs_ctx *c, const struct procfs_node *parent,
		       const char *name, struct procfs_node *out,
		       struct stat *st)
{
	const struct procfs_dir *d = procfs_dir_get(parent->dir);
	struct stat tmp;
	uint32_t num;
	int err;

	if (!d)
		return -ENOENT;
	if (parent->slot != 0)
		return -ENOTDIR;
	procfs_ctx_at(c, parent);
	if (d->exists && d->exists(c) < 0)
		return -ENOENT;
	if (!st)
		st = &tmp;
	for (size_t i = 0; i < d->nr_entries; i++) {
		const struct procfs_entry *e = &d->entries[i];

		if (strcmp(e->name, name) != 0)
			continue;
		if (S_ISDIR(e->mode))
			*out = (struct procfs_node){ e->sub, parent->id, 0 };
		else
			*out = (struct procfs_node){ parent->dir, parent->id,
						     (uint32_t)i + 1 };
		return procfs_node_getattr(c, out, st);
	}
	if (d->num_sub && parse_num(name, UINT32_MAX, &num)) {
		if (d->num_ok && !d->num_ok(c, num))
			return -ENOENT;
		*out = (struct procfs_node){ d->num_sub, num, 0 };
		err = procfs_node_getattr(c, out, st);
		if (err == -ENOENT && d->caller_sub) {
			*out = (struct procfs_node){ d->caller_sub, num, 0 };
			err = procfs_node_getattr(c, out, st);
		}
		return err;
	}
	if (d->leaf_mode && parse_num(name, SLOT_MASK - 1, &num)) {
		*out = (struct procfs_node){ parent->dir, parent->id, num + 1 };
		return procfs_node_getattr(c, out, st);
	}
	return -ENOENT;
}

int procfs_node_render(struct procfs_ctx *c, const struct procfs_node *n,
		       struct pbuf *b, mode_t *mode)
{
	const struct procfs_dir *d = procfs_dir_get(n->dir);
	struct stat st;
	int err = procfs_node_getattr(c, n, &st);

	if (err < 0)
		return err;
	if (mode)
		*mode = st.st_mode;
	if (n->slot == 0)
		return -EISDIR;
	if (d->leaf_mode) {
		c->leaf = n->slot - 1;
		err = d->leaf_show(c, b);
	} else {
		err = d->entries[n->slot - 1].show(c, b);
	}
	if (err == -ESRCH)
		err = -ENOENT; /* gone between getattr and show */
	return err < 0 ? err : b->err;
}

static int dirent_add(struct procfs_dirent **v, size_t *n, size_t *cap,
		      const char *name, const struct procfs_node *node,
		      mode_t mode)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct procfs_dirent *nv = realloc(*v, nc * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	snprintf((*v)[*n].name, sizeof((*v)[*n].name), "%s", name);
	(*v)[*n].node = *node;
	(*v)[*n].mode = mode;
	(*n)++;
	return 0;
}

int procfs_node_list(struct procfs_ctx *c, const struct procfs_node *n,
		     struct procfs_dirent **out, size_t *nr)
{
	const struct procfs_dir *d = procfs_dir_get(n->dir);
	struct procfs_dirent *v = NULL;
	size_t cnt = 0, cap = 0;
	uint32_t *nums = NULL;
	int nn = 0, err = 0;

	if (!d)
		return -ENOENT;
	if (n->slot != 0)
		return -ENOTDIR;
	procfs_ctx_at(c, n);
	if (d->exists && d->exists(c) < 0)
		return -ENOENT;
	for (size_t i = 0; i < d->nr_entries && !err; i++) {
		const struct procfs_entry *e = &d->entries[i];
		struct procfs_node child;

		if (e->visible && !e->visible(c))
			continue;
		if (S_ISDIR(e->mode))
			child = (struct procfs_node){ e->sub, n->id, 0 };
		else
			child = (struct procfs_node){ n->dir, n->id,
						      (uint32_t)i + 1 };
		err = dirent_add(&v, &cnt, &cap, e->name, &child, e->mode);
	}
	if (!err && d->list) {
		nn = d->list(c, &nums);
		if (nn < 0 && nn != -ENOENT && nn != -ESRCH && nn != -EACCES)
			err = nn;
	}
	for (int i = 0; i < nn && !err; i++) {
		struct procfs_node child;
		char name[16];

		if (d->num_sub)
			child = (struct procfs_node){ d->num_sub, nums[i], 0 };
		else
			child = (struct procfs_node){ n->dir, n->id,
						      nums[i] + 1 };
		snprintf(name, sizeof(name), "%u", nums[i]);
		err = dirent_add(&v, &cnt, &cap, name, &child,
				 d->num_sub ? (mode_t)(S_IFDIR | 0555)
					    : d->leaf_mode);
	}
	free(nums); /* a list may allocate for an empty answer */
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*nr = cnt;
	return 0;
}

bool procfs_name_cacheable(const struct procfs_node *parent, const char *name)
{
	const struct procfs_dir *d = procfs_dir_get(parent->dir);
	uint32_t num;

	if (!d)
		return false;
	for (size_t i = 0; i < d->nr_entries; i++)
		if (strcmp(d->entries[i].name, name) == 0)
			return !d->entries[i].visible;
	if ((d->num_sub || d->leaf_mode) && parse_num(name, UINT32_MAX, &num))
		return false;
	return true;
}

int procfs_path_resolve(struct procfs_ctx *c, const char *path,
			struct procfs_node *out)
{
	struct procfs_node cur = { PD_ROOT, 0, 0 };
	char comp[256];

	while (*path) {
		size_t len = strcspn(path, "/");
		struct stat st;
		int err;

		if (len == 0 || (len == 1 && path[0] == '.')) {
			path += len + (path[len] == '/');
			continue;
		}
		if (len >= sizeof(comp))
			return -ENAMETOOLONG;
		memcpy(comp, path, len);
		comp[len] = '\0';
		err = procfs_node_lookup(c, &cur, comp, &cur, &st);
		if (err < 0)
			return err;
		path += len + (path[len] == '/');
	}
	*out = cur;
	return 0;
}

int procfs_task_by_host_tid(struct kernel *k, pid_t host_tid, pid_t *tid,
			    pid_t *tgid)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	int err = -ESRCH;

	if (host_tid <= 0)
		return -ESRCH;
	/* Walks nodes rather than with cds_lfht_for_each_entry(), which
	 * forms a container pointer from NULL at the end (UBSan). */
	rcu_read_lock();
	cds_lfht_first(k->ts.tasks, &iter);
	while ((node = ts_iter_node(&iter))) {
		struct task *t = caa_container_of(node, struct task, ts_node);

		if (CMM_LOAD_SHARED(t->host_tid) == host_tid) {
			*tid = CMM_LOAD_SHARED(t->tid);
			*tgid = task_tgid(t);
			err = 0;
			break;
		}
		cds_lfht_next(k->ts.tasks, &iter);
	}
	rcu_read_unlock();
	return err;
}

pid_t procfs_host_tgid(struct procfs_ctx *c, const struct task_snap *t)
{
	struct task_snap leader;
	pid_t host = t->host_tid;

	if (t->is_leader)
		return t->host_tid;
	if (task_snapshot(c->k, t->tgid, &leader) == 0) {
		host = leader.host_tid;
		task_snap_free(&leader);
	}
	return host;
}

int procfs_read_path(struct kernel *k, const char *path, pid_t caller,
		     char **out, size_t *len)
{
	struct procfs_ctx c;
	struct procfs_node n;
	struct pbuf b;
	int err;

	procfs_ctx_init(&c, k, caller);
	pbuf_init(&b);
	err = procfs_path_resolve(&c, path, &n);
	if (err == 0)
		err = procfs_node_render(&c, &n, &b, NULL);
	procfs_ctx_release(&c);
	if (err < 0) {
		pbuf_free(&b);
		return err;
	}
	pbuf_terminate(&b);
	if (b.err) {
		pbuf_free(&b);
		return b.err;
	}
	*out = b.data;
	*len = b.len;
	return 0;
}

int procfs_list_path(struct kernel *k, const char *path, char **out,
		     size_t *len)
{
	struct procfs_ctx c;
	struct procfs_node n;
	struct procfs_dirent *v = NULL;
	size_t nr = 0;
	struct pbuf b;
	int err;

	procfs_ctx_init(&c, k, 0);
	pbuf_init(&b);
	err = procfs_path_resolve(&c, path, &n);
	if (err == 0)
		err = procfs_node_list(&c, &n, &v, &nr);
	procfs_ctx_release(&c);
	if (err < 0)
		return err;
	for (size_t i = 0; i < nr; i++)
		pbuf_printf(&b, "%s\n", v[i].name);
	free(v);
	pbuf_terminate(&b);
	if (b.err) {
		pbuf_free(&b);
		return b.err;
	}
	*out = b.data;
	*len = b.len;
	return 0;
}
