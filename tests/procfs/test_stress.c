/*
 * Stress test of the mounted filesystem (issue 4): a real `sentry run`
 * workload forks and exits thousands of tasks while reader threads walk
 * the whole tree in a loop. Every file that opens must read whole and
 * parse (proc status lines are "Key:\tvalue", stat has Linux's 52 fields,
 * tasks/ files are "key: value"); a task that vanished may give ENOENT,
 * nothing else may fail; the sentry must exit with the workload's status
 * and leave no mount behind.
 *
 *   procfs_test_stress SENTRY_BINARY
 *
 * Needs root and /dev/fuse; exits 77 (skipped) otherwise. Runs in the
 * normal, the ASan and the TSan build of the suite (scripts/test.sh): a
 * sanitizer's report makes the sentry exit with the sanitizer's status,
 * not the workload's, and so fails the test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NR_READERS 2
#define WORKLOAD_STATUS 7
#define FUSE_SUPER_MAGIC 0x65735546

/* Rounds of 40 short-lived subshells: at least 150 (6,000 tasks forked
 * and exited), and then on until the readers have seen enough (the file
 * $1 appears) or 1,500 rounds; then the workload's own exit status. On a
 * loaded machine the readers may need more than 150 rounds' time. */
static const char workload[] =
	"i=0; while [ $i -lt 150 ] || { [ ! -e \"$1\" ] && [ $i -lt 1500 ]; }; "
	"do j=0; "
	"while [ $j -lt 40 ]; do ( : ) & j=$((j+1)); done; wait; "
	"i=$((i+1)); done; exit 7";

#define ENOUGH_FILES 100
#define ENOUGH_TASKS 10

static char mnt[256];
static atomic_bool done;
static atomic_ulong n_files, n_links, n_dirs, n_vanished, n_passes, n_tasks_seen;
static atomic_int n_failures;
static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;

static void failure(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&n_failures, 1) >= 20)
		return; /* enough said */
	pthread_mutex_lock(&report_mu);
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	pthread_mutex_unlock(&report_mu);
}

static bool is_num(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Checks the format of a file by its path. */
static void check_content(const char *path, const char *buf, size_t len)
{
	const char *base = strrchr(path, '/') + 1;
	bool in_proc = strncmp(path + strlen(mnt), "/proc/", 6) == 0;
	bool in_tasks = strncmp(path + strlen(mnt), "/tasks/", 7) == 0;
	char parent[64];
	const char *p = base - 2;

	/* The parent directory's name: a PID, or "kernel", ... */
	while (p > path && *p != '/')
		p--;
	snprintf(parent, sizeof(parent), "%.*s", (int)(base - 1 - (p + 1)),
		 p + 1);
	if (!is_num(parent))
		return; /* system-wide files have formats of their own */

	if (in_proc && !strcmp(base, "status")) {
		int lines = 0;

		for (const char *l = buf; l < buf + len; lines++) {
			const char *nl = memchr(l, '\n', (size_t)(buf + len - l));
			const char *colon = memchr(l, ':', (size_t)((nl ? nl : buf + len) - l));

			if (!nl || !colon || colon[1] != '\t') {
				failure("%s: line %d is not \"Key:\\tvalue\": %.40s",
					path, lines + 1, l);
				return;
			}
			l = nl + 1;
		}
		if (lines < 20 || strncmp(buf, "Name:\t", 6) != 0)
			failure("%s: %d lines, starts %.20s", path, lines, buf);
	} else if ((in_proc || in_tasks) && !strcmp(base, "stat")) {
		const char *rp = NULL;
		int fields = 2;

		for (size_t i = 0; i < len; i++)
			if (buf[i] == ')')
				rp = buf + i;
		if (!rp || len == 0 || buf[len - 1] != '\n' ||
		    strncmp(buf, parent, strlen(parent)) != 0) {
			failure("%s: malformed stat: %.60s", path, buf);
			return;
		}
		for (const char *q = rp + 1; q < buf + len - 1; q++)
			if (*q == ' ')
				fields++;
		if (fields != 52)
			failure("%s: %d fields in stat, want 52", path, fields);
	} else if (in_tasks && !strcmp(base, "blocked")) {
		/* One line: what the task waits for (blocked.h). */
		if (len < 2 || buf[len - 1] != '\n' ||
		    memchr(buf, '\n', len - 1))
			failure("%s: not one line: %.60s", path, buf);
	} else if (in_tasks && strcmp(base, "cmdline") != 0 &&
		   strcmp(base, "children") != 0 && strcmp(base, "cgroup") != 0 &&
		   strcmp(base, "comm") != 0) {
		/* tasks/TID/{status,exit,stop,signals,ptrace,creds,regs}:
		 * one "key: value" a line. */
		for (const char *l = buf; l < buf + len;) {
			const char *nl = memchr(l, '\n', (size_t)(buf + len - l));
			const char *colon = memchr(l, ':', (size_t)((nl ? nl : buf + len) - l));

			if (!nl || !colon || colon == l || colon[1] != ' ') {
				failure("%s: line is not \"key: value\": %.40s",
					path, l);
				return;
			}
			l = nl + 1;
		}
		if (len == 0)
			failure("%s: empty", path);
	}
}

static atomic_ulong n_aborted;

static bool vanished_ok(int err)
{
	/* A task that left between readdir and open/read. */
	if (err == ENOENT)
		return true;
	/* The sentry is exiting: it aborts the connection before it
	 * unmounts, so that no access hangs (a crash shows in its exit
	 * status instead). */
	if (err == ECONNABORTED || err == ENOTCONN || err == ENODEV) {
		atomic_fetch_add(&n_aborted, 1);
		return true;
	}
	return false;
}

static void read_file(const char *path)
{
	static __thread char buf[1 << 20];
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		if (vanished_ok(errno))
			atomic_fetch_add(&n_vanished, 1);
		else
			failure("open %s: %s", path, strerror(errno));
		return;
	}
	/* Reads in odd-sized pieces so offsets are exercised too. */
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, len ? 97 : 1000)) > 0)
		len += (size_t)n;
	if (n < 0 && !vanished_ok(errno))
		failure("read %s: %s", path, strerror(errno));
	close(fd);
	if (n < 0)
		return;
	buf[len] = '\0';
	atomic_fetch_add(&n_files, 1);
	check_content(path, buf, len);
}

