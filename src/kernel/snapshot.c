/*
 * This file implements snapshots of kernel objects for readers (see
 * snapshot.h). Copy under the locks, format after unlocking, as Linux's
 * do_task_stat() does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/snapshot.h"
#include "kernel/task_set_internal.h"

const char *task_exit_state_name(enum task_exit_state s)
{
	switch (s) {
	case TASK_EXIT_NONE: return "none";
	case TASK_EXIT_INITIATED: return "initiated";
	case TASK_EXIT_ZOMBIE: return "zombie";
	case TASK_EXIT_DEAD: return "dead";
	}
	return "?";
}

const char *task_stop_name(enum task_stop_kind s)
{
	switch (s) {
	case TASK_STOP_NONE: return "none";
	case TASK_STOP_GROUP: return "group";
	case TASK_STOP_PTRACE: return "ptrace";
	case TASK_STOP_VFORK: return "vfork";
	case TASK_STOP_EXEC: return "exec";
	}
	return "?";
}

const char *tg_state_name(int state)
{
	switch (state) {
	case TG_LIVE: return "live";
	case TG_ZOMBIE: return "zombie";
	case TG_DEAD: return "dead";
	}
	return "?";
}

char task_state_letter(const struct task_snap *s)
{
	if (s->exit_state == TASK_EXIT_DEAD)
		return 'X';
	if (s->exit_state == TASK_EXIT_ZOMBIE)
		return 'Z';
	if (s->stop == TASK_STOP_PTRACE)
		return 't';
	if (s->stop == TASK_STOP_GROUP || s->stop_count > 0)
		return 'T';
	if (s->stop == TASK_STOP_VFORK)
		return 'D';
	return '\0';
}

char task_linux_state_letter(const struct task_snap *s, char host)
{
	char l = task_state_letter(s);

	if (l)
		return l;
	if (host == 'R' || host == 'S' || host == 'D')
		return host;
	/* A thread past its exit event is a zombie once the host says so:
	 * a leader that exited while other threads run stays one until the
	 * group exits (Linux's delay_group_leader()). */
	if (host == 'Z' && s->exit_state == TASK_EXIT_INITIATED)
		return 'Z';
	return 'S';
}

/* Copies a pending queue, appending to *v. Preconditions: signal mutex. */
static int snap_queue(const struct sig_pending *p, bool shared,
		      struct sig_snap **v, int *n)
{
	const struct sig_queued *q;
	struct sig_snap *nv;

	if (p->nr_queued == 0)
		return 0;
	nv = realloc(*v, sizeof(**v) * (size_t)(*n + p->nr_queued));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	cds_list_for_each_entry(q, &p->queue, node) {
		nv[*n].sig = q->info.si_signo;
		nv[*n].shared = shared;
		nv[*n].info = q->info;
		(*n)++;
	}
	return 0;
}

static void snap_dispositions(const struct sighand *sh, sigset64_t *ign,
			      sigset64_t *caught)
{
	*ign = *caught = 0;
	for (int i = 0; i < SIG_MAX; i++) {
		uint64_t h = sh->actions[i].handler;

		if (h == (uint64_t)(uintptr_t)SIG_IGN)
			*ign |= sig_bit(i + 1);
		else if (h != (uint64_t)(uintptr_t)SIG_DFL)
			*caught |= sig_bit(i + 1);
	}
}

