/*
 * hostcg_host.c - the host cgroup mirror on the real host's cgroups.
 *
 *   hostcg_host oom      memory.max 32M: a child touching 256 MiB (C, and
 *                        python3 -c 'bytearray(256 << 20)' when python3
 *                        is installed) dies of SIGKILL, memory.events
 *                        shows oom_kill 1, memory.peak stays under the
 *                        limit, and this process goes on.
 *   hostcg_host cpu      cpu.max "50000 100000": a CPU-bound child for 2 s
 *                        is throttled and its cpu.stat usage_usec is
 *                        about 1,000,000 (within 20%), agreeing with its
 *                        rusage.
 *   hostcg_host close    hostcg_close kills a task left in the mirror,
 *                        removes every host directory, and the reaper
 *                        exits.
 *   hostcg_host sigkill  a process that opened the mirror and attached a
 *                        child is SIGKILLed: the reaper kills the child
 *                        and removes every host directory.
 *
 * Exit 0 on success, 1 on failure, 77 (skipped) when the host lacks the
 * controller or does not delegate it.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform/hostcg.h"

#define SKIP 77

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,      \
				__LINE__, #cond);                          \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Whether pid has exited: no such process, or a zombie. */
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

/* Opens the mirror, or exits SKIP with the reason when the host refuses. */
static struct hostcg *open_or_skip(const char *need)
{
	struct hostcg *h;
	char why[512];
	int r = hostcg_open(&h, why, sizeof(why));
	if (r == -EOPNOTSUPP || r == -EACCES || r == -EPERM || r == -EROFS) {
		printf("SKIP: %s\n", why);
		exit(SKIP);
	}
	if (r < 0) {
		fprintf(stderr, "FAIL hostcg_open: %s: %s\n", strerror(-r), why);
		exit(1);
	}
	printf("host layout %s%s%s\n", hostcg_layout(h),
	       hostcg_warning(h)[0] ? "; " : "", hostcg_warning(h));
	if (need && !hostcg_has(h, need)) {
		printf("SKIP: host has no %s controller: %s\n", need,
		       hostcg_warning(h));
		hostcg_close(h);
		exit(SKIP);
	}
	return h;
}

/* A child that waits for a byte on go[0], then runs body. */
static pid_t spawn_waiting(int go[2], void (*body)(void *), void *arg)
{
	if (pipe(go) < 0) {
		perror("pipe");
		exit(1);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(go[1]);
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		body(arg);
		_exit(0);
	}
	close(go[0]);
	return pid;
}

static void start(int go[2])
{
	if (write(go[1], "g", 1) != 1)
		perror("write");
	close(go[1]);
}

static uint64_t keyed(const char *text, const char *key, bool *found)
{
	size_t n = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, key, n) == 0 && l[n] == ' ') {
			*found = true;
			return strtoull(l + n + 1, NULL, 10);
		}
	*found = false;
	return 0;
}

/* rmdir, retrying briefly while the dead child's charge leaves. */
static int rmdir_retry(struct hostcg *h, const char *path)
{
	int r = 0;
	for (int i = 0; i < 100; i++) {
		r = hostcg_rmdir(h, path);
		if (r != -EBUSY)
			break;
		sleep_ms(10);
	}
	return r;
}

/* Copies the host roots (they live in h) so they can be checked after
 * hostcg_close. */
static size_t copy_roots(struct hostcg *h, char roots[][4096], size_t n)
{
	const char *r[8];
	size_t k = hostcg_host_roots(h, r, 8);
	for (size_t i = 0; i < k && i < n; i++)
		snprintf(roots[i], 4096, "%s", r[i]);
	return k < n ? k : n;
}

/* ---- oom ---- */

static void touch_256m(void *arg)
{
	size_t len = 256u << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(3);
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
}

static void python_256m(void *arg)
{
	execlp("python3", "python3", "-c", "bytearray(256 << 20)", (char *)NULL);
	_exit(127);
}