static void walk(const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		if (vanished_ok(errno))
			atomic_fetch_add(&n_vanished, 1);
		else
			failure("opendir %s: %s", path, strerror(errno));
		return;
	}
	atomic_fetch_add(&n_dirs, 1);
	while (!atomic_load(&done) && (de = readdir(d))) {
		char child[512], target[4096];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		if (depth == 2 && !strcmp(path + strlen(mnt), "/tasks"))
			atomic_fetch_add(&n_tasks_seen, 1);
		if (de->d_type == DT_DIR) {
			if (depth < 8)
				walk(child, depth + 1);
		} else if (de->d_type == DT_LNK) {
			if (readlink(child, target, sizeof(target)) < 0 &&
			    !vanished_ok(errno))
				failure("readlink %s: %s", child, strerror(errno));
			atomic_fetch_add(&n_links, 1);
		} else if (strcmp(de->d_name, "dump.json") != 0 &&
			   strcmp(de->d_name, "dump.txt") != 0) {
			read_file(child);
		}
	}
	closedir(d);
}

static void *reader(void *arg)
{
	struct statfs sfs;

	(void)arg;
	/* Wait for the mount. */
	while (!atomic_load(&done) &&
	       (statfs(mnt, &sfs) < 0 || sfs.f_type != FUSE_SUPER_MAGIC))
		usleep(10000);
	while (!atomic_load(&done)) {
		if (statfs(mnt, &sfs) < 0 || sfs.f_type != FUSE_SUPER_MAGIC) {
			usleep(10000); /* unmounted: the sentry is exiting */
			continue;
		}
		walk(mnt, 1);
		atomic_fetch_add(&n_passes, 1);
	}
	return NULL;
}

static bool mounted(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ' ');

		/* id parent major:minor root mountpoint ... */
		for (int i = 0; p && i < 3; i++)
			p = strchr(p + 1, ' ');
		if (p && !strncmp(p + 1, path, strlen(path)) &&
		    p[1 + strlen(path)] == ' ')
			found = true;
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/procfs_stress.XXXXXX", name[32], flag[64];
	pthread_t th[NR_READERS];
	struct timespec t0, t1;
	pid_t pid;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: procfs_test_stress SENTRY\n");
		return 2;
	}
	if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0) {
		printf("skipped: needs root and /dev/fuse\n");
		return 77;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(flag, sizeof(flag), "%s/enough", dir);
	snprintf(name, sizeof(name), "stress%d", (int)getpid());
	alarm(110); /* ctest's timeout is 120 s */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		execl(argv[1], argv[1], "run", "--name", name, "--mount", mnt,
		      "--", "/bin/sh", "-c", workload, "sh", flag, (char *)NULL);
		perror("exec sentry");
		_exit(127);
	}
	for (int i = 0; i < NR_READERS; i++)
		pthread_create(&th[i], NULL, reader, NULL);
	/* Tell the workload to stop once the readers have seen enough. */
	for (bool told = false;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r < 0)
			return 1;
		if (r == pid)
			break;
		if (!told && atomic_load(&n_files) >= ENOUGH_FILES &&
		    atomic_load(&n_tasks_seen) >= ENOUGH_TASKS) {
			close(open(flag, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
			told = true;
		}
		usleep(20000);
	}
	atomic_store(&done, true);
	for (int i = 0; i < NR_READERS; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("%.1f s: %lu passes, %lu dirs, %lu files, %lu links, "
	       "%lu vanished (ENOENT), %lu task entries seen, "
	       "%lu accesses during unmount\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       atomic_load(&n_passes), atomic_load(&n_dirs),
	       atomic_load(&n_files), atomic_load(&n_links),
	       atomic_load(&n_vanished), atomic_load(&n_tasks_seen),
	       atomic_load(&n_aborted));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != WORKLOAD_STATUS)
		failure("sentry exited with status 0x%x, want exit %d", status,
			WORKLOAD_STATUS);
	if (mounted(mnt))
		failure("%s is still mounted after the sentry exited", mnt);
	if (atomic_load(&n_files) < ENOUGH_FILES ||
	    atomic_load(&n_tasks_seen) < ENOUGH_TASKS)
		failure("the readers saw too little: %lu files, %lu tasks",
			atomic_load(&n_files), atomic_load(&n_tasks_seen));
	unlink(flag);
	rmdir(mnt);
	rmdir(dir);
	if (atomic_load(&n_failures)) {
		printf("%d failures\n", atomic_load(&n_failures));
		return 1;
	}
	printf("ok\n");
	return 0;
}
