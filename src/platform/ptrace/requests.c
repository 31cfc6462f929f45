/*
 * This file implements requests from other threads to the platform
 * thread, and the platform operations the kernel calls (platform.h).
 *
 * Only the tracer thread may use ptrace on a tracee, and it sleeps in
 * waitpid(). To wake it without a race, requests ring a doorbell: a tiny
 * process the platform thread forked and traces. A signal to it becomes a
 * signal-delivery-stop, which waitpid() reports like any tracee stop; the
 * platform thread then runs the queued requests and resumes the doorbell
 * with the signal suppressed. The hot path (a tracee stop) pays nothing
 * for this: no epoll, no signalfd, one waitpid per stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/timing.h"
#include "kernel/lifecycle.h"
#include "platform/host_state.h"
#include "platform/ptrace/internal.h"

#define DOORBELL_SIG SIGUSR1

static struct ptrace_platform *to_pp(struct platform *p)
{
	return (struct ptrace_platform *)p;
}

/* The TID of the calling thread, cached: gettid() is a real syscall. */
static __thread pid_t self_tid;

bool pt_on_platform_thread(struct ptrace_platform *pp)
{
	if (!self_tid)
		self_tid = gettid();
	return self_tid == pp->thread_tid;
}

struct pt_task *pt_task_of(struct ptrace_platform *pp, struct task *t)
{
	return pt_on_platform_thread(pp) ? t->plat_priv : NULL;
}

int pt_doorbell_start(struct ptrace_platform *pp)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, (long)PTRACE_O_EXITKILL) < 0) {
		int err = errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -err;
	}
	pp->doorbell_pid = pid;
	return 0;
}

/* Queues req and rings the doorbell. Preconditions: not on the platform
 * thread. Returns false when the platform has finished. */
static bool pt_submit(struct ptrace_platform *pp, struct plat_req *req)
{
	bool ring;

	pthread_mutex_lock(&pp->req_mu);
	if (pp->finished) {
		pthread_mutex_unlock(&pp->req_mu);
		return false;
	}
	cds_list_add_tail(&req->node, &pp->reqs);
	ring = !pp->doorbell_rung;
	pp->doorbell_rung = true;
	pthread_mutex_unlock(&pp->req_mu);
	if (ring)
		kill(pp->doorbell_pid, DOORBELL_SIG);
	return true;
}

/* Submits req and waits for its answer. Returns req->result, or -ESRCH
 * when the platform has finished. */
static int pt_call(struct ptrace_platform *pp, struct plat_req *req)
{
	if (!pt_submit(pp, req))
		return -ESRCH;
	pthread_mutex_lock(&pp->req_mu);
	while (!req->done)
		pthread_cond_wait(&pp->req_cond, &pp->req_mu);
	pthread_mutex_unlock(&pp->req_mu);
	return req->result;
}

static void pt_interrupt_now(struct ptrace_platform *pp, pid_t host_tid)
{
	struct pt_task *pt = pt_lookup(pp, host_tid);

	if (!pt || pt->stopped || pt->interrupting)
		return; /* a stopped task is held when we would resume it */
	if (ptrace(PTRACE_INTERRUPT, host_tid, 0, 0) == 0) {
		pt->interrupting = true;
		pt_note_interrupt(pp, host_tid);
	}
}

static void pt_release_now(struct ptrace_platform *pp, pid_t host_tid)
{
	struct pt_task *pt = pt_lookup(pp, host_tid);

	if (pt)
		pt_release(pp, pt);
}

/* Whether every task the kernel wants held is held (or in a host group
 * stop, where it runs no application code either). */
static bool pt_quiescent(struct ptrace_platform *pp)
{
	for (int b = 0; b < PT_HASH_SIZE; b++)
		for (struct pt_task *pt = pp->tasks[b]; pt; pt = pt->next)
			if (pt->task && task_should_hold(pp->k, pt->task) &&
			    !pt->held && !pt->group_stopped && !pt->early_stop)
				return false;
	return true;
}

/* Returns the stopped thread host_tid for ptrace requests, or NULL with
 * *err set (-ESRCH: unknown; -EBUSY: running). A stopped job listens
 * (tracer.c) and is trapped for the request: *relisten then says to give
 * it back with pt_resume(pp, pt, PT_RESUME_LISTEN, 0). */
