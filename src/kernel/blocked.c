/*
 * This file works out what each task waits for and who could wake it
 * (blocked.h): from the kernel's own stops and waits, and from the
 * syscall the host shows a task asleep in, decoded with the FD tables
 * of every task, the host's unix socket peers and file locks, and the
 * task's own memory (poll sets, timeouts, futex words).
 *
 * The stuck set and its text and JSON forms are in hangs.c.
 */
#include "kernel/blocked.h"
#include "kernel/blocked_internal.h"

#include <errno.h>
#include <seccomp.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/snapshot.h"
#include "kernel/task_set.h"
#include "platform/platform.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef F_OFD_SETLKW
#define F_OFD_SETLKW 38
#endif
#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

static struct platform *plat(struct bw_world *w)
{
	return w->k->plat;
}

/* The most descriptors of a poll or epoll set a report follows. */
#define SET_MAX 64

static void set_external(struct blocked_on *b, const char *why)
{
	b->external = true;
	snprintf(b->external_why, sizeof(b->external_why), "%s", why);
}

/* Who can make descriptor fd of task s ready to read (want_read) or to
 * write: the other end's holders for a pipe or a connected unix socket;
 * outside the sandbox for anything else. Appends the object's name. */
static void fd_wakers(struct bw_world *w, const struct task_snap *s,
		      struct blocked_on *b, int fd, bool want_read)
{
	struct host_fd f;
	char name[64];
	size_t used = strlen(b->object);

	if (bw_fd(w, s, fd, &f) < 0) {
		snprintf(b->object + used, sizeof(b->object) - used, "%sfd %d",
			 used ? ", " : "", fd);
		set_external(b, "unknown");
		return;
	}
	if (f.kind == HOST_FD_PIPE)
		snprintf(name, sizeof(name), "pipe:[%llu]",
			 (unsigned long long)f.ino);
	else
		snprintf(name, sizeof(name), "%.60s", f.target);
	snprintf(b->object + used, sizeof(b->object) - used, "%s%s",
		 used ? ", " : "", name);
	if (f.kind == HOST_FD_PIPE) {
		int before = b->nr_wakers;

		/* A read ends when someone writes (or the last writer
		 * closes); a write when someone reads. */
		bw_add_holders(w, b, f.ino, !want_read, want_read);
		if (!b->role[0])
			snprintf(b->role, sizeof(b->role), "%s",
				 want_read ? "writers" : "readers");
		/* With no other end in the sandbox the read would see EOF
		 * (the write EPIPE): the other end is outside, as a shell's
		 * pipe into the sandbox is. */
		if (!w->no_wakers && b->nr_wakers == before)
			set_external(b, "pipe peer");
		return;
	}
	if (f.kind == HOST_FD_SOCKET) {
		uint64_t peer = bw_unix_peer(w, f.ino);

		if (peer) {
			size_t u = strlen(b->object);

			snprintf(b->object + u, sizeof(b->object) - u,
				 " (peer socket:[%llu])",
				 (unsigned long long)peer);
			int before = b->nr_wakers;

			bw_add_holders(w, b, peer, false, false);
			if (!b->role[0])
				snprintf(b->role, sizeof(b->role), "peer");
			/* A peer no task here holds is held outside. */
			if (!w->no_wakers && b->nr_wakers == before)
				set_external(b, "socket peer");
			return;
		}
		set_external(b, "socket peer");
		return;
	}
	if (strncmp(f.target, "/dev/pts/", 9) == 0 ||
	    strncmp(f.target, "/dev/tty", 8) == 0)
		set_external(b, "terminal");
	else
		set_external(b, "file");
}

/* Copies len bytes of task s's memory at addr. */
static bool read_user(struct bw_world *w, const struct task_snap *s,
		      uint64_t addr, void *buf, size_t len)
{
	struct task *t;
	ssize_t n = -1;

	if (!addr || !plat(w))
		return false;
	t = task_get_by_tid(w->k, s->tid);
	if (!t)
		return false;
	n = plat_read_mem(plat(w), t, addr, buf, len);
	task_put(t);
	return n == (ssize_t)len;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0)
		return 0;
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* A timed wait of s of duration ns (known) that started when the host
 * last ran it. */
