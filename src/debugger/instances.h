/*
 * instances.h - where running sentries announce themselves, and how
 * sentrydbg and `sentry list` find them.
 *
 * Each sentry named NAME owns a directory RUNDIR/NAME (mode 0700) holding
 * its control socket "ctl" (mode 0600) and an "info" file (JSON: name,
 * pid, uid, command, mountpoint, started_ns, protocol). RUNDIR is
 * $SENTRY_RUNTIME_DIR when set, /run/sentry for root, otherwise
 * $XDG_RUNTIME_DIR/sentry (or /tmp/sentry-UID without XDG_RUNTIME_DIR).
 *
 * A directory whose sentry is gone (its pid is dead and nothing listens on
 * the socket) is stale: scans skip it and remove it when they may.
 *
 * Compiled into the sentry and, through dbg_instances.c, into sentrydbg.
 */
#ifndef SENTRY_DEBUGGER_INSTANCES_H
#define SENTRY_DEBUGGER_INSTANCES_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ctl_instance {
	char name[64];
	pid_t pid;
	uid_t uid;
	char command[1024];
	char mountpoint[PATH_MAX];
	uint64_t started_ns;     /* CLOCK_REALTIME */
	char dir[PATH_MAX];
	char sock[108];          /* sun_path */
};

/* Writes RUNDIR into buf. Returns 0 or -ENAMETOOLONG. */
int ctl_runtime_dir(char *buf, size_t len);

/* Whether name is a valid instance name: 1-63 of [A-Za-z0-9._-], not
 * starting with '.' or '-'. */
bool ctl_name_valid(const char *name);

/* Fills out->name, out->dir and out->sock for name. Returns 0,
 * -EINVAL for a bad name or -ENAMETOOLONG when the socket path does not
 * fit in sun_path. */
int ctl_instance_paths(const char *name, struct ctl_instance *out);

/* Reads DIR/info into out (paths included). Returns 0 or -errno
 * (-EPROTO for an unreadable info file). */
int ctl_info_read(const char *dir, struct ctl_instance *out);
/* Writes in->dir/info atomically (mode 0600). Returns 0 or -errno. */
int ctl_info_write(const struct ctl_instance *in);

/* Whether a process with this pid exists. */
bool ctl_pid_alive(pid_t pid);

/* Connects to a control socket. Returns the fd or -errno with a message
 * in err. */
int ctl_connect(const char *sock, char *err, size_t errlen);

/*
 * ctl_instance_live decides whether the sentry of in is running: its pid
 * is alive and something listens on its socket. A dead one is removed
 * (socket, info, directory) when remove_stale is set. Returns true for a
 * live instance.
 */
bool ctl_instance_live(const struct ctl_instance *in, bool remove_stale);

/* Lists the live instances, sorted by name, in a malloc'd array. Returns
 * the count (0 with *out NULL when none) or -errno. */
int ctl_instances_scan(struct ctl_instance **out, bool remove_stale);

/*
 * ctl_instance_resolve picks the sentry sentrydbg should attach to:
 * target NULL means "the only one running"; a number matches a pid; a
 * string with '/' is a socket path; anything else a name. Returns 0 and
 * *out, or -ENOENT (none matches), -ENOTUNIQ (several run and none was
 * named), -EINVAL (bad name), with a message in err.
 */
int ctl_instance_resolve(const char *target, struct ctl_instance *out,
			 char *err, size_t errlen);

/* Asks a sentry for its status (the "status" command) with a timeout.
 * Returns 0 and the result object in *out, or -errno. */
int ctl_instance_query(const struct ctl_instance *in, int timeout_ms,
		       json_t **out);

#endif
