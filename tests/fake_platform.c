/*
 * This file implements the fake platform of the unit tests (see
 * fake_platform.h): fake address spaces, call records, and the helpers that
 * drive the kernel's entry points the way the ptrace platform does.
 */
#include "fake_platform.h"

#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/snapshot.h"

struct fake_region {
	struct fake_region *next;
	pid_t tid;
	uint64_t addr;
	size_t len;
	unsigned char *buf;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

static struct fake_platform *fake_of(struct platform *p)
{
	return (struct fake_platform *)p;
}

/* Finds the region of tid's memory holding addr. */
static struct fake_region *fake_region_find(struct fake_platform *fp,
					    pid_t tid, uint64_t addr)
{
	for (struct fake_region *r = fp->regions; r; r = r->next)
		if ((r->tid == tid || r->tid == FAKE_ANY_TID) &&
		    addr >= r->addr && addr - r->addr < r->len)
			return r;
	return NULL;
}

/* Copies between buf and tid's memory, region by region. Returns the
 * bytes copied (short at an unmapped byte), or -EFAULT when none is. */
static ssize_t fake_mem_copy(struct fake_platform *fp, pid_t tid,
			     uint64_t addr, void *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		struct fake_region *r = fake_region_find(fp, tid, addr + done);
		size_t off, n;

		if (!r)
			break;
		off = addr + done - r->addr;
		n = r->len - off;
		if (n > len - done)
			n = len - done;
		if (write)
			memcpy(r->buf + off, (char *)buf + done, n);
		else
			memcpy((char *)buf + done, r->buf + off, n);
		done += n;
	}
	return done ? (ssize_t)done : (len ? -EFAULT : 0);
}

static ssize_t fake_read_mem(struct platform *p, struct task *t,
			     uint64_t addr, void *buf, size_t len)
{
	struct fake_platform *fp = fake_of(p);

	if (fp->read_mem_err)
		return fp->read_mem_err;
	return fake_mem_copy(fp, t->tid, addr, buf, len, false);
}

static ssize_t fake_write_mem(struct platform *p, struct task *t,
			      uint64_t addr, const void *buf, size_t len)
{
	struct fake_platform *fp = fake_of(p);

	if (fp->write_mem_err)
		return fp->write_mem_err;
	return fake_mem_copy(fp, t->tid, addr, (void *)buf, len, true);
}

/* Serialises fake_record(): the platform is called from several threads
 * at once (two debugger clients pausing together). */
static pthread_mutex_t record_mu = PTHREAD_MUTEX_INITIALIZER;

static void fake_record(struct fake_platform *fp, enum fake_call_kind kind,
			struct task *t, int sig, bool group)
{
	pthread_mutex_lock(&record_mu);
	if (fp->nr_calls == fp->cap_calls) {
		size_t cap = fp->cap_calls ? fp->cap_calls * 2 : 32;
		struct fake_call *v = realloc(fp->calls, cap * sizeof(*v));

		if (!v)
			abort();
		fp->calls = v;
		fp->cap_calls = cap;
	}
	fp->calls[fp->nr_calls++] = (struct fake_call){
		.kind = kind, .tid = t ? t->tid : 0, .sig = sig,
		.group = group,
	};
	pthread_mutex_unlock(&record_mu);
}

static int fake_interrupt(struct platform *p, struct task *t)
{
	struct fake_platform *fp = fake_of(p);

	fake_record(fp, FAKE_CALL_INTERRUPT, t, 0, false);
	return fp->interrupt_err;
}

static int fake_release(struct platform *p, struct task *t)
{
	fake_record(fake_of(p), FAKE_CALL_RELEASE, t, 0, false);
	return 0;
}

static int fake_quiesce(struct platform *p, int timeout_ms)
{
	struct fake_platform *fp = fake_of(p);

	fake_record(fp, FAKE_CALL_QUIESCE, NULL, 0, false);
	return fp->quiesce_err;
}

static int fake_notify_signal(struct platform *p, struct task *t, int sig,
			      bool group)
{
	fake_record(fake_of(p), FAKE_CALL_NOTIFY_SIGNAL, t, sig, group);
	return 0;
}

static int fake_get_regs(struct platform *p, struct task *t,
			 struct user_regs_struct *regs)
{
	/* A recognisable register file: rip names the task. */
	memset(regs, 0, sizeof(*regs));
	regs->rip = 0x1000u + (unsigned)t->tid;
	return 0;
}

