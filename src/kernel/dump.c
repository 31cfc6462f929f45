/*
 * This file implements state dumps (DESIGN §8, man/sentry-dump.5) and the
 * JSON form of every kernel object that the control server also sends for
 * its inspecting commands, so `sentrydbg task 5` and the dump agree field
 * for field. The builders are declared for the server in
 * src/debugger/kstate.h.
 *
 * Consistency: with pause, the whole dump is taken inside one
 * kernel_pause()/kernel_unpause() pair, so no task runs application code
 * (and no trapped syscall changes the tree) while objects are copied. Each
 * object is copied with the snapshot functions (snapshot.h) and formatted
 * after its locks are dropped. ext_mu is deliberately not held across the
 * dump: reading registers goes through the platform thread, which may
 * itself need ext_mu to pause the kernel for a catchpoint.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>
#include <time.h>
#include <unistd.h>

#include "debugger/kstate.h"
#include "kernel/dump.h"
#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/timing.h"
#include "kernel/snapshot.h"
#include "kernel/syscalls/syscalls.h"
#include "platform/platform.h"

/* Sets key to a new value, ignoring ENOMEM: a dump missing a field under
 * memory pressure is better than no dump, and jansson leaves the object
 * valid. */
static void set(json_t *o, const char *key, json_t *v)
{
	/* Keys are this file's ASCII literals: skip the UTF-8 check. */
	json_object_set_new_nocheck(o, key, v);
}

static json_t *hex64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
	return json_string(buf);
}

static json_t *sig_name_json(int sig)
{
	char buf[16];

	return sig_name(sig, buf, sizeof(buf)) ? json_string(buf) : json_null();
}

static json_t *pid_array(const pid_t *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

/*
 * While a dump is built, equal signal sets share one JSON object (jansson
 * values are reference counted and may have several parents): 10,000
 * tasks have a handful of distinct masks, and building six sigset objects
 * per task was a good part of a dump's time. Only the dumping thread sees
 * the cache; nothing modifies a dump's values once built.
 */
#define SIGSET_CACHE_SIZE 256
struct sigset_cache {
	sigset64_t mask[SIGSET_CACHE_SIZE];
	json_t *val[SIGSET_CACHE_SIZE];
};
static __thread struct sigset_cache *sigset_cache;

static json_t *sigset_build(sigset64_t mask)
{
	char buf[20];
	json_t *o = json_object(), *names = json_array();

	snprintf(buf, sizeof(buf), "%016" PRIx64, mask);
	for (int s = 1; s <= SIG_MAX; s++)
		if (mask & sig_bit(s))
			json_array_append_new(names, sig_name_json(s));
	set(o, "mask", json_string(buf));
	set(o, "names", names);
	return o;
}

json_t *dump_sigset_json(sigset64_t mask)
{
	struct sigset_cache *c = sigset_cache;
	unsigned h;

	if (!c)
		return sigset_build(mask);
	h = (unsigned)((mask * 0x9e3779b97f4a7c15ull) >> 56) % SIGSET_CACHE_SIZE;
	for (unsigned i = 0; i < SIGSET_CACHE_SIZE; i++) {
		unsigned j = (h + i) % SIGSET_CACHE_SIZE;

		if (c->val[j] && c->mask[j] == mask)
			return json_incref(c->val[j]);
		if (!c->val[j]) {
			c->val[j] = sigset_build(mask);
			c->mask[j] = mask;
			return json_incref(c->val[j]);
		}
	}
	return sigset_build(mask); /* full: more distinct masks than slots */
}

static void sigset_cache_begin(struct sigset_cache *c)
{
	memset(c, 0, sizeof(*c));
	sigset_cache = c;
}

static void sigset_cache_end(struct sigset_cache *c)
{
	sigset_cache = NULL;
	for (unsigned i = 0; i < SIGSET_CACHE_SIZE; i++)
		json_decref(c->val[i]);
}

static const char *si_code_name(int signo, int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	}
	if (signo == SIGCHLD) {
		switch (code) {
		case CLD_EXITED: return "CLD_EXITED";
		case CLD_KILLED: return "CLD_KILLED";
		case CLD_DUMPED: return "CLD_DUMPED";
		case CLD_TRAPPED: return "CLD_TRAPPED";
		case CLD_STOPPED: return "CLD_STOPPED";
		case CLD_CONTINUED: return "CLD_CONTINUED";
		}
	}
	return NULL;
}

json_t *dump_siginfo_json(const siginfo_t *si)
{
	const char *cn = si_code_name(si->si_signo, si->si_code);
	json_t *o = json_object();

	set(o, "signo", json_integer(si->si_signo));
	set(o, "name", sig_name_json(si->si_signo));
	set(o, "code", json_integer(si->si_code));
	set(o, "code_name", cn ? json_string(cn) : json_null());
	set(o, "errno", json_integer(si->si_errno));
	switch (si->si_signo) {
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
		if (si->si_code > 0) {
			set(o, "addr", hex64((uint64_t)(uintptr_t)si->si_addr));
			break;
		}
		/* sent by a process */
		/* fall through */
	default:
		set(o, "pid", json_integer(si->si_pid));
		set(o, "uid", json_integer(si->si_uid));
		if (si->si_signo == SIGCHLD && si->si_code > 0)
			set(o, "status", json_integer(si->si_status));
		else
			set(o, "value", json_integer(si->si_value.sival_int));
	}
	return o;
}

static json_t *cmdline_json(const char *cmd, size_t len)
{
	json_t *a = json_array();
	size_t off = 0;

	while (a && off < len) {
		size_t n = strnlen(cmd + off, len - off);

		json_array_append_new(a, json_stringn(cmd + off, n));
		off += n + 1;
	}
	return a;
}

static const char *state_name(const struct task_snap *s)
{
	switch (task_state_letter(s)) {
	case 'Z': return "Z (zombie)";
	case 'X': return "X (dead)";
	case 't': return "t (tracing stop)";
	case 'T': return "T (stopped)";
	case 'D': return "D (vfork)";
	}
	return "R (running)";
}

