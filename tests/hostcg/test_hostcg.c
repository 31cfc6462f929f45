/*
 * test_hostcg.c - unit tests of the host cgroup mirror (src/platform/
 * hostcg*.c) against a fake cgroupfs: plain directories in a temp dir,
 * listed by a fake mountinfo and a fake /proc/self/cgroup.
 *
 * The fake kernel: mkdir, rmdir and write are wrapped (-Wl,--wrap=...,
 * as SSSD mocks host calls). A directory made under a fake mount gets the
 * files Linux would create for that hierarchy, with Linux's initial
 * values; rmdir refuses EBUSY while the directory has children or tasks
 * (as cgroupfs does) and otherwise removes the files first; on the v2
 * mount, enabling a controller in the cgroup.subtree_control of a
 * non-root cgroup with processes fails EBUSY (no internal processes).
 * Paths outside the fake tree go to the real calls.
 *
 * Every test gets a fresh tree; the binary runs the test its argument
 * names (one CTest test each).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform/hostcg.h"
#include "platform/hostcg_internal.h"

int __real_mkdir(const char *path, mode_t mode);
int __real_rmdir(const char *path);
ssize_t __real_write(int fd, const void *buf, size_t n);

/* The fake tree: TMP/mnt/<mount>/..., TMP/mountinfo, TMP/cgroup. */
static char tmp[PATH_MAX];
static char mnt[PATH_MAX + 8];

/* ---- the fake kernel ---- */

