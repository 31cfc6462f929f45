/*
 * This file implements proc/<pid>/ and proc/<pid>/task/<tid>/: Linux's
 * per-process /proc files in Linux's formats (fs/proc/array.c,
 * fs/proc/base.c), so that procps and psmisc run on them.
 *
 * Identity, relationships, signal state, stop state and credentials come
 * from the emulated kernel. What the host owns (DESIGN §2) - whether a
 * running task is on a CPU or asleep, CPU times, memory, the terminal,
 * FDs - is read from the host's /proc of the backing thread and shown
 * beside it, as Linux's do_task_stat() fills the fields it owns.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "kernel/kernel.h"
#include "procfs/procfs_internal.h"
#include "procfs/readahead.h"

#define USER_HZ 100

static const char *linux_state_desc(char l)
{
	switch (l) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 't': return "t (tracing stop)";
	case 'X': return "X (dead)";
	case 'Z': return "Z (zombie)";
	}
	return "S (sleeping)";
}

/* The terminal's foreground process group of the task's session (stat's
 * tpgid), or -1. Every ps reads it for every process: one session's
 * lookup, not a copy of every session and group. */
static int linux_tpgid(struct procfs_ctx *c, const struct task_snap *t,
		       const char *tty_nr)
{
	pid_t fg;

	if (strcmp(tty_nr, "0") == 0)
		return -1;
	fg = session_foreground(c->k, t->sid);
	return fg < 0 ? -1 : fg;
}

/* The host's stat, status or statm file of task t (whole: of its
 * process, as the read-ahead may have it, readahead.c) into b. */
static int host_task_file(struct procfs_ctx *c, const struct task_snap *t,
			  bool whole, enum ra_file which, struct pbuf *b)
{
	const char *name = procfs_ra_file_name(which);
	pid_t host_tgid;
	char path[64];

	if (t->host_tid <= 0)
		return -ESRCH;
	host_tgid = procfs_host_tgid(c, t);
	if (whole && procfs_ra_take(c->ra, t->tgid, host_tgid, t->start_ns,
				    which, b) == 0)
		return 0;
	if (whole)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)host_tgid,
			 name);
	else
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s",
			 (int)host_tgid, (int)t->host_tid, name);
	return host_read_record(path, b);
}

/* A stat field after a space: a number, or the host's fields from..to. */
static void stat_num(struct pbuf *b, int64_t v)
{
	pbuf_putc(b, ' ');
	pbuf_put_i64(b, v);
}

static void stat_host(struct pbuf *b, const struct host_stat *hs, int from,
		      int to)
{
	for (int n = from; n <= to; n++) {
		pbuf_putc(b, ' ');
		pbuf_puts(b, host_stat_field(hs, n));
	}
}

/* Linux's do_task_stat(). whole: the process view (proc/PID/stat), with
 * the host's numbers summed over the thread group. */