static int fake_backtrace(struct platform *p, struct task *t, char *buf,
			  size_t len)
{
	snprintf(buf, len, "#0 0x%x in fake_frame_of_%d ()\n",
		 0x1000u + (unsigned)t->tid, (int)t->tid);
	return 0;
}

static int fake_read_sigmask(struct platform *p, struct task *t,
			     uint64_t *mask)
{
	struct fake_platform *fp = fake_of(p);

	pthread_mutex_lock(&record_mu);
	fp->nr_sigmask_reads++;
	*mask = (size_t)t->tid < fp->nr_host_sigmasks
			? fp->host_sigmasks[t->tid]
			: 0;
	pthread_mutex_unlock(&record_mu);
	return fp->read_sigmask_err;
}

void fake_set_host_sigmask(struct fake_platform *fp, pid_t tid,
			   uint64_t mask)
{
	pthread_mutex_lock(&record_mu);
	if ((size_t)tid >= fp->nr_host_sigmasks) {
		size_t n = (size_t)tid + 1;
		uint64_t *v = realloc(fp->host_sigmasks, n * sizeof(*v));

		if (!v)
			abort();
		memset(v + fp->nr_host_sigmasks, 0,
		       (n - fp->nr_host_sigmasks) * sizeof(*v));
		fp->host_sigmasks = v;
		fp->nr_host_sigmasks = n;
	}
	fp->host_sigmasks[tid] = mask;
	pthread_mutex_unlock(&record_mu);
}

static int fake_read_limits(struct platform *p, struct task *t,
			    struct rlimit *limits)
{
	struct fake_platform *fp = fake_of(p);

