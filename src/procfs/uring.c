/*
 * This file implements FUSE over io_uring (Linux 6.14+) for /mnt/sentry:
 * one loop thread per possible CPU, pinned to it, each with its own ring
 * whose entries the kernel fills with requests made on that CPU.
 *
 * Why: with /dev/fuse, a request wakes a loop thread on whichever CPU it
 * sleeps, and its reply wakes the reader back; on this project's 2-vCPU
 * VMs a cross-CPU wakeup of an idle vCPU costs tens of µs, so an
 * open+read+close of a sentry file cost 35-70 µs against 11 µs for the
 * host's /proc (bench/results-procfs.md). When the loop thread is on the
 * reader's CPU, the request and its reply are two context switches on one
 * CPU: a null libfuse server measured 15 µs per open pinned to the
 * reader's CPU against 60 µs on the other. io_uring queues are per CPU,
 * which is exactly that placement, and a reply plus the wait for the next
 * request is one io_uring_enter.
 *
 * libfuse 3.14 (Debian 12) has no ring support, so this file speaks the
 * protocol itself (include/uapi/linux/fuse.h, protocol 7.42):
 *
 *   REGISTER          an SQE per entry gives the kernel two buffers:
 *                     headers (in/out header, the op's own header, the
 *                     entry's in/out sizes) and the payload;
 *   a CQE (res 0)     is a request in that entry;
 *   COMMIT_AND_FETCH  returns the reply in the same buffers and re-arms
 *                     the entry for the next request.
 *
 * Requests are handed to libfuse's fuse_session_process_buf() as the
 * contiguous buffer a /dev/fuse read would have produced (the header and
 * the op's header are copied in front of the payload, which the kernel
 * wrote in place), and the reply comes back through the session's custom
 * writev (wire.c), which gives it to procfs_uring_reply() when it answers
 * the request this thread is serving. INIT, FORGET, INTERRUPT and
 * notifications still go through /dev/fuse, served by procfs.c's loop.
 *
 * The fuse module offers rings only with its enable_uring parameter set;
 * procfs_uring_switch_on() sets it when running as root (sentryfs(5)).
 * Without the offer, or with SENTRY_PROCFS_URING=0, everything goes
 * through /dev/fuse as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kernel/rcu.h"
#include "kernel/timing.h"
#include "procfs/passthrough.h"
#include "procfs/uring.h"

/* Wire format of protocol 7.42 (Debian 12's linux-libc-dev has 7.38). */
#define UR_FUSE_OVER_IO_URING_FLAGS2 (1u << (41 - 32))
#define UR_HEADER_IN_OUT_SZ 128
#define UR_HEADER_OP_SZ 128
enum { UR_CMD_REGISTER = 1, UR_CMD_COMMIT_AND_FETCH = 2 };

struct ur_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;
	uint32_t payload_sz;
	uint32_t padding;
	uint64_t reserved;
};

struct ur_req_header {
	char in_out[UR_HEADER_IN_OUT_SZ]; /* fuse_in_header / fuse_out_header */
	char op_in[UR_HEADER_OP_SZ];      /* the op's own header */
	struct ur_ent_in_out ent;
};

/* In the SQE's 80-byte command area. */
struct ur_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};

/* Entries per queue: a reader has one request in flight per CPU, and the
 * asynchronous RELEASE of the previous file may be another. */
#define UR_DEPTH 4
/* Room in front of the payload for the headers libfuse wants before it. */
#define UR_FRONT (sizeof(struct fuse_in_header) + UR_HEADER_OP_SZ)
/* The stop eventfd's poll. */
#define UR_STOP_TAG 1
/* How long stopping threads wait for the kernel to give their entries
 * back. The unmount aborts the connection at once unless a reader holds
 * a file open (the detached mount then lives on); closing the ring then
 * cancels the entries and the kernel aborts the connection itself. */
#define UR_STOP_GRACE_NS 500000000ull

struct ur_queue;

/* One ring entry: its buffers, and the request it holds. */
struct ur_entry {
	struct ur_queue *q;
	struct ur_req_header hdr;
	struct iovec iov[2];       /* hdr, payload */
	char *buf;                 /* UR_FRONT bytes, then the payload */
	uint64_t unique;           /* the request being served */
	bool replied;
	bool live;                 /* registered and not given back */
	bool served;               /* has delivered a request */
};

/* One queue: the thread of one CPU and its ring. Only that thread
 * touches its ring and entries. */
