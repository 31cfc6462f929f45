/*
 * task_set_internal.h - task set operations for src/kernel/ only.
 */
#ifndef SENTRY_KERNEL_TASK_SET_INTERNAL_H
#define SENTRY_KERNEL_TASK_SET_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

struct kernel;
struct task;
struct task_set;
struct thread_group;
struct process_group;
struct session;

int ts_init(struct task_set *ts);
void ts_destroy(struct task_set *ts);

/* Preconditions for the _locked functions: ts.mu held for writing. */
int ts_insert_task_locked(struct kernel *k, struct task *t);
void ts_remove_task_locked(struct kernel *k, struct task *t);
int ts_insert_tg_locked(struct kernel *k, struct thread_group *tg);
void ts_remove_tg_locked(struct kernel *k, struct thread_group *tg);

/* task.c */
struct task *task_alloc(struct kernel *k, pid_t tid, pid_t host_tid);
/* Drops the tree's reference; the task is freed after a grace period
 * once no reader holds one. Preconditions: removed from the hash. */
void task_release(struct task *t);

/* thread_group.c */
struct thread_group *tg_alloc(pid_t tgid);
void tg_release(struct thread_group *tg);
/* Joins tg to the process group pgid of session s, creating the group if
 * needed. Preconditions: ts.mu held for writing. Returns 0 or -ENOMEM. */
int tg_join_pgrp_locked(struct kernel *k, struct thread_group *tg,
			struct session *s, pid_t pgid);
/* Leaves tg's process group, freeing empty groups and sessions. */
void tg_leave_pgrp_locked(struct kernel *k, struct thread_group *tg);
/* Returns the process group with this id, or NULL. */
struct process_group *pgrp_find_locked(struct kernel *k, pid_t pgid);
struct session *session_find_locked(struct kernel *k, pid_t sid);
struct session *session_new_locked(struct kernel *k, pid_t sid);

/* task_exit.c */
/* Releases a zombie thread group that its parent reaped (or that needs no
 * reaping): the group and its leader leave the tree. */
void tg_reap_locked(struct kernel *k, struct thread_group *tg);

#endif