	pthread_mutex_lock(&record_mu);
	fp->nr_limit_reads++;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		limits[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	if ((size_t)t->tid < fp->nr_host_nofile)
		limits[RLIMIT_NOFILE] = fp->host_nofile[t->tid];
	pthread_mutex_unlock(&record_mu);
	return 0;
}

void fake_set_host_nofile(struct fake_platform *fp, pid_t tid, rlim_t cur,
			  rlim_t max)
{
	pthread_mutex_lock(&record_mu);
	if ((size_t)tid >= fp->nr_host_nofile) {
		size_t n = (size_t)tid + 1;
		struct rlimit *v = realloc(fp->host_nofile, n * sizeof(*v));

		if (!v)
			abort();
		for (size_t i = fp->nr_host_nofile; i < n; i++)
			v[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
		fp->host_nofile = v;
		fp->nr_host_nofile = n;
	}
	fp->host_nofile[tid] = (struct rlimit){ cur, max };
	pthread_mutex_unlock(&record_mu);
}

static void fake_release_affinity(struct platform *p, struct task *t)
{
	struct fake_platform *fp = fake_of(p);

	pthread_mutex_lock(&record_mu);
	if (fp->nr_affinity_released < 16)
		fp->affinity_released[fp->nr_affinity_released++] = t->tid;
	pthread_mutex_unlock(&record_mu);
}

static int fake_wake(struct platform *p, struct task *t)
{
	fake_record(fake_of(p), FAKE_CALL_WAKE, t, 0, false);
	return 0;
}

/* Preconditions: record_mu held. */
static struct fake_tracee *fake_tracee_locked(struct fake_platform *fp,
					      pid_t tid)
{
	struct fake_tracee *v;

	for (size_t i = 0; i < fp->nr_tracees; i++)
		if (fp->tracees[i].tid == tid)
			return &fp->tracees[i];
	v = realloc(fp->tracees, (fp->nr_tracees + 1) * sizeof(*v));
	if (!v)
		abort();
	fp->tracees = v;
	v = &fp->tracees[fp->nr_tracees++];
	memset(v, 0, sizeof(*v));
	v->tid = tid;
	v->regs.rip = 0x1000u + (unsigned)tid;
	return v;
}

struct fake_tracee *fake_tracee(struct fake_platform *fp, pid_t tid)
{
	struct fake_tracee *v;

	pthread_mutex_lock(&record_mu);
	v = fake_tracee_locked(fp, tid);
	pthread_mutex_unlock(&record_mu);
	return v;
}

static long fake_tracee_access(struct platform *p, struct task *t, long req,
			       uint64_t addr, void *data)
{
	struct fake_platform *fp = fake_of(p);
	struct fake_tracee *tr;
	struct iovec *iov = data;
	long ret = 0;

	pthread_mutex_lock(&record_mu);
	fp->nr_tracee_access++;
	if (fp->tracee_access_err) {
		pthread_mutex_unlock(&record_mu);
		return fp->tracee_access_err;
	}
	tr = fake_tracee_locked(fp, t->tid);
	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		if (fake_mem_copy(fp, t->tid, addr, data, sizeof(long),
				  req == PTRACE_POKETEXT ||
					  req == PTRACE_POKEDATA) !=
		    (ssize_t)sizeof(long))
			ret = -EIO;
		break;
	case PTRACE_PEEKUSER:
	case PTRACE_POKEUSER:
		if (addr % sizeof(long) || addr >= sizeof(tr->regs))
			ret = -EIO;
		else if (req == PTRACE_PEEKUSER)
			memcpy(data, (char *)&tr->regs + addr, sizeof(long));
		else
			memcpy((char *)&tr->regs + addr, data, sizeof(long));
		break;
	case PTRACE_GETREGS:
		memcpy(data, &tr->regs, sizeof(tr->regs));
		break;
	case PTRACE_SETREGS:
		memcpy(&tr->regs, data, sizeof(tr->regs));
		break;
	case PTRACE_GETFPREGS:
		memcpy(data, &tr->fpregs, sizeof(tr->fpregs));
		break;
	case PTRACE_SETFPREGS:
		memcpy(&tr->fpregs, data, sizeof(tr->fpregs));
		break;
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		if (addr != 1 /* NT_PRSTATUS */) {
			ret = -EINVAL;
			break;
		}
		if (iov->iov_len > sizeof(tr->regs))
			iov->iov_len = sizeof(tr->regs);
		if (req == PTRACE_GETREGSET)
			memcpy(iov->iov_base, &tr->regs, iov->iov_len);
		else
			memcpy(&tr->regs, iov->iov_base, iov->iov_len);
		break;
	case PTRACE_GETSIGMASK:
		*(uint64_t *)data = (size_t)t->tid < fp->nr_host_sigmasks
					    ? fp->host_sigmasks[t->tid]
					    : 0;
		break;
	case PTRACE_SETSIGMASK:
		pthread_mutex_unlock(&record_mu);
		fake_set_host_sigmask(fp, t->tid, *(uint64_t *)data);
		return 0;
	case PTRACE_GET_SYSCALL_INFO: {
		struct __ptrace_syscall_info *si = data;

		memset(si, 0, sizeof(*si));
		si->op = PTRACE_SYSCALL_INFO_NONE;
		ret = (long)offsetof(struct __ptrace_syscall_info, entry);
		break;
	}
	default:
		ret = -EIO;
	}
	pthread_mutex_unlock(&record_mu);
	return ret;
}

struct fake_host_thread *fake_host_thread(struct fake_platform *fp,
					  pid_t host_tid)
{
	struct fake_host_thread *h;

	for (size_t i = 0; i < fp->nr_host_threads; i++)
		if (fp->host_threads[i].host_tid == host_tid)
			return &fp->host_threads[i];
	h = realloc(fp->host_threads,
		    sizeof(*h) * (fp->nr_host_threads + 1));
	if (!h)
		abort();
	fp->host_threads = h;
	h = &h[fp->nr_host_threads++];
	memset(h, 0, sizeof(*h));
	h->host_tid = host_tid;
	h->st.state = 'R';
	h->st.nr = -1;
	return h;
}

void fake_host_asleep(struct fake_platform *fp, pid_t host_tid, long nr,
		      uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct fake_host_thread *h = fake_host_thread(fp, host_tid);

	h->st.state = 'S';
	h->st.nr = nr;
	h->st.args[0] = a0;
	h->st.args[1] = a1;
	h->st.args[2] = a2;
	h->st.args[3] = a3;
}

void fake_host_fd(struct fake_platform *fp, pid_t host_tid, int fd,
		  const char *target, bool readable, bool writable)
{
	struct fake_host_thread *h = fake_host_thread(fp, host_tid);
	struct host_fd *f;
	unsigned long long ino;

	if (h->nr_fds == (int)(sizeof(h->fds) / sizeof(h->fds[0])))
		abort();
	f = &h->fds[h->nr_fds++];
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->readable = readable;
	f->writable = writable;
	snprintf(f->target, sizeof(f->target), "%s", target);
	if (sscanf(target, "pipe:[%llu]", &ino) == 1) {
		f->kind = HOST_FD_PIPE;
		f->ino = ino;
	} else if (sscanf(target, "socket:[%llu]", &ino) == 1) {
		f->kind = HOST_FD_SOCKET;
		f->ino = ino;
	} else {
		f->kind = HOST_FD_FILE;
	}
}

static struct fake_host_thread *host_thread_find(struct fake_platform *fp,
						 pid_t host_tid)
{
	for (size_t i = 0; i < fp->nr_host_threads; i++)
		if (fp->host_threads[i].host_tid == host_tid)
			return &fp->host_threads[i];
	return NULL;
}

static int fake_read_host_state(struct platform *p, pid_t host_tid,
				unsigned what, struct host_thread_state *out)
{
	(void)what;
	struct fake_host_thread *h = host_thread_find(fake_of(p), host_tid);

	if (!h) {
		memset(out, 0, sizeof(*out));
		out->state = 'R';
		out->nr = -1;
		return 0;
	}
	h->st.runs += h->runs_step;
	*out = h->st;
	return 0;
}

static int fake_read_host_fds(struct platform *p, pid_t host_tid,
			      struct host_fd **out)
{
	struct fake_host_thread *h = host_thread_find(fake_of(p), host_tid);
	int n = h ? h->nr_fds : 0;