static bool swap_on(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	if (!f)
		return false;
	char line[512];
	int lines = 0;
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	return lines > 1;
}

/* Runs body in cgroup path limited to 32M; checks it is OOM-killed. */
static void oom_one(struct hostcg *h, const char *path,
		    void (*body)(void *), const char *what)
{
	int r = hostcg_mkdir(h, path);
	CHECK(r == 0, "mkdir %s: %s", path, strerror(-r));
	r = hostcg_write(h, path, "memory.max", "32M");
	CHECK(r == 0, "write memory.max: %s", strerror(-r));
	char buf[4096];
	r = hostcg_read(h, path, "memory.max", buf, sizeof(buf));
	CHECK(r > 0 && strcmp(buf, "33554432\n") == 0, "memory.max reads %s",
	      r > 0 ? buf : strerror(-r));
	int go[2];
	pid_t child = spawn_waiting(go, body, NULL);
	r = hostcg_attach(h, path, child);
	CHECK(r == 0, "attach: %s", strerror(-r));
	start(go);
	int st;
	CHECK(waitpid(child, &st, 0) == child, "waitpid: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		printf("%s: not installed, not run\n", what);
		rmdir_retry(h, path);
		return;
	}
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "%s: status %#x, want death by SIGKILL", what, st);
	r = hostcg_read(h, path, "memory.events", buf, sizeof(buf));
	CHECK(r > 0, "read memory.events: %s", strerror(-r));
	bool found;
	uint64_t kills = keyed(buf, "oom_kill", &found);
	CHECK(found && kills == 1, "%s: memory.events:\n%s", what, buf);
	r = hostcg_read(h, path, "memory.peak", buf, sizeof(buf));
	if (r > 0) {
		uint64_t peak = strtoull(buf, NULL, 10);
		CHECK(peak <= 32u << 20 && peak > 8u << 20,
		      "%s: memory.peak %" PRIu64 " outside (8M, 32M]", what, peak);
	}
	r = hostcg_read(h, path, "memory.stat", buf, sizeof(buf));
	CHECK(r > 0 && strstr(buf, "anon ") == buf, "memory.stat: %s",
	      r > 0 ? buf : strerror(-r));
	printf("%s: killed by SIGKILL, oom_kill %" PRIu64 "\n", what, kills);
	r = rmdir_retry(h, path);
	CHECK(r == 0, "rmdir %s: %s", path, strerror(-r));
}

static void case_oom(void)
{
	struct hostcg *h = open_or_skip("memory");
	if (swap_on()) {
		/* memory.max does not cover swap (memory.swap.max, v1's
		 * memsw): the child would swap instead of dying. */
		printf("SKIP: swap is on; the child would swap, not be OOM-killed\n");
		hostcg_close(h);
		exit(SKIP);
	}
	oom_one(h, "/box", touch_256m, "C child touching 256 MiB");
	oom_one(h, "/py", python_256m, "python3 -c 'bytearray(256 << 20)'");
	hostcg_close(h);
}

/* ---- cpu ---- */

static void spin(void *arg)
{
	double secs = *(double *)arg;
	double end = now_s() + secs;
	volatile uint64_t x = 0;
	while (now_s() < end)
		for (int i = 0; i < 10000; i++)
			x += (uint64_t)i;
}