int task_snapshot(struct kernel *k, pid_t tid, struct task_snap *out)
{
	struct task *t;
	struct thread_group *tg;
	struct ptrace_state *ps;
	struct task *tr;
	int err = 0;

	memset(out, 0, sizeof(*out));
	pthread_rwlock_rdlock(&k->ts.mu);
	rcu_read_lock();
	t = task_lookup_rcu(k, tid);
	rcu_read_unlock();
	if (!t || t->exit_state == TASK_EXIT_DEAD) {
		pthread_rwlock_unlock(&k->ts.mu);
		return -ESRCH;
	}
	tg = t->tg;
	out->tid = t->tid;
	out->host_tid = t->host_tid;
	out->tgid = tg->tgid;
	out->is_leader = tg->leader == t;
	out->ppid = tg_ppid(tg);
	out->pgid = tg->pgrp ? tg->pgrp->pgid : 0;
	out->sid = tg->pgrp ? tg->pgrp->session->sid : 0;
	out->exit_state = t->exit_state;
	out->exit_status = t->exit_state == TASK_EXIT_ZOMBIE && out->is_leader
				   ? tg->exit_status
				   : t->exit_status;
	out->exit_signal = t->exit_signal;
	out->tg_state = tg->state;
	out->nr_threads = tg->nr_tasks;
	out->nr_threads_unreaped =
		tg->nr_tasks +
		(tg->leader && tg->leader->exit_state == TASK_EXIT_ZOMBIE);
	if (tg->cgroup)
		cg_path(tg->cgroup, out->cgroup, sizeof(out->cgroup));

	ps = &t->ptrace;
	out->ptrace.tracer = ps->tracer ? ps->tracer->tid : 0;
	cds_list_for_each_entry(tr, &ps->tracees, ptrace.tracee_node)
		out->ptrace.nr_tracees++;
	if (out->ptrace.nr_tracees) {
		int i = 0;

		out->ptrace.tracees =
			calloc((size_t)out->ptrace.nr_tracees, sizeof(pid_t));
		if (!out->ptrace.tracees) {
			err = -ENOMEM;
			goto out_unlock;
		}
		cds_list_for_each_entry(tr, &ps->tracees, ptrace.tracee_node)
			out->ptrace.tracees[i++] = tr->tid;
	}

	pthread_mutex_lock(&tg->sighand->mu);
	out->blocked = t->sigmask;
	out->blocked_exact = t->sigmask_exact;
	out->saved_mask = t->saved_sigmask;
	out->has_saved_mask = t->has_saved_sigmask;
	out->pending = t->pending.set;
	out->shared_pending = tg->shared_pending.set;
	snap_dispositions(tg->sighand, &out->ignored, &out->caught);
	if (snap_queue(&t->pending, false, &out->queued, &out->nr_queued) ||
	    snap_queue(&tg->shared_pending, true, &out->queued,
		       &out->nr_queued))
		err = -ENOMEM;
	out->altstack = t->altstack;
	out->stop = t->stop;
	out->stop_count = t->stop_count;
	out->group_stop_pending = t->group_stop_pending;
	out->group_stop_acked = t->group_stop_acked;
	out->group_stop_active = tg->group_stop_active;
	out->group_stop_signal = tg->group_stop_signal;
	out->ptrace.seized = ps->seized;
	out->ptrace.options = ps->options;
	out->ptrace.syscall_mode = ps->syscall_mode;
	out->ptrace.singlestep = ps->singlestep;
	out->ptrace.stop = ps->stop;
	out->ptrace.reported = ps->reported;
	out->ptrace.listening = ps->listening;
	out->ptrace.interrupt_pending = ps->interrupt_pending;
	out->ptrace.stop_code = ps->stop_code;
	out->ptrace.has_siginfo = ps->has_siginfo;
	out->ptrace.siginfo = ps->siginfo;
	out->ptrace.event_msg = ps->event_msg;
	pthread_mutex_unlock(&tg->sighand->mu);

	pthread_mutex_lock(&t->mu);
	memcpy(out->comm, t->comm, sizeof(out->comm));
	out->comm[sizeof(out->comm) - 1] = '\0';
	if (t->cmdline_len) {
		out->cmdline = malloc(t->cmdline_len);
		if (out->cmdline) {
			memcpy(out->cmdline, t->cmdline, t->cmdline_len);
			out->cmdline_len = t->cmdline_len;
		} else {
			err = -ENOMEM;
		}
	}
	out->env = exec_env_get(t->env);
	out->fdt_id = t->fdt ? t->fdt->id : 0;
	out->parked_nr = t->parked_call.nr;
	memcpy(out->parked_args, t->parked_call.args, sizeof(out->parked_args));
	out->fdt_users = t->fdt ? fdt_users(t->fdt) : 0;
	out->uid = t->uid;
	out->euid = t->euid;
	out->suid = t->suid;
	out->fsuid = t->fsuid;
	out->default_affinity = t->default_affinity;
	out->gid = t->gid;
	out->egid = t->egid;
	out->sgid = t->sgid;
	out->fsgid = t->fsgid;
	out->start_ns = t->start_ns;
	pthread_mutex_unlock(&t->mu);
	out->user_queued = sig_users_queued(&k->sig_users, out->uid);
	out->nr_syscalls = __atomic_load_n(&t->nr_syscalls, __ATOMIC_RELAXED);
	out->nr_signals = __atomic_load_n(&t->nr_signals, __ATOMIC_RELAXED);

out_unlock:
	pthread_rwlock_unlock(&k->ts.mu);
	if (err)
		task_snap_free(out);
	return err;
}