static void set_timed(struct bw_world *w, const struct task_snap *s,
		      struct blocked_on *b, uint64_t ns, bool known)
{
	uint64_t slept;

	b->timed = true;
	if (!known)
		return;
	slept = bw_slept(w, (int)(s - w->snaps));
	b->has_remaining = true;
	b->remaining_ns = ns > slept ? ns - slept : 0;
}

/* An absolute timeout on clock clk. */
static void set_deadline(struct blocked_on *b, clockid_t clk,
			 const struct timespec *at)
{
	struct timespec now;
	uint64_t a = ts_ns(at), n;

	b->timed = true;
	if (clock_gettime(clk, &now) != 0)
		return;
	n = ts_ns(&now);
	b->has_remaining = true;
	b->remaining_ns = a > n ? a - n : 0;
}

static void decode_sleep(struct bw_world *w, const struct task_snap *s,
			 const struct host_thread_state *h,
			 struct blocked_on *b)
{
	struct timespec req;
	uint64_t addr = h->nr == SYS_nanosleep ? h->args[0] : h->args[2];
	bool abs = h->nr == SYS_clock_nanosleep && (h->args[1] & 1);

	snprintf(b->object, sizeof(b->object), "timer");
	if (!read_user(w, s, addr, &req, sizeof(req))) {
		b->timed = true;
		return;
	}
	if (abs)
		set_deadline(b, (clockid_t)h->args[0], &req);
	else
		set_timed(w, s, b, ts_ns(&req), true);
}

/* futex(2): a mutex's owner, a joined thread, or the process's other
 * threads. */
static void decode_futex(struct bw_world *w, const struct task_snap *s,
			 const struct host_thread_state *h,
			 struct blocked_on *b)
{
	int op = (int)h->args[1];
	int cmd = op & FUTEX_CMD_MASK;
	uint64_t uaddr = h->args[0];
	uint32_t word[3];
	const struct task_snap *owner = NULL;
	pid_t owner_tid = 0;

	snprintf(b->object, sizeof(b->object), "word 0x%llx",
		 (unsigned long long)uaddr);
	if (h->args[3] && (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET ||
			   cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 ||
			   cmd == FUTEX_WAIT_REQUEUE_PI)) {
		struct timespec to;

		if (read_user(w, s, h->args[3], &to, sizeof(to))) {
			/* FUTEX_LOCK_PI's deadline is on CLOCK_REALTIME
			 * whatever the flag says (futex(2)). */
			if (cmd == FUTEX_WAIT)
				set_timed(w, s, b, ts_ns(&to), true);
			else
				set_deadline(b, (cmd == FUTEX_LOCK_PI ||
						 (op & FUTEX_CLOCK_REALTIME)) ?
							CLOCK_REALTIME :
							CLOCK_MONOTONIC,
					     &to);
		} else {
			b->timed = true;
		}
		return;
	}
	if (read_user(w, s, uaddr, word, sizeof(word))) {
		/* glibc's pthread_mutex_t first (a waiter makes __lock 2;
		 * __owner is the third int): sandbox TIDs are small, so a
		 * lock word of 2 could pass for a TID. */
		const struct task_snap *o = NULL;
		pid_t in_word = (pid_t)(word[0] & FUTEX_TID_MASK);

		if ((word[0] == 1 || word[0] == 2) && word[2])
			o = bw_find(w, (pid_t)word[2]);
		/* Its owner may be the waiter itself (a relock of a
		 * normal mutex): then the word's 2 is no TID. */
		if (o && o->tgid == s->tgid) {
			owner = o;
			owner_tid = o->tid;
			snprintf(b->object, sizeof(b->object), "mutex 0x%llx",
				 (unsigned long long)uaddr);
		} else if (in_word && (o = bw_find(w, in_word)) &&
			   o->tgid == s->tgid && o->tid != s->tid) {
			/* A TID in the word: a PI mutex's owner, or the
			 * thread a pthread_join waits for (glibc waits on
			 * its tid field, cleared at its exit). */
			owner = o;
			owner_tid = in_word;
		}
	}
	if (owner) {
		size_t u = strlen(b->object);

		snprintf(b->object + u, sizeof(b->object) - u, " (owner %d)",
			 (int)owner_tid);
		(void)u;
		snprintf(b->role, sizeof(b->role), "owner");
		bw_add_waker(b, owner->tid, -1);
		return;
	}
	if (!(op & FUTEX_PRIVATE_FLAG)) {
		/* Shared memory: another process may wake it. */
		set_external(b, "shared futex");
		return;
	}
	snprintf(b->role, sizeof(b->role), "threads");
	bw_add_group(w, b, s->tgid, s->tid);
}

