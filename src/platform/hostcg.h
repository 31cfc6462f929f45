/*
 * hostcg.h - host cgroups that mirror the sandbox's emulated cgroups.
 *
 * The kernel owns the emulated cgroup v2 hierarchy (membership, the pids
 * limit); memory and cpu limits are enforced by the host. For every
 * emulated cgroup that needs them the sentry creates a host cgroup below
 * its own ("sentry-<PID>", the emulated root "/"), moves the host threads
 * with their emulated moves, writes the limits there and reads usage back
 * (DESIGN §2: the kernel decides, the platform mirrors). This library is
 * self-contained: plain files under the host's cgroup mounts, no kernel
 * state. The kernel reaches it through platform ops.
 *
 * Host layouts
 *
 *   v2 (cgroup2 only): the sentry's cgroup S is read from the "0::" line
 *     of /proc/self/cgroup. The mirror root is S/sentry-<PID> when S may
 *     enable memory and cpu for its children; when S holds processes (the
 *     sentry itself) and did not enable them, the no-internal-processes
 *     rule forbids it (EBUSY) and the mirror root becomes the sibling
 *     parent(S)/sentry-<PID>. A controller missing from S's
 *     cgroup.controllers is enabled in parent(S)/cgroup.subtree_control
 *     first. Every mirror directory enables +memory +cpu for its
 *     children, so it may not hold processes either: the host threads of
 *     an emulated cgroup live in its leaf child ".procs"
 *     (HOSTCG_V2_LEAF), and the emulated name ".procs" is reserved on v2
 *     hosts (mkdir gives EEXIST). Limits and usage are those of the
 *     directory, which covers the leaf and the children as the emulated
 *     hierarchy does. Controllers enabled in S's or parent(S)'s
 *     cgroup.subtree_control stay enabled after the sentry (others may
 *     rely on them by then).
 *
 *   v1 / hybrid (Debian's default before 11, this project's CI): one
 *     hierarchy per controller, found by the "memory", "cpu", "cpuacct"
 *     options of the cgroup mounts in /proc/self/mountinfo (co-mounted
 *     "cpu,cpuacct" share one directory). The mirror is created in each
 *     hierarchy; v2 names and syntax are translated:
 *
 *     v2 file          v1 source
 *     memory.max       memory.limit_in_bytes ("max" is -1)
 *     memory.high      memory.soft_limit_in_bytes. An approximation: v1
 *                      reclaims down to the soft limit only under global
 *                      memory pressure, and never throttles the way v2's
 *                      memory.high does.
 *     memory.current   memory.usage_in_bytes
 *     memory.peak      memory.max_usage_in_bytes
 *     memory.events    low 0, high 0, max from memory.failcnt (times the
 *                      limit was hit), oom and oom_kill both from the
 *                      oom_kill line of memory.oom_control (v1 counts no
 *                      OOM events that did not kill)
 *     memory.stat      total_rss->anon, total_cache->file,
 *                      memory.kmem.usage_in_bytes->kernel,
 *                      memory.kmem.tcp.usage_in_bytes->sock,
 *                      total_shmem->shmem, total_mapped_file->file_mapped,
 *                      total_dirty->file_dirty,
 *                      total_writeback->file_writeback,
 *                      total_swapcached->swapcached,
 *                      total_rss_huge->anon_thp, the four LRU lists,
 *                      unevictable, the workingset refaults, pgfault,
 *                      pgmajfault (the total_* lines: v2's memory.stat is
 *                      hierarchical). kernel_stack, pagetables, percpu and
 *                      slab have no v1 source and are left out rather
 *                      than shown as 0.
 *     cpu.max          cpu.cfs_quota_us (-1 is "max") and cpu.cfs_period_us
 *     cpu.weight       cpu.shares: shares = 2 + ceil((weight-1) *
 *                      262142 / 9999), the inverse of runc's
 *                      ConvertCPUSharesToCgroupV2Value (libcontainer/
 *                      cgroups/utils.go: weight = 1 + (shares-2) * 9999 /
 *                      262142, which crun.1 "CGROUP v2" documents too),
 *                      rounded up so that reading back gives the weight
 *                      written. Weight 100 (the v2 default) is 2598
 *                      shares, not v1's default 1024.
 *     cpu.stat         usage_usec from cpuacct.usage (ns), user_usec and
 *                      system_usec from cpuacct.usage_user/usage_sys (ns)
 *                      or else cpuacct.stat (USER_HZ ticks); nr_periods,
 *                      nr_throttled, throttled_usec (throttled_time ns),
 *                      nr_bursts, burst_usec from cpu.stat
 *
 *     v1 moves threads one by one (the "tasks" file); memory is charged to
 *     the mm's owner, so in practice a thread group's memory follows its
 *     leader. v1 also refuses a child cpu.max above its parent's (EINVAL),
 *     which v2 accepts and clamps, and a memory.max below what it cannot
 *     reclaim (EBUSY), where v2 sets it and OOM-kills.
 *
 * Paths are emulated: "/" the root, "/box/inner" below it; no ".", "..",
 * empty components or trailing "/". File names and values are v2's; the
 * values are parsed as Linux parses them (memparse with K/M/G/T/P/E
 * suffixes, page rounding; cpu.max's "$MAX [$PERIOD]" with periods of
 * 1 ms..1 s; cpu.weight 1..10000, ERANGE outside) and written to the host
 * in canonical form on both layouts.
 *
 * Errors are -errno: -EOPNOTSUPP when the host lacks the controller (or
 * the file), -EACCES/-EPERM when the sentry may not manage its cgroup (no
 * delegation), -ENOENT for a path with no mirror or a file name not listed
 * above, -EINVAL/-ERANGE for a bad value.
 *
 * Cleanup: hostcg_open forks a reaper (double-forked, so it is never a
 * child of the sentry: the tracer's waitpid(-1) never sees it; in its own
 * session, signals of the terminal ignored, no fds but two pipes and a
 * pidfd of the sentry). It waits for the sentry's death (the pidfd turns
 * readable, even after SIGKILL; on kernels without pidfds, EOF on a pipe
 * whose write end only the sentry and its not-yet-exec'd children hold)
 * or for hostcg_close's byte on that pipe. Then it SIGKILLs every task
 * left in the mirror and removes it bottom-up, retrying rmdir while the
 * dying tasks keep it busy, and exits. Call hostcg_open before the
 * platform starts waiting for children (it waits for the reaper's
 * short-lived parent).
 *
 * Thread safety: a struct hostcg is immutable between hostcg_open and
 * hostcg_close; every other function may be called from any thread
 * concurrently (each is a few open/read/write/mkdir calls on the host).
 * The caller keeps one emulated cgroup from being created and removed at
 * once, as the emulated hierarchy's lock does.
 */
