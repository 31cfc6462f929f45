/*
 * server.h - the control server inside the sentry: a unix socket that
 * sentrydbg connects to (DESIGN §7, man/sentrydbg.1).
 */
#ifndef SENTRY_DEBUGGER_SERVER_H
#define SENTRY_DEBUGGER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct kernel;
struct ctl_server;

/*
 * ctl_server_start creates the control socket for the sentry named name
 * (/run/sentry/NAME/ctl as root, $XDG_RUNTIME_DIR/sentry/NAME/ctl
 * otherwise, mode 0600) and serves it from its own thread(s). info_cmd is
 * the sandbox command line shown by `sentry list`, mountpoint the
 * filesystem's or NULL. Returns 0 and the handle in *out, or -errno with a
 * message in errbuf.
 */
int ctl_server_start(struct kernel *k, const char *name, const char *info_cmd,
		     const char *mountpoint, struct ctl_server **out,
		     char *errbuf, size_t errlen);

/* Stops serving, removes the socket, frees srv. Safe with NULL. */
void ctl_server_stop(struct ctl_server *srv);

/*
 * ctl_list_instances prints the running sentries for `sentry list`: name,
 * pid, state (running, paused, or unreachable/no-access when the control
 * socket does not answer), task count, mount point and command; with json
 * a JSON array of objects with those fields (and "socket"). Stale entries
 * of dead sentries are removed on the way. Returns 0 or -errno.
 */
int ctl_list_instances(FILE *out, bool json);

#endif