json_t *dump_task_signals_json(const struct task_snap *s)
{
	json_t *o = json_object(), *q = json_array(), *alt = json_object();

	set(o, "blocked", dump_sigset_json(s->blocked));
	set(o, "saved_mask", s->has_saved_mask ? dump_sigset_json(s->saved_mask)
					       : json_null());
	set(o, "pending", dump_sigset_json(s->pending));
	set(o, "shared_pending", dump_sigset_json(s->shared_pending));
	set(o, "ignored", dump_sigset_json(s->ignored));
	set(o, "caught", dump_sigset_json(s->caught));
	for (int i = 0; i < s->nr_queued; i++) {
		json_t *e = dump_siginfo_json(&s->queued[i].info);

		set(e, "shared", json_boolean(s->queued[i].shared));
		json_array_append_new(q, e);
	}
	set(o, "queued", q);
	set(alt, "sp", hex64(s->altstack.sp));
	set(alt, "size", json_integer((json_int_t)s->altstack.size));
	set(alt, "flags", json_integer(s->altstack.flags));
	set(o, "altstack", alt);
	return o;
}

json_t *dump_task_stop_json(const struct task_snap *s, int pause_depth)
{
	json_t *o = json_object();
	int own = s->stop_count - pause_depth;

	set(o, "kind", json_string(task_stop_name(s->stop)));
	set(o, "external_count", json_integer(s->stop_count));
	/* The debugger's "stop TID" on top of the kernel-wide pause. */
	set(o, "debugger_stops", json_integer(own > 0 ? own : 0));
	set(o, "held", json_boolean(s->stop != TASK_STOP_NONE ||
				    s->stop_count > 0));
	set(o, "group_stop_pending", json_boolean(s->group_stop_pending));
	set(o, "group_stop_acked", json_boolean(s->group_stop_acked));
	set(o, "group_stop_active", json_boolean(s->group_stop_active));
	set(o, "group_stop_signal", s->group_stop_signal
					   ? sig_name_json(s->group_stop_signal)
					   : json_null());
	return o;
}

json_t *dump_task_ptrace_json(const struct task_snap *s)
{
	const struct ptrace_snap *p = &s->ptrace;
	static const char *const modes[] = { "none", "syscall", "sysemu" };
	json_t *o = json_object();

	set(o, "tracer", p->tracer ? json_integer(p->tracer) : json_null());
	set(o, "tracees", pid_array(p->tracees, p->nr_tracees));
	set(o, "seized", json_boolean(p->seized));
	set(o, "options", json_integer((json_int_t)p->options));
	set(o, "syscall_mode",
	    json_string(p->syscall_mode >= 0 && p->syscall_mode <= 2
				? modes[p->syscall_mode]
				: "?"));
	set(o, "singlestep", json_boolean(p->singlestep));
	set(o, "stop", json_string(ptrace_stop_name(p->stop)));
	set(o, "reported", json_boolean(p->reported));
	set(o, "listening", json_boolean(p->listening));
	set(o, "interrupt_pending", json_boolean(p->interrupt_pending));
	set(o, "stop_code", json_integer(p->stop_code));
	set(o, "siginfo", p->has_siginfo ? dump_siginfo_json(&p->siginfo)
					 : json_null());
	set(o, "event_msg", json_integer((json_int_t)p->event_msg));
	return o;
}

static json_t *regs_json(const struct user_regs_struct *r)
{
	json_t *o = json_object();

#define R(f) set(o, #f, hex64(r->f))
	R(rip); R(rsp); R(rbp); R(rax); R(rbx); R(rcx); R(rdx); R(rsi);
	R(rdi); R(r8); R(r9); R(r10); R(r11); R(r12); R(r13); R(r14);
	R(r15); R(orig_rax); R(eflags); R(cs); R(ss); R(ds); R(es); R(fs);
	R(gs); R(fs_base); R(gs_base);
#undef R
	return o;
}

int dump_regs_json(struct kernel *k, pid_t tid, json_t **out)
{
	struct user_regs_struct regs;
	struct task *t;
	int err;

	if (!k->plat || !k->plat->ops->get_regs)
		return -ENOSYS;
	t = task_get_by_tid(k, tid);
	if (!t)
		return -ESRCH;
	err = k->plat->ops->get_regs(k->plat, t, &regs);
	task_put(t);
	if (err < 0)
		return err;
	*out = regs_json(&regs);
	return *out ? 0 : -ENOMEM;
}

int dump_backtrace(struct kernel *k, pid_t tid, char *buf, size_t len)
{
	struct task *t;
	int err;

	if (!k->plat || !k->plat->ops->backtrace)
		return -ENOSYS;
	t = task_get_by_tid(k, tid);
	if (!t)
		return -ESRCH;
	buf[0] = '\0';
	err = k->plat->ops->backtrace(k->plat, t, buf, len);
	task_put(t);
	return err;
}

static json_t *task_json(struct kernel *k, const struct task_snap *s,
			 bool with_regs, const struct user_regs_struct *regs,
			 int pause_depth);

json_t *dump_task_json(struct kernel *k, const struct task_snap *s,
		       bool with_regs)
{
	return task_json(k, s, with_regs, NULL,
			 __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE));
}

/* held: the task is held in a stop, so its registers can be read. */
static bool task_regs_readable(const struct task_snap *s)
{
	return (s->stop != TASK_STOP_NONE || s->stop_count > 0) &&
	       s->exit_state < TASK_EXIT_ZOMBIE;
}

/* regs: registers read beforehand (NULL: read them now if with_regs).
 * depth: the kernel's pause depth when s was taken. */
