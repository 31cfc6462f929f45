/*
 * Tests of the emulated-state directories: tasks/ (src/procfs/tasks.c),
 * threadgroups/, sessions/, pgrps/, cgroups/ and kernel/.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "platform/platform.h"
#include "procfs/procfs.h"

__attribute__((weak)) int kernel_dump_render(struct kernel *k, bool json,
					     char **out, size_t *len)
{
	*out = strdup(json ? "{\"schema_version\":1}\n" : "dump\n");
	*len = strlen(*out);
	return 0;
}

#define NO_HOST 0x3ffffff0

static const char argv_sh[] = "sh\0-c\0true";

static struct kernel *new_kernel(void)
{
	struct kernel *k = calloc(1, sizeof(*k));

	tk_kernel_init(k);
	return k;
}

static void free_kernel(struct kernel *k)
{
	kernel_destroy(k);
	free(k);
}

static void assert_contains(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("missing \"%s\" in:\n%s", want, s);
}

static void task_status_shows_identity_and_relations(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	struct task *c = tk_fork(k, init, 3, NO_HOST + 3);
	char *s;

	tk_thread(k, c, 4, NO_HOST + 4);
	s = tk_read(k, "tasks/4/status", 0);
	assert_contains(s, "tid: 4\ntgid: 3\n");
	assert_contains(s, "host_tid: 1073741812\n");
	assert_contains(s, "ppid: 1\npgid: 1\nsid: 1\nleader: no\n");
	assert_contains(s, "comm: sh\nstate: running\nthreads: 2\n");
	free(s);
	s = tk_list(k, "tasks");
	assert_string_equal(s, "1\n3\n4\n");
	free(s);
	s = tk_read(k, "tasks/1/children", 0);
	assert_string_equal(s, "3\n");
	free(s);
	s = tk_read(k, "threadgroups/3/tasks", 0);
	assert_string_equal(s, "3\n4\n");
	free(s);
	/* threadgroups/ has groups only. */
	assert_int_equal(tk_read_err(k, "threadgroups/4/tasks"), -ENOENT);
	free_kernel(k);
}

static void signals_shows_masks_with_names_and_queued_siginfo(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	siginfo_t si;
	char *s;

	task_lock_signals(init);
	init->sigmask = sig_bit(SIGINT) | sig_bit(SIGRTMIN + 1);
	task_unlock_signals(init);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGRTMIN + 1;
	si.si_code = SI_QUEUE;
	si.si_pid = 77;
	si.si_value.sival_int = 5;
	assert_int_equal(kernel_send_external_signal(k, SIGNAL_TARGET_TASK, 1,
						     &si),
			 0);
	s = tk_read(k, "tasks/1/signals", 0);
	assert_contains(s, "blocked: 0000000400000002 INT RTMIN+1\n");
	assert_contains(s, "pending: 0000000400000000 RTMIN+1\n");
	assert_contains(s, "saved_mask: none\n");
	assert_contains(s, "nr_queued: 1\n");
	assert_contains(s, "queued: private RTMIN+1 code=-1 errno=0 pid=77 uid=0 value=0x5\n");
	free(s);
	s = tk_read(k, "proc/1/status", 0);
	assert_contains(s, "\nSigPnd:\t0000000400000000\n");
	assert_contains(s, "\nSigQ:\t1/");
	free(s);
	free_kernel(k);
}

static void stop_and_exit_show_emulated_state(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	struct task *c = tk_fork(k, init, 2, NO_HOST);
	struct task *z = tk_fork(k, init, 3, NO_HOST);
	char *s;

	task_lock_signals(c);
	c->stop = TASK_STOP_GROUP;
	c->group_stop_acked = true;
	c->tg->group_stop_active = true;
	c->tg->group_stop_signal = SIGTSTP;
	task_unlock_signals(c);
	tk_exit(k, z, SIGKILL);
	s = tk_read(k, "tasks/2/stop", 0);
	assert_string_equal(s, "stop: group\nexternal_stops: 0\n"
			       "group_stop_pending: no\ngroup_stop_acked: yes\n"
			       "group_stop_active: yes\ngroup_stop_signal: TSTP\n"
			       "state_letter: T\n");
	free(s);
	s = tk_read(k, "threadgroups/2/groupstop", 0);
	assert_string_equal(s, "active: yes\nsignal: TSTP\nremaining: 0\n");
	free(s);
	s = tk_read(k, "tasks/3/exit", 0);
	assert_string_equal(s, "exit_state: zombie\nstatus: 9\n"
			       "decoded: killed KILL\nexit_signal: CHLD\n");
	free(s);
	s = tk_read(k, "threadgroups/3/exit", 0);
	assert_string_equal(s, "state: zombie\nexiting: yes\nstatus: 9\n"
			       "decoded: killed KILL\n");
	free(s);
	free_kernel(k);
}