static void decode_poll(struct bw_world *w, const struct task_snap *s,
			const struct host_thread_state *h,
			struct blocked_on *b)
{
	struct pollfd fds[SET_MAX];
	uint64_t nfds = h->args[1];

	if (h->nr == SYS_poll && (int)h->args[2] >= 0) {
		set_timed(w, s, b, (uint64_t)(int)h->args[2] * 1000000u, true);
		return;
	}
	if (h->nr == SYS_ppoll && h->args[2]) {
		struct timespec to;

		set_timed(w, s, b, 0, false);
		if (read_user(w, s, h->args[2], &to, sizeof(to)))
			set_timed(w, s, b, ts_ns(&to), true);
		return;
	}
	if (nfds > SET_MAX || !read_user(w, s, h->args[0], fds,
					 sizeof(fds[0]) * nfds)) {
		set_external(b, "unknown");
		return;
	}
	for (uint64_t i = 0; i < nfds; i++) {
		if (fds[i].fd < 0)
			continue;
		if (fds[i].events & (POLLIN | POLLPRI))
			fd_wakers(w, s, b, fds[i].fd, true);
		if (fds[i].events & POLLOUT)
			fd_wakers(w, s, b, fds[i].fd, false);
	}
	if (nfds == 0)
		snprintf(b->object, sizeof(b->object), "nothing");
	snprintf(b->role, sizeof(b->role), "wakers");
}

static void decode_select(struct bw_world *w, const struct task_snap *s,
			  const struct host_thread_state *h,
			  struct blocked_on *b)
{
	fd_set sets[2];
	int nfds = (int)h->args[0];

	if (h->args[4]) {
		set_timed(w, s, b, 0, false);
		return;
	}
	if (nfds < 0 || nfds > FD_SETSIZE) {
		set_external(b, "unknown");
		return;
	}
	FD_ZERO(&sets[0]);
	FD_ZERO(&sets[1]);
	for (int i = 0; i < 2; i++)
		if (h->args[1 + i] &&
		    !read_user(w, s, h->args[1 + i], &sets[i], sizeof(sets[i]))) {
			set_external(b, "unknown");
			return;
		}
	for (int fd = 0; fd < nfds; fd++) {
		if (FD_ISSET(fd, &sets[0]))
			fd_wakers(w, s, b, fd, true);
		if (FD_ISSET(fd, &sets[1]))
			fd_wakers(w, s, b, fd, false);
	}
	snprintf(b->role, sizeof(b->role), "wakers");
}

static void decode_epoll(struct bw_world *w, const struct task_snap *s,
			 const struct host_thread_state *h,
			 struct blocked_on *b)
{
	struct platform *p = plat(w);
	char info[8192];
	const char *at;
	int n = 0, len;