static json_t *task_json(struct kernel *k, const struct task_snap *s,
			 bool with_regs, const struct user_regs_struct *regs,
			 int depth)
{
	json_t *o = json_object(), *creds = json_object();
	char letter = task_state_letter(s);

	set(o, "tid", json_integer(s->tid));
	set(o, "tgid", json_integer(s->tgid));
	set(o, "host_tid", json_integer(s->host_tid));
	set(o, "ppid", json_integer(s->ppid));
	set(o, "pgid", json_integer(s->pgid));
	set(o, "sid", json_integer(s->sid));
	set(o, "leader", json_boolean(s->is_leader));
	set(o, "comm", json_string(s->comm));
	set(o, "cmdline", cmdline_json(s->cmdline, s->cmdline_len));
	set(o, "state", json_stringn(letter ? &letter : "R", 1));
	set(o, "state_name", json_string(state_name(s)));
	set(o, "exit_state", json_string(task_exit_state_name(s->exit_state)));
	set(o, "exit_status", s->exit_state >= TASK_EXIT_INITIATED
				      ? json_integer(s->exit_status)
				      : json_null());
	set(o, "exit_signal", s->exit_signal ? sig_name_json(s->exit_signal)
					     : json_null());
	set(o, "tg_state", json_string(tg_state_name(s->tg_state)));
	set(o, "nr_threads", json_integer(s->nr_threads));
	set(creds, "uid", json_integer(s->uid));
	set(creds, "euid", json_integer(s->euid));
	set(creds, "gid", json_integer(s->gid));
	set(creds, "egid", json_integer(s->egid));
	set(o, "creds", creds);
	set(o, "start_ns", json_integer((json_int_t)s->start_ns));
	set(o, "nr_syscalls", json_integer((json_int_t)s->nr_syscalls));
	set(o, "nr_signals", json_integer((json_int_t)s->nr_signals));
	set(o, "cgroup", json_string(s->cgroup[0] ? s->cgroup : "/"));
	set(o, "fd_table", json_integer((json_int_t)s->fdt_id));
	set(o, "signals", dump_task_signals_json(s));
	set(o, "stop", dump_task_stop_json(s, depth));
	set(o, "ptrace", dump_task_ptrace_json(s));
	if (regs) {
		set(o, "regs", regs_json(regs));
	} else if (with_regs && task_regs_readable(s)) {
		json_t *r = NULL;

		if (dump_regs_json(k, s->tid, &r) == 0)
			set(o, "regs", r);
	}
	return o;
}

static const char *const rlimit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = "cpu",         [RLIMIT_FSIZE] = "fsize",
	[RLIMIT_DATA] = "data",       [RLIMIT_STACK] = "stack",
	[RLIMIT_CORE] = "core",       [RLIMIT_RSS] = "rss",
	[RLIMIT_NPROC] = "nproc",     [RLIMIT_NOFILE] = "nofile",
	[RLIMIT_MEMLOCK] = "memlock", [RLIMIT_AS] = "as",
	[RLIMIT_LOCKS] = "locks",     [RLIMIT_SIGPENDING] = "sigpending",
	[RLIMIT_MSGQUEUE] = "msgqueue", [RLIMIT_NICE] = "nice",
	[RLIMIT_RTPRIO] = "rtprio",   [RLIMIT_RTTIME] = "rttime",
};

static json_t *rlim_json(rlim_t v)
{
	return v == RLIM_INFINITY ? json_null() : json_integer((json_int_t)v);
}

static json_t *handler_json(uint64_t h)
{
	if (h == (uint64_t)(uintptr_t)SIG_DFL)
		return json_string("default");
	if (h == (uint64_t)(uintptr_t)SIG_IGN)
		return json_string("ignore");
	return hex64(h);
}

json_t *dump_tg_json(const struct tg_snap *s)
{
	json_t *o = json_object(), *acts = json_array(), *lim = json_object();
	json_t *sh = json_object(), *gs = json_object();

	set(o, "tgid", json_integer(s->tgid));
	set(o, "leader", json_integer(s->leader));
	set(o, "ppid", json_integer(s->ppid));
	set(o, "pgid", json_integer(s->pgid));
	set(o, "sid", json_integer(s->sid));
	set(o, "state", json_string(tg_state_name(s->state)));
	set(o, "exiting", json_boolean(s->exiting));
	set(o, "exit_status", s->exiting || s->state != TG_LIVE
				      ? json_integer(s->exit_status)
				      : json_null());
	set(o, "subreaper", json_boolean(s->subreaper));
	set(o, "execed", json_boolean(s->execed));
	set(o, "tasks", pid_array(s->tasks, s->nr_tasks));
	set(o, "children", pid_array(s->children, s->nr_children));
	set(sh, "id", hex64(s->sighand_id));
	set(sh, "users", json_integer(s->sighand_users));
	set(o, "sighand", sh);
	for (int i = 0; i < SIG_MAX; i++) {
		const struct sig_action *a = &s->actions[i];
		json_t *e;

		if (a->handler == (uint64_t)(uintptr_t)SIG_DFL && !a->flags &&
		    !a->mask)
			continue;
		e = json_object();
		set(e, "signo", json_integer(i + 1));
		set(e, "name", sig_name_json(i + 1));
		set(e, "handler", handler_json(a->handler));
		set(e, "flags", hex64(a->flags));
		set(e, "mask", dump_sigset_json(a->mask));
		set(e, "restorer", hex64(a->restorer));
		json_array_append_new(acts, e);
	}
	set(o, "actions", acts);
	set(o, "shared_pending", dump_sigset_json(s->shared_pending));
	set(gs, "active", json_boolean(s->group_stop_active));
	set(gs, "signal", s->group_stop_signal
				  ? sig_name_json(s->group_stop_signal)
				  : json_null());
	set(gs, "remaining", json_integer(s->group_stop_count));
	set(o, "group_stop", gs);
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		json_t *l;

		if (!rlimit_names[i])
			continue;
		l = json_object();
		set(l, "cur", rlim_json(s->limits[i].rlim_cur));
		set(l, "max", rlim_json(s->limits[i].rlim_max));
		set(lim, rlimit_names[i], l);
	}
	set(o, "limits", lim);
	set(o, "cgroup", json_string(s->cgroup[0] ? s->cgroup : "/"));
	return o;
}