	*out = xcalloc((size_t)n, sizeof(**out));
	if (n)
		memcpy(*out, h->fds, sizeof(**out) * (size_t)n);
	return n;
}

static int fake_read_unix_peers(struct platform *p,
				struct host_unix_peer **out)
{
	struct fake_platform *fp = fake_of(p);

	*out = xcalloc((size_t)fp->nr_peers, sizeof(**out));
	if (fp->nr_peers)
		memcpy(*out, fp->peers, sizeof(**out) * (size_t)fp->nr_peers);
	return fp->nr_peers;
}

static const struct platform_ops fake_ops = {
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.interrupt = fake_interrupt,
	.quiesce = fake_quiesce,
	.release = fake_release,
	.notify_signal = fake_notify_signal,
	.get_regs = fake_get_regs,
	.backtrace = fake_backtrace,
	.read_sigmask = fake_read_sigmask,
	.read_limits = fake_read_limits,
	.release_affinity = fake_release_affinity,
	.wake = fake_wake,
	.tracee_access = fake_tracee_access,
	.read_host_state = fake_read_host_state,
	.read_host_fds = fake_read_host_fds,
	.read_unix_peers = fake_read_unix_peers,
};

struct fake_platform *fake_platform_new(void)
{
	struct fake_platform *fp = xcalloc(1, sizeof(*fp));

