/*
 * This file implements tasks/ and tasks/<tid>/: the emulated state of
 * every task (man/sentryfs.5). Each file is rendered from one task_snap
 * taken at open; the FD entries and registers are the only host-owned
 * state here.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "kernel/blocked.h"
#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "platform/platform.h"
#include "procfs/procfs_internal.h"

static const char *yesno(bool v)
{
	return v ? "yes" : "no";
}

static int tasks_list(struct procfs_ctx *c, uint32_t **out)
{
	pid_t *v;
	int n = ts_list_tids(c->k, false, &v);

	if (n < 0)
		return n;
	*out = (uint32_t *)v; /* TIDs are positive: same bits */
	return n;
}

/* A word for the task's state as the emulated kernel sees it. */
static const char *task_state_word(const struct task_snap *t)
{
	switch (task_state_letter(t)) {
	case 'X': return "dead";
	case 'Z': return "zombie";
	case 't': return "traced";
	case 'T': return "stopped";
	case 'D': return "vfork";
	}
	return t->exit_state == TASK_EXIT_INITIATED ? "exiting" : "running";
}

/* A "key: value" line, without printf: a reader of every task's status
 * renders one of these files per task. */
static void status_num(struct pbuf *b, const char *key, int64_t v)
{
	pbuf_puts(b, key);
	pbuf_put_i64(b, v);
	pbuf_putc(b, '\n');
}

static void status_unum(struct pbuf *b, const char *key, uint64_t v)
{
	pbuf_puts(b, key);
	pbuf_put_u64(b, v);
	pbuf_putc(b, '\n');
}

static void status_str(struct pbuf *b, const char *key, const char *v)
{
	pbuf_puts(b, key);
	pbuf_puts(b, v);
	pbuf_putc(b, '\n');
}

static int task_show_status(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	status_num(b, "tid: ", t->tid);
	status_num(b, "tgid: ", t->tgid);
	status_num(b, "host_tid: ", t->host_tid);
	status_num(b, "ppid: ", t->ppid);
	status_num(b, "pgid: ", t->pgid);
	status_num(b, "sid: ", t->sid);
	status_str(b, "leader: ", yesno(t->is_leader));
	status_str(b, "comm: ", t->comm);
	status_str(b, "state: ", task_state_word(t));
	status_num(b, "threads: ", t->nr_threads);
	status_unum(b, "fd_table: ", t->fdt_id);
	status_num(b, "fd_table_users: ", t->fdt_users);
	status_str(b, "cgroup: ", t->cgroup[0] ? t->cgroup : "/");
	pbuf_printf(b, "start_time: %llu.%09llu\n",
		    (unsigned long long)(t->start_ns / 1000000000u),
		    (unsigned long long)(t->start_ns % 1000000000u));
	status_unum(b, "syscalls: ", t->nr_syscalls);
	status_unum(b, "signals_delivered: ", t->nr_signals);
	status_num(b, "tracer: ", t->ptrace.tracer);
	return 0;
}

static int task_show_children(struct procfs_ctx *c, struct pbuf *b)
{
	const struct tg_snap *tg = ctx_tg(c);

	if (!tg)
		return -ENOENT;
	pbuf_pids(b, tg->children, tg->nr_children, ' ');
	return 0;
}

static int task_show_exit(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	pbuf_printf(b, "exit_state: %s\n", task_exit_state_name(t->exit_state));
	if (t->exit_state != TASK_EXIT_NONE) {
		pbuf_printf(b, "status: %d\ndecoded: ", t->exit_status);
		pbuf_wait_status(b, t->exit_status);
		pbuf_puts(b, "\n");
	}
	pbuf_puts(b, "exit_signal: ");
	pbuf_signame(b, t->exit_signal);
	pbuf_puts(b, "\n");
	return 0;
}

static int task_show_stop(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);
	char letter;

	if (!t)
		return -ENOENT;
	letter = task_state_letter(t);
	pbuf_printf(b, "stop: %s\nexternal_stops: %d\n", task_stop_name(t->stop),
		    t->stop_count);
	pbuf_printf(b, "group_stop_pending: %s\ngroup_stop_acked: %s\n",
		    yesno(t->group_stop_pending), yesno(t->group_stop_acked));
	pbuf_printf(b, "group_stop_active: %s\ngroup_stop_signal: ",
		    yesno(t->group_stop_active));
	pbuf_signame(b, t->group_stop_active ? t->group_stop_signal : 0);
	pbuf_printf(b, "\nstate_letter: %c\n", letter ? letter : '-');
	return 0;
}