struct ur_queue {
	struct procfs_uring *ur;
	uint16_t qid;
	int dev_fd;                /* our own dup of /dev/fuse */
	pthread_t thread;
	bool thread_started;
	struct io_uring ring;
	bool taskrun_flag;         /* IORING_SETUP_TASKRUN_FLAG is on */
	struct ur_entry ent[UR_DEPTH];
};

struct procfs_uring {
	struct fuse_session *se;
	struct procfs_pt *pt;
	int stop_efd;              /* readable: the threads must end */
	int nr_queues;
	struct ur_queue *queues;
	/* The handshake with procfs_uring_prepare/start. Protected by mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int nr_ready;              /* threads that made their ring */
	int nr_failed;
	enum { UR_WAIT, UR_GO, UR_END } state;
	size_t max_payload;        /* set before the threads go */
	bool active;               /* atomic: rings serve requests */
	unsigned long served;      /* atomic: requests the rings delivered */
};

/* The entry whose request this thread is serving, for the reply. */
static __thread struct ur_entry *ur_current;

bool procfs_uring_switch_on(void)
{
	static const char param[] = "/sys/module/fuse/parameters/enable_uring";
	const char *env = getenv("SENTRY_PROCFS_URING");
	char c = 'N';
	int fd;

	if ((env && !strcmp(env, "0")) || geteuid() != 0)
		return false;
	fd = open(param, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false; /* a kernel without FUSE_IO_URING */
	if (pread(fd, &c, 1, 0) == 1 && c != 'Y' && c != '1' &&
	    pwrite(fd, "Y", 1, 0) != 1)
		c = 'N';
	else
		c = 'Y';
	close(fd);
	return c == 'Y';
}

/* The number of possible CPUs: the kernel makes one queue for each,
 * numbered by CPU, and uses the ring only once every one of them has an
 * entry. A sparse set ("0-3,8-11") has CPUs beyond the queues: -1. */
static int ur_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	int lo, hi, n = 0;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &lo) == 1 && lo == 0) {
		hi = lo;
		if (fscanf(f, "-%d", &hi) != 1)
			hi = lo;
		if (fgetc(f) == '\n' || feof(f))
			n = hi + 1;
	}
	fclose(f);
	return n > 0 ? n : -1;
}

static void ur_prep_cmd(struct ur_queue *q, struct ur_entry *e, uint32_t op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
	struct ur_cmd_req *cmd;

	/* Never NULL: the ring has room for every entry plus the stop poll,
	 * and each entry has at most one command outstanding. */
	if (!sqe)
		return;
	memset(sqe, 0, 2 * sizeof(*sqe)); /* SQE128 */
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = q->dev_fd;
	sqe->cmd_op = op;
	sqe->addr = (uintptr_t)e->iov;
	sqe->len = 2;
	cmd = (struct ur_cmd_req *)sqe->cmd;
	cmd->qid = q->qid;
	cmd->commit_id = op == UR_CMD_COMMIT_AND_FETCH ? e->unique : 0;
	io_uring_sqe_set_data(sqe, e);
}

static void ur_prep_stop_poll(struct ur_queue *q)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);

	if (!sqe)
		return;
	memset(sqe, 0, 2 * sizeof(*sqe));
	io_uring_prep_poll_add(sqe, q->ur->stop_efd, POLLIN);
	io_uring_sqe_set_data64(sqe, UR_STOP_TAG);
}

/* Serves the request the kernel put in e, and queues its commit. */
/* Makes e's reply a bare header with error (0 or -errno): for a request
 * that is malformed or that gets no reply (a NOTIFY_REPLY), since an
 * entry comes back only through a commit. */
static void ur_reply_bare(struct ur_entry *e, int error)
{
	struct fuse_out_header *out = (void *)e->hdr.in_out;

	memset(out, 0, sizeof(*out));
	out->len = sizeof(*out);
	out->unique = e->unique;
	out->error = error;
	e->hdr.ent.payload_sz = 0;
}