void task_snap_free(struct task_snap *s)
{
	free(s->cmdline);
	exec_env_put(s->env);
	s->env = NULL;
	free(s->queued);
	free(s->ptrace.tracees);
	s->cmdline = NULL;
	s->queued = NULL;
	s->ptrace.tracees = NULL;
}

int tg_snapshot(struct kernel *k, pid_t tgid, struct tg_snap *out)
{
	struct thread_group *tg, *c;
	struct task *t;
	int i;

	memset(out, 0, sizeof(*out));
	pthread_rwlock_rdlock(&k->ts.mu);
	rcu_read_lock();
	tg = tg_lookup_rcu(k, tgid);
	rcu_read_unlock();
	if (!tg || tg->state == TG_DEAD) {
		pthread_rwlock_unlock(&k->ts.mu);
		return -ESRCH;
	}
	out->tgid = tg->tgid;
	out->leader = tg->leader ? tg->leader->tid : 0;
	out->ppid = tg_ppid(tg);
	out->pgid = tg->pgrp ? tg->pgrp->pgid : 0;
	out->sid = tg->pgrp ? tg->pgrp->session->sid : 0;
	out->state = tg->state;
	out->exiting = tg->exiting;
	out->exit_status = tg->exit_status;
	out->subreaper = tg->subreaper;
	out->execed = tg->execed;
	if (tg->cgroup)
		cg_path(tg->cgroup, out->cgroup, sizeof(out->cgroup));
	cds_list_for_each_entry(t, &tg->tasks, tg_node)
		out->nr_tasks++;
	cds_list_for_each_entry(c, &tg->children, child_node)
		out->nr_children++;
	out->tasks = calloc((size_t)out->nr_tasks + 1, sizeof(pid_t));
	out->children = calloc((size_t)out->nr_children + 1, sizeof(pid_t));
	if (!out->tasks || !out->children) {
		pthread_rwlock_unlock(&k->ts.mu);
		tg_snap_free(out);
		return -ENOMEM;
	}
	i = 0;
	cds_list_for_each_entry(t, &tg->tasks, tg_node)
		out->tasks[i++] = t->tid;
	i = 0;
	cds_list_for_each_entry(c, &tg->children, child_node)
		out->children[i++] = c->tgid;
	out->sighand_id = (uintptr_t)tg->sighand;
	out->sighand_users = __atomic_load_n(&tg->sighand->refs,
					     __ATOMIC_RELAXED);
	pthread_mutex_lock(&tg->sighand->mu);
	memcpy(out->actions, tg->sighand->actions, sizeof(out->actions));
	out->shared_pending = tg->shared_pending.set;
	out->group_stop_active = tg->group_stop_active;
	out->group_stop_signal = tg->group_stop_signal;
	out->group_stop_count = tg->group_stop_count;
	memcpy(out->limits, tg->limits, sizeof(out->limits));
	pthread_mutex_unlock(&tg->sighand->mu);
	pthread_rwlock_unlock(&k->ts.mu);
	return 0;
}

void tg_snap_free(struct tg_snap *s)
{
	free(s->tasks);
	free(s->children);
	s->tasks = NULL;
	s->children = NULL;
}