static void show_sigset(struct pbuf *b, const char *key, sigset64_t set)
{
	pbuf_printf(b, "%s: ", key);
	pbuf_sigset_hex(b, set);
	pbuf_puts(b, " ");
	pbuf_signames(b, set);
	pbuf_puts(b, "\n");
}

static void show_siginfo(struct pbuf *b, const siginfo_t *si)
{
	pbuf_signame(b, si->si_signo);
	pbuf_printf(b, " code=%d errno=%d pid=%d uid=%u", si->si_code,
		    si->si_errno, si->si_pid, si->si_uid);
	if (si->si_signo == SIGCHLD)
		pbuf_printf(b, " status=%d", si->si_status);
	else
		pbuf_printf(b, " value=0x%llx",
			    (unsigned long long)(uintptr_t)si->si_value.sival_ptr);
}

static int task_show_signals(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	show_sigset(b, "blocked", task_snap_blocked(c->k, t));
	show_sigset(b, "pending", t->pending);
	show_sigset(b, "shared_pending", t->shared_pending);
	show_sigset(b, "ignored", t->ignored);
	show_sigset(b, "caught", t->caught);
	if (t->has_saved_mask)
		show_sigset(b, "saved_mask", t->saved_mask);
	else
		pbuf_puts(b, "saved_mask: none\n");
	if (t->altstack.flags & SS_DISABLE || t->altstack.size == 0)
		pbuf_puts(b, "altstack: none\n");
	else
		pbuf_printf(b, "altstack: sp=0x%llx size=%llu flags=0x%x\n",
			    (unsigned long long)t->altstack.sp,
			    (unsigned long long)t->altstack.size,
			    (unsigned)t->altstack.flags);
	pbuf_printf(b, "nr_queued: %d\n", t->nr_queued);
	for (int i = 0; i < t->nr_queued; i++) {
		pbuf_printf(b, "queued: %s ",
			    t->queued[i].shared ? "shared" : "private");
		show_siginfo(b, &t->queued[i].info);
		pbuf_puts(b, "\n");
	}
	return 0;
}

static const struct {
	unsigned long bit;
	const char *name;
} ptrace_opts[] = {
	{ PTRACE_O_TRACESYSGOOD, "TRACESYSGOOD" },
	{ PTRACE_O_TRACEFORK, "TRACEFORK" },
	{ PTRACE_O_TRACEVFORK, "TRACEVFORK" },
	{ PTRACE_O_TRACECLONE, "TRACECLONE" },
	{ PTRACE_O_TRACEEXEC, "TRACEEXEC" },
	{ PTRACE_O_TRACEVFORKDONE, "TRACEVFORKDONE" },
	{ PTRACE_O_TRACEEXIT, "TRACEEXIT" },
	{ PTRACE_O_TRACESECCOMP, "TRACESECCOMP" },
	{ PTRACE_O_EXITKILL, "EXITKILL" },
	{ PTRACE_O_SUSPEND_SECCOMP, "SUSPEND_SECCOMP" },
};

static int task_show_ptrace(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);
	const struct ptrace_snap *p;
	static const char *const modes[] = { "none", "syscall", "sysemu" };

	if (!t)
		return -ENOENT;
	p = &t->ptrace;
	pbuf_printf(b, "tracer: %d\ntracees: ", p->tracer);
	if (p->nr_tracees)
		pbuf_pids(b, p->tracees, p->nr_tracees, ' ');
	else
		pbuf_puts(b, "-\n");
	pbuf_printf(b, "seized: %s\noptions: 0x%llx", yesno(p->seized),
		    (unsigned long long)p->options);
	for (size_t i = 0; i < sizeof(ptrace_opts) / sizeof(ptrace_opts[0]); i++)
		if (p->options & ptrace_opts[i].bit)
			pbuf_printf(b, " %s", ptrace_opts[i].name);
	pbuf_printf(b, "\nsyscall_mode: %s\nsinglestep: %s\nstop: %s\n"
		    "reported: %s\nlistening: %s\ninterrupt_pending: %s\n"
		    "stop_code: %d\n",
		    p->syscall_mode >= 0 && p->syscall_mode < 3
			    ? modes[p->syscall_mode]
			    : "?",
		    yesno(p->singlestep), ptrace_stop_name(p->stop),
		    yesno(p->reported), yesno(p->listening),
		    yesno(p->interrupt_pending), p->stop_code);
	pbuf_puts(b, "siginfo: ");
	if (p->has_siginfo)
		show_siginfo(b, &p->siginfo);
	else
		pbuf_puts(b, "none");
	pbuf_printf(b, "\nevent_msg: %lu\n", p->event_msg);
	return 0;
}