static void ur_serve(struct ur_queue *q, struct ur_entry *e)
{
	struct procfs_uring *ur = q->ur;
	struct fuse_in_header in;
	size_t payload = e->hdr.ent.payload_sz, op_len;
	struct fuse_buf fb;
	char *start;

	__atomic_fetch_add(&ur->served, 1, __ATOMIC_RELAXED);
	memcpy(&in, e->hdr.in_out, sizeof(in));
	e->unique = in.unique;
	e->replied = false;
	/* len counts the header, the op's header (in op_in) and the payload. */
	if (payload > ur->max_payload || in.len < sizeof(in) + payload ||
	    in.len - sizeof(in) - payload > UR_HEADER_OP_SZ) {
		ur_reply_bare(e, -EIO);
		ur_prep_cmd(q, e, UR_CMD_COMMIT_AND_FETCH);
		return;
	}
	op_len = in.len - sizeof(in) - payload;
	start = e->buf + UR_FRONT - op_len - sizeof(in);
	memcpy(start, &in, sizeof(in));
	memcpy(start + sizeof(in), e->hdr.op_in, op_len);
	memset(&fb, 0, sizeof(fb));
	fb.mem = start;
	fb.size = in.len;
	ur_current = e;
	fuse_session_process_buf(ur->se, &fb);
	ur_current = NULL;
	if (!e->replied)
		ur_reply_bare(e, 0);
	ur_prep_cmd(q, e, UR_CMD_COMMIT_AND_FETCH);
}

bool procfs_uring_reply(const struct iovec *iov, int count, ssize_t *res)
{
	struct ur_entry *e = ur_current;
	const struct fuse_out_header *out = iov[0].iov_base;
	struct fuse_out_header *dst;
	size_t off = 0, total = iov[0].iov_len;
	size_t max;

	if (!e || count < 1 || iov[0].iov_len != sizeof(*out) ||
	    out->unique != e->unique || e->replied)
		return false;
	max = e->q->ur->max_payload;
	dst = (void *)e->hdr.in_out;
	memcpy(dst, out, sizeof(*out));
	/* Every out argument goes to the payload, the first one too. */
	for (int i = 1; i < count; i++) {
		if (iov[i].iov_len > max - off) {
			dst->error = -EIO;
			off = 0;
			break;
		}
		memcpy(e->buf + UR_FRONT + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
		total += iov[i].iov_len;
	}
	e->hdr.ent.payload_sz = (uint32_t)off;
	e->replied = true;
	*res = (ssize_t)total;
	return true;
}

static int ur_live_entries(const struct ur_queue *q)
{
	int n = 0;

	for (int i = 0; i < UR_DEPTH; i++)
		n += q->ent[i].live;
	return n;
}

/* The loop: serve what the ring delivers until stopped. Entries come back
 * with -ENOTCONN when the filesystem is unmounted or aborted. */
static void ur_loop(struct ur_queue *q)
{
	struct procfs_uring *ur = q->ur;
	bool stopping = false;
	uint64_t deadline = 0;

	for (int i = 0; i < UR_DEPTH; i++) {
		q->ent[i].live = true;
		ur_prep_cmd(q, &q->ent[i], UR_CMD_REGISTER);
	}
	ur_prep_stop_poll(q);
	while (ur_live_entries(q) > 0) {
		struct __kernel_timespec ts = { .tv_nsec = 100 * 1000 * 1000 };
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int r;

		/* The replies first, then deferred passthrough work while no
		 * request waits: with DEFER_TASKRUN a request shows up as
		 * pending task work (IORING_SQ_TASKRUN), not as a CQE, until
		 * the thread enters the kernel. Without that flag, one step. */
		if (!stopping && procfs_pt_has_idle_work(ur->pt)) {
			io_uring_submit(&q->ring);
			if (!q->taskrun_flag)
				procfs_pt_idle(ur->pt);
			else
				while (!(IO_URING_READ_ONCE(*q->ring.sq.kflags) &
					 IORING_SQ_TASKRUN) &&
				       procfs_pt_idle(ur->pt))
					;
		}
		r = io_uring_submit_and_wait_timeout(&q->ring, &cqe, 1,
						     stopping ? &ts : NULL, NULL);
		if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN &&
		    r != -EBUSY) {
			if (stopping)
				break;
			/* Leaving would strand this CPU's requests: the
			 * kernel routes them here whatever happens. */
			usleep(1000);
			continue;
		}
		io_uring_for_each_cqe(&q->ring, head, cqe) {
			struct ur_entry *e;

			seen++;
			if (cqe->user_data == UR_STOP_TAG) {
				stopping = true;
				deadline = clock_now_ns(CLOCK_MONOTONIC) +
					   UR_STOP_GRACE_NS;
				continue;
			}
			e = io_uring_cqe_get_data(cqe);
			if (cqe->res == 0) {
				e->served = true;
				ur_serve(q, e);
			} else if ((cqe->res == -EAGAIN || cqe->res == -EINTR) &&
				   !stopping && !e->served) {
				/* REGISTER before the kernel finished INIT. */
				ur_prep_cmd(q, e, UR_CMD_REGISTER);
			} else {
				/* A refused REGISTER makes the kernel fall
				 * back to /dev/fuse for good. */
				if (!e->served && !stopping)
					__atomic_store_n(&ur->active, false,
							 __ATOMIC_RELEASE);
				e->live = false;
			}
		}
		io_uring_cq_advance(&q->ring, seen);
		/* Once stopping, wait a little for the kernel to give the
		 * entries back (the unmount aborts them); what it keeps is
		 * cancelled when the ring closes. */
		if (stopping && clock_now_ns(CLOCK_MONOTONIC) >= deadline) {
			io_uring_submit(&q->ring); /* the last replies */
			break;
		}
	}
}