json_t *dump_kernel_json(struct kernel *k)
{
	struct kernel_snap ks;
	json_t *o = json_object(), *sc = json_array();

	kernel_snapshot(k, &ks);
	set(o, "name", json_string(ks.name));
	set(o, "pid", json_integer(getpid()));
	set(o, "version", json_string(SENTRY_VERSION));
	set(o, "state", json_string(ks.paused ? "paused" : "running"));
	set(o, "paused", json_boolean(ks.paused));
	set(o, "pause_depth", json_integer(ks.pause_depth));
	set(o, "uptime_ns", json_integer((json_int_t)ks.uptime_ns));
	set(o, "boot_realtime_ns", json_integer((json_int_t)ks.boot_realtime_ns));
	set(o, "nr_tasks", json_integer(ks.nr_tasks));
	set(o, "nr_thread_groups", json_integer(ks.nr_tgs));
	set(o, "nr_process_groups", json_integer(ks.nr_pgrps));
	set(o, "nr_sessions", json_integer(ks.nr_sessions));
	set(o, "tasks_created", json_integer((json_int_t)ks.tasks_created));
	set(o, "tasks_exited", json_integer((json_int_t)ks.tasks_exited));
	set(o, "host_stops", json_integer((json_int_t)ks.host_stops));
	for (int nr = 0; nr < KERNEL_NR_SYSCALLS; nr++) {
		const struct syscall_stat *st = &k->syscalls[nr];
		uint64_t count = __atomic_load_n(&st->count, __ATOMIC_RELAXED);
		const char *name;
		json_t *e;

		if (!count)
			continue;
		name = kernel_syscall_name(nr);
		e = json_object();
		set(e, "nr", json_integer(nr));
		set(e, "name", name ? json_string(name) : json_null());
		set(e, "count", json_integer((json_int_t)count));
		set(e, "enosys", json_integer((json_int_t)__atomic_load_n(
					 &st->enosys, __ATOMIC_RELAXED)));
		set(e, "total_ns", json_integer((json_int_t)__atomic_load_n(
					   &st->total_ns, __ATOMIC_RELAXED)));
		json_array_append_new(sc, e);
	}
	set(o, "syscalls", sc);
	return o;
}

json_t *dump_pgrps_json(struct kernel *k)
{
	struct pgrp_snap *v;
	int n = pgrp_snapshot_all(k, &v);
	json_t *a;

	if (n < 0)
		return NULL;
	a = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		set(o, "pgid", json_integer(v[i].pgid));
		set(o, "sid", json_integer(v[i].sid));
		set(o, "foreground", json_boolean(v[i].foreground));
		set(o, "members", pid_array(v[i].members, v[i].nr_members));
		json_array_append_new(a, o);
	}
	pgrp_snaps_free(v, n);
	return a;
}

json_t *dump_sessions_json(struct kernel *k)
{
	struct session_snap *v;
	int n = session_snapshot_all(k, &v);
	json_t *a;

	if (n < 0)
		return NULL;
	a = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		set(o, "sid", json_integer(v[i].sid));
		set(o, "foreground", v[i].foreground >= 0
					     ? json_integer(v[i].foreground)
					     : json_null());
		set(o, "process_groups", pid_array(v[i].pgrps, v[i].nr_pgrps));
		json_array_append_new(a, o);
	}
	session_snaps_free(v, n);
	return a;
}

/* Appends the cgroup subtree at cg, parents before children. Preconditions:
 * ts.mu held (the hierarchy's links are protected by it). */
static void cgroups_walk_locked(const struct cgroup *cg, json_t *a)
{
	const struct cgroup *c;
	char path[512];
	json_t *o = json_object(), *kids = json_array();

	cg_path(cg, path, sizeof(path));
	set(o, "path", json_string(path));
	set(o, "id", json_integer((json_int_t)cg->id));
	set(o, "nr_procs", json_integer(cg->nr_procs));
	set(o, "procs", json_array());
	cds_list_for_each_entry(c, &cg->children, sibling)
		json_array_append_new(kids, json_string(c->name));
	set(o, "children", kids);
	set(o, "controllers", json_array());
	json_array_append_new(a, o);
	cds_list_for_each_entry(c, &cg->children, sibling)
		cgroups_walk_locked(c, a);
}

json_t *dump_cgroups_json(struct kernel *k)
{
	json_t *a = json_array();
	pid_t *tgids;
	int n;

	pthread_rwlock_rdlock(&k->ts.mu);
	if (k->ts.cgroup_root)
		cgroups_walk_locked(k->ts.cgroup_root, a);
	pthread_rwlock_unlock(&k->ts.mu);

	/* Membership, from each thread group's own view. */
	n = ts_list_tids(k, true, &tgids);
	for (int i = 0; i < n; i++) {
		struct tg_snap ts;
		size_t j;
		json_t *cg;

		if (tg_snapshot(k, tgids[i], &ts) < 0)
			continue;
		json_array_foreach(a, j, cg) {
			const char *p = json_string_value(
				json_object_get(cg, "path"));

			if (p && strcmp(p, ts.cgroup[0] ? ts.cgroup : "/") == 0) {
				json_array_append_new(
					json_object_get(cg, "procs"),
					json_integer(ts.tgid));
				break;
			}
		}
		tg_snap_free(&ts);
	}
	if (n > 0)
		free(tgids);
	return a;
}

