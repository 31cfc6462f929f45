/*
 * This file writes the reports of --dump-on=fatal-signal
 * (fatal_report.h): on a thread per dying process, the core file
 * (kernel/coredump.h) when the process's RLIMIT_CORE is not 0, then the
 * JSON dump with "core_file" naming it, then lets the task die.
 */
#include "cmd/fatal_report.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/types.h>

#include "debugger/dump_file.h"
#include "kernel/coredump.h"
#include "kernel/dump.h"
#include "kernel/kernel.h"
#include "kernel/rcu.h"
#include "kernel/snapshot.h"
#include "kernel/task_stop.h"
#include "platform/platform.h"

struct fatal_job {
	struct fatal_report *r;
	pid_t tid;
	pid_t host_tid;
	int sig;
};

/* Reports being written; fatal_report_drain() waits for 0. */
static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cv = PTHREAD_COND_INITIALIZER;
static int jobs_running;

/* The process's core size limit, as the host enforces it. */
static rlim_t core_limit(struct kernel *k, pid_t tid)
{
	struct rlimit lim[RLIM_NLIMITS];
	struct task *t = task_get_by_tid(k, tid);
	rlim_t cur = 0;

	if (!t)
		return 0;
	if (k->plat->ops->read_limits &&
	    k->plat->ops->read_limits(k->plat, t, lim) == 0)
		cur = lim[RLIMIT_CORE].rlim_cur;
	task_put(t);
	return cur;
}

static void write_core(struct fatal_job *j, pid_t tgid, char *path,
		       size_t len)
{
	struct kernel *k = j->r->k;
	struct core_result res;
	siginfo_t si;
	char err[512];

	path[0] = '\0';
	if (core_limit(k, j->tid) == 0) {
		fprintf(stderr, "sentry: task %d killed by signal %d; no core "
			"(RLIMIT_CORE is 0)\n", (int)j->tid, j->sig);
		return;
	}
	snprintf(path, len, "%s/core.%s.%d.%ld", j->r->dir, k->name, (int)tgid,
		 (long)time(NULL));
	memset(&si, 0, sizeof(si));
	si.si_signo = j->sig;
	si.si_code = SI_KERNEL;
	if (kernel_write_core(k, j->tid, path, &si, &res, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "sentry: no core of task %d: %s\n", (int)j->tid,
			err);
		path[0] = '\0';
		return;
	}
	kernel_note_core_written(k, tgid);
	/* One core: the host's own (core_pattern) would be a second. The
	 * process is dying, so nothing sees its limit lowered. */
	{
		struct rlimit none = { 0, 0 }, old;

		if (prlimit(j->host_tid, RLIMIT_CORE, NULL, &old) == 0) {
			none.rlim_max = old.rlim_max;
			prlimit(j->host_tid, RLIMIT_CORE, &none, NULL);
		}
	}
	fprintf(stderr, "sentry: task %d killed by signal %d; core written "
		"to %s\n", (int)j->tid, j->sig, path);
}

static void write_dump(struct fatal_job *j, const char *core)
{
	struct kernel *k = j->r->k;
	char path[PATH_MAX], *text;
	json_t *d;
	int err;

	if (kernel_dump_json(k, true, &d) < 0) {
		fprintf(stderr, "sentry: cannot take a dump for task %d\n",
			(int)j->tid);
		return;
	}
	json_object_set_new(d, "core_file", core[0] ? json_string(core)
						    : json_null());
	text = json_dumps(d, JSON_INDENT(2));
	json_decref(d);
	if (!text)
		return;
	snprintf(path, sizeof(path), "%s/sentry-dump-%s-%d-%ld.json",
		 j->r->dir, k->name, (int)j->tid, (long)time(NULL));
	err = dump_file_write(path, text, strlen(text));
	if (err < 0)
		fprintf(stderr, "sentry: cannot write dump %s: %s\n", path,
			strerror(-err));
	else
		fprintf(stderr, "sentry: task %d killed by signal %d; dump "
			"written to %s\n", (int)j->tid, j->sig, path);
	free(text);
}

static void *job_main(void *arg)
{
	struct fatal_job *j = arg;
	char core[PATH_MAX];
	struct task_snap s;

	rcu_register_thread();
	if (task_snapshot(j->r->k, j->tid, &s) == 0) {
		j->host_tid = s.host_tid;
		write_core(j, s.tgid, core, sizeof(core));
		task_snap_free(&s);
		write_dump(j, core);
	}
	/* Now it may die of its signal. */
	task_cont_external(j->r->k, j->tid);
	rcu_unregister_thread();
	free(j);
	pthread_mutex_lock(&jobs_mu);
	if (--jobs_running == 0)
		pthread_cond_broadcast(&jobs_cv);
	pthread_mutex_unlock(&jobs_mu);
	return NULL;
}

void fatal_report_signal(struct fatal_report *r, pid_t tid, int sig)
{
	struct fatal_job *j;
	pthread_attr_t attr;
	pthread_t th;

	if (!r->dir)
		return;
	j = calloc(1, sizeof(*j));
	if (!j)
		return;
	*j = (struct fatal_job){ .r = r, .tid = tid, .sig = sig };
	/* Held at the delivery: the platform delivers the signal when the
	 * job lets it go. */
	if (task_stop_external(r->k, tid) < 0) {
		free(j);
		return;
	}
	pthread_mutex_lock(&jobs_mu);
	jobs_running++;
	pthread_mutex_unlock(&jobs_mu);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, job_main, j) != 0) {
		task_cont_external(r->k, tid);
		free(j);
		pthread_mutex_lock(&jobs_mu);
		jobs_running--;
		pthread_mutex_unlock(&jobs_mu);
	}
	pthread_attr_destroy(&attr);
}

void fatal_report_drain(struct fatal_report *r)
{
	(void)r;
	pthread_mutex_lock(&jobs_mu);
	while (jobs_running > 0)
		pthread_cond_wait(&jobs_cv, &jobs_mu);
	pthread_mutex_unlock(&jobs_mu);
}