void kernel_snapshot(struct kernel *k, struct kernel_snap *out)
{
	struct process_group *pg;
	struct session *s;

	memset(out, 0, sizeof(*out));
	memcpy(out->name, k->name, sizeof(out->name));
	out->pause_depth = __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE);
	out->paused = out->pause_depth > 0;
	out->uptime_ns = kernel_uptime_ns(k);
	out->boot_realtime_ns = k->boot_realtime_ns;
	out->tasks_created = __atomic_load_n(&k->tasks_created,
					     __ATOMIC_RELAXED);
	out->tasks_exited = __atomic_load_n(&k->tasks_exited, __ATOMIC_RELAXED);
	out->host_stops = __atomic_load_n(&k->host_stops, __ATOMIC_RELAXED);
	pthread_rwlock_rdlock(&k->ts.mu);
	out->nr_tasks = k->ts.nr_tasks;
	out->nr_tgs = k->ts.nr_tgs;
	cds_list_for_each_entry(pg, &k->ts.pgrps, node)
		out->nr_pgrps++;
	cds_list_for_each_entry(s, &k->ts.sessions, node)
		out->nr_sessions++;
	pthread_rwlock_unlock(&k->ts.mu);
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int pgrp_snap_cmp(const void *a, const void *b)
{
	return pid_cmp(&((const struct pgrp_snap *)a)->pgid,
		       &((const struct pgrp_snap *)b)->pgid);
}

static int session_snap_cmp(const void *a, const void *b)
{
	return pid_cmp(&((const struct session_snap *)a)->sid,
		       &((const struct session_snap *)b)->sid);
}

int pgrp_snapshot_all(struct kernel *k, struct pgrp_snap **out)
{
	struct process_group *pg;
	struct thread_group *tg;
	struct pgrp_snap *v;
	int n = 0, i = 0;

	pthread_rwlock_rdlock(&k->ts.mu);
	cds_list_for_each_entry(pg, &k->ts.pgrps, node)
		n++;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		goto err_unlock;
	cds_list_for_each_entry(pg, &k->ts.pgrps, node) {
		struct pgrp_snap *s = &v[i++];
		int j = 0;

		s->pgid = pg->pgid;
		s->sid = pg->session->sid;
		s->foreground = pg->session->foreground == pg->pgid;
		s->members = calloc((size_t)pg->nr_members + 1, sizeof(pid_t));
		if (!s->members) {
			pgrp_snaps_free(v, i);
			goto err_unlock;
		}
		cds_list_for_each_entry(tg, &pg->members, pgrp_node)
			s->members[j++] = tg->tgid;
		s->nr_members = j;
		qsort(s->members, (size_t)j, sizeof(pid_t), pid_cmp);
	}
	pthread_rwlock_unlock(&k->ts.mu);
	qsort(v, (size_t)n, sizeof(*v), pgrp_snap_cmp);
	*out = v;
	return n;

err_unlock:
	pthread_rwlock_unlock(&k->ts.mu);
	return -ENOMEM;
}

void pgrp_snaps_free(struct pgrp_snap *v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i].members);
	free(v);
}

int session_snapshot_all(struct kernel *k, struct session_snap **out)
{
	struct session *s;
	struct process_group *pg;
	struct session_snap *v;
	int n = 0, i = 0;

	pthread_rwlock_rdlock(&k->ts.mu);
	cds_list_for_each_entry(s, &k->ts.sessions, node)
		n++;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		goto err_unlock;
	cds_list_for_each_entry(s, &k->ts.sessions, node) {
		struct session_snap *ss = &v[i++];
		int j = 0;

		ss->sid = s->sid;
		ss->foreground = s->foreground ? s->foreground : -1;
		ss->pgrps = calloc((size_t)s->nr_pgrps + 1, sizeof(pid_t));
		if (!ss->pgrps) {
			session_snaps_free(v, i);
			goto err_unlock;
		}
		cds_list_for_each_entry(pg, &k->ts.pgrps, node)
			if (pg->session == s && j < s->nr_pgrps)
				ss->pgrps[j++] = pg->pgid;
		ss->nr_pgrps = j;
		qsort(ss->pgrps, (size_t)j, sizeof(pid_t), pid_cmp);
	}
	pthread_rwlock_unlock(&k->ts.mu);
	qsort(v, (size_t)n, sizeof(*v), session_snap_cmp);
	*out = v;
	return n;

err_unlock:
	pthread_rwlock_unlock(&k->ts.mu);
	return -ENOMEM;
}

pid_t session_foreground(struct kernel *k, pid_t sid)
{
	struct session *s;
	pid_t fg;

	pthread_rwlock_rdlock(&k->ts.mu);
	s = session_find_locked(k, sid);
	fg = !s ? -ESRCH : s->foreground ? s->foreground : -1;
	pthread_rwlock_unlock(&k->ts.mu);
	return fg;
}

void session_snaps_free(struct session_snap *v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i].pgrps);
	free(v);
}