	if (h->nr == SYS_epoll_pwait2 ? h->args[3] != 0 : (int)h->args[3] >= 0) {
		if (h->nr == SYS_epoll_pwait2)
			set_timed(w, s, b, 0, false);
		else
			set_timed(w, s, b, (uint64_t)(int)h->args[3] * 1000000u,
				  true);
		return;
	}
	if (!p || !p->ops->read_host_fdinfo ||
	    (len = p->ops->read_host_fdinfo(p, s->host_tid, (int)h->args[0],
					    info, sizeof(info))) < 0) {
		set_external(b, "unknown");
		return;
	}
	/* A set larger than the buffer or than SET_MAX: the descriptors
	 * not followed may be the ones that wake it. */
	if ((size_t)len >= sizeof(info) - 1)
		set_external(b, "unknown");
	/* "tfd:        5 events:       19 data: …" per watched fd. */
	for (at = strstr(info, "tfd:"); at && n < SET_MAX;
	     at = strstr(at + 4, "tfd:"), n++) {
		int fd;
		unsigned events;

		if (sscanf(at, "tfd: %d events: %x", &fd, &events) != 2)
			continue;
		if (events & (EPOLLIN | EPOLLPRI))
			fd_wakers(w, s, b, fd, true);
		if (events & EPOLLOUT)
			fd_wakers(w, s, b, fd, false);
	}
	if (at)
		set_external(b, "unknown");
	if (!b->object[0])
		snprintf(b->object, sizeof(b->object), "empty epoll set");
	snprintf(b->role, sizeof(b->role), "wakers");
}

/* flock or a POSIX lock wait: the holders of a lock on the same file. */
static void decode_lock(struct bw_world *w, const struct task_snap *s,
			const struct host_thread_state *h,
			struct blocked_on *b)
{
	struct platform *p = plat(w);
	int fd = (int)h->args[0];
	unsigned maj, min;
	uint64_t ino;
	struct host_fd f;
	struct host_lock *locks;
	int n;

	if (bw_fd(w, s, fd, &f) == 0)
		snprintf(b->object, sizeof(b->object), "lock on %.80s", f.target);
	else
		snprintf(b->object, sizeof(b->object), "lock on fd %d", fd);
	if (!p || !p->ops->read_host_locks || !p->ops->read_host_fd_inode ||
	    p->ops->read_host_fd_inode(p, s->host_tid, fd, &maj, &min,
				       &ino) < 0) {
		set_external(b, "unknown");
		return;
	}
	n = p->ops->read_host_locks(p, &locks);
	if (n < 0) {
		set_external(b, "unknown");
		return;
	}
	snprintf(b->role, sizeof(b->role), "holders");
	for (int i = 0; i < n; i++) {
		const struct task_snap *o;

		if (locks[i].waiting || locks[i].ino != ino ||
		    locks[i].dev_major != maj || locks[i].dev_minor != min)
			continue;
		o = locks[i].pid > 0 ? bw_find_host(w, locks[i].pid) : NULL;
		if (!o) {
			/* An OFD lock (no PID), or a process outside. */
			set_external(b, "lock holder");
			continue;
		}
		bw_add_group(w, b, o->tgid, 0);
	}
	free(locks);
}

/* Whether child c is one a wait of waiter s with this PID set sees. */
static bool wait_sees(const struct task_snap *s, const struct task_snap *c,
		      int idtype, pid_t id)
{
	if (c->ppid != s->tgid || !c->is_leader)
		return false;
	switch (idtype) {
	case P_PID:
		return c->tgid == id;
	case P_PGID:
		return c->pgid == (id ? id : s->pgid);
	default:
		return true;
	}
}

