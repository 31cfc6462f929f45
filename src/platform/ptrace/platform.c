/*
 * This file implements the ptrace platform's life: creation, launch of
 * the platform thread, waiting for the sandbox to end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/ptrace/internal.h"

struct ptrace_platform *ptrace_platform_new(void)
{
	struct ptrace_platform *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return NULL;
	pp->base.ops = &pt_ops;
	pthread_mutex_init(&pp->req_mu, NULL);
	pthread_cond_init(&pp->req_cond, NULL);
	CDS_INIT_LIST_HEAD(&pp->reqs);
	CDS_INIT_LIST_HEAD(&pp->quiescing);
	pp->init_status = -1;
	pp->pidns_fd = -1;
	pp->cmd_status = -1;
	return pp;
}

struct platform *ptrace_platform_base(struct ptrace_platform *pp)
{
	return &pp->base;
}

void ptrace_platform_attach(struct ptrace_platform *pp, struct kernel *k)
{
	pp->k = k;
}

void ptrace_platform_set_hooks(struct ptrace_platform *pp,
			       plat_task_gone_fn gone,
			       plat_fatal_signal_fn fatal, void *arg)
{
	pp->gone_fn = gone;
	pp->fatal_fn = fatal;
	pp->hook_arg = arg;
}

int ptrace_platform_launch(struct ptrace_platform *pp, char *const argv[],
			   char *errbuf, size_t errlen)
{
	int err;

	pp->argv = argv;
	err = pt_colocate_setup(pp);
	if (err < 0) {
		snprintf(errbuf, errlen, "cannot start the platform: %s",
			 strerror(-err));
		return err;
	}
	err = pthread_create(&pp->thread, NULL, pt_thread_main, pp);
	if (err) {
		snprintf(errbuf, errlen, "cannot start the platform thread: %s",
			 strerror(err));
		return -err;
	}
	pthread_mutex_lock(&pp->req_mu);
	while (!pp->launched)
		pthread_cond_wait(&pp->req_cond, &pp->req_mu);
	err = pp->launch_err;
	pthread_mutex_unlock(&pp->req_mu);
	if (err) {
		snprintf(errbuf, errlen, "%s", pp->launch_msg);
		pthread_join(pp->thread, NULL);
		pp->thread = 0;
	}
	return err;
}

pid_t ptrace_platform_init_pid(struct ptrace_platform *pp)
{
	return pp->init_pid;
}

int ptrace_platform_wait(struct ptrace_platform *pp)
{
	if (pp->thread) {
		pthread_join(pp->thread, NULL);
		pp->thread = 0;
	}
	/* The sandbox's result is its command's; init's only if the command
	 * never started. */
	return pp->cmd_pid ? pp->cmd_status : pp->init_status;
}

pid_t ptrace_platform_cmd_pid(struct ptrace_platform *pp)
{
	return pp->cmd_pid;
}

void ptrace_platform_free(struct ptrace_platform *pp)
{
	if (!pp)
		return;
	ptrace_platform_wait(pp);
	if (pp->pidns_fd >= 0)
		close(pp->pidns_fd);
	pt_colocate_destroy(pp);
	pthread_mutex_destroy(&pp->req_mu);
	pthread_cond_destroy(&pp->req_cond);
	for (int b = 0; b < PT_HASH_SIZE; b++)
		while (pp->tasks[b]) {
			struct pt_task *pt = pp->tasks[b];

			pp->tasks[b] = pt->next;
			free(pt);
		}
	free(pp);
}