#ifndef SENTRY_PLATFORM_HOSTCG_H
#define SENTRY_PLATFORM_HOSTCG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hostcg;

/* The leaf that holds an emulated cgroup's threads on a v2 host. */
#define HOSTCG_V2_LEAF ".procs"

/* Finds the sentry's cgroups in /proc/self/mountinfo and /proc/self/cgroup
 * and creates the mirror root "sentry-<PID>" below them. On success *out
 * is the mirror (free it with hostcg_close). A host that offers only one
 * of memory and cpu is a success: the other's files give -EOPNOTSUPP and
 * hostcg_warning() says why. On failure returns -errno (-EOPNOTSUPP: no
 * cgroup mount or neither controller; -EACCES/-EPERM/-EROFS: no
 * delegation; -EEXIST: a stale mirror of the same PID) and puts a
 * one-line reason, without newline, in why. */
int hostcg_open(struct hostcg **out, char *why, size_t whylen);

/* hostcg_open with the two files named: unit tests run against a fake
 * cgroupfs (plain directories) whose mounts a fake mountinfo lists. */
int hostcg_open_at(struct hostcg **out, const char *mountinfo_path,
		   const char *self_cgroup_path, char *why, size_t whylen);

/* Creates the mirror of the emulated cgroup path (its parent's mirror
 * must exist) in every hierarchy used. Returns 0 or -errno (-EEXIST,
 * -ENOENT for a missing parent, -EINVAL for a bad path); on failure
 * nothing is left created. */
int hostcg_mkdir(struct hostcg *h, const char *path);

/* Removes the mirror of path. -EBUSY while it has children or threads
 * (as Linux's rmdir), -ENOENT if there is none, -EINVAL for "/". */
int hostcg_rmdir(struct hostcg *h, const char *path);

/* Moves host thread host_tid into the mirror of path in every hierarchy
 * used. v1 moves the thread alone (tasks); v2 the whole thread group
 * (cgroup.procs of the leaf: domain cgroups move processes). Returns 0 or
 * -errno (-ESRCH: no such thread). */
int hostcg_attach(struct hostcg *h, const char *path, pid_t host_tid);

/* Sets a v2 limit file (memory.max, memory.high, cpu.max, cpu.weight) of
 * the mirror of path; see the table above for v1. Returns 0 or -errno. */
int hostcg_write(struct hostcg *h, const char *path, const char *file,
		 const char *value);

/* Reads a v2 file of the mirror of path as a v2 host formats it
 * (memory.current, memory.peak, memory.events, memory.stat, cpu.stat,
 * memory.max, memory.high, cpu.max, cpu.weight) into buf, NUL-terminated.
 * Returns the length without the NUL, -ERANGE if buf is too small, or
 * -errno. */
int hostcg_read(struct hostcg *h, const char *path, const char *file,
		char *buf, size_t len);

/* Kills what is left in the mirror, removes it bottom-up, tells the reaper
 * to exit and waits for it (a few seconds at most), and frees h. NULL is
 * a no-op. */
void hostcg_close(struct hostcg *h);

/* Whether the host enforces controller "memory" or "cpu" for the mirror. */
bool hostcg_has(const struct hostcg *h, const char *controller);

/* "v1" or "v2". */
const char *hostcg_layout(const struct hostcg *h);

/* Why a controller is missing (one line, no newline), or "" when both
 * work: what `sentry run` prints as its one warning. */
const char *hostcg_warning(const struct hostcg *h);

/* Puts up to n distinct host directories of the mirror root (one per
 * hierarchy used) in dirs, pointers into h valid until hostcg_close.
 * Returns how many there are. For tests and diagnostics. */
size_t hostcg_host_roots(const struct hostcg *h, const char **dirs, size_t n);

/* Pid of the reaper process, for tests. */
pid_t hostcg_reaper_pid(const struct hostcg *h);

#endif /* SENTRY_PLATFORM_HOSTCG_H */