/* wait4/waitid: the children (and tracees) the PID set names. */
static void decode_wait(struct bw_world *w, const struct task_snap *s,
			long nr, const uint64_t *args, struct blocked_on *b)
{
	int idtype = P_ALL;
	pid_t id = 0;

	b->kind = BLOCKED_WAIT;
	snprintf(b->role, sizeof(b->role), "children");
	if (nr == SYS_wait4) {
		pid_t pid = (pid_t)args[0];

		if (pid > 0) {
			idtype = P_PID;
			id = pid;
		} else if (pid == 0 || pid < -1) {
			idtype = P_PGID;
			id = pid == 0 ? 0 : -pid;
		}
	} else {
		idtype = (int)args[0];
		id = (pid_t)args[1];
		if (idtype == P_PIDFD) {
			set_external(b, "unknown");
			return;
		}
	}
	if (idtype == P_PID)
		snprintf(b->object, sizeof(b->object), "child %d", (int)id);
	else if (idtype == P_PGID)
		snprintf(b->object, sizeof(b->object), "children in group %d",
			 (int)(id ? id : s->pgid));
	else
		snprintf(b->object, sizeof(b->object), "any child");
	/* Any thread of a child can end the wait: its exit, a stop. A
	 * child dead with all its threads ends it now (it is about to be
	 * woken): it is named, and hangs.c counts it as a waker that is
	 * not stuck. */
	for (int i = 0; i < w->n; i++) {
		int before = b->nr_wakers;

		if (!wait_sees(s, &w->snaps[i], idtype, id))
			continue;
		bw_add_group(w, b, w->snaps[i].tgid, 0);
		if (b->nr_wakers == before &&
		    w->snaps[i].exit_state == TASK_EXIT_ZOMBIE)
			bw_add_waker(b, w->snaps[i].tid, -1);
	}
	for (int i = 0; i < s->ptrace.nr_tracees; i++)
		bw_add_waker(b, s->ptrace.tracees[i], -1);
}

static void sigset_text(sigset64_t set, char *buf, size_t len)
{
	size_t u = 0;

	buf[0] = '\0';
	for (int sig = 1; sig < SIG_MAX && u + 1 < len; sig++) {
		char nb[16];
		const char *name;

		if (!(set & sig_bit(sig)))
			continue;
		name = sig_name(sig, nb, sizeof(nb));
		u += (size_t)snprintf(buf + u, len - u, "%sSIG%s",
				      u ? "," : "", name ? name : "?");
	}
}

/* sigsuspend, pause, sigtimedwait: any task may send the signal. */
static void decode_signal_wait(struct bw_world *w, const struct task_snap *s,
			       const struct host_thread_state *h,
			       struct blocked_on *b)
{
	char set[64];

	b->kind = BLOCKED_SIGNAL;
	b->wakers_any = true;
	snprintf(b->role, sizeof(b->role), "any task");
	if (h->nr == SYS_rt_sigtimedwait) {
		sigset64_t waited = 0;

		if (read_user(w, s, h->args[0], &waited, sizeof(waited))) {
			sigset_text(waited, set, sizeof(set));
			snprintf(b->object, sizeof(b->object), "signals %s",
				 set);
		}
		if (h->args[2]) {
			struct timespec to;

			set_timed(w, s, b, 0, false);
			if (read_user(w, s, h->args[2], &to, sizeof(to)))
				set_timed(w, s, b, ts_ns(&to), true);
		}
	} else {
		/* sigsuspend's mask is its argument; pause keeps the
		 * thread's. */
		sigset64_t blocked;
		char pend[64];

		if (h->nr != SYS_rt_sigsuspend ||
		    !read_user(w, s, h->args[0], &blocked, sizeof(blocked)))
			blocked = task_snap_blocked(w->k, s);
		sigset_text(blocked, set, sizeof(set));
		sigset_text(s->pending | s->shared_pending, pend, sizeof(pend));
		snprintf(b->object, sizeof(b->object),
			 "a signal (blocked: %s; pending: %s)",
			 set[0] ? set : "none", pend[0] ? pend : "none");
	}
	/* No list: every live task is a waker (hangs.c knows). */
}