	fp->base.ops = &fake_ops;
	fp->next_addr = 0x10000;
	return fp;
}

void fake_platform_free(struct fake_platform *fp)
{
	struct fake_region *r, *next;

	if (!fp)
		return;
	for (r = fp->regions; r; r = next) {
		next = r->next;
		free(r->buf);
		free(r);
	}
	free(fp->calls);
	free(fp->host_sigmasks);
	free(fp->host_nofile);
	free(fp->tracees);
	free(fp->host_threads);
	free(fp);
}

void fake_mem_map(struct fake_platform *fp, pid_t tid, uint64_t addr,
		  const void *buf, size_t len)
{
	struct fake_region *r = xcalloc(1, sizeof(*r));

	r->tid = tid;
	r->addr = addr;
	r->len = len;
	r->buf = xcalloc(1, len);
	if (buf)
		memcpy(r->buf, buf, len);
	r->next = fp->regions;
	fp->regions = r;
}

uint64_t fake_mem_push(struct fake_platform *fp, pid_t tid, const void *buf,
		       size_t len)
{
	uint64_t addr = fp->next_addr;

	fake_mem_map(fp, tid, addr, buf, len);
	/* Leave an unmapped gap after each region so overruns fault. */
	fp->next_addr += (len + 4095 + 4096) & ~(uint64_t)4095;
	return addr;
}

uint64_t fake_mem_push_str(struct fake_platform *fp, pid_t tid,
			   const char *s)
{
	return fake_mem_push(fp, tid, s, strlen(s) + 1);
}

uint64_t fake_mem_push_argv(struct fake_platform *fp, pid_t tid,
			    const char *const argv[])
{
	size_t n = 0;
	uint64_t *ptrs, addr;

	while (argv[n])
		n++;
	ptrs = xcalloc(n + 1, sizeof(*ptrs));
	for (size_t i = 0; i < n; i++)
		ptrs[i] = fake_mem_push_str(fp, tid, argv[i]);
	addr = fake_mem_push(fp, tid, ptrs, (n + 1) * sizeof(*ptrs));
	free(ptrs);
	return addr;
}

bool fake_mem_peek(struct fake_platform *fp, pid_t tid, uint64_t addr,
		   void *buf, size_t len)
{
	return fake_mem_copy(fp, tid, addr, buf, len, false) == (ssize_t)len;
}

size_t fake_calls(const struct fake_platform *fp, enum fake_call_kind kind,
		  pid_t tid)
{
	size_t n = 0;

	for (size_t i = 0; i < fp->nr_calls; i++)
		if (fp->calls[i].kind == kind &&
		    (tid == FAKE_ANY_TID || fp->calls[i].tid == tid))
			n++;
	return n;
}

void fake_calls_clear(struct fake_platform *fp)
{
	fp->nr_calls = 0;
}

enum sc_action fake_syscall(struct kernel *k, struct task *t,
			    struct syscall_frame *f, long nr, uint64_t a0,
			    uint64_t a1, uint64_t a2, uint64_t a3,
			    uint64_t a4, uint64_t a5)
{
	memset(f, 0, sizeof(*f));
	f->nr = nr;
	f->args[0] = a0;
	f->args[1] = a1;
	f->args[2] = a2;
	f->args[3] = a3;
	f->args[4] = a4;
	f->args[5] = a5;
	/* A value no handler answers with, to catch unset results. */
	f->ret = -4095;
	return kernel_syscall_enter(k, t, f);
}

void fake_syscall_exit(struct kernel *k, struct task *t,
		       struct syscall_frame *f, long ret)
{
	f->ret = ret;
	kernel_syscall_exit(k, t, f);
}

long fake_syscall_full(struct kernel *k, struct task *t, long nr,
		       uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       long host_ret)
{
	struct syscall_frame f;

	switch (fake_syscall(k, t, &f, nr, a0, a1, a2, a3, 0, 0)) {
	case SC_RETURN:
		return f.ret;
	case SC_HOST_EXIT:
		fake_syscall_exit(k, t, &f, host_ret);
		return host_ret;
	case SC_HOST:
	default:
		/* The host's own answer where the kernel relies on it being
		 * the same as its own: TIDs are coherent (DESIGN §2). */
		if (nr == SYS_getpid)
			return task_tgid(t);
		if (nr == SYS_gettid)
			return t->tid;
		return host_ret;
	}
}

struct task *fake_start_init(struct kernel *k, const char *argv0)
{
	struct task *t = NULL;

	if (kernel_start_init(k, 1001, INIT_NEW_SESSION, argv0,
			      strlen(argv0) + 1, &t) < 0)
		abort();
	return t;
}

struct task *fake_clone(struct kernel *k, struct task *parent,
			unsigned long flags, int exit_signal, pid_t tid)
{
	struct syscall_frame f;
	struct task *child = NULL;

	if (fake_syscall(k, parent, &f, SYS_clone,
			 flags | (unsigned long)(exit_signal & 0xff), 0, 0, 0,
			 0, 0) != SC_HOST)
		abort();
	if (task_clone(k, parent, tid, tid + 1000, &child) < 0)
		abort();
	return child;
}

struct task *fake_fork(struct kernel *k, struct task *parent, pid_t tid)
{
	struct syscall_frame f;
	struct task *child = NULL;