static int linux_show_stat(struct procfs_ctx *c, struct pbuf *b, bool whole)
{
	const struct task_snap *t = ctx_task(c);
	struct host_stat hs;
	bool host_read = false;

	if (!t)
		return -ENOENT;
	host_stat_init(&hs);
	if (host_task_file(c, t, whole, RA_STAT, &hs.raw) == 0) {
		host_stat_split(&hs);
		host_read = true;
	}
	pbuf_put_i64(b, t->tid);
	pbuf_puts(b, " (");
	pbuf_puts(b, t->comm);
	pbuf_puts(b, ") ");
	pbuf_putc(b, task_linux_state_letter(t, host_stat_field(&hs, 3)[0]));
	stat_num(b, t->ppid);
	stat_num(b, t->pgid);
	stat_num(b, t->sid);
	stat_host(b, &hs, 7, 7); /* tty_nr */
	stat_num(b, linux_tpgid(c, t, host_stat_field(&hs, 7)));
	stat_host(b, &hs, 9, 19); /* flags, faults, times, priority, nice */
	stat_num(b, t->nr_threads_unreaped);
	stat_host(b, &hs, 21, 21);
	stat_num(b, (int64_t)(t->start_ns / (1000000000u / USER_HZ)));
	stat_host(b, &hs, 23, 30); /* vsize, rss, rsslim, code and stack */
	/* Linux prints the first 31 signals in decimal, for compatibility.
	 * The blocked mask is the host's (kernel/sigmask.h): its field,
	 * unless the kernel's copy is exact. */
	stat_num(b, (int64_t)(t->pending & 0x7fffffffu));
	if (host_read && !t->blocked_exact)
		stat_host(b, &hs, 32, 32);
	else
		stat_num(b, (int64_t)(t->blocked & 0x7fffffffu));
	stat_num(b, (int64_t)(t->ignored & 0x7fffffffu));
	stat_num(b, (int64_t)(t->caught & 0x7fffffffu));
	stat_host(b, &hs, 35, 37);
	stat_num(b, t->exit_signal);
	stat_host(b, &hs, 39, 51);
	stat_num(b, t->exit_state >= TASK_EXIT_ZOMBIE ? t->exit_status : 0);
	pbuf_putc(b, '\n');
	host_stat_free(&hs);
	return 0;
}

int linux_show_task_stat(struct procfs_ctx *c, struct pbuf *b)
{
	return linux_show_stat(c, b, false);
}

static int linux_show_proc_stat(struct procfs_ctx *c, struct pbuf *b)
{
	return linux_show_stat(c, b, true);
}

/* status keys in Linux's order (proc_pid_status()), with what is shown
 * when the host's file cannot be read. Keys marked emulated are always
 * the kernel's; the others pass through from the host. */
enum status_key {
	SK_NAME, SK_UMASK, SK_STATE, SK_TGID, SK_NGID, SK_PID, SK_PPID,
	SK_TRACERPID, SK_UID, SK_GID, SK_FDSIZE, SK_GROUPS, SK_NSTGID,
	SK_NSPID, SK_NSPGID, SK_NSSID, SK_THREADS, SK_SIGQ, SK_SIGPND,
	SK_SHDPND, SK_SIGBLK, SK_SIGIGN, SK_SIGCGT, SK_CAPINH, SK_CAPPRM,
	SK_CAPEFF, SK_CAPBND, SK_CAPAMB, SK_NONEWPRIVS, SK_SECCOMP, SK_CPUS,
	SK_CPUS_LIST, SK_NR
};

#define SK(ID, KEY, EMULATED, FALLBACK) \
	[ID] = { KEY, sizeof(KEY) - 1, EMULATED, FALLBACK }
static const struct {
	const char *key;
	size_t len;
	bool emulated;
	const char *fallback;
} status_keys[SK_NR] = {
	SK(SK_NAME, "Name", true, NULL),
	SK(SK_UMASK, "Umask", false, "0022"),
	SK(SK_STATE, "State", true, NULL),
	SK(SK_TGID, "Tgid", true, NULL),
	SK(SK_NGID, "Ngid", true, NULL),
	SK(SK_PID, "Pid", true, NULL),
	SK(SK_PPID, "PPid", true, NULL),
	SK(SK_TRACERPID, "TracerPid", true, NULL),
	SK(SK_UID, "Uid", true, NULL),
	SK(SK_GID, "Gid", true, NULL),
	SK(SK_FDSIZE, "FDSize", false, "64"),
	SK(SK_GROUPS, "Groups", false, ""),
	SK(SK_NSTGID, "NStgid", true, NULL),
	SK(SK_NSPID, "NSpid", true, NULL),
	SK(SK_NSPGID, "NSpgid", true, NULL),
	SK(SK_NSSID, "NSsid", true, NULL),
	SK(SK_THREADS, "Threads", true, NULL),
	SK(SK_SIGQ, "SigQ", true, NULL),
	SK(SK_SIGPND, "SigPnd", true, NULL),
	SK(SK_SHDPND, "ShdPnd", true, NULL),
	SK(SK_SIGBLK, "SigBlk", true, NULL),
	SK(SK_SIGIGN, "SigIgn", true, NULL),
	SK(SK_SIGCGT, "SigCgt", true, NULL),
	SK(SK_CAPINH, "CapInh", false, "0000000000000000"),
	SK(SK_CAPPRM, "CapPrm", false, "0000000000000000"),
	SK(SK_CAPEFF, "CapEff", false, "0000000000000000"),
	SK(SK_CAPBND, "CapBnd", false, "0000000000000000"),
	SK(SK_CAPAMB, "CapAmb", false, "0000000000000000"),
	SK(SK_NONEWPRIVS, "NoNewPrivs", false, "0"),
	SK(SK_SECCOMP, "Seccomp", false, "0"),
	SK(SK_CPUS, "Cpus_allowed", true, NULL),
	SK(SK_CPUS_LIST, "Cpus_allowed_list", true, NULL),
};
#undef SK

