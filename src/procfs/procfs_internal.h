/*
 * procfs_internal.h - what the files of src/procfs/ share: the directory
 * tables, node (inode) encoding, the render context and buffers.
 *
 * The filesystem is a tree of directory *kinds* (struct procfs_dir), each
 * with one static table of rows (struct procfs_entry, built with the DIR,
 * ONE and LNK macros as Linux's fs/proc pid_entry tables) plus, for some,
 * numbered children (tasks/<tid>, fd/<n>). Lookup, readdir, getattr, open
 * and readlink all walk those tables; adding a file is one row and one
 * show function.
 *
 * A node is (dir kind, id, slot), packed into the 64-bit inode number so
 * no request needs a table of live inodes:
 *
 *   slot 0        the directory of kind `dir` for object `id` (a TID, a
 *                 TGID, a PGID...; 0 for singletons like kernel/)
 *   slot i > 0    in a dir with static rows: row i-1 (a file or link;
 *                 DIR rows are nodes of their own kind, slot 0);
 *                 in a dir with numbered leaves (fd/): leaf i-1
 *
 * Nothing is cached between requests: every open renders the whole file
 * from one snapshot (lxcfs's habit), so a read sequence sees one state and
 * a task that has vanished gives ENOENT.
 */
#ifndef SENTRY_PROCFS_PROCFS_INTERNAL_H
#define SENTRY_PROCFS_PROCFS_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kernel/snapshot.h"

struct kernel;
struct procfs;

/* ---- render.c: growable output buffers ---- */

/* A file being rendered. err latches the first allocation failure so show
 * functions can print without checking every call. */
struct pbuf {
	char *data;
	size_t len, cap;
	int err;
};

void pbuf_init(struct pbuf *b);
void pbuf_free(struct pbuf *b);
void pbuf_put(struct pbuf *b, const void *p, size_t n);
void pbuf_puts(struct pbuf *b, const char *s);
void pbuf_printf(struct pbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap);
/* Integers in decimal, as printf's %llu and %lld print them. The files ps
 * and top read on every process (stat, status) are mostly numbers, and
 * one vsnprintf per number was most of what rendering them cost. */
void pbuf_put_u64(struct pbuf *b, uint64_t v);
void pbuf_put_i64(struct pbuf *b, int64_t v);
void pbuf_putc(struct pbuf *b, char c);
/* Appends a signal set as 16 hex digits, as /proc/PID/status does. */
void pbuf_sigset_hex(struct pbuf *b, sigset64_t set);
/* Appends the names of the signals in set, space-separated ("INT TERM"),
 * or "-" for the empty set. */
void pbuf_signames(struct pbuf *b, sigset64_t set);
/* Appends a signal's name, or "none" for 0 or an invalid number. */
void pbuf_signame(struct pbuf *b, int sig);
/* Appends a decoded wait(2) status: "exited N" or "killed SIG[ (core)]"
 * or "stopped SIG" / "continued". */
void pbuf_wait_status(struct pbuf *b, int status);
/* Appends a pid list: ids separated by sep, then a newline if any. */
void pbuf_pids(struct pbuf *b, const pid_t *v, int n, char sep);
/* NUL-terminates the contents (not counted in len). */
void pbuf_terminate(struct pbuf *b);

/* ---- host.c: host-owned state read from the host's /proc ---- */

/* Reads a whole host file (e.g. "/proc/123/stat") into b.
 * Returns 0 or -errno. */
int host_read_file(const char *path, struct pbuf *b);
/* The same for a file Linux generates as one record (proc_single_show:
 * a process's stat, status, statm): a read that returns less than was
 * asked for is the end, so it takes one read(2), not two. */
int host_read_record(const char *path, struct pbuf *b);
/* Reads a host symlink's target into b (not NUL-terminated). */
int host_readlink(const char *path, struct pbuf *b);

/* The fields of a host /proc/PID/stat line after the name, split in
 * place: f[i] is Linux field i+3 (f[0] the state letter). */
#define HOST_STAT_NFIELDS 50
struct host_stat {
	struct pbuf raw;
	const char *f[HOST_STAT_NFIELDS];
	int nr;
};

/* A host stat file, split: host_stat_init() sets every field "0" and the
 * state letter 'S' (what a file that cannot be read shows); with the
 * file read into hs->raw, host_stat_split() splits it. Returns 0 or -EIO
 * (the fields stay as they were). */
void host_stat_init(struct host_stat *hs);
int host_stat_split(struct host_stat *hs);
void host_stat_free(struct host_stat *hs);
/* Field n (Linux's 1-based numbering, 3..52) as a string. */
const char *host_stat_field(const struct host_stat *hs, int n);