	/* fork(2) is not trapped: the host's fork event names it. */
	(void)f;
	task_clone_note_fork(parent, false);
	if (task_clone(k, parent, tid, tid + 1000, &child) < 0)
		abort();
	return child;
}

uint64_t fake_mem_push_exec_stack_ids(struct fake_platform *fp, pid_t tid,
				      const char *path,
				      const char *const argv[],
				      const uint32_t *ids)
{
	static const char env[] = "LANG=C";
	size_t argc = 0, nwords, strs = 0, off, a;
	uint64_t base = fp->next_addr, *w, envp0, execfn;
	char *mem;

	while (argv[argc])
		strs += strlen(argv[argc++]) + 1;
	/* argc, argv[], NULL, envp[0], NULL, AT_EXECFN pair, the four
	 * credential pairs, AT_NULL pair */
	nwords = argc + 8 + (ids ? 8 : 0);
	strs += sizeof(env) + strlen(path) + 1;
	mem = xcalloc(1, nwords * 8 + strs);
	w = (uint64_t *)mem;
	off = nwords * 8;
	w[0] = argc;
	for (size_t i = 0; i < argc; i++) {
		w[1 + i] = base + off;
		strcpy(mem + off, argv[i]);
		off += strlen(argv[i]) + 1;
	}
	envp0 = base + off;
	memcpy(mem + off, env, sizeof(env));
	off += sizeof(env);
	execfn = base + off;
	strcpy(mem + off, path);
	w[argc + 2] = envp0;
	a = argc + 4;
	if (ids) {
		for (int i = 0; i < 4; i++) {
			w[a++] = 11 + (uint64_t)i; /* AT_UID, AT_EUID, AT_GID, AT_EGID */
			w[a++] = ids[i];
		}
	}
	w[a++] = 31; /* AT_EXECFN */
	w[a++] = execfn;
	if (fake_mem_push(fp, tid, mem, nwords * 8 + strs) != base)
		abort();
	free(mem);
	return base;
}

uint64_t fake_mem_push_exec_stack(struct fake_platform *fp, pid_t tid,
				  const char *path, const char *const argv[])
{
	return fake_mem_push_exec_stack_ids(fp, tid, path, argv, NULL);
}

struct task *fake_exec(struct fake_platform *fp, struct kernel *k,
		       struct task *t, const char *path,
		       const char *const argv[])
{
	uint64_t sp = fake_mem_push_exec_stack(fp, t->tid, path, argv);

	if (task_exec_capture(k, t, sp) != 0)
		abort();
	return task_exec(k, t);
}

void fake_exit(struct kernel *k, struct task *t, int status)
{
	task_exit_begin(k, t, status);
	task_exit_finish(k, t, status);
}

/*
 * Heap accounting. Test binaries link with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=free (tests/kernel/CMakeLists.txt), which sends
 * every allocation of the kernel library, the fake and the tests through
 * the wrappers below (as SSSD's tests mock host calls). Libraries linked
 * dynamically (liburcu, jansson, cmocka) keep their own malloc; a free() of
 * a block they allocated is not one we track and is ignored. Without the
 * wrap the weak __real_ symbols are NULL and no accounting happens.
 */
extern void *__real_malloc(size_t n) __attribute__((weak));
extern void *__real_calloc(size_t n, size_t size) __attribute__((weak));
extern void *__real_realloc(void *p, size_t n) __attribute__((weak));
extern void __real_free(void *p) __attribute__((weak));

static pthread_mutex_t heap_mu = PTHREAD_MUTEX_INITIALIZER;
static struct heap_slot {
	void *p;      /* NULL: empty; HEAP_TOMB: deleted */
	size_t size;
} *heap_slots;
static size_t heap_cap, heap_used; /* used counts live and tombstones */
static long heap_bytes;            /* protected by heap_mu */
#define HEAP_TOMB ((void *)1)

static size_t heap_hash(const void *p, size_t cap)
{
	return (size_t)(((uintptr_t)p >> 4) * 11400714819323198485ull) &
	       (cap - 1);
}

/* Preconditions: heap_mu held. */
static void heap_insert_locked(void *p, size_t size);

static void heap_grow_locked(void)
{
	struct heap_slot *old = heap_slots;
	size_t old_cap = heap_cap;

	heap_cap = heap_cap ? heap_cap * 2 : 4096;
	heap_slots = __real_calloc(heap_cap, sizeof(*heap_slots));
	if (!heap_slots)
		abort();
	heap_used = 0;
	heap_bytes = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].p && old[i].p != HEAP_TOMB)
			heap_insert_locked(old[i].p, old[i].size);
	__real_free(old);
}