static struct pt_task *pt_stopped_for_request(struct ptrace_platform *pp,
					      pid_t host_tid, bool *relisten,
					      int *err)
{
	struct pt_task *pt = pt_lookup(pp, host_tid);

	*relisten = false;
	*err = pt ? -EBUSY : -ESRCH;
	if (!pt)
		return NULL;
	if (pt->group_stopped && !pt->stopped) {
		if (pt_unlisten(pp, pt) < 0)
			return NULL; /* pt may be gone */
		*relisten = true;
	}
	return pt->stopped ? pt : NULL;
}

static int pt_get_regs_now(struct ptrace_platform *pp, pid_t host_tid,
			   struct user_regs_struct *regs)
{
	bool relisten;
	int err;
	struct pt_task *pt = pt_stopped_for_request(pp, host_tid, &relisten,
						    &err);

	if (!pt)
		return err;
	err = ptrace(PTRACE_GETREGS, host_tid, 0, regs) < 0 ? -errno : 0;
	if (relisten)
		pt_resume(pp, pt, PT_RESUME_LISTEN, 0);
	return err;
}

/* PTRACE_GETREGSET of a stopped task: the bytes the host filled. */
static int pt_get_regset_now(struct ptrace_platform *pp, pid_t host_tid,
			     int type, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	bool relisten;
	int err;
	struct pt_task *pt = pt_stopped_for_request(pp, host_tid, &relisten,
						    &err);

	if (!pt)
		return err;
	err = ptrace(PTRACE_GETREGSET, host_tid, (void *)(long)type, &iov) < 0
		      ? -errno
		      : (int)iov.iov_len;
	if (relisten)
		pt_resume(pp, pt, PT_RESUME_LISTEN, 0);
	return err;
}

static void pt_run_one(struct ptrace_platform *pp, struct plat_req *r)
{
	struct pt_task *pt;

	switch (r->kind) {
	case REQ_INTERRUPT:
		pt_interrupt_now(pp, r->host_tid);
		break;
	case REQ_RELEASE:
		pt_release_now(pp, r->host_tid);
		break;
	case REQ_QUIESCE:
		r->result = pt_quiescent(pp) ? 0 : -EAGAIN;
		break;
	case REQ_GET_REGS:
		r->result = pt_get_regs_now(pp, r->host_tid, r->regs);
		break;
	case REQ_GET_REGS_MANY:
		/* One round trip for all: a dump of 10,000 held tasks. */
		for (int i = 0; i < r->n; i++)
			r->results[i] = pt_get_regs_now(pp, r->host_tids[i],
							&r->regs[i]);
		r->result = 0;
		break;
	case REQ_GET_REGSET:
		r->result = pt_get_regset_now(pp, r->host_tid, r->n, r->buf,
					      r->len);
		break;
	case REQ_WAKE:
		pt = pt_lookup(pp, r->host_tid);
		if (pt)
			pt_wake(pp, pt);
		break;
	case REQ_BACKTRACE: {
		bool relisten;

		pt = pt_stopped_for_request(pp, r->host_tid, &relisten,
					    &r->result);
		if (!pt)
			break;
		r->result = pt_backtrace(r->host_tid, r->buf, r->len);
		if (relisten)
			pt_resume(pp, pt, PT_RESUME_LISTEN, 0);
		break;
	}
	}
}

void pt_requests_run(struct ptrace_platform *pp)
{
	struct cds_list_head todo;
	struct plat_req *r, *tmp;

	CDS_INIT_LIST_HEAD(&todo);
	pthread_mutex_lock(&pp->req_mu);
	cds_list_splice(&pp->reqs, &todo);
	CDS_INIT_LIST_HEAD(&pp->reqs);
	pp->doorbell_rung = false;
	pthread_mutex_unlock(&pp->req_mu);
	if (cds_list_empty(&todo))
		return;
	cds_list_for_each_entry_safe(r, tmp, &todo, node) {
		cds_list_del(&r->node);
		if (pp->finished)
			r->result = -ESRCH;
		else
			pt_run_one(pp, r);
		if (r->async) {
			free(r);
			continue;
		}
		pthread_mutex_lock(&pp->req_mu);
		r->done = true;
		pthread_mutex_unlock(&pp->req_mu);
	}
	pthread_mutex_lock(&pp->req_mu);
	pthread_cond_broadcast(&pp->req_cond);
	pthread_mutex_unlock(&pp->req_mu);
}

void pt_doorbell_answer(struct ptrace_platform *pp)
{
	pt_requests_run(pp);
	ptrace(PTRACE_CONT, pp->doorbell_pid, 0, 0);
}