/* Collects the numeric entries of a host directory (/proc/X/fd), sorted.
 * Returns the count and a malloc'd array, or -errno. */
int host_list_numbers(const char *path, uint32_t **out);

/* ---- inode.c: nodes, tables and the render context ---- */

enum procfs_dir_kind {
	PD_ROOT,
	PD_KERNEL,
	PD_TASKS,
	PD_TASK,
	PD_TASK_FD,
	PD_TASK_FDINFO,
	PD_TGS,
	PD_TG,
	PD_SESSIONS,
	PD_SESSION,
	PD_PGRPS,
	PD_PGRP,
	PD_CGROUPS,
	PD_PROC,
	PD_PROC_SYS,
	PD_PROC_SYS_KERNEL,
	PD_PROC_PID,
	PD_PROC_TASKS,
	PD_PROC_TID,
	PD_PROC_FD,
	PD_PROC_FDINFO,
	PD_PROC_TID_FD,
	PD_PROC_TID_FDINFO,
	PD_PROC_OUTSIDE,
	PD_NR
};

struct procfs_node {
	uint8_t dir;
	uint32_t id;
	uint32_t slot;
};

/* What a show function renders from. Snapshots are taken lazily, at most
 * once per context, so a file that reads the task twice sees one state. */
struct procfs_ctx {
	struct kernel *k;
	struct procfs_readahead *ra; /* NULL: no read-ahead (readahead.h) */
	pid_t caller;      /* host TID of the requester (sentry's PID ns); 0 unknown */
	uint32_t id;       /* the directory's object id */
	uint32_t leaf;     /* numbered leaf (fd number) */

	/* Owner of the directory, set by the dir's exists() (Linux gives a
	 * process's /proc entries its effective uid; ps reads it). */
	uid_t uid;
	gid_t gid;

	int task_err;      /* 1: not taken yet */
	struct task_snap task;
	int tg_err;
	struct tg_snap tg;
};

typedef int (*procfs_show_fn)(struct procfs_ctx *c, struct pbuf *b);
typedef bool (*procfs_visible_fn)(struct procfs_ctx *c);

struct procfs_entry {
	const char *name;
	mode_t mode;
	uint8_t sub;               /* DIR rows: the kind of the subdirectory */
	procfs_show_fn show;       /* ONE: contents; LNK: target */
	procfs_visible_fn visible; /* NULL: always there */
};

#define DIR(NAME, SUB) { .name = (NAME), .mode = S_IFDIR | 0555, .sub = (SUB) }
#define ONE(NAME, FN) { .name = (NAME), .mode = S_IFREG | 0444, .show = (FN) }
#define ONE_IF(NAME, FN, VIS) \
	{ .name = (NAME), .mode = S_IFREG | 0444, .show = (FN), .visible = (VIS) }
#define LNK(NAME, FN) { .name = (NAME), .mode = S_IFLNK | 0777, .show = (FN) }
/* A file Linux keeps to its owner (and root): proc/PID/environ is 0400,
 * owned by the task's user; so are tasks/TID/regs (Linux's
 * /proc/PID/syscall is). */
#define ONE_OWNER(NAME, FN) \
	{ .name = (NAME), .mode = S_IFREG | 0400, .show = (FN) }
#define ONE_IF_OWNER(NAME, FN, VIS) \
	{ .name = (NAME), .mode = S_IFREG | 0400, .show = (FN), .visible = (VIS) }

/* Numbered children of a directory, sorted ascending; -errno on failure.
 * *out is malloc'd. */
typedef int (*procfs_list_fn)(struct procfs_ctx *c, uint32_t **out);

struct procfs_dir {
	const char *name; /* for messages */
	const struct procfs_entry *entries;
	size_t nr_entries;

	/* Whether the object c->id exists (0 or -ENOENT); may set c->uid
	 * and c->gid. NULL: a singleton that always exists. */
	int (*exists)(struct procfs_ctx *c);

	/* Numbered children: directories of kind num_sub (num_sub != 0), or
	 * leaves with leaf_mode rendered by leaf_show (leaf_mode != 0). */
	procfs_list_fn list;
	uint8_t num_sub;
	/* Extra check that child n belongs here (proc/PID/task/TID needs
	 * TID in PID's group); NULL: the child's exists() decides. */
	bool (*num_ok)(struct procfs_ctx *c, uint32_t n);
	/* When numbered child n does not exist: the kind of directory that
	 * stands for it if it is the caller's own process outside the
	 * sandbox (0: none). See linuxproc.c. */
	uint8_t caller_sub;
	mode_t leaf_mode;
	procfs_show_fn leaf_show;
	/* The directory's own permissions; 0: 0555. (Linux keeps proc/PID/fd
	 * to the task's owner: 0500.) */
	mode_t dir_mode;
};