static void *ur_thread(void *arg)
{
	struct ur_queue *q = arg;
	struct procfs_uring *ur = q->ur;
	struct io_uring_params p;
	cpu_set_t cpus;
	char name[16];
	bool go;
	int err;

	snprintf(name, sizeof(name), "sentry-ring%u", q->qid % 10000u);
	pthread_setname_np(pthread_self(), name);
	/* On its CPU, so a request and its reply never cross CPUs; if the
	 * CPU is not ours to use, it still works, only slower. */
	CPU_ZERO(&cpus);
	CPU_SET(q->qid, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	/* SCHED_BATCH: the same share of the CPU as nice 0, but a wakeup
	 * does not preempt the running task. A reader's close queues an
	 * asynchronous RELEASE; at nice 0 that wakeup switched to this
	 * thread and back before the reader's next open, at SCHED_BATCH
	 * both are served in the one switch the open needs anyway. An
	 * open+read+close of tasks/1/status in a loop: 22-23 µs -> 19 µs,
	 * and the same with both CPUs busy with spinning shells. */
	sched_setscheduler(0, SCHED_BATCH, &(struct sched_param){ 0 });
	/* The ring is this thread's alone: completions run as task work
	 * when it waits, not as interrupts of whatever it was doing. */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128 | IORING_SETUP_SINGLE_ISSUER |
		  IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
	err = io_uring_queue_init_params(2 * UR_DEPTH + 2, &q->ring, &p);
	q->taskrun_flag = err == 0;
	if (err == -EINVAL) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_SQE128;
		err = io_uring_queue_init_params(2 * UR_DEPTH + 2, &q->ring,
						 &p);
	}
	pthread_mutex_lock(&ur->mu);
	if (err < 0)
		ur->nr_failed++;
	else
		ur->nr_ready++;
	pthread_cond_broadcast(&ur->cv);
	while (ur->state == UR_WAIT)
		pthread_cond_wait(&ur->cv, &ur->mu);
	go = ur->state == UR_GO && err == 0;
	pthread_mutex_unlock(&ur->mu);
	if (go) {
		rcu_register_thread();
		ur_loop(q);
		rcu_unregister_thread();
	}
	if (err == 0)
		io_uring_queue_exit(&q->ring);
	return NULL;
}

static void ur_free_buffers(struct procfs_uring *ur)
{
	for (int i = 0; i < ur->nr_queues; i++) {
		for (int j = 0; j < UR_DEPTH; j++) {
			free(ur->queues[i].ent[j].buf);
			ur->queues[i].ent[j].buf = NULL;
		}
	}
}

static void ur_free(struct procfs_uring *ur)
{
	ur_free_buffers(ur);
	for (int i = 0; i < ur->nr_queues; i++)
		if (ur->queues[i].dev_fd >= 0)
			close(ur->queues[i].dev_fd);
	free(ur->queues);
	if (ur->stop_efd >= 0)
		close(ur->stop_efd);
	pthread_mutex_destroy(&ur->mu);
	pthread_cond_destroy(&ur->cv);
	free(ur);
}

static void ur_end_threads(struct procfs_uring *ur, int state)
{
	uint64_t one = 1;

	pthread_mutex_lock(&ur->mu);
	if (ur->state == UR_WAIT)
		ur->state = state;
	pthread_cond_broadcast(&ur->cv);
	pthread_mutex_unlock(&ur->mu);
	if (write(ur->stop_efd, &one, sizeof(one)) < 0) {
		/* Only on overflow: already signalled. */
	}
	for (int i = 0; i < ur->nr_queues; i++)
		if (ur->queues[i].thread_started)
			pthread_join(ur->queues[i].thread, NULL);
}