/* Sends an asynchronous request (never blocks). */
static int pt_async(struct ptrace_platform *pp, enum plat_req_kind kind,
		    pid_t host_tid)
{
	struct plat_req *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->kind = kind;
	r->host_tid = host_tid;
	r->async = true;
	if (!pt_submit(pp, r)) {
		free(r);
		return -ESRCH;
	}
	return 0;
}

static int op_interrupt(struct platform *p, struct task *t)
{
	struct ptrace_platform *pp = to_pp(p);

	if (pt_on_platform_thread(pp)) {
		pt_interrupt_now(pp, t->host_tid);
		return 0;
	}
	return pt_async(pp, REQ_INTERRUPT, t->host_tid);
}

static int op_release(struct platform *p, struct task *t)
{
	struct ptrace_platform *pp = to_pp(p);

	if (pt_on_platform_thread(pp)) {
		pt_release_now(pp, t->host_tid);
		return 0;
	}
	return pt_async(pp, REQ_RELEASE, t->host_tid);
}

static int op_quiesce(struct platform *p, int timeout_ms)
{
	struct ptrace_platform *pp = to_pp(p);
	uint64_t deadline = clock_now_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000u;

	if (pt_on_platform_thread(pp))
		return 0;
	for (;;) {
		struct plat_req r = { .kind = REQ_QUIESCE };
		int err = pt_call(pp, &r);

		if (err != -EAGAIN)
			return err == -ESRCH ? 0 : err;
		if (clock_now_ns(CLOCK_MONOTONIC) > deadline)
			return -ETIMEDOUT;
		/* Interrupted tasks report their stops within microseconds;
		 * poll gently until they have. */
		nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
	}
}

static int op_notify_signal(struct platform *p, struct task *t, int sig,
			    bool group)
{
	pid_t host_tgid;

	/* The host TGID is the leader's host TID; a task's group leader is
	 * read under RCU (the task may race with exit: then ESRCH). */
	rcu_read_lock();
	host_tgid = (t->tg && t->tg->leader) ? t->tg->leader->host_tid : 0;
	rcu_read_unlock();
	if (host_tgid <= 0)
		return -ESRCH;
	if (group)
		return kill(host_tgid, sig) < 0 ? -errno : 0;
	return syscall(SYS_tgkill, host_tgid, t->host_tid, sig) < 0 ? -errno : 0;
}

static int op_get_regs(struct platform *p, struct task *t,
		       struct user_regs_struct *regs)
{
	struct ptrace_platform *pp = to_pp(p);
	struct plat_req r = { .kind = REQ_GET_REGS, .host_tid = t->host_tid,
			      .regs = regs };

	if (pt_on_platform_thread(pp)) {
		pt_run_one(pp, &r);
		return r.result;
	}
	return pt_call(pp, &r);
}

static int op_get_regs_many(struct platform *p, const pid_t *host_tids,
			    int n, struct user_regs_struct *regs, int *result)
{
	struct ptrace_platform *pp = to_pp(p);
	struct plat_req r = { .kind = REQ_GET_REGS_MANY, .host_tids = host_tids,
			      .n = n, .regs = regs, .results = result };

	if (pt_on_platform_thread(pp)) {
		pt_run_one(pp, &r);
		return r.result;
	}
	return pt_call(pp, &r);
}

static long op_get_regset(struct platform *p, struct task *t, int nt_type,
			  void *buf, size_t len)
{
	struct ptrace_platform *pp = to_pp(p);
	struct plat_req r = { .kind = REQ_GET_REGSET, .host_tid = t->host_tid,
			      .n = nt_type, .buf = buf, .len = len };

	if (pt_on_platform_thread(pp)) {
		pt_run_one(pp, &r);
		return r.result;
	}
	return pt_call(pp, &r);
}

static int op_read_host_file(struct platform *p, pid_t host_tid,
			     const char *name, char **out, size_t *len)
{
	(void)p;
	return host_read_proc_file(host_tid, name, out, len);
}

static int op_backtrace(struct platform *p, struct task *t, char *buf,
			size_t len)
{
	struct ptrace_platform *pp = to_pp(p);
	struct plat_req r = { .kind = REQ_BACKTRACE, .host_tid = t->host_tid,
			      .buf = buf, .len = len };

	if (pt_on_platform_thread(pp)) {
		pt_run_one(pp, &r);
		return r.result;
	}
	return pt_call(pp, &r);
}

