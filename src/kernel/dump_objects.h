/*
 * dump_objects.h - JSON forms of kernel objects, shared by state dumps and
 * the control server's inspecting commands so both report the same fields
 * (man/sentry-dump.5 documents every one).
 *
 * Implemented in src/kernel/dump_objects.c. They are the kernel's to
 * define (the debugger only sends them), so they live in the kernel;
 * dump.h stays the public API of the whole dump.
 *
 * Every builder returns a new reference (NULL only on ENOMEM) and takes a
 * snapshot (snapshot.h) that the caller owns and frees.
 */
#ifndef SENTRY_KERNEL_DUMP_OBJECTS_H
#define SENTRY_KERNEL_DUMP_OBJECTS_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kernel/signals.h"

struct kernel;
struct task_snap;
struct tg_snap;

json_t *dump_sigset_json(sigset64_t set);
json_t *dump_siginfo_json(const siginfo_t *si);

/* The full task object of a dump. With with_regs, a task held in a stop
 * gets "regs" when the platform can read them. */
json_t *dump_task_json(struct kernel *k, const struct task_snap *s,
		       bool with_regs);
/* Parts of the task object: "signals", "stop" (pause_depth is the kernel's
 * at the time, to tell the debugger's own stops from the pause) and
 * "ptrace". */
json_t *dump_task_signals_json(const struct task_snap *s);
json_t *dump_task_stop_json(const struct task_snap *s, int pause_depth);
json_t *dump_task_ptrace_json(const struct task_snap *s);

json_t *dump_tg_json(const struct tg_snap *s);
json_t *dump_kernel_json(struct kernel *k);
/* Arrays of all process groups, sessions, cgroups (sorted). */
json_t *dump_pgrps_json(struct kernel *k);
json_t *dump_sessions_json(struct kernel *k);
json_t *dump_cgroups_json(struct kernel *k);

/* The descriptors of a host thread from /proc/HOST_TID/fd: 0 and an array
 * of {"fd","target"} in *out, or -errno (-ENOENT for a thread gone). */
int dump_fds_json(pid_t host_tid, json_t **out);

/* Registers of a stopped task as {"rip":"0x…",…}: 0 and *out, -ESRCH for
 * a task that is gone, -EBUSY for one that runs, -ENOSYS without a
 * platform. */
int dump_regs_json(struct kernel *k, pid_t tid, json_t **out);
/* Symbolized backtrace of a stopped task into buf, one frame a line.
 * Same errors as dump_regs_json. */
int dump_backtrace(struct kernel *k, pid_t tid, char *buf, size_t len);

#endif