/* Runs a spinner for secs; returns the CPU time it got (its rusage). */
static double run_spinner(struct hostcg *h, const char *path, double secs)
{
	int go[2];
	pid_t child = spawn_waiting(go, spin, &secs);
	if (path) {
		int r = hostcg_attach(h, path, child);
		CHECK(r == 0, "attach: %s", strerror(-r));
	}
	start(go);
	int st;
	struct rusage ru;
	CHECK(wait4(child, &st, 0, &ru) == child, "wait4: %s", strerror(errno));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "spinner status %#x", st);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void case_cpu(void)
{
	struct hostcg *h = open_or_skip("cpu");
	/* How much of a CPU an unlimited spinner gets here: on a busy host
	 * the lower bound says nothing about the limit. */
	double free_share = run_spinner(h, NULL, 0.5) / 0.5;
	int r = hostcg_mkdir(h, "/cpu");
	CHECK(r == 0, "mkdir /cpu: %s", strerror(-r));
	r = hostcg_write(h, "/cpu", "cpu.max", "50000 100000");
	CHECK(r == 0, "write cpu.max: %s", strerror(-r));
	char buf[1024];
	r = hostcg_read(h, "/cpu", "cpu.max", buf, sizeof(buf));
	CHECK(r > 0 && strcmp(buf, "50000 100000\n") == 0, "cpu.max reads %s",
	      r > 0 ? buf : strerror(-r));
	double used = run_spinner(h, "/cpu", 2.0);
	r = hostcg_read(h, "/cpu", "cpu.stat", buf, sizeof(buf));
	CHECK(r > 0, "read cpu.stat: %s", strerror(-r));
	bool has_usage, has_throttled;
	uint64_t usage = keyed(buf, "usage_usec", &has_usage);
	uint64_t throttled = keyed(buf, "nr_throttled", &has_throttled);
	printf("cpu.stat:\n%sspinner rusage %.3f s; unlimited share %.2f\n", buf,
	       used, free_share);
	CHECK(has_usage && has_throttled, "cpu.stat lacks usage_usec or nr_throttled");
	CHECK(throttled > 0, "not throttled under cpu.max 50000 100000");
	CHECK(usage <= 1200000, "usage_usec %" PRIu64 " above 1.2 s: not limited",
	      usage);
	/* cpu.stat counts what the child's rusage counts. */
	double diff = (double)usage / 1e6 - used;
	CHECK(diff < 0.2 * used + 0.02 && -diff < 0.2 * used + 0.02,
	      "usage_usec %" PRIu64 " disagrees with rusage %.3f s", usage, used);
	if (free_share >= 0.9)
		CHECK(usage >= 800000, "usage_usec %" PRIu64 " below 0.8 s", usage);
	else
		printf("host busy (an unlimited spinner got %.2f CPU): lower "
		       "bound not checked\n", free_share);
	r = rmdir_retry(h, "/cpu");
	CHECK(r == 0, "rmdir /cpu: %s", strerror(-r));
	hostcg_close(h);
}

/* ---- close ---- */

static void pause_forever(void *arg)
{
	for (;;)
		pause();
}

static void case_close(void)
{
	struct hostcg *h = open_or_skip(NULL);
	char roots[8][4096];
	size_t n = copy_roots(h, roots, 8);
	pid_t reaper = hostcg_reaper_pid(h);
	int r = hostcg_mkdir(h, "/a");
	CHECK(r == 0, "mkdir /a: %s", strerror(-r));
	r = hostcg_mkdir(h, "/a/b");
	CHECK(r == 0, "mkdir /a/b: %s", strerror(-r));
	int go[2];
	pid_t child = spawn_waiting(go, pause_forever, NULL);
	r = hostcg_attach(h, "/a/b", child);
	CHECK(r == 0, "attach: %s", strerror(-r));
	start(go);
	CHECK(hostcg_rmdir(h, "/a/b") == -EBUSY, "rmdir of a populated mirror");
	for (size_t i = 0; i < n; i++)
		CHECK(exists(roots[i]), "%s missing before close", roots[i]);
	hostcg_close(h);
	int st;
	CHECK(waitpid(child, &st, 0) == child, "waitpid");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "task left in the mirror: status %#x, want SIGKILL", st);
	for (size_t i = 0; i < n; i++)
		CHECK(!exists(roots[i]), "%s left after hostcg_close", roots[i]);
	for (int i = 0; i < 300 && !process_gone(reaper); i++)
		sleep_ms(10);
	CHECK(process_gone(reaper), "reaper %d still running", (int)reaper);
	printf("closed: %zu host roots removed, the task killed\n", n);
}

/* ---- sigkill ---- */

