/*
 * This file implements the removal of the host cgroup mirror and the
 * reaper process that removes it when the sentry dies.
 *
 * Removal, for each host root of the mirror, until all are gone or about
 * two seconds pass:
 *   1. SIGKILL every task listed in the tasks (v1) or cgroup.procs (v2)
 *      file of every directory of the subtree;
 *   2. rmdir the subtree bottom-up; a directory whose tasks are still
 *      exiting gives EBUSY, so pause 10 ms and go again from 1.
 *
 * The reaper runs this in a child forked from a multi-threaded sentry,
 * where only async-signal-safe calls are allowed (another thread may have
 * held malloc's lock at the fork): so no stdio, no opendir, no malloc:
 * open, getdents64, read, kill, rmdir, nanosleep, on stack buffers.
 *
 * The reaper: the sentry forks a child that takes a pidfd of the sentry,
 * forks the reaper and exits, so the reaper is never the sentry's child
 * (the tracer's waitpid(-1) must not collect it, and it must not be
 * traced). The reaper starts its own session, ignores the terminal's
 * signals, keeps only its two pipe ends and the pidfd, tells the sentry
 * its pid, then polls: a byte on the life pipe (hostcg_close) or the
 * pidfd turning readable (the sentry died, even by SIGKILL) makes it
 * remove the mirror and exit, which closes the done pipe hostcg_close
 * waits on. The pidfd matters: tasks forked by the sentry hold the
 * pipe's write end until they exec, and the very tasks the reaper must
 * kill would keep EOF from coming. Without pidfds (Linux < 5.3) EOF is
 * the only signal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform/hostcg_internal.h"

/* How often and how long removal retries while rmdir gives EBUSY. */
#define REMOVE_PAUSE_NS (10 * 1000 * 1000L)
#define REMOVE_TRIES 200
/* How long hostcg_close waits for the reaper to exit. */
#define REAPER_EXIT_WAIT_MS 5000

struct linux_dirent64 {
	ino64_t d_ino;
	off64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Appends "/name" to path of length len; returns the new length or 0 if
 * it does not fit. */
static size_t path_push(char *path, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (len + 1 + n >= PATH_MAX)
		return 0;
	path[len] = '/';
	memcpy(path + len + 1, name, n + 1);
	return len + 1 + n;
}

/* SIGKILLs every pid listed in path (one decimal per line). Returns how
 * many were listed. */
static int kill_listed(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	pid_t self = getpid();
	int found = 0;
	long pid = -1; /* the number being read, -1 between numbers */
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			if (c >= '0' && c <= '9') {
				pid = (pid < 0 ? 0 : pid * 10) + (c - '0');
				continue;
			}
			if (pid > 0 && pid != self) {
				kill((pid_t)pid, SIGKILL);
				found++;
			}
			pid = -1;
		}
	}
	if (pid > 0 && pid != self) {
		kill((pid_t)pid, SIGKILL);
		found++;
	}
	close(fd);
	return found;
}

/* Kills the tasks of the subtree at path (PATH_MAX bytes, of length len),
 * then removes it bottom-up. Returns 0 when path is gone, else -errno. */
static int remove_subtree(char *path, size_t len, bool v2)
{
	size_t l = path_push(path, len, v2 ? "cgroup.procs" : "tasks");
	if (l) {
		kill_listed(path);
		path[len] = '\0';
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	int err = 0;
	char dents[4096] __attribute__((aligned(8)));
	long n;
	while ((n = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(dents + off);
			off += d->d_reclen;
			const char *name = d->d_name;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			unsigned char type = d->d_type;
			if (type == DT_UNKNOWN) {
				struct stat st;
				if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISDIR(st.st_mode))
					type = DT_DIR;
			}
			if (type != DT_DIR)
				continue;
			size_t cl = path_push(path, len, name);
			if (!cl) {
				err = -ENAMETOOLONG;
				continue;
			}
			int r = remove_subtree(path, cl, v2);
			path[len] = '\0';
			if (r < 0)
				err = r;
		}
	}
	close(fd);
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	return err ? err : -errno;
}

int hostcg_remove_all(const struct hostcg *h)
{
	int err = 0;
	for (int tries = 0; tries < REMOVE_TRIES; tries++) {
		err = 0;
		for (int i = 0; i < h->ndistinct; i++) {
			char path[PATH_MAX];
			const char *root = h->root[h->distinct[i]];
			size_t len = strlen(root);
			memcpy(path, root, len + 1);
			int r = remove_subtree(path, len, h->layout == HOSTCG_V2);
			if (r < 0)
				err = r;
		}
		/* Only EBUSY (tasks still exiting) is worth waiting for. */
		if (err != -EBUSY)
			return err;
		struct timespec ts = { 0, REMOVE_PAUSE_NS };
		nanosleep(&ts, NULL);
	}
	return err;
}