/* The emulated key a host line starts with, or -1 (memory, scheduling
 * and every other host line). Runs for each of the host file's ~60 lines
 * on every open of a status file. The host's keys come in the order of
 * status_keys (both are Linux's), so the search starts after the key the
 * previous line matched (*next) and nearly always ends there; a line whose
 * first letter starts no key is refused without a search. */
static uint64_t status_key_firsts[4]; /* bit c: a key starts with c */
static pthread_once_t status_key_firsts_once = PTHREAD_ONCE_INIT;

static void status_key_firsts_init(void)
{
	for (int i = 0; i < SK_NR; i++) {
		unsigned char c = (unsigned char)status_keys[i].key[0];

		status_key_firsts[c / 64] |= 1ull << (c % 64);
	}
}

/* Preconditions: status_key_firsts_once done. */
static int status_key_index(const char *key, size_t len, int *next)
{
	unsigned char c = len ? (unsigned char)key[0] : 0;

	if (!(status_key_firsts[c / 64] & (1ull << (c % 64))))
		return -1;
	for (int n = 0; n < SK_NR; n++) {
		int i = (*next + n) % SK_NR;

		if (status_keys[i].len == len && status_keys[i].key[0] == key[0] &&
		    memcmp(status_keys[i].key, key, len) == 0) {
			*next = i + 1;
			return i;
		}
	}
	return -1;
}

/* A CPU affinity line: the sandbox's default, as the host prints it, for
 * a thread whose affinity is the default (the platform may have narrowed
 * the host's: kernel/task.h default_affinity); else the host's. */
static void status_cpus(struct pbuf *b, const struct task_snap *t,
			const char *dflt,
			const char *host, size_t host_len)
{
	if (dflt && (t->default_affinity || !host))
		pbuf_puts(b, dflt);
	else if (host)
		pbuf_put(b, host, host_len);
}

/* A Uid or Gid line's value: real, effective, saved and fs IDs. */
static void status_ids(struct pbuf *b, uint32_t r, uint32_t e, uint32_t s,
		       uint32_t fs)
{
	pbuf_put_u64(b, r);
	pbuf_putc(b, '\t');
	pbuf_put_u64(b, e);
	pbuf_putc(b, '\t');
	pbuf_put_u64(b, s);
	pbuf_putc(b, '\t');
	pbuf_put_u64(b, fs);
}

/* Writes the value of emulated key i (no newline). host is the host's
 * value of the same key, or NULL. */