/* A syscall the host runs, asleep: decoded by number. */
static void decode_syscall(struct bw_world *w, const struct task_snap *s,
			   const struct host_thread_state *h,
			   struct blocked_on *b)
{
	switch (h->nr) {
	case SYS_read:
	case SYS_readv:
	case SYS_pread64:
	case SYS_preadv:
	case SYS_preadv2:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_recvmmsg:
		fd_wakers(w, s, b, (int)h->args[0], true);
		break;
	case SYS_write:
	case SYS_writev:
	case SYS_pwrite64:
	case SYS_pwritev:
	case SYS_pwritev2:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_sendmmsg:
		fd_wakers(w, s, b, (int)h->args[0], false);
		break;
	case SYS_accept:
	case SYS_accept4:
	case SYS_connect: {
		struct host_fd f;

		if (bw_fd(w, s, (int)h->args[0], &f) == 0)
			snprintf(b->object, sizeof(b->object), "%s",
				 f.target);
		/* Anyone may connect, from inside or out. */
		set_external(b, "socket peer");
		break;
	}
	case SYS_futex:
		decode_futex(w, s, h, b);
		break;
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
		decode_sleep(w, s, h, b);
		break;
	case SYS_poll:
	case SYS_ppoll:
		decode_poll(w, s, h, b);
		break;
	case SYS_select:
	case SYS_pselect6:
		decode_select(w, s, h, b);
		break;
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		decode_epoll(w, s, h, b);
		break;
	case SYS_flock:
		if (h->args[1] & LOCK_NB)
			break;
		decode_lock(w, s, h, b);
		break;
	case SYS_fcntl:
		if (h->args[1] == F_SETLKW || h->args[1] == F_OFD_SETLKW)
			decode_lock(w, s, h, b);
		else
			set_external(b, "unknown");
		break;
	case SYS_wait4:
	case SYS_waitid:
		decode_wait(w, s, h->nr, h->args, b);
		break;
	case SYS_rt_sigsuspend:
	case SYS_pause:
	case SYS_rt_sigtimedwait:
		decode_signal_wait(w, s, h, b);
		break;
	default:
		/* Nothing known of what ends it: never call it stuck. The
		 * host function it sleeps in says the most there is. */
		bw_wchan(w, (int)(s - w->snaps), b->wchan, sizeof(b->wchan));
		set_external(b, "unknown");
	}
}

static void set_syscall(struct blocked_on *b, long nr)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
						      (int)nr);

	b->nr = nr;
	if (name)
		snprintf(b->syscall, sizeof(b->syscall), "%s", name);
	else
		snprintf(b->syscall, sizeof(b->syscall), "syscall_%ld", nr);
	free(name);
}

static void bw_describe_wait(struct bw_world *w, int i, struct blocked_on *b)
{
	const struct task_snap *s = &w->snaps[i];
	const struct host_thread_state *h;

	memset(b, 0, sizeof(*b));
	b->tid = s->tid;
	b->tgid = s->tgid;
	b->nr = -1;
	memcpy(b->comm, s->comm, sizeof(b->comm));
	if (s->exit_state == TASK_EXIT_ZOMBIE ||
	    s->exit_state == TASK_EXIT_DEAD) {
		b->kind = BLOCKED_ZOMBIE;
		b->state = task_state_letter(s);
		snprintf(b->role, sizeof(b->role), "parent");
		if (s->is_leader && s->ppid > 0) {
			const struct task_snap *par;

			snprintf(b->object, sizeof(b->object), "reap by %d",
				 (int)s->ppid);
			par = bw_find(w, s->ppid);
			if (par)
				bw_add_group(w, b, par->tgid, 0);
		} else {
			snprintf(b->object, sizeof(b->object),
				 "the thread group's exit");
		}
		return;
	}
	if (s->stop_count > 0) {
		b->kind = BLOCKED_EXTERNAL_STOP;
		b->state = 'T';
		snprintf(b->object, sizeof(b->object), "debugger stop");
		set_external(b, "debugger");
		return;
	}
	if (s->stop == TASK_STOP_PTRACE) {
		b->kind = BLOCKED_PTRACE_STOP;
		b->state = 't';
		snprintf(b->object, sizeof(b->object), "%s-stop",
			 ptrace_stop_name(s->ptrace.stop));
		snprintf(b->role, sizeof(b->role), "tracer");
		if (s->ptrace.tracer > 0) {
			const struct task_snap *tr = bw_find(w, s->ptrace.tracer);

			bw_add_group(w, b, tr ? tr->tgid : s->ptrace.tracer, 0);
		}
		return;
	}
	if (s->stop == TASK_STOP_GROUP) {
		b->kind = BLOCKED_GROUP_STOP;
		b->state = 'T';
		char nb[16];
		const char *sn = sig_name(s->group_stop_signal, nb, sizeof(nb));

		snprintf(b->object, sizeof(b->object), "group stop (SIG%s)",
			 sn ? sn : "?");
		set_external(b, "SIGCONT");
		return;
	}
	if (s->stop == TASK_STOP_VFORK) {
		b->kind = BLOCKED_VFORK;
		b->state = 'D';
		snprintf(b->object, sizeof(b->object), "vfork child");
		snprintf(b->role, sizeof(b->role), "child");
		for (int j = 0; j < w->n; j++)
			if (w->snaps[j].ppid == s->tgid && w->snaps[j].is_leader)
				bw_add_group(w, b, w->snaps[j].tgid, 0);
		return;
	}
	h = bw_host(w, i);
	b->state = task_linux_state_letter(s, h->state);
	if (s->parked_nr >= 0) {
		set_syscall(b, s->parked_nr);
		decode_wait(w, s, s->parked_nr, s->parked_args, b);
		return;
	}
	if (h->nr < 0 || b->state == 'R') {
		b->kind = BLOCKED_NONE;
		return;
	}
	b->kind = BLOCKED_SYSCALL;
	set_syscall(b, h->nr);
	decode_syscall(w, s, h, b);
}