static void heap_insert_locked(void *p, size_t size)
{
	size_t i;

	if ((heap_used + 1) * 2 > heap_cap)
		heap_grow_locked();
	for (i = heap_hash(p, heap_cap); heap_slots[i].p &&
					 heap_slots[i].p != HEAP_TOMB;
	     i = (i + 1) & (heap_cap - 1))
		;
	if (!heap_slots[i].p)
		heap_used++;
	heap_slots[i].p = p;
	heap_slots[i].size = size;
	heap_bytes += (long)size;
}

static void heap_remove_locked(void *p)
{
	if (!heap_cap)
		return;
	for (size_t i = heap_hash(p, heap_cap); heap_slots[i].p;
	     i = (i + 1) & (heap_cap - 1)) {
		if (heap_slots[i].p == p) {
			heap_bytes -= (long)heap_slots[i].size;
			heap_slots[i].p = HEAP_TOMB;
			return;
		}
	}
}

static void heap_track(void *old, void *p, size_t size)
{
	pthread_mutex_lock(&heap_mu);
	if (old)
		heap_remove_locked(old);
	if (p)
		heap_insert_locked(p, size);
	pthread_mutex_unlock(&heap_mu);
}

void *__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);

	heap_track(NULL, p, n);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);

	heap_track(NULL, p, n * size);
	return p;
}

void *__wrap_realloc(void *old, size_t n)
{
	void *p = __real_realloc(old, n);

	if (p || n == 0)
		heap_track(old, p, n);
	return p;
}

void __wrap_free(void *p)
{
	if (p)
		heap_track(p, NULL, 0);
	__real_free(p);
}

long fake_heap_in_use(void)
{
	long n;

	if (!__real_malloc)
		return -1;
	pthread_mutex_lock(&heap_mu);
	n = heap_bytes;
	pthread_mutex_unlock(&heap_mu);
	return n;
}

/* Has tg's parent reap it with wait4(tgid, NULL, __WALL). */
static void fake_reap_zombie(struct kernel *k, struct thread_group *tg)
{
	struct task *waiter = NULL, *t;
	struct syscall_frame f;

	cds_list_for_each_entry(t, &tg->parent->tasks, tg_node)
		if (t->exit_state < TASK_EXIT_ZOMBIE) {
			waiter = t;
			break;
		}
	if (!waiter)
		return;
	if (fake_syscall(k, waiter, &f, SYS_wait4, (uint64_t)tg->tgid, 0,
			 __WALL, 0, 0, 0) == SC_HOST_EXIT)
		fake_syscall_exit(k, waiter, &f, tg->tgid);
}

/* Reaps one zombie thread group that has a parent. Returns whether it
 * found one. */
static bool fake_reap_one_zombie(struct kernel *k)
{
	pid_t *tgids;
	int n = ts_list_tids(k, true, &tgids);
	bool found = false;

	for (int i = 0; i < n && !found; i++) {
		struct task *t = task_get_by_tid(k, tgids[i]);

		if (!t)
			continue;
		if (t->tg->state == TG_ZOMBIE && t->tg->parent) {
			fake_reap_zombie(k, t->tg);
			found = true;
		}
		task_put(t);
	}
	if (n >= 0)
		free(tgids);
	return found;
}

void fake_world_exit_all(struct kernel *k)
{
	pid_t *tids;
	int n;

	/* Nobody waits from here on: zombies are reaped as they appear, and
	 * groups that ignore SIGCHLD have theirs released at once. */
	n = ts_list_tids(k, true, &tids);
	for (int i = 0; i < n; i++) {
		struct task *t = task_get_by_tid(k, tids[i]);

		if (!t)
			continue;
		task_lock_signals(t);
		t->tg->sighand->actions[SIGCHLD - 1].handler =
			(uint64_t)(uintptr_t)SIG_IGN;
		task_unlock_signals(t);
		task_put(t);
	}
	if (n >= 0)
		free(tids);

	/* Newest first, so init goes last; a leader after its threads. */
	for (;;) {
		struct task *victim = NULL;

		while (fake_reap_one_zombie(k))
			;
		n = ts_list_tids(k, false, &tids);
		for (int i = n - 1; i >= 0 && !victim; i--) {
			struct task *t = task_get_by_tid(k, tids[i]);

			if (!t)
				continue;
			if (t->exit_state < TASK_EXIT_ZOMBIE &&
			    (t->tg->nr_tasks == 1 || t->tg->leader != t))
				victim = t;
			else
				task_put(t);
		}
		if (n >= 0)
			free(tids);
		if (!victim)
			break;
		fake_exit(k, victim, 0);
		task_put(victim);
	}
}