/* Tables, defined next to their show functions. */
extern const struct procfs_dir procfs_root_dir, procfs_kernel_dir,
	procfs_tasks_dir, procfs_task_dir, procfs_task_fd_dir,
	procfs_task_fdinfo_dir, procfs_tgs_dir, procfs_tg_dir,
	procfs_sessions_dir, procfs_session_dir, procfs_pgrps_dir,
	procfs_pgrp_dir, procfs_cgroups_dir, procfs_proc_dir,
	procfs_proc_sys_dir, procfs_proc_sys_kernel_dir, procfs_proc_pid_dir,
	procfs_proc_tasks_dir, procfs_proc_tid_dir, procfs_proc_fd_dir,
	procfs_proc_fdinfo_dir, procfs_proc_tid_fd_dir,
	procfs_proc_tid_fdinfo_dir, procfs_proc_outside_dir;

const struct procfs_dir *procfs_dir_get(uint8_t kind);

uint64_t procfs_node_ino(const struct procfs_node *n);
/* Returns false for an inode number no node encodes. */
bool procfs_ino_node(uint64_t ino, struct procfs_node *n);

void procfs_ctx_init(struct procfs_ctx *c, struct kernel *k, pid_t caller);
void procfs_ctx_release(struct procfs_ctx *c);
/* Points c at the node's object, dropping snapshots of another object. */
void procfs_ctx_at(struct procfs_ctx *c, const struct procfs_node *n);
/* Snapshot of task c->id, or NULL when it is gone. */
const struct task_snap *ctx_task(struct procfs_ctx *c);
/* Snapshot of the thread group of task c->id (TGID c->id for tg dirs:
 * a TGID is its leader's TID), or NULL when it is gone. */
const struct tg_snap *ctx_tg(struct procfs_ctx *c);

/* Whether c->id names a live or zombie task / thread group. Set c->uid. */
int procfs_task_exists(struct procfs_ctx *c);
int procfs_tg_exists(struct procfs_ctx *c);

/* The table walk shared by FUSE and procfs_read_path(). Each returns 0 or
 * -errno (-ENOENT for what does not exist, -ENOTDIR, -EISDIR). */
int procfs_node_lookup(struct procfs_ctx *c, const struct procfs_node *parent,
		       const char *name, struct procfs_node *out,
		       struct stat *st);
int procfs_node_getattr(struct procfs_ctx *c, const struct procfs_node *n,
			struct stat *st);
/* Renders a file or link target into b; *mode (if mode is not NULL)
 * gets the node's mode, as getattr reports it. */
int procfs_node_render(struct procfs_ctx *c, const struct procfs_node *n,
		       struct pbuf *b, mode_t *mode);

struct procfs_dirent {
	char name[32];
	struct procfs_node node;
	mode_t mode;
};
/* Lists a directory: static rows that are visible, then numbered children
 * ascending. *out is malloc'd. */
int procfs_node_list(struct procfs_ctx *c, const struct procfs_node *n,
		     struct procfs_dirent **out, size_t *nr);
/* Whether negative or positive lookups of name under this dir may be
 * cached (numbered children come and go; conditional rows too). */
bool procfs_name_cacheable(const struct procfs_node *parent, const char *name);

/* Resolves a path relative to the root ("tasks/1/status"). */
int procfs_path_resolve(struct procfs_ctx *c, const char *path,
			struct procfs_node *out);

/* ---- helpers shared by the table files ---- */

/* Emulated TID and TGID of the task backed by host thread host_tid, or
 * -ESRCH when it is not in the sandbox. */
int procfs_task_by_host_tid(struct kernel *k, pid_t host_tid, pid_t *tid,
			    pid_t *tgid);
/* Host TID of the leader of a task's thread group (the host's TGID), or
 * the task's own when the leader is unknown. */
pid_t procfs_host_tgid(struct procfs_ctx *c, const struct task_snap *t);

/* Shared show functions (linuxpid.c) used by tasks/ and proc/. */
int linux_show_task_stat(struct procfs_ctx *c, struct pbuf *b);
int linux_show_cmdline(struct procfs_ctx *c, struct pbuf *b);
int linux_show_comm(struct procfs_ctx *c, struct pbuf *b);
int linux_show_cgroup(struct procfs_ctx *c, struct pbuf *b);
int linux_show_limits(struct procfs_ctx *c, struct pbuf *b);
int linux_show_fd_link(struct procfs_ctx *c, struct pbuf *b);
int linux_show_fdinfo(struct procfs_ctx *c, struct pbuf *b);
int linux_list_fds(struct procfs_ctx *c, uint32_t **out);

#endif