/* Closes every fd from 3 up but the three given (-1 for none): with
 * close_range over the gaps, or one by one up to the fd limit before
 * Linux 5.9. */
static void close_all_but(int a, int b, int c)
{
	int keep[3] = { a, b, c };
	/* Sort the three (a few swaps: no qsort after fork). */
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	unsigned int from = 3;
	bool ok = true;
	for (int i = 0; i < 3 && ok; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			ok = syscall(SYS_close_range, from, keep[i] - 1, 0) == 0;
		from = (unsigned int)keep[i] + 1;
	}
	if (ok && syscall(SYS_close_range, from, ~0U, 0) == 0)
		return;
	long max = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < (max > 0 ? max : 1024); fd++)
		if (fd != a && fd != b && fd != c)
			close(fd);
}

/* The reaper process; never returns. sentry_fd is a pidfd of the sentry
 * (or -1 on kernels before 5.3). */
static void reaper_main(const struct hostcg *h, int life_r, int done_w,
			int sentry_fd)
{
	setsid();
	static const int ignored[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP,
				       SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &sa, NULL);
	/* Nothing of the sentry's but the pipes and the pidfd: a FUSE fd or
	 * a socket held here would outlive the sentry. stdin/out/err become
	 * /dev/null, so a pipeline reading the sentry's output ends with
	 * it. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++) {
		if (null >= 0 && fd != null)
			dup2(null, fd);
	}
	close_all_but(life_r, done_w, sentry_fd);
	prctl(PR_SET_NAME, "sentry-hostcg", 0, 0, 0);
	pid_t me = getpid();
	if (write(done_w, &me, sizeof(me)) != sizeof(me))
		_exit(1);
	/* Wait for the sentry's word (a byte: hostcg_close) or death (its
	 * pidfd becomes readable; without one, EOF on the pipe once every
	 * holder of its write end is gone). */
	struct pollfd p[2] = {
		{ .fd = life_r, .events = POLLIN },
		{ .fd = sentry_fd, .events = POLLIN },
	};
	while (poll(p, sentry_fd >= 0 ? 2 : 1, -1) < 0 && errno == EINTR)
		;
	hostcg_remove_all(h);
	_exit(0);
}

int hostcg_reaper_start(struct hostcg *h)
{
	int life[2], done[2];
	if (pipe2(life, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(done, O_CLOEXEC) < 0) {
		int e = errno;
		close(life[0]);
		close(life[1]);
		return -e;
	}
	pid_t sentry = getpid();
	pid_t mid = fork();
	if (mid < 0) {
		int e = errno;
		close(life[0]);
		close(life[1]);
		close(done[0]);
		close(done[1]);
		return -e;
	}
	if (mid == 0) {
		close(life[1]);
		close(done[0]);
		/* While the sentry is our parent its pid names it; if it
		 * already died, remove the mirror now. */
		int sentry_fd = (int)syscall(SYS_pidfd_open, sentry, 0);
		if (getppid() != sentry) {
			hostcg_remove_all(h);
			_exit(1);
		}
		pid_t r = fork();
		if (r == 0)
			reaper_main(h, life[0], done[1], sentry_fd);
		_exit(r < 0 ? 1 : 0);
	}
	close(life[0]);
	close(done[1]);
	/* The middle child exits at once. ECHILD: someone's waitpid(-1)
	 * collected it first, which is harmless. */
	int st;
	while (waitpid(mid, &st, __WALL) < 0 && errno == EINTR)
		;
	/* The reaper's pid, or EOF if it could not start. */
	pid_t reaper;
	ssize_t n;
	do
		n = read(done[0], &reaper, sizeof(reaper));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(reaper)) {
		close(life[1]);
		close(done[0]);
		return -ECHILD;
	}
	h->life_fd = life[1];
	h->done_fd = done[0];
	h->reaper = reaper;
	return 0;
}

void hostcg_reaper_stop(struct hostcg *h)
{
	if (h->life_fd < 0)
		return;
	/* A byte, not only EOF: a task forked since hostcg_open that has not
	 * exec'd yet holds the write end too. */
	ssize_t w;
	do
		w = write(h->life_fd, "q", 1);
	while (w < 0 && errno == EINTR);
	close(h->life_fd);
	h->life_fd = -1;
	struct pollfd p = { .fd = h->done_fd, .events = POLLIN };
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long waited = (now.tv_sec - start.tv_sec) * 1000 +
			      (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited >= REAPER_EXIT_WAIT_MS)
			break;
		int r = poll(&p, 1, (int)(REAPER_EXIT_WAIT_MS - waited));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		char c;
		ssize_t n = read(h->done_fd, &c, 1);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break; /* EOF: the reaper has exited */
	}
	close(h->done_fd);
	h->done_fd = -1;
}
