/*
 * This file implements the procfs tests' helpers (see helpers.h).
 */
#include <errno.h>
#include <linux/sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <urcu.h>

#include "helpers.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "procfs/procfs.h"

void tk_kernel_init(struct kernel *k)
{
	static __thread bool registered;

	if (!registered) {
		rcu_register_thread();
		registered = true;
	}
	assert_int_equal(kernel_init(k, NULL, "test"), 0);
}

struct task *tk_init(struct kernel *k, pid_t host_tid, const char *argv,
		     size_t len)
{
	struct task *t = NULL;

	assert_int_equal(kernel_start_init(k, host_tid, INIT_NEW_SESSION, argv,
					   len, &t),
			 0);
	return t;
}

static struct task *tk_clone(struct kernel *k, struct task *parent,
			     unsigned long flags, pid_t tid, pid_t host_tid)
{
	struct task *t = NULL;

	parent->sc.clone_flags = flags;
	parent->sc.clone_exit_signal = (flags & CLONE_THREAD) ? 0 : SIGCHLD;
	assert_int_equal(task_clone(k, parent, tid, host_tid, &t), 0);
	parent->sc.clone_flags = 0;
	return t;
}

struct task *tk_fork(struct kernel *k, struct task *parent, pid_t tid,
		     pid_t host_tid)
{
	return tk_clone(k, parent, SIGCHLD, tid, host_tid);
}

struct task *tk_thread(struct kernel *k, struct task *parent, pid_t tid,
		       pid_t host_tid)
{
	return tk_clone(k, parent,
			CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				CLONE_THREAD,
			tid, host_tid);
}

void tk_exit(struct kernel *k, struct task *t, int status)
{
	task_exit_begin(k, t, status);
	task_exit_finish(k, t, status);
}

void tk_set_comm(struct task *t, const char *comm)
{
	pthread_mutex_lock(&t->mu);
	memset(t->comm, 0, sizeof(t->comm));
	strncpy(t->comm, comm, sizeof(t->comm) - 1);
	pthread_mutex_unlock(&t->mu);
}

void tk_set_cmdline(struct task *t, const char *argv, size_t len)
{
	char *c = malloc(len);

	assert_non_null(c);
	memcpy(c, argv, len);
	pthread_mutex_lock(&t->mu);
	free(t->cmdline);
	t->cmdline = c;
	t->cmdline_len = len;
	pthread_mutex_unlock(&t->mu);
}

char *tk_read(struct kernel *k, const char *path, pid_t caller)
{
	char *out = NULL;
	size_t len = 0;
	int err = procfs_read_path(k, path, caller, &out, &len);

	if (err)
		fail_msg("read %s: %s", path, strerror(-err));
	assert_int_equal(strlen(out) <= len, 1);
	return out;
}

int tk_read_err(struct kernel *k, const char *path)
{
	char *out = NULL;
	size_t len = 0;
	int err = procfs_read_path(k, path, 0, &out, &len);

	free(out);
	return err;
}

char *tk_list(struct kernel *k, const char *path)
{
	char *out = NULL;
	size_t len = 0;
	int err = procfs_list_path(k, path, &out, &len);

	if (err)
		fail_msg("list %s: %s", path, strerror(-err));
	return out;
}

int tk_split_stat(char *line, char **f, int max)
{
	char *open = strchr(line, '('), *close = strrchr(line, ')');
	char *p, *save = NULL;
	int n = 0;

	if (!open || !close || close < open || max < 2)
		return -1;
	*open = '\0';
	*close = '\0';
	f[n++] = line;
	f[n++] = open + 1;
	for (p = strtok_r(close + 1, " \n", &save); p && n < max;
	     p = strtok_r(NULL, " \n", &save))
		f[n++] = p;
	/* "1 " before the '(' keeps a trailing space: trim it. */
	line[strcspn(line, " ")] = '\0';
	return n;
}
