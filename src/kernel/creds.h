/*
 * creds.h - task credentials and the signal permission check.
 */
#ifndef SENTRY_KERNEL_CREDS_H
#define SENTRY_KERNEL_CREDS_H

#include <stdbool.h>

struct kernel;
struct task;

/* Rereads t's credentials from the platform (after a set*id syscall
 * succeeded, after exec). Keeps the old ones when that fails. */
void task_refresh_creds(struct kernel *k, struct task *t);

/* Linux's exec rule for credentials (after the host ran the exec): the
 * saved and filesystem IDs become the effective ones, which a set-user-ID
 * or set-group-ID program changed. The host wrote the real and effective
 * IDs into the new image's auxiliary vector (AT_UID...), captured with
 * the command line (task_exec_capture); without them, the host's status
 * file is reread (task_refresh_creds). */
void task_exec_creds(struct kernel *k, struct task *t);

/* Linux's check_kill_permission()/kill_ok_by_cred(): whether sender may
 * send sig to target. Takes both tasks' mu; the caller holds ts.mu (for
 * reading at least), so both tasks and their groups are stable. */
bool task_may_signal(struct task *sender, struct task *target, int sig);

#endif