static int task_show_creds(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);

	if (!t)
		return -ENOENT;
	pbuf_printf(b, "uid: %u\neuid: %u\ngid: %u\negid: %u\n", t->uid, t->euid,
		    t->gid, t->egid);
	return 0;
}

/* Registers can be read only while the platform holds the task in a
 * stop: an internal stop or an external one (pause, stop TID). */
static bool task_is_stopped(struct procfs_ctx *c)
{
	const struct task_snap *t = ctx_task(c);

	return t && t->exit_state == TASK_EXIT_NONE &&
	       (t->stop != TASK_STOP_NONE || t->stop_count > 0);
}

static int task_show_regs(struct procfs_ctx *c, struct pbuf *b)
{
	struct user_regs_struct r;
	struct task *task;
	int err;

	if (!c->k->plat || !c->k->plat->ops->get_regs)
		return -ENOENT;
	task = task_get_by_tid(c->k, (pid_t)c->id);
	if (!task)
		return -ENOENT;
	err = c->k->plat->ops->get_regs(c->k->plat, task, &r);
	task_put(task);
	if (err == -ESRCH)
		return -ENOENT;
	if (err < 0)
		return err;
#define REG(name) pbuf_printf(b, #name ": 0x%016llx\n", (unsigned long long)r.name)
	REG(rip); REG(rsp); REG(rbp); REG(rax); REG(rbx); REG(rcx); REG(rdx);
	REG(rsi); REG(rdi); REG(r8); REG(r9); REG(r10); REG(r11); REG(r12);
	REG(r13); REG(r14); REG(r15); REG(orig_rax); REG(eflags); REG(cs);
	REG(ss); REG(ds); REG(es); REG(fs); REG(gs); REG(fs_base);
	REG(gs_base);
#undef REG
	return 0;
}

/* What the task waits for and who could wake it, one line (blocked.h):
 * the same words as sentrydbg why's first line. */
static int task_show_blocked(struct procfs_ctx *c, struct pbuf *b)
{
	const struct task_snap *t = ctx_task(c);
	struct blocked_on on;
	char line[512];
	int err;

	if (!t)
		return -ENOENT;
	err = kernel_blocked_on(c->k, t->tid, &on);
	if (err < 0)
		return err == -ESRCH ? -ENOENT : err;
	blocked_on_text(&on, line, sizeof(line));
	blocked_on_free(&on);
	pbuf_printf(b, "%s\n", line);
	return 0;
}

static const struct procfs_entry task_entries[] = {
	ONE("status", task_show_status),
	ONE("stat", linux_show_task_stat),
	ONE("comm", linux_show_comm),
	ONE("cmdline", linux_show_cmdline),
	ONE("children", task_show_children),
	ONE("exit", task_show_exit),
	ONE("stop", task_show_stop),
	ONE("signals", task_show_signals),
	ONE("ptrace", task_show_ptrace),
	ONE("blocked", task_show_blocked),
	ONE("creds", task_show_creds),
	ONE("cgroup", linux_show_cgroup),
	DIR("fd", PD_TASK_FD),
	DIR("fdinfo", PD_TASK_FDINFO),
	ONE_IF_OWNER("regs", task_show_regs, task_is_stopped),
};

const struct procfs_dir procfs_tasks_dir = {
	.name = "tasks",
	.list = tasks_list,
	.num_sub = PD_TASK,
};

const struct procfs_dir procfs_task_dir = {
	.name = "tasks/TID",
	.entries = task_entries,
	.nr_entries = sizeof(task_entries) / sizeof(task_entries[0]),
	.exists = procfs_task_exists,
};

/* The owner's, as Linux's /proc/PID/fd/ (0500). */
const struct procfs_dir procfs_task_fd_dir = {
	.name = "tasks/TID/fd",
	.exists = procfs_task_exists,
	.list = linux_list_fds,
	.leaf_mode = S_IFLNK | 0777,
	.leaf_show = linux_show_fd_link,
	.dir_mode = 0500,
};

const struct procfs_dir procfs_task_fdinfo_dir = {
	.name = "tasks/TID/fdinfo",
	.exists = procfs_task_exists,
	.list = linux_list_fds,
	.leaf_mode = S_IFREG | 0444,
	.leaf_show = linux_show_fdinfo,
};