static void sighand_lists_non_default_dispositions(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	char *s;

	pthread_mutex_lock(&init->tg->sighand->mu);
	init->tg->sighand->actions[SIGINT - 1].handler = 0x401000;
	init->tg->sighand->actions[SIGINT - 1].flags = SA_RESTART | 0x04000000;
	init->tg->sighand->actions[SIGPIPE - 1].handler = 1; /* SIG_IGN */
	pthread_mutex_unlock(&init->tg->sighand->mu);
	s = tk_read(k, "threadgroups/1/sighand", 0);
	assert_contains(s, "\nusers: 1\n");
	assert_contains(s, "\nINT: handler=0x401000 flags=0x14000000 RESTORER|RESTART "
			   "mask=0000000000000000 restorer=0x0\n");
	assert_contains(s, "\nPIPE: ignore\n");
	assert_null(strstr(s, "TERM"));
	free(s);
	s = tk_read(k, "tasks/1/signals", 0);
	assert_contains(s, "ignored: 0000000000001000 PIPE\n");
	assert_contains(s, "caught: 0000000000000002 INT\n");
	free(s);
	free_kernel(k);
}

static void sessions_and_pgrps_show_job_control(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	char *s;

	tk_fork(k, init, 2, NO_HOST);
	s = tk_list(k, "sessions");
	assert_string_equal(s, "1\n");
	free(s);
	s = tk_read(k, "sessions/1/members", 0);
	assert_string_equal(s, "1\n");
	free(s);
	s = tk_read(k, "sessions/1/leader", 0);
	assert_string_equal(s, "1\n");
	free(s);
	s = tk_read(k, "pgrps/1/members", 0);
	assert_string_equal(s, "1\n2\n");
	free(s);
	s = tk_read(k, "pgrps/1/session", 0);
	assert_string_equal(s, "1\n");
	free(s);
	s = tk_read(k, "threadgroups/2/pgid", 0);
	assert_string_equal(s, "1\n");
	free(s);
	assert_int_equal(tk_read_err(k, "pgrps/2/members"), -ENOENT);
	assert_int_equal(tk_read_err(k, "sessions/2/members"), -ENOENT);
	free_kernel(k);
}

static void cgroup_root_holds_every_group(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	char *s;

	tk_thread(k, tk_fork(k, init, 5, NO_HOST), 6, NO_HOST);
	s = tk_read(k, "cgroups/cgroup.procs", 0);
	assert_string_equal(s, "1\n5\n");
	free(s);
	s = tk_read(k, "cgroups/cgroup.threads", 0);
	assert_string_equal(s, "1\n5\n6\n");
	free(s);
	s = tk_read(k, "tasks/6/cgroup", 0);
	assert_string_equal(s, "0::/\n");
	free(s);
	free_kernel(k);
}

static void kernel_files_show_pause_counts_and_syscalls(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	char *s;

	tk_exit(k, tk_thread(k, init, 2, NO_HOST), 0);
	kernel_count_syscall(k, 39 /* getpid */, 1000, false);
	kernel_count_syscall(k, 39, 3000, false);
	s = tk_read(k, "kernel/state", 0);
	assert_string_equal(s, "running\n");
	free(s);
	assert_int_equal(kernel_pause(k), 0);
	s = tk_read(k, "kernel/state", 0);
	assert_string_equal(s, "paused\n");
	free(s);
	s = tk_read(k, "kernel/pause_depth", 0);
	assert_string_equal(s, "1\n");
	free(s);
	/* Paused tasks are held: regs appears in the task's directory. */
	s = tk_list(k, "tasks/1");
	assert_contains(s, "\nregs\n");
	free(s);
	assert_int_equal(kernel_unpause(k), 0);
	s = tk_list(k, "tasks/1");
	assert_null(strstr(s, "regs"));
	free(s);
	k->host_stops = 7; /* the fake platform has no host to stop */
	s = tk_read(k, "kernel/counts", 0);
	assert_string_equal(s, "tasks: 1\nthread_groups: 1\nprocess_groups: 1\n"
			       "sessions: 1\ncreated: 2\nexited: 1\n"
			       "host_stops: 7\n");
	free(s);
	s = tk_read(k, "kernel/syscalls", 0);
	assert_contains(s, "\ngetpid                        2          0       2000\n");
	assert_contains(s, "\nptrace ");
	free(s);
	s = tk_read(k, "kernel/dump.json", 0);
	assert_int_equal(s[0], '{');
	free(s);
	free_kernel(k);
}