static void put(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *dir, const char *file)
{
	static char buf[8192];
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The mount a path under mnt belongs to ("memory", "cpu,cpuacct",
 * "unified"), in out; false outside the fake tree. */
static bool fake_mount_of(const char *path, char *out, size_t outlen)
{
	size_t n = strlen(mnt);
	if (mnt[0] == '\0' || strncmp(path, mnt, n) != 0 || path[n] != '/')
		return false;
	const char *m = path + n + 1;
	size_t l = strcspn(m, "/");
	if (l >= outlen)
		return false;
	memcpy(out, m, l);
	out[l] = '\0';
	return true;
}

/* What the v2 fake's cgroup.controllers lists. */
static const char *v2_controllers = "cpu memory\n";
/* A subtree_control write the v2 fake refuses with EINVAL, or NULL. */
static const char *fake_refuse_enable;

static void populate(const char *dir, const char *mount)
{
	if (strcmp(mount, "unified") == 0) {
		put(dir, "cgroup.procs", "");
		put(dir, "cgroup.controllers", v2_controllers);
		put(dir, "cgroup.subtree_control", "");
		put(dir, "memory.max", "max\n");
		put(dir, "memory.high", "max\n");
		put(dir, "memory.current", "0\n");
		put(dir, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
		put(dir, "cpu.max", "max 100000\n");
		put(dir, "cpu.weight", "100\n");
		put(dir, "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
		return;
	}
	put(dir, "tasks", "");
	put(dir, "cgroup.procs", "");
	if (strstr(mount, "memory")) {
		put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
		put(dir, "memory.soft_limit_in_bytes", "9223372036854771712\n");
		put(dir, "memory.usage_in_bytes", "0\n");
		put(dir, "memory.max_usage_in_bytes", "0\n");
		put(dir, "memory.failcnt", "0\n");
		put(dir, "memory.oom_control",
		    "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
		put(dir, "memory.stat", "cache 0\nrss 0\ntotal_cache 0\ntotal_rss 0\n");
		put(dir, "memory.kmem.usage_in_bytes", "0\n");
	}
	/* "cpu" and "cpuacct" are both in "cpu,cpuacct". */
	char copy[64];
	snprintf(copy, sizeof(copy), "%s", mount);
	for (char *t = strtok(copy, ","); t; t = strtok(NULL, ",")) {
		if (strcmp(t, "cpu") == 0) {
			put(dir, "cpu.cfs_quota_us", "-1\n");
			put(dir, "cpu.cfs_period_us", "100000\n");
			put(dir, "cpu.shares", "1024\n");
			put(dir, "cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
		} else if (strcmp(t, "cpuacct") == 0) {
			put(dir, "cpuacct.usage", "0\n");
			put(dir, "cpuacct.usage_user", "0\n");
			put(dir, "cpuacct.usage_sys", "0\n");
			put(dir, "cpuacct.stat", "user 0\nsystem 0\n");
		}
	}
}

int __wrap_mkdir(const char *path, mode_t mode)
{
	int r = __real_mkdir(path, mode);
	char mount[64];
	if (r == 0 && fake_mount_of(path, mount, sizeof(mount)))
		populate(path, mount);
	return r;
}

int __wrap_rmdir(const char *path)
{
	char mount[64];
	if (!fake_mount_of(path, mount, sizeof(mount)))
		return __real_rmdir(path);
	DIR *d = opendir(path);
	if (!d)
		return -1; /* errno from opendir */
	struct dirent *e;
	/* cgroupfs: EBUSY with children or tasks. */
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char p[PATH_MAX * 2];
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		struct stat st;
		bool busy = false;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			busy = true;
		if ((strcmp(e->d_name, "tasks") == 0 ||
		     strcmp(e->d_name, "cgroup.procs") == 0) &&
		    st.st_size > 0)
			busy = true;
		if (busy) {
			closedir(d);
			errno = EBUSY;
			return -1;
		}
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' &&
		    (e->d_name[1] == '\0' || strcmp(e->d_name, "..") == 0))
			continue;
		char p[PATH_MAX * 2];
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		unlink(p);
	}
	closedir(d);
	return __real_rmdir(path);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	char link[64], path[PATH_MAX], mount[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t l = mnt[0] ? readlink(link, path, sizeof(path) - 1) : -1;
	if (l <= 0 || n == 0 || ((const char *)buf)[0] != '+')
		return __real_write(fd, buf, n);
	path[l] = '\0';
	const char *file = "/cgroup.subtree_control";
	size_t fl = strlen(file);
	if (!fake_mount_of(path, mount, sizeof(mount)) ||
	    strcmp(mount, "unified") != 0 || (size_t)l <= fl ||
	    strcmp(path + l - fl, file) != 0)
		return __real_write(fd, buf, n);
	path[l - fl] = '\0';
	char root[PATH_MAX + 16];
	snprintf(root, sizeof(root), "%s/unified", mnt);
	const char *procs = get(path, "cgroup.procs");
	if (strcmp(path, root) != 0 && procs && procs[0]) {
		errno = EBUSY;
		return -1;
	}
	/* Linux refuses +cpu while realtime tasks run in the subtree. */
	if (fake_refuse_enable && n == strlen(fake_refuse_enable) &&
	    memcmp(buf, fake_refuse_enable, n) == 0) {
		errno = EINVAL;
		return -1;
	}
	return __real_write(fd, buf, n);
}

/* ---- fixtures ---- */

static void rm_rf(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		unlink(path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char p[PATH_MAX * 2];
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		rm_rf(p);
	}
	closedir(d);
	__real_rmdir(path);
}

static void mkdirs(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			__real_mkdir(p, 0755);
			*s = '/';
		}
	}
	__real_mkdir(p, 0755);
}

/* Makes mount point mnt/<name> (with the sentry's cgroup dir below it,
 * populated) and returns its mountinfo line. */
static void add_mount(FILE *mi, int id, const char *name, const char *root,
		      const char *own, const char *type, const char *super)
{
	char point[PATH_MAX * 2], dir[PATH_MAX * 3];
	snprintf(point, sizeof(point), "%s/%s", mnt, name);
	snprintf(dir, sizeof(dir), "%s%s", point, own);
	mkdirs(dir);
	populate(point, name);
	/* The intermediate and own directories are cgroups too. */
	char walk[PATH_MAX * 3];
	snprintf(walk, sizeof(walk), "%s", point);
	char ownc[PATH_MAX];
	snprintf(ownc, sizeof(ownc), "%s", own);
	for (char *t = strtok(ownc, "/"); t; t = strtok(NULL, "/")) {
		strcat(walk, "/");
		strcat(walk, t);
		populate(walk, name);
	}
	fprintf(mi, "%d 31 0:%d %s %s rw,relatime - %s %s rw,%s\n", id, id, root,
		point, type, type, super);
}

static char mountinfo_path[PATH_MAX + 16], cgroup_path[PATH_MAX + 16];

static void fake_paths(void)
{
	char tmpl[] = "/tmp/test_hostcg.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	snprintf(tmp, sizeof(tmp), "%s", tmpl);
	snprintf(mnt, sizeof(mnt), "%s/mnt", tmp);
	__real_mkdir(mnt, 0755);
	snprintf(mountinfo_path, sizeof(mountinfo_path), "%s/mountinfo", tmp);
	snprintf(cgroup_path, sizeof(cgroup_path), "%s/cgroup", tmp);
}

/* A v1 hybrid host: memory, cpu and cpuacct (co-mounted unless split),
 * the sentry in /user/session, an empty cgroup2 at unified. */
static void fake_v1(bool split_cpuacct)
{
	fake_paths();
	FILE *mi = fopen(mountinfo_path, "w");
	FILE *cg = fopen(cgroup_path, "w");
	add_mount(mi, 35, "memory", "/", "/user/session", "cgroup", "memory");
	if (split_cpuacct) {
		add_mount(mi, 32, "cpu", "/", "/user/session", "cgroup", "cpu");
		add_mount(mi, 33, "cpuacct", "/", "/user/session", "cgroup",
			  "cpuacct");
		fprintf(cg, "4:memory:/user/session\n2:cpuacct:/user/session\n"
			    "1:cpu:/user/session\n0::/\n");
	} else {
		add_mount(mi, 32, "cpu,cpuacct", "/", "/user/session", "cgroup",
			  "cpu,cpuacct");
		fprintf(cg, "4:memory:/user/session\n2:cpu,cpuacct:/user/session\n"
			    "0::/\n");
	}
	fprintf(mi, "41 31 0:38 / %s/unified rw,relatime - cgroup2 cgroup2 rw\n",
		mnt);
	fclose(mi);
	fclose(cg);
}

/* A pure v2 host with the sentry in /user/session. */
static void fake_v2(void)
{
	fake_paths();
	FILE *mi = fopen(mountinfo_path, "w");
	FILE *cg = fopen(cgroup_path, "w");
	add_mount(mi, 30, "unified", "/", "/user/session", "cgroup2",
		  "nsdelegate");
	fprintf(cg, "0::/user/session\n");
	fclose(mi);
	fclose(cg);
}

static int teardown(void **state)
{
	if (tmp[0])
		rm_rf(tmp);
	tmp[0] = mnt[0] = '\0';
	v2_controllers = "cpu memory\n";
	fake_refuse_enable = NULL;
	return 0;
}

static struct hostcg *open_fake(void)
{
	struct hostcg *h = NULL;
	char why[256];
	int r = hostcg_open_at(&h, mountinfo_path, cgroup_path, why, sizeof(why));
	if (r < 0)
		fail_msg("hostcg_open_at: %s (%s)", strerror(-r), why);
	return h;
}

static void mirror_dir(char *out, size_t len, const char *mount,
		       const char *path)
{
	snprintf(out, len, "%s/%s/user/session/sentry-%d%s", mnt, mount,
		 (int)getpid(), strcmp(path, "/") == 0 ? "" : path);
}

/* Whether pid has exited (reaped or a zombie). */
static bool process_gone(pid_t pid)
{
	char p[64], st[512];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return true;
	size_t n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = '\0';
	char *rp = strrchr(st, ')');
	return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

static bool wait_gone(const char *path, pid_t pid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if ((!path || !exists(path)) && (pid <= 0 || process_gone(pid)))
			return true;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

/* ---- values ---- */

static void value_memory(void **state)
{
	struct hostcg_memory_value v;
	assert_int_equal(hostcg_parse_memory("max", &v), 0);
	assert_true(v.max);
	assert_int_equal(hostcg_parse_memory("max\n", &v), 0);
	assert_true(v.max);
	assert_int_equal(hostcg_parse_memory("32M", &v), 0);
	assert_false(v.max);
	assert_int_equal(v.bytes, 32 << 20);
	assert_int_equal(hostcg_parse_memory(" 1g\n", &v), 0);
	assert_int_equal(v.bytes, 1ull << 30);
	assert_int_equal(hostcg_parse_memory("0x10000", &v), 0);
	assert_int_equal(v.bytes, 0x10000);
	/* Rounded down to pages. */
	long page = sysconf(_SC_PAGESIZE);
	assert_int_equal(hostcg_parse_memory("12345", &v), 0);
	assert_int_equal(v.bytes, 12345 / page * page);
	/* Linux clamps what is beyond PAGE_COUNTER_MAX to "max". */
	assert_int_equal(hostcg_parse_memory("16E", &v), 0);
	assert_true(v.max);
	assert_int_equal(hostcg_parse_memory("abc", &v), -EINVAL);
	assert_int_equal(hostcg_parse_memory("-1", &v), -EINVAL);
	assert_int_equal(hostcg_parse_memory("12Q", &v), -EINVAL);
	assert_int_equal(hostcg_parse_memory("1 2", &v), -EINVAL);
	assert_int_equal(hostcg_parse_memory("MAX", &v), -EINVAL);
}

static void value_cpu_max(void **state)
{
	struct hostcg_cpu_max_value v;
	assert_int_equal(hostcg_parse_cpu_max("50000 100000\n", &v), 0);
	assert_false(v.quota_max);
	assert_int_equal(v.quota_us, 50000);
	assert_true(v.has_period);
	assert_int_equal(v.period_us, 100000);
	assert_int_equal(hostcg_parse_cpu_max("max", &v), 0);
	assert_true(v.quota_max);
	assert_false(v.has_period);
	assert_int_equal(hostcg_parse_cpu_max("max 250000", &v), 0);
	assert_true(v.quota_max);
	assert_int_equal(v.period_us, 250000);
	/* Linux's limits: quota >= 1 ms, 1 ms <= period <= 1 s. */
	assert_int_equal(hostcg_parse_cpu_max("999 100000", &v), -EINVAL);
	assert_int_equal(hostcg_parse_cpu_max("50000 999", &v), -EINVAL);
	assert_int_equal(hostcg_parse_cpu_max("50000 1000001", &v), -EINVAL);
	assert_int_equal(hostcg_parse_cpu_max("", &v), -EINVAL);
	assert_int_equal(hostcg_parse_cpu_max("abc", &v), -EINVAL);
	assert_int_equal(hostcg_parse_cpu_max("-5000", &v), -EINVAL);
}

static void value_weight(void **state)
{
	uint64_t w;
	assert_int_equal(hostcg_parse_weight("100\n", &w), 0);
	assert_int_equal(w, 100);
	assert_int_equal(hostcg_parse_weight("0", &w), -ERANGE);
	assert_int_equal(hostcg_parse_weight("10001", &w), -ERANGE);
	assert_int_equal(hostcg_parse_weight("x", &w), -EINVAL);
	assert_int_equal(hostcg_parse_weight("", &w), -EINVAL);
	assert_int_equal(hostcg_parse_weight("5 5", &w), -EINVAL);
	/* The ends of both ranges meet, and every weight survives the trip
	 * through shares. */
	assert_int_equal(hostcg_weight_to_shares(1), 2);
	assert_int_equal(hostcg_weight_to_shares(10000), 262144);
	assert_int_equal(hostcg_shares_to_weight(2), 1);
	assert_int_equal(hostcg_shares_to_weight(262144), 10000);
	/* runc's forward formula on v1's default. */
	assert_int_equal(hostcg_shares_to_weight(1024),
			 1 + (1024 - 2) * 9999 / 262142);
	for (uint64_t x = 1; x <= 10000; x++)
		assert_int_equal(hostcg_shares_to_weight(hostcg_weight_to_shares(x)), x);
}

/* ---- v1 ---- */

/* Whether process pid has an fd open on path. */
static bool has_fd_on(pid_t pid, const char *path)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	bool found = false;
	while ((e = readdir(d)) != NULL) {
		char link[PATH_MAX + 80], target[PATH_MAX];
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found |= strcmp(target, path) == 0;
	}
	closedir(d);
	return found;
}

static void v1_open_layout(void **state)
{
	fake_v1(false);
	/* The reaper keeps none of the sentry's fds (a FUSE fd held there
	 * would outlive the sentry). */
	int marker = open(mountinfo_path, O_RDONLY);
	assert_true(marker >= 0);
	struct hostcg *h = open_fake();
	assert_false(has_fd_on(hostcg_reaper_pid(h), mountinfo_path));
	assert_true(has_fd_on(getpid(), mountinfo_path));
	close(marker);
	assert_string_equal(hostcg_layout(h), "v1");
	assert_true(hostcg_has(h, "memory"));
	assert_true(hostcg_has(h, "cpu"));
	assert_string_equal(hostcg_warning(h), "");
	const char *roots[4];
	assert_int_equal(hostcg_host_roots(h, roots, 4), 2);
	char want[PATH_MAX * 2];
	mirror_dir(want, sizeof(want), "memory", "/");
	assert_string_equal(roots[0], want);
	assert_true(exists(want));
	mirror_dir(want, sizeof(want), "cpu,cpuacct", "/");
	assert_string_equal(roots[1], want);
	assert_true(exists(want));
	pid_t reaper = hostcg_reaper_pid(h);
	assert_true(reaper > 0 && !process_gone(reaper));
	hostcg_close(h);
	assert_false(exists(want));
	assert_true(wait_gone(NULL, reaper, 2000));
}

static void v1_split_cpuacct(void **state)
{
	fake_v1(true);
	struct hostcg *h = open_fake();
	const char *roots[4];
	assert_int_equal(hostcg_host_roots(h, roots, 4), 3);
	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	char d[PATH_MAX * 2];
	mirror_dir(d, sizeof(d), "cpuacct", "/box");
	assert_true(exists(d));
	put(d, "cpuacct.usage", "1500000000\n");
	put(d, "cpuacct.usage_user", "1000000000\n");
	put(d, "cpuacct.usage_sys", "500000000\n");
	mirror_dir(d, sizeof(d), "cpu", "/box");
	put(d, "cpu.stat", "nr_periods 20\nnr_throttled 7\nthrottled_time 3000000\n"
			   "nr_bursts 0\nburst_time 0\n");
	char buf[512];
	assert_true(hostcg_read(h, "/box", "cpu.stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "usage_usec 1500000\nuser_usec 1000000\n"
				 "system_usec 500000\nnr_periods 20\n"
				 "nr_throttled 7\nthrottled_usec 3000\n"
				 "nr_bursts 0\nburst_usec 0\n");
	hostcg_close(h);
	assert_false(exists(d));
}

/* A container's view: the mount's root is the sentry's cgroup's parent. */
static void v1_mount_root(void **state)
{
	fake_paths();
	FILE *mi = fopen(mountinfo_path, "w");
	FILE *cg = fopen(cgroup_path, "w");
	/* The mount shows /user of the hierarchy at mnt/memory: the sentry's
	 * /user/session is mnt/memory/session. */
	char dir[PATH_MAX * 2];
	snprintf(dir, sizeof(dir), "%s/memory/session", mnt);
	mkdirs(dir);
	populate(dir, "memory");
	fprintf(mi, "35 31 0:35 /user %s/memory rw - cgroup cgroup rw,memory\n",
		mnt);
	fprintf(cg, "4:memory:/user/session\n");
	fclose(mi);
	fclose(cg);
	struct hostcg *h = open_fake();
	const char *roots[4];
	assert_int_equal(hostcg_host_roots(h, roots, 4), 1);
	char want[PATH_MAX * 3];
	snprintf(want, sizeof(want), "%s/sentry-%d", dir, (int)getpid());
	assert_string_equal(roots[0], want);
	assert_false(hostcg_has(h, "cpu"));
	assert_non_null(strstr(hostcg_warning(h), "cpu"));
	assert_int_equal(hostcg_write(h, "/", "cpu.max", "max"), -EOPNOTSUPP);
	assert_int_equal(hostcg_write(h, "/", "memory.max", "1G"), 0);
	hostcg_close(h);
}

static void v1_write_translates(void **state)
{
	fake_v1(false);
	struct hostcg *h = open_fake();
	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	char mem[PATH_MAX * 2], cpu[PATH_MAX * 2];
	mirror_dir(mem, sizeof(mem), "memory", "/box");
	mirror_dir(cpu, sizeof(cpu), "cpu,cpuacct", "/box");

	assert_int_equal(hostcg_write(h, "/box", "memory.max", "32M\n"), 0);
	assert_string_equal(get(mem, "memory.limit_in_bytes"), "33554432\n");
	assert_int_equal(hostcg_write(h, "/box", "memory.max", "max"), 0);
	assert_string_equal(get(mem, "memory.limit_in_bytes"), "-1\n");
	assert_int_equal(hostcg_write(h, "/box", "memory.high", "16M"), 0);
	assert_string_equal(get(mem, "memory.soft_limit_in_bytes"), "16777216\n");

	assert_int_equal(hostcg_write(h, "/box", "cpu.max", "50000 200000"), 0);
	assert_string_equal(get(cpu, "cpu.cfs_quota_us"), "50000\n");
	assert_string_equal(get(cpu, "cpu.cfs_period_us"), "200000\n");
	assert_int_equal(hostcg_write(h, "/box", "cpu.max", "max"), 0);
	assert_string_equal(get(cpu, "cpu.cfs_quota_us"), "-1\n");
	assert_string_equal(get(cpu, "cpu.cfs_period_us"), "200000\n");

	assert_int_equal(hostcg_write(h, "/box", "cpu.weight", "100"), 0);
	char want[32];
	snprintf(want, sizeof(want), "%llu\n",
		 (unsigned long long)hostcg_weight_to_shares(100));
	assert_string_equal(get(cpu, "cpu.shares"), want);

	/* Refused values leave the host file alone. */
	assert_int_equal(hostcg_write(h, "/box", "memory.max", "lots"), -EINVAL);
	assert_string_equal(get(mem, "memory.limit_in_bytes"), "-1\n");
	assert_int_equal(hostcg_write(h, "/box", "cpu.weight", "0"), -ERANGE);
	assert_string_equal(get(cpu, "cpu.shares"), want);
	assert_int_equal(hostcg_write(h, "/box", "cpu.max", "10 100000"), -EINVAL);
	assert_string_equal(get(cpu, "cpu.cfs_quota_us"), "-1\n");

	assert_int_equal(hostcg_write(h, "/box", "memory.swap.max", "0"), -ENOENT);
	assert_int_equal(hostcg_write(h, "/box", "memory.current", "0"), -EACCES);
	assert_int_equal(hostcg_write(h, "/nope", "memory.max", "1G"), -ENOENT);
	assert_int_equal(hostcg_write(h, "box", "memory.max", "1G"), -EINVAL);
	hostcg_close(h);
}

static void v1_read_formats(void **state)
{
	fake_v1(false);
	struct hostcg *h = open_fake();
	char mem[PATH_MAX * 2], buf[1024];
	mirror_dir(mem, sizeof(mem), "memory", "/");

	assert_int_equal(hostcg_read(h, "/", "memory.max", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "max\n");
	put(mem, "memory.limit_in_bytes", "33554432\n");
	assert_true(hostcg_read(h, "/", "memory.max", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "33554432\n");
	put(mem, "memory.usage_in_bytes", "4096\n");
	assert_true(hostcg_read(h, "/", "memory.current", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "4096\n");
	put(mem, "memory.max_usage_in_bytes", "8192\n");
	assert_true(hostcg_read(h, "/", "memory.peak", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "8192\n");

	put(mem, "memory.failcnt", "3\n");
	put(mem, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	assert_true(hostcg_read(h, "/", "memory.events", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");

	put(mem, "memory.stat", "cache 1\nrss 2\ntotal_cache 4096\ntotal_rss 8192\n"
				"total_shmem 0\ntotal_mapped_file 12288\n");
	put(mem, "memory.kmem.usage_in_bytes", "65536\n");
	assert_true(hostcg_read(h, "/", "memory.stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "anon 8192\nfile 4096\nkernel 65536\nshmem 0\n"
				 "file_mapped 12288\n");

	assert_true(hostcg_read(h, "/", "cpu.max", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "max 100000\n");
	assert_true(hostcg_read(h, "/", "cpu.weight", buf, sizeof(buf)) > 0);
	char want[32];
	snprintf(want, sizeof(want), "%llu\n",
		 (unsigned long long)hostcg_shares_to_weight(1024));
	assert_string_equal(buf, want);
	/* What was written reads back. */
	assert_int_equal(hostcg_write(h, "/", "cpu.max", "25000 50000"), 0);
	assert_true(hostcg_read(h, "/", "cpu.max", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "25000 50000\n");
	assert_int_equal(hostcg_write(h, "/", "cpu.weight", "250"), 0);
	assert_true(hostcg_read(h, "/", "cpu.weight", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "250\n");

	/* Too small a buffer, a file we do not serve, a host without the
	 * v1 file. */
	assert_int_equal(hostcg_read(h, "/", "memory.events", buf, 8), -ERANGE);
	assert_int_equal(hostcg_read(h, "/", "memory.pressure", buf, sizeof(buf)),
			 -ENOENT);
	char p[PATH_MAX * 3];
	snprintf(p, sizeof(p), "%s/memory.max_usage_in_bytes", mem);
	unlink(p);
	assert_int_equal(hostcg_read(h, "/", "memory.peak", buf, sizeof(buf)),
			 -EOPNOTSUPP);
	hostcg_close(h);
}

static void v1_mkdir_rmdir(void **state)
{
	fake_v1(false);
	struct hostcg *h = open_fake();
	char mem[PATH_MAX * 2], cpu[PATH_MAX * 2];
	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	assert_int_equal(hostcg_mkdir(h, "/box/inner"), 0);
	mirror_dir(mem, sizeof(mem), "memory", "/box/inner");
	mirror_dir(cpu, sizeof(cpu), "cpu,cpuacct", "/box/inner");
	assert_true(exists(mem) && exists(cpu));
	assert_int_equal(hostcg_mkdir(h, "/box"), -EEXIST);
	assert_int_equal(hostcg_mkdir(h, "/"), -EEXIST);
	assert_int_equal(hostcg_mkdir(h, "/none/x"), -ENOENT);
	mirror_dir(mem, sizeof(mem), "memory", "/none");
	assert_false(exists(mem));
	assert_int_equal(hostcg_mkdir(h, "/a//b"), -EINVAL);
	assert_int_equal(hostcg_mkdir(h, "/a/.."), -EINVAL);
	assert_int_equal(hostcg_mkdir(h, "/a/"), -EINVAL);

	/* A cgroup with children is busy, in every hierarchy. */
	assert_int_equal(hostcg_rmdir(h, "/box"), -EBUSY);
	mirror_dir(mem, sizeof(mem), "memory", "/box");
	assert_true(exists(mem));
	assert_int_equal(hostcg_rmdir(h, "/box/inner"), 0);
	assert_false(exists(cpu));
	assert_int_equal(hostcg_rmdir(h, "/box/inner"), -ENOENT);
	assert_int_equal(hostcg_rmdir(h, "/"), -EINVAL);
	assert_int_equal(hostcg_rmdir(h, "/box"), 0);
	assert_false(exists(mem));
	hostcg_close(h);
}

/* A child that waits to be killed. */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void v1_attach_and_close_kills(void **state)
{
	fake_v1(true);
	struct hostcg *h = open_fake();
	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	pid_t child = spawn_sleeper();
	assert_int_equal(hostcg_attach(h, "/box", child), 0);
	char want[32], d[PATH_MAX * 2];
	snprintf(want, sizeof(want), "%d\n", (int)child);
	static const char *const mounts[] = { "memory", "cpu", "cpuacct" };
	for (int i = 0; i < 3; i++) {
		mirror_dir(d, sizeof(d), mounts[i], "/box");
		assert_string_equal(get(d, "tasks"), want);
	}
	assert_int_equal(hostcg_attach(h, "/nope", child), -ENOENT);
	assert_int_equal(hostcg_attach(h, "/box", 0), -ESRCH);
	/* The fake kernel does not move the task out when it dies; its
	 * tasks file keeps it, so the fake rmdir stays busy: empty it once
	 * the kill is seen. */
	hostcg_rmdir(h, "/box");
	mirror_dir(d, sizeof(d), "memory", "/box");
	assert_true(exists(d));
	int st;
	pid_t killer = fork();
	if (killer == 0) {
		/* Empties the tasks files when the child is dead, as Linux
		 * does at exit. */
		while (!process_gone(child)) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		for (int i = 0; i < 3; i++) {
			char dd[PATH_MAX * 2];
			mirror_dir(dd, sizeof(dd), mounts[i], "/box");
			put(dd, "tasks", "");
		}
		_exit(0);
	}
	hostcg_close(h);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(waitpid(killer, &st, 0), killer);
	for (int i = 0; i < 3; i++) {
		snprintf(d, sizeof(d), "%s/%s/user/session/sentry-%d", mnt,
			 mounts[i], (int)getpid());
		assert_false(exists(d));
	}
}

/* The sentry (a child here) is SIGKILLed with its mirror populated: the
 * reaper removes it. */
static void reaper_cleans_after_sigkill(void **state)
{
	fake_v1(false);
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t sentry = fork();
	assert_true(sentry >= 0);
	if (sentry == 0) {
		struct hostcg *h = NULL;
		char why[256];
		if (hostcg_open_at(&h, mountinfo_path, cgroup_path, why,
				   sizeof(why)) < 0 ||
		    hostcg_mkdir(h, "/box") < 0 ||
		    hostcg_mkdir(h, "/box/inner") < 0)
			_exit(1);
		pid_t r = hostcg_reaper_pid(h);
		if (write(ready[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	pid_t reaper = 0;
	assert_int_equal(read(ready[0], &reaper, sizeof(reaper)), sizeof(reaper));
	close(ready[0]);
	char d[PATH_MAX * 2];
	snprintf(d, sizeof(d), "%s/memory/user/session/sentry-%d/box/inner", mnt,
		 (int)sentry);
	assert_true(exists(d));
	assert_int_equal(kill(sentry, SIGKILL), 0);
	int st;
	assert_int_equal(waitpid(sentry, &st, 0), sentry);
	static const char *const mounts[] = { "memory", "cpu,cpuacct" };
	for (int i = 0; i < 2; i++) {
		snprintf(d, sizeof(d), "%s/%s/user/session/sentry-%d", mnt,
			 mounts[i], (int)sentry);
		assert_true(wait_gone(d, 0, 3000));
	}
	assert_true(wait_gone(NULL, reaper, 3000));
}

/* ---- v2 ---- */

static void v2_open_and_files(void **state)
{
	fake_v2();
	struct hostcg *h = open_fake();
	assert_string_equal(hostcg_layout(h), "v2");
	assert_true(hostcg_has(h, "memory") && hostcg_has(h, "cpu"));
	char root[PATH_MAX * 2], leaf[PATH_MAX * 3], box[PATH_MAX * 2];
	mirror_dir(root, sizeof(root), "unified", "/");
	snprintf(leaf, sizeof(leaf), "%s/%s", root, HOSTCG_V2_LEAF);
	assert_true(exists(leaf));
	/* Controllers enabled for the root's children (the fake keeps the
	 * last write). */
	assert_non_null(strstr(get(root, "cgroup.subtree_control"), "+cpu"));

	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	mirror_dir(box, sizeof(box), "unified", "/box");
	snprintf(leaf, sizeof(leaf), "%s/%s", box, HOSTCG_V2_LEAF);
	assert_true(exists(leaf));
	assert_int_equal(hostcg_mkdir(h, "/" HOSTCG_V2_LEAF), -EEXIST);

	assert_int_equal(hostcg_write(h, "/box", "memory.max", "32M"), 0);
	assert_string_equal(get(box, "memory.max"), "33554432\n");
	assert_int_equal(hostcg_write(h, "/box", "memory.high", "max"), 0);
	assert_string_equal(get(box, "memory.high"), "max\n");
	assert_int_equal(hostcg_write(h, "/box", "cpu.max", "50000 100000"), 0);
	assert_string_equal(get(box, "cpu.max"), "50000 100000\n");
	assert_int_equal(hostcg_write(h, "/box", "cpu.max", "max"), 0);
	assert_string_equal(get(box, "cpu.max"), "max\n");
	assert_int_equal(hostcg_write(h, "/box", "cpu.weight", "10000"), 0);
	assert_string_equal(get(box, "cpu.weight"), "10000\n");
	assert_int_equal(hostcg_write(h, "/box", "cpu.weight", "10001"), -ERANGE);
	assert_int_equal(hostcg_write(h, "/box", "memory.events", "1"), -EACCES);

	char buf[256];
	put(box, "memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
	assert_true(hostcg_read(h, "/box", "memory.events", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
	/* Kernels before 5.19 have no memory.peak. */
	assert_int_equal(hostcg_read(h, "/box", "memory.peak", buf, sizeof(buf)),
			 -EOPNOTSUPP);

	/* Threads go to the leaf; a populated leaf keeps rmdir busy. */
	pid_t child = spawn_sleeper();
	assert_int_equal(hostcg_attach(h, "/box", child), 0);
	char want[32];
	snprintf(want, sizeof(want), "%d\n", (int)child);
	assert_string_equal(get(leaf, "cgroup.procs"), want);
	assert_int_equal(hostcg_rmdir(h, "/box"), -EBUSY);
	assert_true(exists(leaf));
	kill(child, SIGKILL);
	int st;
	waitpid(child, &st, 0);
	put(leaf, "cgroup.procs", "");
	assert_int_equal(hostcg_rmdir(h, "/box"), 0);
	assert_false(exists(box));
	hostcg_close(h);
	assert_false(exists(root));
}

/* The sentry's cgroup holds processes (the sentry): v2 forbids enabling
 * controllers there, so the mirror goes beside it. */
static void v2_sentry_cgroup_busy(void **state)
{
	fake_v2();
	char self[PATH_MAX * 2], want[PATH_MAX * 3];
	snprintf(self, sizeof(self), "%s/unified/user/session", mnt);
	char pid[32];
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	put(self, "cgroup.procs", pid);
	struct hostcg *h = open_fake();
	const char *roots[2];
	assert_int_equal(hostcg_host_roots(h, roots, 2), 1);
	snprintf(want, sizeof(want), "%s/unified/user/sentry-%d", mnt,
		 (int)getpid());
	assert_string_equal(roots[0], want);
	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	strcat(want, "/box");
	assert_true(exists(want));
	hostcg_close(h);
	assert_false(exists(want));
	/* The sentry's own cgroup is left as it was. */
	assert_string_equal(get(self, "cgroup.procs"), pid);
	assert_string_equal(get(self, "cgroup.subtree_control"), "");
}

static void v2_missing_controller(void **state)
{
	v2_controllers = "memory pids\n";
	fake_v2();
	struct hostcg *h = open_fake();
	assert_true(hostcg_has(h, "memory"));
	assert_false(hostcg_has(h, "cpu"));
	assert_non_null(strstr(hostcg_warning(h), "cpu"));
	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	assert_int_equal(hostcg_write(h, "/box", "cpu.max", "max"), -EOPNOTSUPP);
	char buf[64];
	assert_int_equal(hostcg_read(h, "/box", "cpu.stat", buf, sizeof(buf)),
			 -EOPNOTSUPP);
	assert_int_equal(hostcg_write(h, "/box", "memory.max", "1G"), 0);
	hostcg_close(h);
}

/* The host lists cpu but refuses to enable it: the mirror goes on with
 * memory only. */
static void v2_enable_refused(void **state)
{
	fake_v2();
	fake_refuse_enable = "+cpu";
	struct hostcg *h = open_fake();
	assert_true(hostcg_has(h, "memory"));
	assert_false(hostcg_has(h, "cpu"));
	assert_non_null(strstr(hostcg_warning(h), "cannot enable cpu"));
	assert_int_equal(hostcg_mkdir(h, "/box"), 0);
	assert_int_equal(hostcg_write(h, "/box", "cpu.weight", "5"), -EOPNOTSUPP);
	hostcg_close(h);
}

static void v2_no_controllers(void **state)
{
	v2_controllers = "pids\n";
	fake_v2();
	struct hostcg *h = NULL;
	char why[256];
	assert_int_equal(hostcg_open_at(&h, mountinfo_path, cgroup_path, why,
					sizeof(why)),
			 -EOPNOTSUPP);
	assert_null(h);
	assert_non_null(strstr(why, "neither memory nor cpu"));
	char root[PATH_MAX * 2];
	mirror_dir(root, sizeof(root), "unified", "/");
	assert_false(exists(root));
}

/* ---- open errors ---- */

static void open_errors(void **state)
{
	fake_paths();
	struct hostcg *h = NULL;
	char why[256];
	/* No files. */
	assert_int_equal(hostcg_open_at(&h, mountinfo_path, cgroup_path, why,
					sizeof(why)),
			 -ENOENT);
	assert_non_null(strstr(why, "cgroup"));
	/* No cgroup mounts. */
	FILE *f = fopen(mountinfo_path, "w");
	fprintf(f, "22 1 0:21 / /proc rw - proc proc rw\n");
	fclose(f);
	f = fopen(cgroup_path, "w");
	fprintf(f, "4:memory:/x\n0::/\n");
	fclose(f);
	assert_int_equal(hostcg_open_at(&h, mountinfo_path, cgroup_path, why,
					sizeof(why)),
			 -EOPNOTSUPP);
	assert_true(why[0] != '\0' && strchr(why, '\n') == NULL);
	/* The sentry's own cgroup directory is missing. */
	f = fopen(mountinfo_path, "w");
	fprintf(f, "35 31 0:35 / %s/memory rw - cgroup cgroup rw,memory\n", mnt);
	fclose(f);
	char dir[PATH_MAX * 2];
	snprintf(dir, sizeof(dir), "%s/memory", mnt);
	__real_mkdir(dir, 0755);
	assert_int_equal(hostcg_open_at(&h, mountinfo_path, cgroup_path, why,
					sizeof(why)),
			 -ENOENT);
	assert_non_null(strstr(why, "cannot create"));
	assert_null(h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(value_memory, teardown),
		cmocka_unit_test_teardown(value_cpu_max, teardown),
		cmocka_unit_test_teardown(value_weight, teardown),
		cmocka_unit_test_teardown(v1_open_layout, teardown),
		cmocka_unit_test_teardown(v1_split_cpuacct, teardown),
		cmocka_unit_test_teardown(v1_mount_root, teardown),
		cmocka_unit_test_teardown(v1_write_translates, teardown),
		cmocka_unit_test_teardown(v1_read_formats, teardown),
		cmocka_unit_test_teardown(v1_mkdir_rmdir, teardown),
		cmocka_unit_test_teardown(v1_attach_and_close_kills, teardown),
		cmocka_unit_test_teardown(reaper_cleans_after_sigkill, teardown),
		cmocka_unit_test_teardown(v2_open_and_files, teardown),
		cmocka_unit_test_teardown(v2_sentry_cgroup_busy, teardown),
		cmocka_unit_test_teardown(v2_missing_controller, teardown),
		cmocka_unit_test_teardown(v2_enable_refused, teardown),
		cmocka_unit_test_teardown(v2_no_controllers, teardown),
		cmocka_unit_test_teardown(open_errors, teardown),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