int fake_group_setup(void **state)
{
	struct fake_world *w;

	rcu_register_thread();
	/* liburcu allocates its call_rcu worker on first use. */
	fake_world_setup((void **)&w);
	fake_world_teardown(w);
	return 0;
}

int fake_group_teardown(void **state)
{
	rcu_barrier();
	rcu_unregister_thread();
	return 0;
}

int fake_world_setup(void **state)
{
	struct fake_world *w = xcalloc(1, sizeof(*w));

	w->k = xcalloc(1, sizeof(*w->k));
	w->heap_before = fake_heap_in_use();
	w->fp = fake_platform_new();
	if (kernel_init(w->k, &w->fp->base, "test") < 0)
		abort();
	w->init = fake_start_init(w->k, "init");
	*state = w;
	return 0;
}

long fake_world_teardown(struct fake_world *w)
{
	long after, leaked = 0;

	fake_world_exit_all(w->k);
	kernel_destroy(w->k);
	rcu_barrier();
	fake_platform_free(w->fp);
	after = fake_heap_in_use();
	if (w->heap_before >= 0 && after >= 0 && after > w->heap_before)
		leaked = after - w->heap_before;
	free(w->k);
	free(w);
	return leaked;
}

int fake_tg_state(struct kernel *k, pid_t tgid)
{
	struct tg_snap s;
	int err = tg_snapshot(k, tgid, &s);

	if (err < 0)
		return err;
	tg_snap_free(&s);
	return s.state;
}

int fake_task_exit_state(struct kernel *k, pid_t tid)
{
	struct task_snap s;
	int err = task_snapshot(k, tid, &s);

	if (err < 0)
		return err;
	task_snap_free(&s);
	return (int)s.exit_state;
}

pid_t fake_ppid(struct kernel *k, pid_t tid)
{
	struct task_snap s;
	int err = task_snapshot(k, tid, &s);

	if (err < 0)
		return err;
	task_snap_free(&s);
	return s.ppid;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Formats n pids separated by sep into buf. */
static void fmt_pids(char *buf, size_t len, const pid_t *v, int n,
		     const char *sep)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d",
					i ? sep : "", (int)v[i]);
}

const char *fake_children(struct kernel *k, pid_t tgid)
{
	static char buf[512];
	struct tg_snap s;

	if (tg_snapshot(k, tgid, &s) < 0)
		return "ESRCH";
	qsort(s.children, (size_t)s.nr_children, sizeof(pid_t), pid_cmp);
	fmt_pids(buf, sizeof(buf), s.children, s.nr_children, " ");
	tg_snap_free(&s);
	return buf;
}

const char *fake_tg_tasks(struct kernel *k, pid_t tgid)
{
	static char buf[512];
	struct tg_snap s;

	if (tg_snapshot(k, tgid, &s) < 0)
		return "ESRCH";
	fmt_pids(buf, sizeof(buf), s.tasks, s.nr_tasks, " ");
	tg_snap_free(&s);
	return buf;
}

const char *fake_pgrps(struct kernel *k)
{
	static char buf[1024];
	struct pgrp_snap *v;
	int n = pgrp_snapshot_all(k, &v);
	size_t off = 0;

	buf[0] = '\0';
	if (n < 0)
		return "ENOMEM";
	for (int i = 0; i < n && off < sizeof(buf); i++) {
		char m[256];

		fmt_pids(m, sizeof(m), v[i].members, v[i].nr_members, ",");
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s%d(%d):%s", i ? " " : "",
					(int)v[i].pgid, (int)v[i].sid, m);
	}
	pgrp_snaps_free(v, n);
	return buf;
}

const char *fake_sessions(struct kernel *k)
{
	static char buf[1024];
	struct session_snap *v;
	int n = session_snapshot_all(k, &v);
	size_t off = 0;

	buf[0] = '\0';
	if (n < 0)
		return "ENOMEM";
	for (int i = 0; i < n && off < sizeof(buf); i++) {
		char m[256];

		fmt_pids(m, sizeof(m), v[i].pgrps, v[i].nr_pgrps, ",");
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s%d:%s", i ? " " : "",
					(int)v[i].sid, m[0] ? m : "-");
	}
	session_snaps_free(v, n);
	return buf;
}