static int fd_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int dump_fds_json(pid_t host_tid, json_t **out)
{
	char dir[64], path[96], target[PATH_MAX];
	int *fds = NULL, n = 0, cap = 0;
	struct dirent *de;
	json_t *a;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)host_tid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (de->d_name[0] == '.' || *end || fd < 0 || fd > INT_MAX)
			continue;
		if (n == cap) {
			int *nv = realloc(fds, sizeof(*fds) * (size_t)(cap ? cap * 2 : 64));

			if (!nv) {
				free(fds);
				closedir(d);
				return -ENOMEM;
			}
			fds = nv;
			cap = cap ? cap * 2 : 64;
		}
		fds[n++] = (int)fd;
	}
	closedir(d);
	if (n > 0)
		qsort(fds, (size_t)n, sizeof(*fds), fd_cmp);
	a = json_array();
	for (int i = 0; a && i < n; i++) {
		json_t *o = json_object();
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%d", dir, fds[i]);
		len = readlink(path, target, sizeof(target) - 1);
		set(o, "fd", json_integer(fds[i]));
		if (len < 0) {
			/* Closed between readdir and readlink. */
			json_decref(o);
			continue;
		}
		target[len] = '\0';
		set(o, "target", json_string(target));
		json_array_append_new(a, o);
	}
	free(fds);
	*out = a;
	return a ? 0 : -ENOMEM;
}

/* Collects the FD tables of the task snapshots: one entry per table id
 * (in order of first use), with its users and the descriptors read from
 * the host through the first live user. */
static json_t *fd_tables_json(const struct task_snap *snaps, int n)
{
	json_t *tables = json_array(), *index = json_object(), *t;
	size_t i;

	for (int k = 0; k < n; k++) {
		const struct task_snap *s = &snaps[k];
		json_t *tab;
		char key[24];

		if (s->fdt_id == 0)
			continue;
		snprintf(key, sizeof(key), "%llu", (unsigned long long)s->fdt_id);
		tab = json_object_get(index, key);
		if (!tab) {
			tab = json_object();
			set(tab, "id", json_integer((json_int_t)s->fdt_id));
			set(tab, "tasks", json_array());
			set(tab, "read_from", json_null());
			set(tab, "fds", json_null());
			json_array_append_new(tables, tab);
			json_object_set(index, key, tab);
		}
		json_array_append_new(json_object_get(tab, "tasks"),
				      json_integer(s->tid));
		if (json_is_null(json_object_get(tab, "fds")) &&
		    s->exit_state == TASK_EXIT_NONE) {
			json_t *fds = NULL;
			int err = dump_fds_json(s->host_tid, &fds);

			if (err == 0) {
				set(tab, "fds", fds);
				set(tab, "read_from", json_integer(s->tid));
				json_object_del(tab, "error");
			} else {
				set(tab, "error", json_string(strerror(-err)));
			}
		}
	}
	json_decref(index);
	json_array_foreach(tables, i, t)
		set(t, "users", json_integer((json_int_t)json_array_size(
					json_object_get(t, "tasks"))));
	return tables;
}

/*
 * What a dump is made of, copied while the kernel is paused: snapshots of
 * every task (with the registers of the held ones) and thread group, and
 * the small members already in JSON form.
 */
struct dump_parts {
	bool consistent;
	int pause_depth;          /* while the copies were taken */
	json_t *head;             /* schema_version ... kernel, in order */
	json_t *tail;             /* sessions ... fd_tables, in order */
	struct task_snap *snaps;
	struct user_regs_struct *regs; /* by snapshot index */
	bool *have;               /* regs[i] was read */
	int nsnap;
	struct tg_snap *tgs;
	int ntg;
};

static void dump_parts_free(struct dump_parts *p)
{
	for (int i = 0; i < p->nsnap; i++)
		task_snap_free(&p->snaps[i]);
	for (int i = 0; i < p->ntg; i++)
		tg_snap_free(&p->tgs[i]);
	free(p->snaps);
	free(p->regs);
	free(p->have);
	free(p->tgs);
	json_decref(p->head);
	json_decref(p->tail);
	memset(p, 0, sizeof(*p));
}

/* The registers of every held task of a dump: in one platform request
 * when the platform can (get_regs_many), else one request a task. */
static void dump_read_regs(struct kernel *k, struct dump_parts *p)
{
	pid_t *host = calloc((size_t)p->nsnap, sizeof(*host));
	int *pos = calloc((size_t)p->nsnap, sizeof(*pos));
	int *res = calloc((size_t)p->nsnap, sizeof(*res));
	struct user_regs_struct *regs =
		calloc((size_t)p->nsnap, sizeof(*regs));
	int n = 0;

	if (!k->plat->ops->get_regs_many) {
		for (int i = 0; i < p->nsnap; i++) {
			struct task *t;

			if (!task_regs_readable(&p->snaps[i]) ||
			    !(t = task_get_by_tid(k, p->snaps[i].tid)))
				continue;
			p->have[i] = k->plat->ops->get_regs(k->plat, t,
							    &p->regs[i]) == 0;
			task_put(t);
		}
	} else if (host && pos && res && regs) {
		for (int i = 0; i < p->nsnap; i++) {
			if (!task_regs_readable(&p->snaps[i]))
				continue;
			pos[n] = i;
			host[n] = p->snaps[i].host_tid;
			res[n] = -ESRCH;
			n++;
		}
		if (n > 0 &&
		    k->plat->ops->get_regs_many(k->plat, host, n, regs, res) == 0)
			for (int i = 0; i < n; i++) {
				if (res[i] != 0)
					continue;
				p->regs[pos[i]] = regs[i];
				p->have[pos[i]] = true;
			}
	}
	free(host);
	free(pos);
	free(res);
	free(regs);
}

/*
 * Copies everything a dump shows. With pause, the copies are taken inside
 * one kernel_pause()/kernel_unpause() pair, and the pause is undone before
 * the (long) formatting, which reads only the copies.
 */
