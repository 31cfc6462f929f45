/*
 * helpers.h - building emulated kernel state for the procfs tests, with
 * the real kernel API and no platform (tasks are records only; host TIDs
 * point at real processes when a test wants host-owned numbers).
 */
#ifndef SENTRY_TESTS_PROCFS_HELPERS_H
#define SENTRY_TESTS_PROCFS_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct kernel;
struct task;

/* kernel_init with no platform; registers the calling thread with RCU. */
void tk_kernel_init(struct kernel *k);
/* The init task (TID 1) in a new session, command line argv (NUL-joined,
 * len bytes). */
struct task *tk_init(struct kernel *k, pid_t host_tid, const char *argv,
		     size_t len);
/* A fork of parent with TID tid (a new thread group). */
struct task *tk_fork(struct kernel *k, struct task *parent, pid_t tid,
		     pid_t host_tid);
/* A thread of parent's group. */
struct task *tk_thread(struct kernel *k, struct task *parent, pid_t tid,
		       pid_t host_tid);
/* The host reports t dead with wait status status. */
void tk_exit(struct kernel *k, struct task *t, int status);
void tk_set_comm(struct task *t, const char *comm);
/* Replaces t's command line with argv (NUL-joined, len bytes). */
void tk_set_cmdline(struct task *t, const char *argv, size_t len);

/* Reads a file through procfs_read_path(); fails the test on error.
 * Returns a malloc'd NUL-terminated string. */
char *tk_read(struct kernel *k, const char *path, pid_t caller);
/* The -errno procfs_read_path() returns for path (0 on success). */
int tk_read_err(struct kernel *k, const char *path);
/* A directory listing, one name a line; fails the test on error. */
char *tk_list(struct kernel *k, const char *path);

/* Splits a proc stat line into its 52 fields the way procps does (the
 * name is between the first '(' and the last ')'). Returns the number of
 * fields; f[0] is the pid, f[1] the name, f[2] the state... */
int tk_split_stat(char *line, char **f, int max);

#endif