int procfs_uring_prepare(struct fuse_session *se, struct procfs_pt *pt,
			 struct procfs_uring **out)
{
	struct procfs_uring *ur;
	int n = ur_possible_cpus(), err = 0;

	*out = NULL;
	if (n <= 0 || n > 4096)
		return -ENOTSUP;
	ur = calloc(1, sizeof(*ur));
	if (!ur)
		return -ENOMEM;
	ur->se = se;
	ur->pt = pt;
	pthread_mutex_init(&ur->mu, NULL);
	pthread_cond_init(&ur->cv, NULL);
	ur->stop_efd = eventfd(0, EFD_CLOEXEC);
	ur->queues = calloc((size_t)n, sizeof(*ur->queues));
	if (ur->stop_efd < 0 || !ur->queues) {
		ur_free(ur);
		return -ENOMEM;
	}
	ur->nr_queues = n;
	for (int i = 0; i < n; i++) {
		ur->queues[i].ur = ur;
		ur->queues[i].qid = (uint16_t)i;
		ur->queues[i].dev_fd = -1;
	}
	for (int i = 0; i < n && err == 0; i++) {
		struct ur_queue *q = &ur->queues[i];

		/* Its own descriptor, so that the session closing its own
		 * at unmount does not cut the ring off before the kernel has
		 * given the entries back. */
		q->dev_fd = fcntl(fuse_session_fd(se), F_DUPFD_CLOEXEC, 0);
		if (q->dev_fd < 0) {
			err = -errno;
			break;
		}
		err = -pthread_create(&q->thread, NULL, ur_thread, q);
		q->thread_started = err == 0;
	}
	pthread_mutex_lock(&ur->mu);
	while (err == 0 && ur->nr_ready + ur->nr_failed < n)
		pthread_cond_wait(&ur->cv, &ur->mu);
	if (err == 0 && ur->nr_failed)
		err = -ENOTSUP; /* io_uring disabled, or no SQE128 */
	pthread_mutex_unlock(&ur->mu);
	if (err < 0) {
		ur_end_threads(ur, UR_END);
		ur_free(ur);
		return err;
	}
	*out = ur;
	return 0;
}

bool procfs_uring_offer(struct procfs_uring *ur, size_t max_payload)
{
	if (!ur)
		return false;
	for (int i = 0; i < ur->nr_queues; i++) {
		for (int j = 0; j < UR_DEPTH; j++) {
			struct ur_entry *e = &ur->queues[i].ent[j];

			e->q = &ur->queues[i];
			e->buf = malloc(UR_FRONT + max_payload);
			if (!e->buf) {
				ur_free_buffers(ur);
				return false;
			}
			e->iov[0].iov_base = &e->hdr;
			e->iov[0].iov_len = sizeof(e->hdr);
			e->iov[1].iov_base = e->buf + UR_FRONT;
			e->iov[1].iov_len = max_payload;
		}
	}
	ur->max_payload = max_payload;
	return true;
}

void procfs_uring_start(struct procfs_uring *ur, bool accepted)
{
	if (!ur)
		return;
	pthread_mutex_lock(&ur->mu);
	ur->state = accepted ? UR_GO : UR_END;
	pthread_cond_broadcast(&ur->cv);
	pthread_mutex_unlock(&ur->mu);
	__atomic_store_n(&ur->active, accepted, __ATOMIC_RELEASE);
}

bool procfs_uring_active(const struct procfs_uring *ur)
{
	return ur && __atomic_load_n(&ur->active, __ATOMIC_ACQUIRE);
}

int procfs_uring_queues(const struct procfs_uring *ur)
{
	return procfs_uring_active(ur) ? ur->nr_queues : 0;
}

unsigned long procfs_uring_served(const struct procfs_uring *ur)
{
	return ur ? __atomic_load_n(&ur->served, __ATOMIC_RELAXED) : 0;
}

void procfs_uring_stop(struct procfs_uring *ur)
{
	if (!ur)
		return;
	__atomic_store_n(&ur->active, false, __ATOMIC_RELEASE);
	ur_end_threads(ur, UR_END);
	ur_free(ur);
}