static int dump_collect(struct kernel *k, bool pause, struct dump_parts *p)
{
	pid_t *ids;
	int n, err = 0;
	bool quiet = true;

	memset(p, 0, sizeof(*p));
	if (pause) {
		/* A timeout still counts the pause (kernel_pause waits after
		 * counting): the dump goes on, marked not consistent. */
		err = kernel_pause(k);
		if (err == -ETIMEDOUT)
			quiet = false;
		else if (err < 0)
			return err;
		err = 0;
	}
	p->consistent = kernel_paused(k) && quiet;
	p->pause_depth = __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE);
	p->head = json_object();
	p->tail = json_object();
	if (!p->head || !p->tail) {
		err = -ENOMEM;
		goto out;
	}
	set(p->head, "schema_version", json_integer(DUMP_SCHEMA_VERSION));
	set(p->head, "generator", json_string("sentry " SENTRY_VERSION));
	set(p->head, "taken_at_ns", json_integer((json_int_t)clock_now_ns(CLOCK_REALTIME)));
	set(p->head, "consistent", json_boolean(p->consistent));
	set(p->head, "kernel", dump_kernel_json(k));

	n = ts_list_tids(k, false, &ids);
	if (n < 0) {
		err = n;
		goto out;
	}
	if (n > 0) {
		p->snaps = calloc((size_t)n, sizeof(*p->snaps));
		p->regs = calloc((size_t)n, sizeof(*p->regs));
		p->have = calloc((size_t)n, sizeof(*p->have));
		if (!p->snaps || !p->regs || !p->have) {
			free(ids);
			err = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < n; i++)
			if (task_snapshot(k, ids[i], &p->snaps[p->nsnap]) == 0)
				p->nsnap++; /* else: exited since it was listed */
		free(ids);
		/* Held tasks' masks are exact; the host has the others'. */
		for (int i = 0; i < p->nsnap; i++)
			p->snaps[i].blocked = task_snap_blocked(k, &p->snaps[i]);
	}
	if (k->plat && k->plat->ops->get_regs && p->nsnap > 0)
		dump_read_regs(k, p);

	n = ts_list_tids(k, true, &ids);
	if (n < 0) {
		err = n;
		goto out;
	}
	if (n > 0) {
		p->tgs = calloc((size_t)n, sizeof(*p->tgs));
		if (!p->tgs) {
			free(ids);
			err = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < n; i++)
			if (tg_snapshot(k, ids[i], &p->tgs[p->ntg]) == 0)
				p->ntg++;
		free(ids);
	}
	set(p->tail, "sessions", dump_sessions_json(k));
	set(p->tail, "process_groups", dump_pgrps_json(k));
	set(p->tail, "cgroups", dump_cgroups_json(k));
	set(p->tail, "fd_tables", fd_tables_json(p->snaps, p->nsnap));
	if (!json_is_array(json_object_get(p->tail, "sessions")) ||
	    !json_is_array(json_object_get(p->tail, "process_groups")))
		err = -ENOMEM;
out:
	if (pause)
		kernel_unpause(k);
	if (err < 0)
		dump_parts_free(p);
	return err;
}