static int op_wake(struct platform *p, struct task *t)
{
	struct ptrace_platform *pp = to_pp(p);

	if (pt_on_platform_thread(pp)) {
		struct pt_task *pt = t->plat_priv;

		if (pt)
			pt_wake(pp, pt);
		return 0;
	}
	return pt_async(pp, REQ_WAKE, t->host_tid);
}

static long op_tracee_access(struct platform *p, struct task *t, long req,
			     uint64_t addr, void *data)
{
	struct ptrace_platform *pp = to_pp(p);
	struct pt_task *pt = pt_task_of(pp, t);
	bool relisten;
	long r;
	int err;

	if (!pt)
		return -ESRCH;
	if (!pt->stopped && !pt->group_stopped && !pt->interrupting &&
	    task_should_hold(pp->k, t)) {
		pid_t tid = pt->host_tid;

		pt_await_stop(pp, tid);
		pt = pt_lookup(pp, tid);
		if (!pt)
			return -ESRCH;
	}
	pt = pt_stopped_for_request(pp, pt->host_tid, &relisten, &err);
	if (!pt)
		return -ESRCH;
	errno = 0;
	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
	case PTRACE_PEEKUSER:
		r = ptrace(req, pt->host_tid, (void *)(uintptr_t)addr, NULL);
		if (errno)
			r = -errno;
		else
			*(unsigned long *)data = (unsigned long)r, r = 0;
		break;
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
	case PTRACE_POKEUSER:
		r = ptrace(req, pt->host_tid, (void *)(uintptr_t)addr,
			   (void *)*(unsigned long *)data);
		break;
	case PTRACE_ARCH_PRCTL:
		/* addr is the code; data the value, or where to store it
		 * for ARCH_GET_FS and ARCH_GET_GS. */
		r = ptrace(req, pt->host_tid,
			   addr == 0x1003 || addr == 0x1004
				   ? data
				   : (void *)*(unsigned long *)data,
			   (void *)(uintptr_t)addr);
		break;
	case PTRACE_GETREGS:
	case PTRACE_SETREGS:
	case PTRACE_GETFPREGS:
	case PTRACE_SETFPREGS:
		r = ptrace(req, pt->host_tid, NULL, data);
		break;
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
	case PTRACE_GETSIGMASK:
	case PTRACE_SETSIGMASK:
	case PTRACE_GET_SYSCALL_INFO:
		r = ptrace(req, pt->host_tid, (void *)(uintptr_t)addr, data);
		break;
	default:
		r = -1;
		errno = EIO;
	}
	if (r < 0 && req != PTRACE_PEEKTEXT && req != PTRACE_PEEKDATA &&
	    req != PTRACE_PEEKUSER)
		r = -errno;
	if (relisten)
		pt_resume(pp, pt, PT_RESUME_LISTEN, 0);
	return r;
}

int pt_host_status_read(pid_t host_tid, char **out)
{
	size_t len = 0, cap = 4096;
	char path[64], *buf = malloc(cap);
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)host_tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 == cap) {
			char *nb = cap < (1u << 22) ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (err < 0) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

const char *pt_status_value(const char *status, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = status; l; l = strchr(l, '\n')) {
		if (*l == '\n')
			l++;
		if (!strncmp(l, key, klen) && l[klen] == ':')
			return l + klen + 1;
	}
	return NULL;
}

/* A signal set line's value: 16 hex digits and the end of the line. */
static int status_sigset(const char *status, const char *key, uint64_t *set)
{
	const char *v = pt_status_value(status, key);
	char *end;

	if (!v)
		return -EIO;
	while (*v == '\t')
		v++;
	errno = 0;
	*set = strtoull(v, &end, 16);
	return errno || end - v != 16 || (*end != '\n' && *end) ? -EIO : 0;
}

static int op_read_creds(struct platform *p, struct task *t, uint32_t ids[8])
{
	const char *uid, *gid;
	char *status;
	int err = pt_host_status_read(CMM_LOAD_SHARED(t->host_tid), &status);

	if (err < 0)
		return err;
	uid = pt_status_value(status, "Uid");
	gid = pt_status_value(status, "Gid");
	if (!uid || !gid ||
	    sscanf(uid, "%u %u %u %u", &ids[0], &ids[1], &ids[2], &ids[3]) != 4 ||
	    sscanf(gid, "%u %u %u %u", &ids[4], &ids[5], &ids[6], &ids[7]) != 4)
		err = -EIO;
	free(status);
	return err;
}

