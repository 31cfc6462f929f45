/*
 * Tests of the mounted filesystem (src/procfs/procfs.c): reads through
 * the kernel's VFS, read-only behaviour, cache invalidation, stale-mount
 * recovery, and procps/psmisc run against proc/ bind-mounted over /proc
 * in a private mount namespace.
 *
 * Needs root and /dev/fuse; exits 77 (skipped) otherwise. The emulated
 * tasks are backed by real host processes (sleep) so host-owned fields
 * (state, times, FDs) are real.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "procfs/procfs.h"

__attribute__((weak)) int kernel_dump_render(struct kernel *k, bool json,
					     char **out, size_t *len)
{
	*out = strdup(json ? "{\"schema_version\":1}\n" : "dump\n");
	*len = strlen(*out);
	return 0;
}

static struct {
	struct kernel k;
	struct procfs *fs;
	char dir[64];   /* temp dir */
	char mnt[96];   /* mount point inside it */
	pid_t host[3];  /* sleep processes backing tasks 1, 2, 3 */
	struct task *t3;
} g;

static pid_t spawn_sleep(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("sleep", "sleep", "300", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", g.mnt, rel);
}

/* Reads a whole file through the VFS. */
static char *vfs_read(const char *rel, size_t *len_out)
{
	char path[256], *buf = malloc(1 << 20);
	size_t len = 0;
	ssize_t n;
	int fd;

	path_of(path, sizeof(path), rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	while ((n = read(fd, buf + len, (1 << 20) - 1 - len)) > 0)
		len += (size_t)n;
	assert_true(n == 0);
	close(fd);
	buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;
}

/* Runs a shell command, returns its stdout+stderr and exit status. */
static char *run(const char *cmd, int *status)
{
	char full[1024];
	FILE *f;
	char *out = calloc(1, 1 << 20);
	size_t len = 0, n;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	f = popen(full, "r");
	assert_non_null(f);
	while ((n = fread(out + len, 1, (1 << 20) - 1 - len, f)) > 0)
		len += n;
	*status = pclose(f);
	return out;
}

static int group_setup(void **state)
{
	static const char argv_init[] = "init";
	static const char argv_sh[] = "sh\0-c\0sleep 300";
	static const char argv_sleep[] = "sleep\0" "300";
	char err[256];
	struct task *init, *sh;
	int rc;

	strcpy(g.dir, "/tmp/sentryfs-test-XXXXXX");
	if (!mkdtemp(g.dir))
		return -1;
	/* A mount point that does not exist yet: procfs_start creates it. */
	snprintf(g.mnt, sizeof(g.mnt), "%s/a/mnt", g.dir);
	for (int i = 0; i < 3; i++)
		g.host[i] = spawn_sleep();
	tk_kernel_init(&g.k);
	init = tk_init(&g.k, g.host[0], argv_init, sizeof(argv_init));
	sh = tk_fork(&g.k, init, 2, g.host[1]);
	tk_set_cmdline(sh, argv_sh, sizeof(argv_sh));
	tk_set_comm(sh, "sh");
	g.t3 = tk_fork(&g.k, sh, 3, g.host[2]);
	tk_set_cmdline(g.t3, argv_sleep, sizeof(argv_sleep));
	tk_set_comm(g.t3, "sleep");
	rc = procfs_start(&g.k, g.mnt, &g.fs, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "procfs_start: %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	procfs_stop(g.fs);
	for (int i = 0; i < 3; i++) {
		if (g.host[i] > 0) /* never kill(0) or kill(-1) */
			kill(g.host[i], SIGKILL);
		waitpid(g.host[i], NULL, 0);
	}
	rmdir(g.mnt);
	{
		static const char *const leftovers[] = { "ours", "host" };
		char p[128];

		/* fd_directory_mirrors_host_fds's listings */
		for (size_t i = 0; i < 2; i++) {
			snprintf(p, sizeof(p), "%s/%s", g.dir, leftovers[i]);
			unlink(p);
		}
		snprintf(p, sizeof(p), "%s/a", g.dir);
		rmdir(p);
		/* The stale-mount tests' mount points: a test that failed
		 * halfway leaves its dead mount there; detach it, or the
		 * machine keeps one more ENOTCONN mount per failed run. */
		for (size_t i = 0; i < 2; i++) {
			snprintf(p, sizeof(p), "%s/%s", g.dir,
				 i ? "stale-cached" : "stale");
			umount2(p, MNT_DETACH);
			rmdir(p);
		}
	}
	rmdir(g.dir);
	return 0;
}

static void vfs_reads_match_the_renderer(void **state)
{
	static const char *const files[] = {
		"tasks/2/status", "proc/2/stat", "threadgroups/2/tasks",
		"kernel/counts", "proc/1/cmdline", "cgroups/cgroup.procs",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *direct = NULL;
		size_t dlen = 0, vlen = 0;
		char *v = vfs_read(files[i], &vlen);

		assert_int_equal(procfs_read_path(&g.k, files[i], 0, &direct,
						  &dlen),
				 0);
		size_t n = strlen(files[i]);

		if (n < 5 || strcmp(files[i] + n - 5, "/stat") != 0) {
			assert_int_equal(vlen, dlen);
			assert_memory_equal(v, direct, dlen);
		} else {
			/* The state letter (R or S, the host's) and the host
			 * CPU times may change between the two renders:
			 * compare up to the state letter, "2 (sh) ". */
			assert_memory_equal(v, direct, 7);
		}
		assert_true(vlen > 0);
		free(direct);
		free(v);
	}
}

static void odd_offsets_huge_reads_and_concurrent_opens(void **state)
{
	char path[256], buf[64];
	size_t len;
	char *whole = vfs_read("proc/2/status", &len);
	char *huge = malloc(8 << 20);
	int a, b;

	path_of(path, sizeof(path), "proc/2/status");
	a = open(path, O_RDONLY);
	b = open(path, O_RDONLY);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(pread(a, buf, 7, 3), 7);
	assert_memory_equal(buf, whole + 3, 7);
	assert_int_equal(pread(b, buf, 5, 101), 5);
	assert_memory_equal(buf, whole + 101, 5);
	assert_int_equal(pread(a, buf, 10, (off_t)len - 4), 4);
	assert_int_equal(pread(a, buf, 10, (off_t)len + 1000), 0);
	assert_int_equal(pread(b, huge, 8 << 20, 0), (ssize_t)len);
	assert_memory_equal(huge, whole, 40);
	close(a);
	close(b);
	free(huge);
	free(whole);
}

/* A file held open and a second open of it: both read a whole snapshot
 * (with FUSE passthrough the second shares the first's, see sentryfs(5)
 * CACHING); once both are closed, the next open shows the new state. */
static void held_open_then_release_renders_afresh(void **state)
{
	char path[256], buf[64];
	ssize_t n;
	int a, b, c;

	path_of(path, sizeof(path), "tasks/3/comm");
	a = open(path, O_RDONLY);
	assert_true(a >= 0);
	n = read(a, buf, sizeof(buf));
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "sleep\n", 6);
	tk_set_comm(g.t3, "renamed");
	b = open(path, O_RDONLY);
	assert_true(b >= 0);
	n = read(b, buf, sizeof(buf));
	assert_true((n == 6 && !memcmp(buf, "sleep\n", 6)) ||
		    (n == 8 && !memcmp(buf, "renamed\n", 8)));
	close(a);
	close(b);
	c = open(path, O_RDONLY);
	assert_true(c >= 0);
	n = read(c, buf, sizeof(buf));
	tk_set_comm(g.t3, "sleep");
	close(c);
	assert_int_equal(n, 8);
	assert_memory_equal(buf, "renamed\n", 8);
}

static void writes_creates_renames_chmods_give_erofs(void **state)
{
	char p[256], q[256];

	path_of(p, sizeof(p), "tasks/1/comm");
	assert_int_equal(open(p, O_WRONLY), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(open(p, O_RDWR | O_TRUNC), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(chmod(p, 0777), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(unlink(p), -1);
	assert_int_equal(errno, EROFS);
	path_of(q, sizeof(q), "tasks/1/new");
	assert_int_equal(open(q, O_CREAT | O_WRONLY, 0644), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(rename(p, q), -1);
	assert_int_equal(errno, EROFS);
	path_of(q, sizeof(q), "tasks/newdir");
	assert_int_equal(mkdir(q, 0755), -1);
	assert_int_equal(errno, EROFS);
	path_of(q, sizeof(q), "tasks/999/status");
	assert_int_equal(open(q, O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
}

static void listing_is_sorted_and_exited_task_disappears(void **state)
{
	char p[256];
	struct stat st;
	int status;
	char cmd[512], *out;
	struct task *th = tk_thread(&g.k, g.t3, 10, g.host[2]);

	snprintf(cmd, sizeof(cmd), "ls -f %s/tasks", g.mnt);
	out = run(cmd, &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "1\n2\n3\n10\n"));
	free(out);
	path_of(p, sizeof(p), "tasks/10/status");
	assert_int_equal(stat(p, &st), 0); /* now cached for a second */
	tk_exit(&g.k, th, 0);
	procfs_task_gone(g.fs, 10);
	for (int i = 0; i < 50 && stat(p, &st) == 0; i++)
		usleep(1000); /* the invalidation is asynchronous */
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(errno, ENOENT);
	path_of(p, sizeof(p), "tasks/10");
	assert_int_equal(stat(p, &st), -1);
}

static void fd_directory_mirrors_host_fds(void **state)
{
	char p[256], target[256], hp[64], host_target[256];
	ssize_t n;
	int status;
	char cmd[512], *out;

	/* readdir order is numeric, and the set is the host's. */
	snprintf(cmd, sizeof(cmd),
		 "ls -f %s/tasks/3/fd | grep -v '^[.]' > %s/ours && "
		 "ls /proc/%d/fd | sort -n > %s/host && cmp %s/ours %s/host",
		 g.mnt, g.dir, (int)g.host[2], g.dir, g.dir, g.dir);
	out = run(cmd, &status);
	if (status != 0)
		fail_msg("fd listings differ: %s", out);
	free(out);
	path_of(p, sizeof(p), "proc/3/fd/1");
	n = readlink(p, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	snprintf(hp, sizeof(hp), "/proc/%d/fd/1", (int)g.host[2]);
	n = readlink(hp, host_target, sizeof(host_target) - 1);
	assert_true(n > 0);
	host_target[n] = '\0';
	assert_string_equal(target, host_target);
	out = vfs_read("tasks/3/fdinfo/0", NULL);
	assert_non_null(strstr(out, "pos:"));
	free(out);
}

/* procps and psmisc on proc/ bind-mounted over /proc show the emulated
 * PIDs, parents and names. */
static void ps_and_pstree_show_the_emulated_tree(void **state)
{
	char cmd[512], *out;
	int status;

	snprintf(cmd, sizeof(cmd),
		 "unshare --mount sh -c 'mount --bind %s/proc /proc && "
		 "ps -eo pid=,ppid=,pgid=,sid=,stat=,comm='",
		 g.mnt);
	out = run(cmd, &status);
	if (status != 0)
		fail_msg("ps: status %d:\n%s", status, out);
	assert_non_null(strstr(out, "    1     0     1     1 S"));
	assert_non_null(strstr(out, "    2     1     1     1 S"));
	assert_non_null(strstr(out, "    3     2     1     1 S"));
	assert_non_null(strstr(out, " init\n"));
	assert_non_null(strstr(out, " sleep\n"));
	free(out);

	snprintf(cmd, sizeof(cmd),
		 "unshare --mount sh -c 'mount --bind %s/proc /proc && "
		 "pstree -p 1'",
		 g.mnt);
	out = run(cmd, &status);
	if (status != 0)
		fail_msg("pstree: status %d:\n%s", status, out);
	assert_non_null(strstr(out, "init(1)"));
	assert_non_null(strstr(out, "sh(2)"));
	assert_non_null(strstr(out, "sleep(3)"));
	free(out);
}

/* The other tools of issue 4 run without errors on proc/. */
static void procps_tools_run_without_errors(void **state)
{
	static const char *const tools[] = {
		"ps -ef", "ps axjf", "ps -eLf", "ps aux", "top -b -n1",
		"pgrep -l sleep", "pidof sleep", "lsof -p 2",
	};

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char cmd[512], *out;
		int status;

		snprintf(cmd, sizeof(cmd),
			 "unshare --mount sh -c 'mount --bind %s/proc /proc && "
			 "%s'",
			 g.mnt, tools[i]);
		out = run(cmd, &status);
		if (status != 0)
			fail_msg("%s: status %d:\n%s", tools[i], status, out);
		if (!strncmp(tools[i], "pidof", 5))
			assert_string_equal(out, "3\n");
		if (!strncmp(tools[i], "pgrep", 5))
			assert_string_equal(out, "3 sleep\n");
		free(out);
	}
}

/* As in Linux, proc/PID/environ and proc/PID/fd/ (and tasks/TID/fd/)
 * are for the task's owner: another user gets EACCES there, and still
 * reads the rest. */
static void environ_and_fd_are_for_the_owner_only(void **state)
{
	char env[256], fd[256], tfd[256], cmd[256], dir[128];
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	path_of(env, sizeof(env), "proc/3/environ");
	path_of(fd, sizeof(fd), "proc/3/fd");
	path_of(tfd, sizeof(tfd), "tasks/3/fd");
	path_of(cmd, sizeof(cmd), "proc/3/cmdline");
	/* The test's directories are 0700: let the other user through. */
	snprintf(dir, sizeof(dir), "%s/a", g.dir);
	assert_int_equal(chmod(g.dir, 0711), 0);
	assert_int_equal(chmod(dir, 0711), 0);
	pid = fork();
	if (pid == 0) {
		int e1, e2, e3, ok;

		/* A user of its own, so nothing else of it can interfere. */
		if (setgid(47113) || setuid(47113))
			_exit(10);
		e1 = open(env, O_RDONLY) < 0 ? errno : 0;
		e2 = open(fd, O_RDONLY | O_DIRECTORY) < 0 ? errno : 0;
		e3 = open(tfd, O_RDONLY | O_DIRECTORY) < 0 ? errno : 0;
		ok = open(cmd, O_RDONLY) >= 0;
		if (e1 != EACCES || e2 != EACCES || e3 != EACCES || !ok)
			fprintf(stderr,
				"environ: %s; fd/: %s; tasks fd/: %s; cmdline %s\n",
				strerror(e1), strerror(e2), strerror(e3),
				ok ? "read" : "refused");
		_exit(e1 == EACCES && e2 == EACCES && e3 == EACCES && ok ? 0
									 : 11);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	chmod(dir, 0700);
	chmod(g.dir, 0700);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The owner (root here) reads both. */
	free(vfs_read("proc/3/environ", NULL));
	{
		int d = open(fd, O_RDONLY | O_DIRECTORY);

		assert_true(d >= 0);
		close(d);
	}
}

/* Opens every readable regular file of tasks/T and proc/T for T in
 * 1..3, except environ; returns how many descriptors it put in held. */
static int open_many_files(int *held, int max)
{
	static const char *const dirs[] = { "tasks", "proc" };
	int nheld = 0;

	for (int d = 0; d < 2; d++) {
		for (int t = 1; t <= 3; t++) {
			char dp[256];
			struct dirent *e;
			DIR *dir;

			snprintf(dp, sizeof(dp), "%s/%s/%d", g.mnt, dirs[d], t);
			dir = opendir(dp);
			if (!dir)
				continue;
			while ((e = readdir(dir)) && nheld < max) {
				char fp[512];
				int h;

				if (e->d_type != DT_REG ||
				    !strcmp(e->d_name, "environ"))
					continue;
				snprintf(fp, sizeof(fp), "%s/%s", dp, e->d_name);
				h = open(fp, O_RDONLY);
				if (h >= 0)
					held[nheld++] = h;
			}
			closedir(dir);
		}
	}
	return nheld;
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* Whether the page at map holds needle; a page past the end of its
 * memory file (SIGBUS) holds nothing. */
static bool page_holds(const void *map, const char *needle, size_t n)
{
	volatile bool found = false;

	if (sigsetjmp(bus_jmp, 1) == 0)
		found = memmem(map, 4096, needle, n) != NULL;
	return found;
}

/* A mapping of a file, kept after close by another user, never shows a
 * file not everyone may read (proc/PID/environ): that goes only into
 * memory files no other user has read through (passthrough.c). */
static void a_kept_mapping_never_shows_another_users_private_file(void **state)
{
	char dir[128], *secret;
	int ready[2], go[2], status;
	size_t len;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	secret = vfs_read("proc/3/environ", &len);
	if (len < 16) {
		free(secret);
		skip(); /* nothing to look for */
	}
	snprintf(dir, sizeof(dir), "%s/a", g.dir);
	assert_int_equal(chmod(g.dir, 0711), 0);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	if (pid == 0) {
		static void *maps[256];
		int held[256], n, leaked = 0;
		char c = 0;

		close(ready[0]);
		close(go[1]);
		if (setgid(47114) || setuid(47114))
			_exit(10);
		/* Map many files at once, then close them: their memory
		 * files go back to the pool, mapped by this user. */
		n = open_many_files(held, 256);
		for (int i = 0; i < n; i++) {
			maps[i] = mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				       held[i], 0);
			close(held[i]);
		}
		if (n < 40 || maps[0] == MAP_FAILED)
			_exit(n < 40 ? 11 : 0); /* no passthrough: nothing shared */
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(12);
		signal(SIGBUS, on_sigbus);
		for (int i = 0; i < n; i++)
			if (maps[i] != MAP_FAILED &&
			    page_holds(maps[i], secret, 16))
				leaked++;
		if (leaked)
			fprintf(stderr, "%d kept mappings show environ\n",
				leaked);
		_exit(leaked ? 13 : 0);
	}
	/* Only the child writes ready and reads go: if it dies early, the
	 * read below sees end of file instead of hanging. */
	close(ready[1]);
	close(go[0]);
	{
		char c = 0;

		assert_int_equal(read(ready[0], &c, 1), 1);
		/* Root reads the private file many times, taking memory files
		 * from the pool each time. */
		for (int i = 0; i < 40; i++)
			free(vfs_read("proc/3/environ", NULL));
		assert_int_equal(write(go[1], &c, 1), 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	chmod(dir, 0700);
	chmod(g.dir, 0700);
	close(ready[0]);
	close(go[1]);
	free(secret);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Backings of released files are reused (passthrough.c): a short file
 * read right after long ones holds only its own bytes. */
static void reused_backings_hold_only_the_new_contents(void **state)
{
	for (int i = 0; i < 50; i++) {
		size_t len;
		char *big = vfs_read("tasks/1/status", &len);
		char *small;

		assert_true(len > 100);
		free(big);
		small = vfs_read("tasks/3/comm", &len);
		assert_int_equal(len, 6);
		assert_string_equal(small, "sleep\n");
		free(small);
	}
}

static bool rings_expected(void)
{
	const char *env = getenv("SENTRY_PROCFS_URING");

	return geteuid() == 0 && (!env || strcmp(env, "0")) &&
	       access("/sys/module/fuse/parameters/enable_uring", F_OK) == 0;
}

/* As root on a kernel with FUSE over io_uring, requests come through the
 * rings, one queue per possible CPU, and contents are passed through. */
static void requests_come_through_rings_when_the_kernel_has_them(void **state)
{
	struct procfs_transport tr;
	unsigned long before;

	if (!rings_expected())
		skip();
	procfs_get_transport(g.fs, &tr);
	assert_true(tr.ring_queues >= 1);
	assert_true(tr.passthrough);
	before = tr.ring_requests;
	for (int i = 0; i < 20; i++)
		free(vfs_read("tasks/2/status", NULL));
	procfs_get_transport(g.fs, &tr);
	/* An OPEN for each, answered before open() returned (the RELEASEs
	 * are asynchronous), all through the rings. */
	assert_true(tr.ring_requests >= before + 20);
}

/* With SENTRY_PROCFS_URING=0, everything comes through /dev/fuse and
 * reads the same. */
static void without_rings_requests_come_through_dev_fuse(void **state)
{
	char mp[128], err[256], p[256], buf[64];
	struct procfs_transport tr;
	struct procfs *fs = NULL;
	ssize_t n;
	int fd;

	snprintf(mp, sizeof(mp), "%s/norings", g.dir);
	setenv("SENTRY_PROCFS_URING", "0", 1);
	assert_int_equal(procfs_start(&g.k, mp, &fs, err, sizeof(err)), 0);
	unsetenv("SENTRY_PROCFS_URING");
	snprintf(p, sizeof(p), "%s/tasks/3/comm", mp);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "sleep\n", 6);
	procfs_get_transport(fs, &tr);
	assert_int_equal(tr.ring_queues, 0);
	assert_int_equal(tr.ring_requests, 0);
	assert_true(tr.dev_requests >= 3); /* INIT, LOOKUPs, OPEN */
	procfs_stop(fs);
	assert_int_equal(rmdir(mp), 0);
}

/* Stopping while a reader holds a file open and sits in the mount must
 * not hang: the stop returns promptly, the held file still reads its
 * snapshot or fails cleanly, and new accesses fail (ENOTCONN, or
 * ECONNABORTED or ECANCELED from a ring torn down), never block. */
static void stop_with_a_file_held_open_returns_promptly(void **state)
{
	char mp[128], err[256], p[256], buf[64];
	struct procfs *fs = NULL;
	struct timespec t0, t1;
	int fd, dirfd;
	double secs;
	ssize_t n;

	snprintf(mp, sizeof(mp), "%s/held", g.dir);
	assert_int_equal(procfs_start(&g.k, mp, &fs, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/tasks/3/comm", mp);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	snprintf(p, sizeof(p), "%s/tasks", mp);
	dirfd = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	procfs_stop(fs);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 5.0);
	n = read(fd, buf, sizeof(buf));
	assert_true(n == 6 || n < 0);
	/* An open needs the daemon, so no cache can answer it. */
	assert_int_equal(openat(dirfd, "3/comm", O_RDONLY), -1);
	assert_true(errno == ENOTCONN || errno == ECONNABORTED ||
		    errno == ECANCELED);
	close(fd);
	close(dirfd);
	assert_int_equal(rmdir(mp), 0);
}

/* A sentry that dies leaves a mount whose every access fails with
 * ENOTCONN; the next start clears it and says so. */
static void stale_mount_is_cleared_by_next_start(void **state)
{
	char mp[128], err[256];
	struct procfs *fs = NULL;
	struct stat st;
	int status;
	pid_t pid;

	snprintf(mp, sizeof(mp), "%s/stale", g.dir);
	pid = fork();
	if (pid == 0) {
		struct procfs *child_fs;

		if (procfs_start(&g.k, mp, &child_fs, err, sizeof(err)) < 0)
			_exit(1);
		_exit(0); /* dies without unmounting */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(stat(mp, &st), -1);
	/* ECONNABORTED while the host is still tearing the connection
	 * down (seen about once in 300 runs), ENOTCONN after. */
	assert_true(errno == ENOTCONN || errno == ECONNABORTED);

	assert_int_equal(procfs_start(&g.k, mp, &fs, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "stale"));
	assert_int_equal(stat(mp, &st), 0);
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/kernel/state", mp);
		assert_int_equal(stat(p, &st), 0);
	}
	procfs_stop(fs);
	assert_int_equal(rmdir(mp), 0); /* unmounted: an empty directory */
}

/* The same when the dead sentry's mount point was looked at just before
 * it died: the kernel then answers stat() from its cache for a while,
 * and the next start must still see the mount as stale (it used to mount
 * on top of it, leaving one more mount behind at every crash). */
static void stale_mount_with_cached_attributes_is_cleared(void **state)
{
	char mp[128], err[256], p[256];
	struct procfs *fs = NULL;
	int go[2], done[2], status;
	struct stat st;
	char c = 0;
	pid_t pid;

	snprintf(mp, sizeof(mp), "%s/stale-cached", g.dir);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid = fork();
	if (pid == 0) {
		struct procfs *child_fs;

		close(go[0]);
		close(done[1]);
		if (procfs_start(&g.k, mp, &child_fs, err, sizeof(err)) < 0)
			_exit(1);
		if (write(go[1], "m", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(2);
		_exit(0); /* dies without unmounting */
	}
	/* Only the child writes go and reads done: if it dies early (as
	 * TSan's die_after_fork makes it), the read sees end of file and the
	 * test fails instead of hanging. */
	close(go[1]);
	close(done[0]);
	assert_int_equal(read(go[0], &c, 1), 1);
	/* Cache the root's attributes and an entry. */
	assert_int_equal(stat(mp, &st), 0);
	snprintf(p, sizeof(p), "%s/kernel/state", mp);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(write(done[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	close(go[0]);
	close(done[1]);

	assert_int_equal(procfs_start(&g.k, mp, &fs, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "stale"));
	assert_int_equal(stat(p, &st), 0);
	procfs_stop(fs);
	/* Nothing left mounted: not ours, not the dead one's. */
	assert_int_equal(rmdir(mp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vfs_reads_match_the_renderer),
		cmocka_unit_test(odd_offsets_huge_reads_and_concurrent_opens),
		cmocka_unit_test(held_open_then_release_renders_afresh),
		cmocka_unit_test(writes_creates_renames_chmods_give_erofs),
		cmocka_unit_test(listing_is_sorted_and_exited_task_disappears),
		cmocka_unit_test(fd_directory_mirrors_host_fds),
		cmocka_unit_test(ps_and_pstree_show_the_emulated_tree),
		cmocka_unit_test(procps_tools_run_without_errors),
		cmocka_unit_test(stale_mount_is_cleared_by_next_start),
		cmocka_unit_test(stale_mount_with_cached_attributes_is_cleared),
		cmocka_unit_test(environ_and_fd_are_for_the_owner_only),
		cmocka_unit_test(a_kept_mapping_never_shows_another_users_private_file),
		cmocka_unit_test(reused_backings_hold_only_the_new_contents),
		cmocka_unit_test(requests_come_through_rings_when_the_kernel_has_them),
		cmocka_unit_test(without_rings_requests_come_through_dev_fuse),
		cmocka_unit_test(stop_with_a_file_held_open_returns_promptly),
	};

	if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0) {
		fprintf(stderr, "skipped: needs root and /dev/fuse\n");
		return 77;
	}
	/* PROCFS_TEST_HOLD=SECONDS: mount, print the mount point, wait (for
	 * poking at the filesystem by hand), then unmount. */
	if (getenv("PROCFS_TEST_HOLD")) {
		int extra = getenv("PROCFS_TEST_TASKS")
				    ? atoi(getenv("PROCFS_TEST_TASKS"))
				    : 0;

		if (group_setup(NULL) < 0)
			return 1;
		/* PROCFS_TEST_TASKS=N more tasks, backed by the sleep of
		 * task 3, for timing tools on a larger tree. */
		for (int i = 0; i < extra; i++)
			tk_fork(&g.k, g.t3, 100 + i, g.host[2]);
		printf("%s\n", g.mnt);
		fflush(stdout);
		sleep((unsigned)atoi(getenv("PROCFS_TEST_HOLD")));
		return group_teardown(NULL);
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
