/*
 * This file implements credentials: the kernel's copy of what the host
 * applied (set*id syscalls run on the host, which owns the permission
 * checks on files), refreshed whenever they can have changed, and the
 * permission rule for signals that needs them.
 */
#include <errno.h>
#include <signal.h>

#include "kernel/creds.h"
#include "kernel/kernel.h"
#include "platform/platform.h"

void task_refresh_creds(struct kernel *k, struct task *t)
{
	uint32_t ids[8];

	if (!k->plat || !k->plat->ops->read_creds ||
	    k->plat->ops->read_creds(k->plat, t, ids) < 0)
		return;
	pthread_mutex_lock(&t->mu);
	t->uid = ids[0];
	t->euid = ids[1];
	t->suid = ids[2];
	t->fsuid = ids[3];
	t->gid = ids[4];
	t->egid = ids[5];
	t->sgid = ids[6];
	t->fsgid = ids[7];
	pthread_mutex_unlock(&t->mu);
}

void task_exec_creds(struct kernel *k, struct task *t)
{
	/* Reading the host's status file cost more than the rest of the
	 * exec event together (it is the host's most expensive /proc file),
	 * and the auxiliary vector already says it all. */
	if (!t->sc.exec_ids_valid) {
		task_refresh_creds(k, t);
		return;
	}
	t->sc.exec_ids_valid = false;
	pthread_mutex_lock(&t->mu);
	t->uid = t->sc.exec_ids[0];
	t->euid = t->suid = t->fsuid = t->sc.exec_ids[1];
	t->gid = t->sc.exec_ids[2];
	t->egid = t->sgid = t->fsgid = t->sc.exec_ids[3];
	pthread_mutex_unlock(&t->mu);
}

bool task_may_signal(struct task *sender, struct task *target, int sig)
{
	uint32_t uid, euid, tuid, tsuid;

	if (sender->tg == target->tg)
		return true;
	pthread_mutex_lock(&sender->mu);
	uid = sender->uid;
	euid = sender->euid;
	pthread_mutex_unlock(&sender->mu);
	/* Root in the sandbox stands for CAP_KILL. */
	if (euid == 0)
		return true;
	pthread_mutex_lock(&target->mu);
	tuid = target->uid;
	tsuid = target->suid;
	pthread_mutex_unlock(&target->mu);
	if (euid == tsuid || euid == tuid || uid == tsuid || uid == tuid)
		return true;
	/* SIGCONT within a session is always allowed (job control).
	 * Reading the process groups needs no lock for this check: both
	 * tasks are alive and a stale answer only repeats Linux's race. */
	return sig == SIGCONT && sender->tg->pgrp && target->tg->pgrp &&
	       sender->tg->pgrp->session == target->tg->pgrp->session;
}