static void case_sigkill(void)
{
	/* Orphans (the attached task, the reaper) come back to us. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	int info[2];
	if (pipe(info) < 0) {
		perror("pipe");
		exit(1);
	}
	pid_t sentry = fork();
	if (sentry == 0) {
		close(info[0]);
		struct hostcg *h;
		char why[512];
		int r = hostcg_open(&h, why, sizeof(why));
		if (r < 0) {
			dprintf(info[1], "skip %s\n", why);
			_exit(r == -EOPNOTSUPP || r == -EACCES || r == -EPERM ||
				      r == -EROFS
			      ? SKIP
			      : 1);
		}
		if (hostcg_mkdir(h, "/box") < 0 ||
		    hostcg_mkdir(h, "/box/inner") < 0)
			_exit(1);
		pid_t task = fork();
		if (task == 0) {
			for (;;)
				pause();
		}
		if (hostcg_attach(h, "/box/inner", task) < 0)
			_exit(1);
		const char *roots[8];
		size_t n = hostcg_host_roots(h, roots, 8);
		dprintf(info[1], "task %d\nreaper %d\n", (int)task,
			(int)hostcg_reaper_pid(h));
		for (size_t i = 0; i < n; i++)
			dprintf(info[1], "root %s\n", roots[i]);
		dprintf(info[1], "ready\n");
		for (;;)
			pause();
	}
	close(info[1]);
	FILE *f = fdopen(info[0], "r");
	char line[4200], roots[8][4096];
	size_t n = 0;
	pid_t task = 0, reaper = 0;
	bool ready = false;
	while (!ready && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "skip ", 5) == 0) {
			printf("SKIP: %s\n", line + 5);
			exit(SKIP);
		}
		if (sscanf(line, "task %d", &task) == 1 ||
		    sscanf(line, "reaper %d", &reaper) == 1)
			continue;
		if (strncmp(line, "root ", 5) == 0 && n < 8)
			snprintf(roots[n++], sizeof(roots[0]), "%.*s",
				 (int)sizeof(roots[0]) - 1, line + 5);
		ready = strcmp(line, "ready") == 0;
	}
	fclose(f);
	if (!ready) {
		int st;
		waitpid(sentry, &st, 0);
		fprintf(stderr, "FAIL: the process opening the mirror failed "
				"(status %#x)\n", st);
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		CHECK(exists(roots[i]), "%s missing", roots[i]);
	kill(sentry, SIGKILL);
	int st;
	CHECK(waitpid(sentry, &st, 0) == sentry, "waitpid sentry");
	/* The task and the reaper are ours now; collect both. */
	double deadline = now_s() + 10;
	bool task_reaped = false, reaper_reaped = false;
	while ((!task_reaped || !reaper_reaped) && now_s() < deadline) {
		pid_t w = waitpid(-1, &st, WNOHANG);
		if (w == task) {
			task_reaped = true;
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
			      "attached task: status %#x, want SIGKILL", st);
		} else if (w == reaper) {
			reaper_reaped = true;
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "reaper: status %#x", st);
		} else if (w <= 0) {
			sleep_ms(10);
		}
	}
	CHECK(task_reaped, "the attached task %d outlived the sentry", (int)task);
	CHECK(reaper_reaped, "the reaper %d did not exit", (int)reaper);
	for (size_t i = 0; i < n; i++)
		CHECK(!exists(roots[i]), "%s left after SIGKILL", roots[i]);
	printf("after SIGKILL: %zu host roots removed, the task killed\n", n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hostcg_host oom|cpu|close|sigkill\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "oom") == 0)
		case_oom();
	else if (strcmp(argv[1], "cpu") == 0)
		case_cpu();
	else if (strcmp(argv[1], "close") == 0)
		case_close();
	else if (strcmp(argv[1], "sigkill") == 0)
		case_sigkill();
	else {
		fprintf(stderr, "hostcg_host: unknown case %s\n", argv[1]);
		return 2;
	}
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