static void status_value(struct pbuf *b, const struct kernel *k, int i,
			 const struct task_snap *t, char letter,
			 const char *host, size_t host_len)
{
	switch ((enum status_key)i) {
	case SK_NAME:
		/* Linux escapes the name as proc_task_name() does. */
		for (const char *p = t->comm; *p; p++) {
			if (*p == '\\')
				pbuf_puts(b, "\\\\");
			else if (*p == '\n')
				pbuf_puts(b, "\\n");
			else
				pbuf_put(b, p, 1);
		}
		break;
	case SK_STATE:
		pbuf_puts(b, linux_state_desc(letter));
		break;
	case SK_TGID:
	case SK_NSTGID:
		pbuf_put_i64(b, t->tgid);
		break;
	case SK_NGID:
		pbuf_puts(b, "0");
		break;
	case SK_PID:
	case SK_NSPID:
		pbuf_put_i64(b, t->tid);
		break;
	case SK_PPID:
		pbuf_put_i64(b, t->ppid);
		break;
	case SK_TRACERPID:
		pbuf_put_i64(b, t->ptrace.tracer);
		break;
	case SK_UID:
		status_ids(b, t->uid, t->euid, t->suid, t->fsuid);
		break;
	case SK_GID:
		status_ids(b, t->gid, t->egid, t->sgid, t->fsgid);
		break;
	case SK_NSPGID:
		pbuf_put_i64(b, t->pgid);
		break;
	case SK_NSSID:
		pbuf_put_i64(b, t->sid);
		break;
	case SK_THREADS:
		pbuf_put_i64(b, t->nr_threads_unreaped);
		break;
	case SK_SIGQ: {
		const char *slash = host ? memchr(host, '/', host_len) : NULL;

		pbuf_put_i64(b, t->user_queued);
		pbuf_putc(b, '/');
		if (slash)
			pbuf_put(b, slash + 1, host_len - (size_t)(slash + 1 - host));
		else
			pbuf_printf(b, "%llu", (unsigned long long)RLIM_INFINITY);
		break;
	}
	case SK_SIGPND:
		pbuf_sigset_hex(b, t->pending);
		break;
	case SK_SHDPND:
		pbuf_sigset_hex(b, t->shared_pending);
		break;
	case SK_SIGBLK:
		/* The mask is the host's (kernel/sigmask.h): its line, unless
		 * the kernel's copy is exact. */
		if (host && !t->blocked_exact)
			pbuf_put(b, host, host_len);
		else
			pbuf_sigset_hex(b, t->blocked);
		break;
	case SK_SIGIGN:
		pbuf_sigset_hex(b, t->ignored);
		break;
	case SK_SIGCGT:
		pbuf_sigset_hex(b, t->caught);
		break;
	case SK_CPUS:
		status_cpus(b, t, k->default_cpus_hex, host, host_len);
		break;
	case SK_CPUS_LIST:
		status_cpus(b, t, k->default_cpus_list, host, host_len);
		break;
	default:
		break; /* passed through from the host */
	}
}

/* Linux's proc_pid_status(): the host's file with every emulated line
 * replaced, which keeps the host kernel's key order and its memory,
 * capability and scheduling lines; or, when the host thread cannot be
 * read, the emulated lines with neutral values for the rest. */
static int linux_show_status(struct procfs_ctx *c, struct pbuf *b, bool whole)
{
	const struct task_snap *t = ctx_task(c);
	struct pbuf host;
	char host_letter = 'S', letter;
	const char *p, *end;
	int next_key = 0;

	if (!t)
		return -ENOENT;
	pbuf_init(&host);
	if (host_task_file(c, t, whole, RA_STATUS, &host) < 0 || !host.len) {
		letter = task_linux_state_letter(t, 'S');
		for (size_t i = 0;
		     i < sizeof(status_keys) / sizeof(status_keys[0]); i++) {
			pbuf_put(b, status_keys[i].key, status_keys[i].len);
			pbuf_puts(b, ":\t");
			if (status_keys[i].emulated)
				status_value(b, c->k, (int)i, t, letter, NULL,
					     0);
			else
				pbuf_puts(b, status_keys[i].fallback);
			pbuf_puts(b, "\n");
		}
		pbuf_free(&host);
		return 0;
	}
	p = strstr(host.data, "\nState:\t");
	if (p)
		host_letter = p[8];
	letter = task_linux_state_letter(t, host_letter);
	pthread_once(&status_key_firsts_once, status_key_firsts_init);
	end = host.data + host.len;
	for (p = host.data; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(line_end - p));
		int i = colon ? status_key_index(p, (size_t)(colon - p),
						 &next_key)
			      : -1;

		if (i >= 0 && status_keys[i].emulated) {
			const char *v = colon + 1;

			while (v < line_end && *v == '\t')
				v++;
			pbuf_put(b, p, (size_t)(colon - p));
			pbuf_puts(b, ":\t");
			status_value(b, c->k, i, t, letter, v,
				     (size_t)(line_end - v));
			pbuf_puts(b, "\n");
		} else {
			pbuf_put(b, p, (size_t)(line_end - p));
			pbuf_puts(b, "\n");
		}
		p = line_end + 1;
	}
	pbuf_free(&host);
	return 0;
}