static int fake_get_regs(struct platform *p, struct task *t,
			 struct user_regs_struct *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = 0x401234;
	regs->orig_rax = t->tid;
	return 0;
}

static void regs_exist_only_while_stopped_and_come_from_platform(void **state)
{
	static const struct platform_ops ops = { .get_regs = fake_get_regs };
	struct platform plat = { .ops = &ops };
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	char *s;

	assert_int_equal(tk_read_err(k, "tasks/1/regs"), -ENOENT);
	k->plat = &plat; /* only get_regs is used below */
	task_lock_signals(init);
	init->stop = TASK_STOP_PTRACE;
	task_unlock_signals(init);
	s = tk_read(k, "tasks/1/regs", 0);
	assert_int_equal(strncmp(s, "rip: 0x0000000000401234\n", 24), 0);
	assert_contains(s, "\norig_rax: 0x0000000000000001\n");
	free(s);
	k->plat = NULL;
	free_kernel(k);
}

static void ptrace_and_creds_files(void **state)
{
	struct kernel *k = new_kernel();
	struct task *init = tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	char *s;

	task_lock_signals(init);
	init->ptrace.options = 0x1 | 0x8; /* TRACESYSGOOD | TRACECLONE */
	task_unlock_signals(init);
	s = tk_read(k, "tasks/1/ptrace", 0);
	assert_string_equal(s, "tracer: 0\ntracees: -\nseized: no\n"
			       "options: 0x9 TRACESYSGOOD TRACECLONE\n"
			       "syscall_mode: none\nsinglestep: no\nstop: none\n"
			       "reported: no\nlistening: no\n"
			       "interrupt_pending: no\nstop_code: 0\n"
			       "siginfo: none\nevent_msg: 0\n");
	free(s);
	s = tk_read(k, "tasks/1/creds", 0);
	assert_contains(s, "uid: ");
	assert_contains(s, "\negid: ");
	free(s);
	free_kernel(k);
}

static void nonexistent_paths_and_wrong_types_fail(void **state)
{
	struct kernel *k = new_kernel();

	tk_init(k, NO_HOST, argv_sh, sizeof(argv_sh));
	assert_int_equal(tk_read_err(k, "nope"), -ENOENT);
	assert_int_equal(tk_read_err(k, "tasks/1/nope"), -ENOENT);
	assert_int_equal(tk_read_err(k, "tasks/1"), -EISDIR);
	assert_int_equal(tk_read_err(k, "tasks/1/status/x"), -ENOTDIR);
	assert_int_equal(tk_read_err(k, "tasks/-1/status"), -ENOENT);
	assert_int_equal(tk_read_err(k, "tasks/99999999999/status"), -ENOENT);
	assert_int_equal(tk_read_err(k, "kernel/1"), -ENOENT);
	free_kernel(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(task_status_shows_identity_and_relations),
		cmocka_unit_test(signals_shows_masks_with_names_and_queued_siginfo),
		cmocka_unit_test(stop_and_exit_show_emulated_state),
		cmocka_unit_test(sighand_lists_non_default_dispositions),
		cmocka_unit_test(sessions_and_pgrps_show_job_control),
		cmocka_unit_test(cgroup_root_holds_every_group),
		cmocka_unit_test(kernel_files_show_pause_counts_and_syscalls),
		cmocka_unit_test(regs_exist_only_while_stopped_and_come_from_platform),
		cmocka_unit_test(ptrace_and_creds_files),
		cmocka_unit_test(nonexistent_paths_and_wrong_types_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
