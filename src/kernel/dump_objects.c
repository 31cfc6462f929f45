/*
 * This file implements the JSON form of every kernel object: the parts of
 * a state dump (DESIGN §8, man/sentry-dump.5) that the control server also
 * sends for its inspecting commands, so `sentrydbg task 5` and the dump
 * agree field for field. The builders are declared in
 * src/kernel/dump_objects.h; dump.c assembles them into a dump.
 *
 * Each builder formats a snapshot (snapshot.h) taken by its caller, after
 * the object's locks are dropped; the few that copy for themselves (the
 * kernel, process groups, sessions, cgroups) take their snapshots here.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>
#include <unistd.h>

#include "kernel/dump_internal.h"
#include "kernel/dump_objects.h"
#include "kernel/kernel.h"
#include "kernel/snapshot.h"
#include "kernel/syscalls/syscalls.h"
#include "platform/platform.h"

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

/* The cache of the dumping thread (struct sigset_cache says why). */
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

void sigset_cache_begin(struct sigset_cache *c)
{
	memset(c, 0, sizeof(*c));
	sigset_cache = c;
}

void sigset_cache_end(struct sigset_cache *c)
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

json_t *dump_task_json(struct kernel *k, const struct task_snap *s,
		       bool with_regs)
{
	return dump_task_json_at(k, s, with_regs, NULL,
				 __atomic_load_n(&k->pause_depth, __ATOMIC_ACQUIRE));
}

json_t *dump_task_json_at(struct kernel *k, const struct task_snap *s,
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

json_t *dump_fd_tables_json(const struct task_snap *snaps, int n)
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