static int linux_show_proc_status(struct procfs_ctx *c, struct pbuf *b)
{
	return linux_show_status(c, b, true);
}

static int linux_show_task_status(struct procfs_ctx *c, struct pbuf *b)
{
	return linux_show_status(c, b, false);
}

int linux_show_cmdline(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	/* A task past its exit event has no memory left to read argv from
	 * (a leader whose group still runs, a zombie): Linux shows an empty
	 * command line, and ps prints [comm]. */
	if (t->exit_state == TASK_EXIT_NONE && t->cmdline_len)
		pbuf_put(b, t->cmdline, t->cmdline_len);
	return 0;
}

int linux_show_comm(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	pbuf_puts(b, t->comm);
	pbuf_putc(b, '\n');
	return 0;
}

int linux_show_cgroup(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	pbuf_printf(b, "0::%s\n", t->cgroup[0] ? t->cgroup : "/");
	return 0;
}

static const struct {
	const char *name, *unit;
} limit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", NULL },
	[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

static void limit_value(struct pbuf *b, rlim_t v)
{
	if (v == RLIM_INFINITY)
		pbuf_printf(b, "%-20s ", "unlimited");
	else
		pbuf_printf(b, "%-20llu ", (unsigned long long)v);
}

/* Linux's proc_pid_limits(), from the emulated limits. */
int linux_show_limits(struct procfs_ctx *c, struct pbuf *b)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg)
		return -ENOENT;
	pbuf_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		    "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		if (!limit_names[i].name)
			continue;
		pbuf_printf(b, "%-25s ", limit_names[i].name);
		limit_value(b, tg->limits[i].rlim_cur);
		limit_value(b, tg->limits[i].rlim_max);
		if (limit_names[i].unit)
			pbuf_printf(b, "%-10s\n", limit_names[i].unit);
		else
			pbuf_puts(b, "\n");
	}
	return 0;
}

/* Formats the host path /proc/<host_tid>/<fmt...> of task c->id. */
static int host_path(struct procfs_ctx *c, char *buf, size_t len,
		     const char *what)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	if (t->host_tid <= 0)
		return -ENOENT;
	snprintf(buf, len, "/proc/%d/%s", (int)t->host_tid, what);
	return 0;
}

int linux_list_fds(struct procfs_ctx *c, uint32_t **out)
{
	char path[64];
	int err = host_path(c, path, sizeof(path), "fd");

	return err < 0 ? err : host_list_numbers(path, out);
}

int linux_show_fd_link(struct procfs_ctx *c, struct pbuf *b)
{
	char what[32], path[64];
	int err;

	snprintf(what, sizeof(what), "fd/%u", c->leaf);
	err = host_path(c, path, sizeof(path), what);
	if (err == 0)
		err = host_readlink(path, b);
	return err == -EACCES || err == -ENOENT || err == -ESRCH ? -ENOENT : err;
}