/* Sorts b's wakers by TID and keeps the first entry of each. */
static void wakers_unique(struct blocked_on *b)
{
	int n = 0;

	if (b->nr_wakers == 0)
		return; /* wakers is NULL then, which qsort must not get */
	qsort(b->wakers, (size_t)b->nr_wakers, sizeof(*b->wakers), bw_waker_cmp);
	for (int i = 0; i < b->nr_wakers; i++)
		if (n == 0 || b->wakers[n - 1].tid != b->wakers[i].tid)
			b->wakers[n++] = b->wakers[i];
	b->nr_wakers = n;
}

void bw_describe(struct bw_world *w, int i, struct blocked_on *b)
{
	bw_describe_wait(w, i, b);
	wakers_unique(b);
}

static void describe_one(struct bw_world *w, int i)
{
	bw_describe(w, i, &w->out[i]);
}

void bw_describe_all(struct bw_world *w, bool fds, struct blocked_on *out)
{
	bw_prefetch(w, fds);
	w->out = out;
	bw_parallel(w, w->n, describe_one);
	w->out = NULL;
}

void blocked_on_free(struct blocked_on *b)
{
	if (!b)
		return;
	free(b->wakers);
	b->wakers = NULL;
	b->nr_wakers = b->cap_wakers = 0;
}

int kernel_blocked_on(struct kernel *k, pid_t tid, struct blocked_on *out)
{
	struct bw_world w;
	const struct task_snap *s;
	int err = bw_world_init(&w, k);

	if (err < 0)
		return err;
	s = bw_find(&w, tid);
	if (!s) {
		bw_world_free(&w);
		return -ESRCH;
	}
	bw_describe(&w, (int)(s - w.snaps), out);
	bw_world_free(&w);
	return 0;
}

int kernel_blocked_list(struct kernel *k, bool with_wakers,
			struct blocked_on **out)
{
	struct bw_world w;
	struct blocked_on *v;
	int err = bw_world_init(&w, k), n;

	*out = NULL;
	if (err < 0)
		return err;
	w.no_wakers = !with_wakers;
	v = calloc((size_t)(w.n ? w.n : 1), sizeof(*v));
	if (!v) {
		bw_world_free(&w);
		return -ENOMEM;
	}
	bw_describe_all(&w, with_wakers, v);
	n = w.n;
	bw_world_free(&w);
	*out = v;
	return n;
}

void blocked_list_free(struct blocked_on *v, int n)
{
	for (int i = 0; v && i < n; i++)
		blocked_on_free(&v[i]);
	free(v);
}