static int op_read_sigsets(struct platform *p, struct task *t,
			   uint64_t sets[3])
{
	char *status;
	int err = pt_host_status_read(CMM_LOAD_SHARED(t->host_tid), &status);

	if (err < 0)
		return err;
	if (status_sigset(status, "SigBlk", &sets[0]) < 0 ||
	    status_sigset(status, "SigIgn", &sets[1]) < 0 ||
	    status_sigset(status, "SigCgt", &sets[2]) < 0)
		err = -EIO;
	free(status);
	return err;
}

static int op_read_sigmask(struct platform *p, struct task *t, uint64_t *mask)
{
	struct pt_task *pt = pt_task_of(to_pp(p), t);
	uint64_t sets[3];
	int err;

	if (pt && pt->stopped &&
	    ptrace(PTRACE_GETSIGMASK, pt->host_tid, sizeof(*mask), mask) == 0)
		return 0;
	err = op_read_sigsets(p, t, sets);
	if (err == 0)
		*mask = sets[0];
	return err;
}

static int op_read_limits(struct platform *p, struct task *t,
			  struct rlimit *limits)
{
	pid_t host = CMM_LOAD_SHARED(t->host_tid);

	for (int i = 0; i < RLIM_NLIMITS; i++)
		if (prlimit(host, i, NULL, &limits[i]) < 0)
			return -errno;
	return 0;
}

static int op_read_comm(struct platform *p, struct task *t, char comm[16])
{
	struct pt_task *pt = pt_task_of(to_pp(p), t);
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm",
		 pt ? pt->host_tid : CMM_LOAD_SHARED(t->host_tid));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, comm, 15);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	if (comm[n - 1] == '\n')
		n--;
	memset(comm + n, 0, (size_t)(16 - n));
	return 0;
}

static void op_release_affinity(struct platform *p, struct task *t)
{
	struct pt_task *pt = pt_task_of(to_pp(p), t);

	if (pt)
		pt_colocate_release(to_pp(p), pt);
}

/* Host facts need no stop and no tracer: the shared readers serve them. */
static int op_read_host_state(struct platform *p, pid_t host_tid,
			      unsigned what, struct host_thread_state *out)
{
	(void)p;
	return host_read_thread_state(host_tid, what, out);
}

static int op_read_host_fds(struct platform *p, pid_t host_tid,
			    struct host_fd **out)
{
	(void)p;
	return host_read_fds(host_tid, out);
}

static int op_read_host_fdinfo(struct platform *p, pid_t host_tid, int fd,
			       char *buf, size_t len)
{
	(void)p;
	return host_read_fdinfo(host_tid, fd, buf, len);
}

static int op_read_unix_peers(struct platform *p,
			      struct host_unix_peer **out)
{
	(void)p;
	return host_read_unix_peers(out);
}

static int op_read_host_locks(struct platform *p, struct host_lock **out)
{
	(void)p;
	return host_read_locks(out);
}

static int op_read_host_fd_inode(struct platform *p, pid_t host_tid, int fd,
				 unsigned *dev_major, unsigned *dev_minor,
				 uint64_t *ino)
{
	(void)p;
	return host_read_fd_inode(host_tid, fd, dev_major, dev_minor, ino);
}

const struct platform_ops pt_ops = {
	.read_creds = op_read_creds,
	.read_sigmask = op_read_sigmask,
	.read_sigsets = op_read_sigsets,
	.read_limits = op_read_limits,
	.release_affinity = op_release_affinity,
	.read_comm = op_read_comm,
	.read_mem = pt_read_mem,
	.write_mem = pt_write_mem,
	.interrupt = op_interrupt,
	.quiesce = op_quiesce,
	.release = op_release,
	.notify_signal = op_notify_signal,
	.get_regs = op_get_regs,
	.get_regs_many = op_get_regs_many,
	.get_regset = op_get_regset,
	.read_host_file = op_read_host_file,
	.backtrace = op_backtrace,
	.wake = op_wake,
	.tracee_access = op_tracee_access,
	.read_host_state = op_read_host_state,
	.read_host_fds = op_read_host_fds,
	.read_host_fdinfo = op_read_host_fdinfo,
	.read_unix_peers = op_read_unix_peers,
	.read_host_locks = op_read_host_locks,
	.read_host_fd_inode = op_read_host_fd_inode,
};