int linux_show_fdinfo(struct procfs_ctx *c, struct pbuf *b)
{
	char what[32], path[64];
	int err;

	snprintf(what, sizeof(what), "fdinfo/%u", c->leaf);
	err = host_path(c, path, sizeof(path), what);
	if (err == 0)
		err = host_read_file(path, b);
	return err == -EACCES || err == -ENOENT || err == -ESRCH ? -ENOENT : err;
}

/* A host-owned file, passed through whole. */
static int linux_host_file(struct procfs_ctx *c, struct pbuf *b,
			   const char *what)
{
	char path[64];
	int err = host_path(c, path, sizeof(path), what);

	if (err == 0 && host_read_file(path, b) < 0)
		pbuf_free(b); /* gone or zombie: empty, as Linux */
	return err;
}

#define HOST_FILE(fn, what)                                              \
	static int fn(struct procfs_ctx *c, struct pbuf *b)              \
	{                                                                \
		return linux_host_file(c, b, what);                      \
	}
#define HOST_LINK(fn, what)                                              \
	static int fn(struct procfs_ctx *c, struct pbuf *b)              \
	{                                                                \
		char path[64];                                           \
		int err = host_path(c, path, sizeof(path), what);        \
		if (err == 0)                                            \
			err = host_readlink(path, b);                    \
		return err < 0 ? -ENOENT : 0;                            \
	}

/* Linux's environ_read(): the environment strings the exec left in the
 * program's memory, empty for a zombie (it has no memory). The kernel
 * keeps them from the exec (exec_env.h); a task with none seen (the
 * init task) is read from the host. */
static int linux_show_environ(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	if (t->exit_state >= TASK_EXIT_ZOMBIE)
		return 0;
	if (!t->env)
		return linux_host_file(c, b, "environ");
	pbuf_put(b, t->env->data, t->env->len);
	return b->err;
}

/* Host-owned memory figures, the process's either way (they are the
 * mm's); empty when the host thread is gone, as Linux for a zombie. */
static int linux_show_statm(struct procfs_ctx *c, struct pbuf *b, bool whole)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	if (host_task_file(c, t, whole, RA_STATM, b) < 0)
		pbuf_free(b);
	return 0;
}

static int linux_show_proc_statm(struct procfs_ctx *c, struct pbuf *b)
{
	return linux_show_statm(c, b, true);
}

static int linux_show_task_statm(struct procfs_ctx *c, struct pbuf *b)
{
	return linux_show_statm(c, b, false);
}
HOST_FILE(linux_show_maps, "maps")
HOST_FILE(linux_show_mounts, "mounts")
HOST_FILE(linux_show_mountinfo, "mountinfo")
HOST_LINK(linux_show_exe, "exe")
HOST_LINK(linux_show_cwd, "cwd")
HOST_LINK(linux_show_root, "root")

static int linux_show_wchan(struct procfs_ctx *c, struct pbuf *b)
{
	pbuf_puts(b, "0");
	return ctx_task(c) ? 0 : -ENOENT;
}

/* task/TID/children: the emulated kernel records children per thread
 * group, so the leader's file lists the group's children and the other
 * threads' files are empty. */
static int linux_show_children(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);
	const struct tg_snap *tg = ctx_tg(c);

	if (!t || !tg)
		return -ENOENT;
	if (t->is_leader)
		for (int i = 0; i < tg->nr_children; i++)
			pbuf_printf(b, "%d ", (int)tg->children[i]);
	return 0;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int proc_tasks_list(struct procfs_ctx *c, uint32_t **out)
{
	const struct tg_snap *tg = ctx_tg(c);
	pid_t *v;

	if (!tg)
		return -ENOENT;
	v = malloc(sizeof(*v) * ((size_t)tg->nr_tasks + 1));
	if (!v)
		return -ENOMEM;
	memcpy(v, tg->tasks, sizeof(*v) * (size_t)tg->nr_tasks);
	qsort(v, (size_t)tg->nr_tasks, sizeof(*v), pid_cmp);
	*out = (uint32_t *)v;
	return tg->nr_tasks;
}

