/*
 * This file reads the host's view of a host thread for blocked-on
 * reports (host_state.h): files of /proc/TID and one sock_diag dump.
 */
#include "platform/host_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Reads /proc/TID/name into buf (NUL-terminated). Returns the length or
 * -errno; -ESRCH for a thread that is gone. */
static int proc_read(pid_t tid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	buf[n] = '\0';
	return (int)n;
}

/* Syscalls whose sleep may end by a timeout: their slept time is worth
 * the longer read of /proc/TID/sched. */
static bool may_time_out(long nr)
{
	switch (nr) {
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_futex:
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_rt_sigtimedwait:
		return true;
	}
	return false;
}

/* How long the thread has been off the CPU: the scheduler's clock now
 * (CLOCK_MONOTONIC, which sched_clock follows closely) less the time it
 * last ran (se.exec_start, in ms with a fraction). 0 when unknown. */
static uint64_t slept_ns(pid_t tid)
{
	char buf[4096];
	const char *at;
	double ms;
	struct timespec now;

	if (proc_read(tid, "sched", buf, sizeof(buf)) < 0)
		return 0;
	at = strstr(buf, "se.exec_start");
	if (!at || !(at = strchr(at, ':')) || sscanf(at + 1, "%lf", &ms) != 1)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double slept = (double)now.tv_sec * 1e9 + (double)now.tv_nsec -
		       ms * 1e6;
	return slept > 0 ? (uint64_t)slept : 0;
}

int host_read_thread_state(pid_t tid, unsigned what,
			   struct host_thread_state *out)
{
	char buf[512];
	const char *paren;
	int n;

	memset(out, 0, sizeof(*out));
	out->nr = -1;
	if (!(what & HOST_STATE_NO_STAT)) {
		n = proc_read(tid, "stat", buf, sizeof(buf));
		if (n < 0)
			return n;
		/* The comm may hold ") ": the state follows the last one. */
		paren = strrchr(buf, ')');
		if (paren && paren[1] == ' ')
			out->state = paren[2];
	}
	if ((what & HOST_STATE_RUNS) &&
	    proc_read(tid, "schedstat", buf, sizeof(buf)) > 0)
		sscanf(buf, "%*u %*u %" SCNu64, &out->runs);
	if (out->state == 'R' || out->state == 'Z' || out->state == 'X')
		return 0;
	if (what & HOST_STATE_NO_SYSCALL) {
		/* The caller knows the syscall: the extras of it. */
		if (what & HOST_STATE_WCHAN &&
		    (proc_read(tid, "wchan", out->wchan, sizeof(out->wchan)) < 0 ||
		     strcmp(out->wchan, "0") == 0))
			out->wchan[0] = '\0';
		if (what & HOST_STATE_SLEPT)
			out->slept_ns = slept_ns(tid);
		return 0;
	}
	/* "running", "-1 SP PC" outside a syscall, or "NR A1..A6 SP PC". */
	if (proc_read(tid, "syscall", buf, sizeof(buf)) > 0 &&
	    buf[0] >= '0' && buf[0] <= '9') {
		unsigned long long a[6];

		if (sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx", &out->nr,
			   &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) == 7) {
			for (int i = 0; i < 6; i++)
				out->args[i] = a[i];
		} else {
			out->nr = -1;
		}
	}
	if (out->nr >= 0 && (what & HOST_STATE_WCHAN) &&
	    (proc_read(tid, "wchan", out->wchan, sizeof(out->wchan)) < 0 ||
	     strcmp(out->wchan, "0") == 0))
		out->wchan[0] = '\0';
	if (out->nr >= 0 && (what & HOST_STATE_SLEPT) && may_time_out(out->nr))
		out->slept_ns = slept_ns(tid);
	return 0;
}

static int fd_cmp(const void *a, const void *b)
{
	const struct host_fd *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* Classifies a descriptor by what its link reads. */
static void fd_classify(struct host_fd *f)
{
	unsigned long long ino;

	if (sscanf(f->target, "pipe:[%llu]", &ino) == 1) {
		f->kind = HOST_FD_PIPE;
		f->ino = ino;
	} else if (sscanf(f->target, "socket:[%llu]", &ino) == 1) {
		f->kind = HOST_FD_SOCKET;
		f->ino = ino;
	} else if (strncmp(f->target, "anon_inode:", 11) == 0) {
		f->kind = HOST_FD_ANON;
	} else {
		f->kind = HOST_FD_FILE;
	}
}

int host_read_fds(pid_t tid, struct host_fd **out)
{
	char path[64];
	struct host_fd *v = NULL;
	struct dirent *de;
	int n = 0, cap = 0, dfd;
	DIR *d;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)tid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		struct host_fd *f;
		struct stat st;
		ssize_t len;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (n == cap) {
			struct host_fd *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, sizeof(*v) * (size_t)cap);
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		f = &v[n];
		memset(f, 0, sizeof(*f));
		f->fd = atoi(de->d_name);
		len = readlinkat(dfd, de->d_name, f->target,
				 sizeof(f->target) - 1);
		if (len < 0)
			continue; /* closed meanwhile */
		f->target[len] = '\0';
		fd_classify(f);
		/* The link's mode is the open mode: S_IRUSR for FMODE_READ,
		 * S_IWUSR for FMODE_WRITE (fs/proc/fd.c). Only an end of a
		 * pipe or socket needs it, and tables are many. */
		if ((f->kind == HOST_FD_PIPE || f->kind == HOST_FD_SOCKET) &&
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			f->readable = st.st_mode & S_IRUSR;
			f->writable = st.st_mode & S_IWUSR;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), fd_cmp);
	*out = v;
	return n;
}