/* The dump as one JSON object: head, tasks, thread_groups, tail. */
int kernel_dump_json(struct kernel *k, bool pause, json_t **out)
{
	struct sigset_cache cache;
	struct dump_parts p;
	json_t *tasks, *tgs, *d;
	const char *key;
	json_t *v;
	int err = dump_collect(k, pause, &p);

	if (err < 0)
		return err;
	sigset_cache_begin(&cache);
	d = json_incref(p.head); /* the dump grows from its head */
	tasks = json_array();
	tgs = json_array();
	for (int i = 0; i < p.nsnap; i++)
		json_array_append_new(tasks, task_json(k, &p.snaps[i], false,
						       p.have[i] ? &p.regs[i]
								 : NULL,
						       p.pause_depth));
	for (int i = 0; i < p.ntg; i++)
		json_array_append_new(tgs, dump_tg_json(&p.tgs[i]));
	sigset_cache_end(&cache);
	set(d, "tasks", tasks);
	set(d, "thread_groups", tgs);
	json_object_foreach(p.tail, key, v)
		set(d, key, json_incref(v));
	dump_parts_free(&p);
	if (!tasks || !tgs) {
		json_decref(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

/* Text rendering. A growing buffer with printf. */
struct tbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void tb_printf(struct tbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = b->cap ? b->cap * 2 : 4096;
		while (ncap < b->len + (size_t)n + 1)
			ncap *= 2;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* Renders a JSON value compactly on one line (arrays of scalars, small
 * objects). */
static void tb_value(struct tbuf *b, json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		tb_printf(b, "%s", json_string_value(v));
		return;
	}
	if (json_is_null(v)) {
		tb_printf(b, "-");
		return;
	}
	if (json_is_object(v) && json_object_get(v, "mask") &&
	    json_object_get(v, "names")) { /* a sigset */
		json_t *n;
		size_t i;

		tb_printf(b, "%s", jstr(v, "mask"));
		json_array_foreach(json_object_get(v, "names"), i, n)
			tb_printf(b, "%s%s", i ? "," : " (", json_string_value(n));
		if (json_array_size(json_object_get(v, "names")))
			tb_printf(b, ")");
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	tb_printf(b, "%s", s ? s : "?");
	free(s);
}

/* key: value lines for an object, nested objects indented. */
static void tb_object(struct tbuf *b, json_t *o, int indent)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (json_is_object(v) &&
		    !(json_object_get(v, "mask") && json_object_get(v, "names"))) {
			tb_printf(b, "%*s%s:\n", indent, "", key);
			tb_object(b, v, indent + 2);
			continue;
		}
		if (json_is_array(v) && json_array_size(v) &&
		    json_is_object(json_array_get(v, 0))) {
			size_t i;
			json_t *e;

			tb_printf(b, "%*s%s:\n", indent, "", key);
			json_array_foreach(v, i, e) {
				tb_printf(b, "%*s- ", indent + 2, "");
				tb_value(b, e);
				tb_printf(b, "\n");
			}
			continue;
		}
		tb_printf(b, "%*s%s: ", indent, "", key);
		tb_value(b, v);
		tb_printf(b, "\n");
	}
}

static void tb_cmdline(struct tbuf *b, json_t *argv)
{
	json_t *a;
	size_t i;

	json_array_foreach(argv, i, a)
		tb_printf(b, "%s%s", i ? " " : "", json_string_value(a));
}

static void render_text(struct tbuf *b, json_t *d)
{
	json_t *kern = json_object_get(d, "kernel"), *t, *e;
	size_t i;

	tb_printf(b, "sentry state dump (schema_version %lld)\n",
		  jint(d, "schema_version"));
	tb_printf(b, "generator: %s\ntaken_at_ns: %lld\nconsistent: %s\n\n",
		  jstr(d, "generator"), jint(d, "taken_at_ns"),
		  json_is_true(json_object_get(d, "consistent")) ? "yes" : "no");
	tb_printf(b, "== kernel\n");
	tb_object(b, kern, 2);

	tb_printf(b, "\n== tasks\n%7s %7s %7s %7s %7s %-5s %-16s %s\n", "TID",
		  "TGID", "PPID", "PGID", "SID", "STATE", "COMM", "CMD");
	json_array_foreach(json_object_get(d, "tasks"), i, t) {
		tb_printf(b, "%7lld %7lld %7lld %7lld %7lld %-5s %-16s ",
			  jint(t, "tid"), jint(t, "tgid"), jint(t, "ppid"),
			  jint(t, "pgid"), jint(t, "sid"), jstr(t, "state"),
			  jstr(t, "comm"));
		tb_cmdline(b, json_object_get(t, "cmdline"));
		tb_printf(b, "\n");
	}
	json_array_foreach(json_object_get(d, "tasks"), i, t) {
		tb_printf(b, "\n-- task %lld\n", jint(t, "tid"));
		tb_object(b, t, 2);
	}
	tb_printf(b, "\n== thread_groups\n");
	json_array_foreach(json_object_get(d, "thread_groups"), i, e) {
		tb_printf(b, "\n-- thread group %lld\n", jint(e, "tgid"));
		tb_object(b, e, 2);
	}
	tb_printf(b, "\n== sessions\n");
	json_array_foreach(json_object_get(d, "sessions"), i, e) {
		tb_printf(b, "  sid %lld: foreground ", jint(e, "sid"));
		tb_value(b, json_object_get(e, "foreground"));
		tb_printf(b, ", process groups ");
		tb_value(b, json_object_get(e, "process_groups"));
		tb_printf(b, "\n");
	}
	tb_printf(b, "\n== process_groups\n");
	json_array_foreach(json_object_get(d, "process_groups"), i, e) {
		tb_printf(b, "  pgid %lld (sid %lld%s): members ", jint(e, "pgid"),
			  jint(e, "sid"),
			  json_is_true(json_object_get(e, "foreground"))
				  ? ", foreground"
				  : "");
		tb_value(b, json_object_get(e, "members"));
		tb_printf(b, "\n");
	}
	tb_printf(b, "\n== cgroups\n");
	json_array_foreach(json_object_get(d, "cgroups"), i, e) {
		tb_printf(b, "  %s (id %lld): procs ", jstr(e, "path"),
			  jint(e, "id"));
		tb_value(b, json_object_get(e, "procs"));
		tb_printf(b, "\n");
	}
	tb_printf(b, "\n== fd_tables\n");
	json_array_foreach(json_object_get(d, "fd_tables"), i, e) {
		json_t *fd;
		size_t j;

		tb_printf(b, "  table %lld: tasks ", jint(e, "id"));
		tb_value(b, json_object_get(e, "tasks"));
		if (json_object_get(e, "error"))
			tb_printf(b, " (fds unreadable: %s)", jstr(e, "error"));
		tb_printf(b, "\n");
		json_array_foreach(json_object_get(e, "fds"), j, fd)
			tb_printf(b, "    %4lld -> %s\n", jint(fd, "fd"),
				  jstr(fd, "target"));
	}
}

/*
 * Streamed JSON text of a dump: the same text as json_dumps(d,
 * JSON_INDENT(2)) of the whole dump object, produced one task at a time
 * (each encoded by jansson at depth 0, then indented to its depth) so the
 * millions of JSON nodes of a large dump never exist at once.
 */
struct dump_text {
	char *p;
	size_t len, cap;
	bool oom;
};

static bool dt_reserve(struct dump_text *t, size_t n)
{
	size_t cap;
	char *np;

	if (t->oom)
		return false;
	if (t->len + n <= t->cap)
		return true;
	cap = t->cap ? t->cap : 1 << 20;
	while (cap < t->len + n)
		cap *= 2;
	np = realloc(t->p, cap);
	if (!np) {
		t->oom = true;
		return false;
	}
	t->p = np;
	t->cap = cap;
	return true;
}

static void dt_put(struct dump_text *t, const char *s, size_t n)
{
	if (dt_reserve(t, n)) {
		memcpy(t->p + t->len, s, n);
		t->len += n;
	}
}

/* Appends v encoded by jansson (JSON_INDENT(2)), every line after the
 * first indented by 2 * depth more spaces. */
static void dt_json(struct dump_text *t, json_t *v, int depth)
{
	size_t flags = JSON_INDENT(2) | JSON_ENCODE_ANY, n;
	size_t pad = 2 * (size_t)depth, start;

	if (!v) {
		t->oom = true;
		return;
	}
	/* Encode straight into the free space; only a value larger than
	 * that is encoded twice. */
	if (!dt_reserve(t, 64 * 1024))
		return;
	start = t->len;
	n = json_dumpb(v, t->p + start, t->cap - start, flags);
	if (n == 0) {
		t->oom = true;
		return;
	}
	if (n > t->cap - start) {
		if (!dt_reserve(t, n))
			return;
		json_dumpb(v, t->p + start, n, flags);
	}
	if (pad == 0) {
		t->len += n;
		return;
	}
	/* Re-indent: count the newlines, then move each line into place,
	 * from the end. */
	size_t lines = 0, i = n, j;
	char *base;

	for (const char *q = t->p + start;
	     (q = memchr(q, '\n', (size_t)(t->p + start + n - q))) != NULL; q++)
		lines++;
	if (!dt_reserve(t, n + lines * pad))
		return;
	base = t->p + start;
	j = n + lines * pad;
	t->len = start + j;
	while (lines-- > 0) {
		size_t nl = i - 1, run;

		while (base[nl] != '\n')
			nl--;
		run = i - (nl + 1);
		j -= run;
		memmove(base + j, base + nl + 1, run);
		j -= pad;
		memset(base + j, ' ', pad);
		base[--j] = '\n';
		i = nl;
	}
}

static void dt_key(struct dump_text *t, const char *key, bool first)
{
	json_t *k = json_string(key);

	dt_put(t, first ? "\n  " : ",\n  ", first ? 3 : 4);
	dt_json(t, k, 1);
	json_decref(k);
	dt_put(t, ": ", 2);
}

/* Appends the members of o as members of the top-level object. */
static void dt_members(struct dump_text *t, json_t *o, bool *first)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		dt_key(t, key, *first);
		*first = false;
		dt_json(t, v, 1);
	}
}