static bool proc_tasks_has(struct procfs_ctx *c, uint32_t tid)
{
	const struct tg_snap *tg = ctx_tg(c);

	for (int i = 0; tg && i < tg->nr_tasks; i++)
		if (tg->tasks[i] == (pid_t)tid)
			return true;
	return false;
}

static const struct procfs_entry proc_pid_entries[] = {
	ONE("stat", linux_show_proc_stat),
	ONE("status", linux_show_proc_status),
	ONE("cmdline", linux_show_cmdline),
	ONE("comm", linux_show_comm),
	ONE_OWNER("environ", linux_show_environ),
	ONE("statm", linux_show_proc_statm),
	ONE("maps", linux_show_maps),
	ONE("cgroup", linux_show_cgroup),
	ONE("limits", linux_show_limits),
	ONE("mounts", linux_show_mounts),
	ONE("mountinfo", linux_show_mountinfo),
	ONE("wchan", linux_show_wchan),
	LNK("exe", linux_show_exe),
	LNK("cwd", linux_show_cwd),
	LNK("root", linux_show_root),
	DIR("task", PD_PROC_TASKS),
	DIR("fd", PD_PROC_FD),
	DIR("fdinfo", PD_PROC_FDINFO),
};

static const struct procfs_entry proc_tid_entries[] = {
	ONE("stat", linux_show_task_stat),
	ONE("status", linux_show_task_status),
	ONE("cmdline", linux_show_cmdline),
	ONE("comm", linux_show_comm),
	ONE_OWNER("environ", linux_show_environ),
	ONE("statm", linux_show_task_statm),
	ONE("maps", linux_show_maps),
	ONE("children", linux_show_children),
	ONE("cgroup", linux_show_cgroup),
	ONE("limits", linux_show_limits),
	ONE("wchan", linux_show_wchan),
	LNK("exe", linux_show_exe),
	LNK("cwd", linux_show_cwd),
	LNK("root", linux_show_root),
	DIR("fd", PD_PROC_TID_FD),
	DIR("fdinfo", PD_PROC_TID_FDINFO),
};

#define ENTRIES(v) .entries = (v), .nr_entries = sizeof(v) / sizeof((v)[0])

const struct procfs_dir procfs_proc_pid_dir = {
	.name = "proc/PID",
	ENTRIES(proc_pid_entries),
	.exists = procfs_task_exists,
};

const struct procfs_dir procfs_proc_tasks_dir = {
	.name = "proc/PID/task",
	.exists = procfs_task_exists,
	.list = proc_tasks_list,
	.num_sub = PD_PROC_TID,
	.num_ok = proc_tasks_has,
};

const struct procfs_dir procfs_proc_tid_dir = {
	.name = "proc/PID/task/TID",
	ENTRIES(proc_tid_entries),
	.exists = procfs_task_exists,
};

#define FD_DIR(var, label, dmode, mode, show) \
	const struct procfs_dir var = {       \
		.name = label,                \
		.exists = procfs_task_exists, \
		.list = linux_list_fds,       \
		.leaf_mode = mode,            \
		.leaf_show = show,            \
		.dir_mode = dmode,            \
	}
/* As in Linux: fd/ is the owner's (0500), fdinfo/ everyone's (0555). */
FD_DIR(procfs_proc_fd_dir, "proc/PID/fd", 0500, S_IFLNK | 0777,
       linux_show_fd_link);
FD_DIR(procfs_proc_fdinfo_dir, "proc/PID/fdinfo", 0555, S_IFREG | 0444,
       linux_show_fdinfo);
FD_DIR(procfs_proc_tid_fd_dir, "proc/PID/task/TID/fd", 0500, S_IFLNK | 0777,
       linux_show_fd_link);
FD_DIR(procfs_proc_tid_fdinfo_dir, "proc/PID/task/TID/fdinfo", 0555,
       S_IFREG | 0444, linux_show_fdinfo);