int host_read_fdinfo(pid_t tid, int fd, char *buf, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	return proc_read(tid, name, buf, len);
}

/* Appends the peers one netlink reply carries. Returns 1 at the end of
 * the dump, 0 to go on, -errno on error. */
static int unix_peers_parse(const char *buf, size_t len,
			    struct host_unix_peer **v, int *n, int *cap)
{
	for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, len);
	     h = NLMSG_NEXT(h, len)) {
		const struct unix_diag_msg *m;
		const struct rtattr *a;
		int alen;

		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR)
			return -EIO;
		m = NLMSG_DATA(h);
		a = (const struct rtattr *)(m + 1);
		alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
		for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
			if (a->rta_type != UNIX_DIAG_PEER)
				continue;
			if (*n == *cap) {
				struct host_unix_peer *nv;

				*cap = *cap ? *cap * 2 : 64;
				nv = realloc(*v, sizeof(**v) * (size_t)*cap);
				if (!nv)
					return -ENOMEM;
				*v = nv;
			}
			(*v)[*n].ino = m->udiag_ino;
			(*v)[*n].peer = *(const uint32_t *)RTA_DATA(a);
			(*n)++;
		}
	}
	return 0;
}

int host_read_unix_peers(struct host_unix_peer **out)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
		       .udiag_show = UDIAG_SHOW_PEER },
	};
	struct host_unix_peer *v = NULL;
	int n = 0, cap = 0, err = 0, s;
	enum { RBUF = 32768 };
	char *rbuf = malloc(RBUF);

	*out = NULL;
	if (!rbuf)
		return -ENOMEM;
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0) {
		free(rbuf);
		return -errno;
	}
	if (send(s, &req, sizeof(req), 0) < 0)
		err = -errno;
	while (!err) {
		ssize_t len = recv(s, rbuf, RBUF, 0);

		if (len < 0) {
			err = -errno;
			break;
		}
		if (len == 0)
			break;
		err = unix_peers_parse(rbuf, (size_t)len, &v, &n, &cap);
		if (err == 1) {
			err = 0;
			break;
		}
	}
	close(s);
	free(rbuf);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	return n;
}

int host_read_locks(struct host_lock **out)
{
	struct host_lock *v = NULL;
	int n = 0, cap = 0;
	char line[256];
	FILE *f;

	*out = NULL;
	f = fopen("/proc/locks", "re");
	if (!f)
		return -errno;
	/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF", a blocked
	 * request with "-> " after the number. */
	while (fgets(line, sizeof(line), f)) {
		struct host_lock l = { 0 };
		char *p = strchr(line, ':');
		unsigned long long ino;
		int pid;

		if (!p)
			continue;
		p++;
		while (*p == ' ')
			p++;
		if (strncmp(p, "->", 2) == 0) {
			l.waiting = true;
			p += 2;
		}
		if (sscanf(p, "%*s %*s %*s %d %x:%x:%llu", &pid, &l.dev_major,
			   &l.dev_minor, &ino) != 4)
			continue;
		l.pid = pid;
		l.ino = ino;
		if (n == cap) {
			struct host_lock *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, sizeof(*v) * (size_t)cap);
			if (!nv) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = l;
	}
	fclose(f);
	*out = v;
	return n;
}

int host_read_fd_inode(pid_t tid, int fd, unsigned *dev_major,
		       unsigned *dev_minor, uint64_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	if (stat(path, &st) != 0)
		return -errno;
	*dev_major = major(st.st_dev);
	*dev_minor = minor(st.st_dev);
	*ino = st.st_ino;
	return 0;
}

int host_read_proc_file(pid_t tid, const char *name, char **out, size_t *len)
{
	char path[64];
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int fd;

	*out = NULL;
	*len = 0;
	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return errno == ENOENT ? -ESRCH : -errno;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno == ESRCH ? -ESRCH : -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}