/* Formats tasks [lo, hi) of a dump into its own text, for one thread. */
struct dump_slice {
	struct kernel *k;
	const struct dump_parts *p;
	int lo, hi;
	struct dump_text t;
};

static void dump_slice_format(struct dump_slice *sl)
{
	struct sigset_cache cache;

	sigset_cache_begin(&cache);
	for (int i = sl->lo; i < sl->hi; i++) {
		json_t *o = task_json(sl->k, &sl->p->snaps[i], false,
				      sl->p->have[i] ? &sl->p->regs[i] : NULL,
				      sl->p->pause_depth);

		dt_put(&sl->t, i ? ",\n    " : "\n    ", i ? 6 : 5);
		dt_json(&sl->t, o, 2);
		json_decref(o);
	}
	sigset_cache_end(&cache);
}

static void *dump_slice_main(void *arg)
{
	dump_slice_format(arg);
	return NULL;
}

#define DUMP_MAX_SLICES 4
#define DUMP_TASKS_PER_SLICE 1000

/* The tasks of a dump as text, formatted by up to one thread per CPU.
 * The threads read only the copies, never the platform, so any thread
 * (the platform thread too) may take a dump. */
static void dump_tasks_text(struct kernel *k, const struct dump_parts *p,
			    struct dump_text *t)
{
	struct dump_slice sl[DUMP_MAX_SLICES];
	pthread_t th[DUMP_MAX_SLICES];
	bool started[DUMP_MAX_SLICES] = { false };
	int nsl = p->nsnap / DUMP_TASKS_PER_SLICE;
	int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);

	if (nsl > cpus)
		nsl = cpus;
	if (nsl > DUMP_MAX_SLICES)
		nsl = DUMP_MAX_SLICES;
	if (nsl < 1)
		nsl = 1;
	for (int i = 0; i < nsl; i++) {
		sl[i] = (struct dump_slice){
			.k = k, .p = p,
			.lo = (int)((long long)p->nsnap * i / nsl),
			.hi = (int)((long long)p->nsnap * (i + 1) / nsl),
		};
		/* A task takes about 3 KB: size the slice once rather than
		 * copy it at every doubling. */
		dt_reserve(&sl[i].t, (size_t)(sl[i].hi - sl[i].lo) * 3584);
	}
	/* The caller formats the first slice; helpers the others (or the
	 * caller too, if a helper cannot start). */
	for (int i = 1; i < nsl; i++)
		started[i] = pthread_create(&th[i], NULL, dump_slice_main,
					    &sl[i]) == 0;
	dump_slice_format(&sl[0]);
	for (int i = 1; i < nsl; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			dump_slice_format(&sl[i]);
	}
	size_t total = 64 * 1024; /* and the thread groups, cgroups... */

	for (int i = 0; i < nsl; i++)
		total += sl[i].t.len;
	dt_reserve(t, total);
	for (int i = 0; i < nsl; i++) {
		if (sl[i].t.oom)
			t->oom = true;
		dt_put(t, sl[i].t.p, sl[i].t.len);
		free(sl[i].t.p);
	}
}

/* The JSON text of a dump of the paused kernel. */
static int dump_stream(struct kernel *k, char **out, size_t *len)
{
	struct sigset_cache cache;
	struct dump_text t = { 0 };
	struct dump_parts p;
	bool first = true;
	int err = dump_collect(k, true, &p);

	if (err < 0)
		return err;
	dt_put(&t, "{", 1);
	dt_members(&t, p.head, &first);
	dt_key(&t, "tasks", first);
	dt_put(&t, p.nsnap ? "[" : "[]", p.nsnap ? 1 : 2);
	dump_tasks_text(k, &p, &t);
	if (p.nsnap)
		dt_put(&t, "\n  ]", 4);
	dt_key(&t, "thread_groups", false);
	dt_put(&t, p.ntg ? "[" : "[]", p.ntg ? 1 : 2);
	sigset_cache_begin(&cache);
	for (int i = 0; i < p.ntg; i++) {
		json_t *o = dump_tg_json(&p.tgs[i]);

		dt_put(&t, i ? ",\n    " : "\n    ", i ? 6 : 5);
		dt_json(&t, o, 2);
		json_decref(o);
	}
	sigset_cache_end(&cache);
	if (p.ntg)
		dt_put(&t, "\n  ]", 4);
	dt_members(&t, p.tail, &first);
	dt_put(&t, "\n}\n", 4); /* and a NUL, not counted */
	dump_parts_free(&p);
	if (t.oom) {
		free(t.p);
		return -ENOMEM;
	}
	*out = t.p;
	*len = t.len - 1;
	return 0;
}

/* Renders dump d (consumed) as text. */
static int dump_render_text(json_t *d, char **out, size_t *len)
{
	struct tbuf b = { 0 };

	render_text(&b, d);
	json_decref(d);
	if (b.oom || !b.p) {
		free(b.p);
		return -ENOMEM;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

int kernel_dump_render(struct kernel *k, bool json, char **out, size_t *len)
{
	json_t *d;
	int err;

	if (json)
		return dump_stream(k, out, len);
	err = kernel_dump_json(k, true, &d);
	return err < 0 ? err : dump_render_text(d, out, len);
}
