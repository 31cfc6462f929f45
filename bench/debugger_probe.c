/*
 * debugger_probe - the measuring side of bench/debugger_bench.sh: speaks
 * the control protocol (man/sentrydbg.1 "PROTOCOL") to a sentry directly,
 * so the timings are the server's round trips and not sentrydbg's process
 * start-up, and reads the progress counters debugger_spin keeps in shared
 * memory.
 *
 *   debugger_probe ready SHMFILE TIMEOUT_S
 *       waits until every task of the workload runs; prints
 *       "tasks N startup_ms X".
 *   debugger_probe pause SOCK SHMFILE REPEATS HOLD_MS
 *       REPEATS times: pause (timed), read every counter, wait HOLD_MS,
 *       read again (a counter that moved is a task that ran while
 *       paused), resume (timed), wait until every counter moves again.
 *       Prints one line per repeat and a summary line:
 *       "pause_ms median M max X resume_ms median M max X ran_while_paused N
 *        stuck_after_resume N stopped_after_resume N held_ms median M
 *        max X", where stuck counts tasks that had not run 10 s after
 *       resume and stopped those of them still in a ptrace stop (the
 *       sentry's failure; the others were runnable but not scheduled)
 *       where held_ms is the server's own time from request to every task
 *       held (the pause reply's "elapsed_ns").
 *   debugger_probe dump SOCK REPEATS
 *       REPEATS times: a JSON dump over the socket, timed to the last byte
 *       of the reply. Prints "dump_ms median M max X bytes B".
 *   debugger_probe cmd SOCK JSON_ARGS CMD
 *       one request; prints the reply; exit 0 when ok.
 *
 * Exit status: 0 when every check held, 1 when one failed, 2 on usage or
 * protocol errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x53504e4442475331ull
#define HDR 4096
#define SLOT 64

struct hdr {
	uint64_t magic, nr_slots, nr_ready, start_ns, ready_ns;
	uint64_t storm_slots, storm_next, root_pid;
};

static char *shm;
static size_t shm_size;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static struct hdr *shm_open_file(const char *path, int timeout_s)
{
	uint64_t end = now_ns() + (uint64_t)timeout_s * 1000000000u;
	struct stat st;
	int fd;

	for (;;) {
		fd = open(path, O_RDONLY);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size >= HDR) {
			shm_size = (size_t)st.st_size;
			shm = mmap(NULL, shm_size, PROT_READ, MAP_SHARED, fd, 0);
			close(fd);
			if (shm != MAP_FAILED &&
			    __atomic_load_n(&((struct hdr *)shm)->magic,
					    __ATOMIC_ACQUIRE) == MAGIC)
				return (struct hdr *)shm;
			if (shm != MAP_FAILED)
				munmap(shm, shm_size);
		} else if (fd >= 0) {
			close(fd);
		}
		if (now_ns() > end) {
			fprintf(stderr, "debugger_probe: %s: no workload\n", path);
			exit(2);
		}
		msleep(10);
	}
}

static uint64_t counter(uint64_t i)
{
	return __atomic_load_n((uint64_t *)(shm + HDR + SLOT * i),
			       __ATOMIC_RELAXED);
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "debugger_probe: connect %s: %s\n", path,
			strerror(errno));
		exit(2);
	}
	return fd;
}

static void write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			fprintf(stderr, "debugger_probe: write: %s\n",
				strerror(errno));
			exit(2);
		}
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

static void read_all(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0) {
			fprintf(stderr, "debugger_probe: read: %s\n",
				r ? strerror(errno) : "EOF");
			exit(2);
		}
		p = (char *)p + r;
		n -= (size_t)r;
	}
}

static int next_id = 1;

static void send_req(int fd, const char *cmd, const char *args)
{
	char body[4096];
	int n = snprintf(body, sizeof(body), "{\"v\":1,\"id\":%d,\"cmd\":\"%s\",\"args\":%s}",
			 next_id++, cmd, args ? args : "{}");
	uint8_t hdr[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
			   (uint8_t)(n >> 8), (uint8_t)n };

	write_all(fd, hdr, 4);
	write_all(fd, body, (size_t)n);
}

/* Reads frames until a reply (skipping events). Returns the malloc'd body;
 * *ok says whether it succeeded. */
static char *recv_reply(int fd, bool *ok, size_t *len)
{
	for (;;) {
		uint8_t hdr[4];
		uint32_t n;
		char *b;

		read_all(fd, hdr, 4);
		n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
		    (uint32_t)hdr[2] << 8 | hdr[3];
		b = malloc((size_t)n + 1);
		if (!b)
			exit(2);
		read_all(fd, b, n);
		b[n] = '\0';
		/* Compact JSON in insertion order: "ok" comes right after
		 * "v" and "id"; events have no "ok". */
		if (n > 0 && memmem(b, n < 64 ? n : 64, "\"ok\":", 5)) {
			*ok = memmem(b, n < 64 ? n : 64, "\"ok\":true", 9) != NULL;
			*len = n;
			return b;
		}
		free(b);
	}
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), u64cmp);
	return v[n / 2];
}

static uint64_t vmax(const uint64_t *v, int n)
{
	uint64_t m = 0;

	for (int i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static uint64_t elapsed_ns_of(const char *body)
{
	const char *p = strstr(body, "\"elapsed_ns\":");

	return p ? strtoull(p + 13, NULL, 10) : 0;
}

static int cmd_ready(int argc, char **argv)
{
	struct hdr *h;
	uint64_t end;

	if (argc < 4)
		return 2;
	h = shm_open_file(argv[2], atoi(argv[3]));
	end = now_ns() + (uint64_t)atoi(argv[3]) * 1000000000u;
	while (__atomic_load_n(&h->nr_ready, __ATOMIC_ACQUIRE) < h->nr_slots ||
	       !__atomic_load_n(&h->ready_ns, __ATOMIC_ACQUIRE)) {
		if (now_ns() > end) {
			fprintf(stderr, "debugger_probe: only %llu of %llu tasks started\n",
				(unsigned long long)h->nr_ready,
				(unsigned long long)h->nr_slots);
			return 1;
		}
		msleep(5);
	}
	printf("tasks %llu startup_ms %.1f\n", (unsigned long long)h->nr_slots,
	       ms(h->ready_ns - h->start_ns));
	return 0;
}


/* Threads of the workload (comm "debugger_spin") in a ptrace stop (state
 * 't'), from the host's /proc: a task the sentry failed to release, as
 * opposed to one that is runnable but not yet scheduled. */
static uint64_t workload_threads_in_ptrace_stop(void)
{
	DIR *procs = opendir("/proc");
	struct dirent *p, *t;
	uint64_t n = 0;

	while (procs && (p = readdir(procs)) != NULL) {
		char path[600], buf[512];
		DIR *tasks;

		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		while (tasks && (t = readdir(tasks)) != NULL) {
			char *rp;
			FILE *f;

			if (t->d_name[0] < '0' || t->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat",
				 p->d_name, t->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			if (fgets(buf, sizeof(buf), f) &&
			    strstr(buf, "(debugger_spin) ") &&
			    (rp = strrchr(buf, ')')) && rp[1] == ' ' &&
			    rp[2] == 't')
				n++;
			fclose(f);
		}
		if (tasks)
			closedir(tasks);
	}
	if (procs)
		closedir(procs);
	return n;
}

static int cmd_pause(int argc, char **argv)
{
	struct hdr *h;
	int fd, reps, hold_ms, bad = 0;
	uint64_t n, *a, *b, *pv, *rv, *hv;
	uint64_t ran_total = 0, stuck_total = 0, stopped_total = 0;

	if (argc < 6)
		return 2;
	fd = sock_connect(argv[2]);
	h = shm_open_file(argv[3], 10);
	reps = atoi(argv[4]);
	hold_ms = atoi(argv[5]);
	n = h->nr_slots;
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	pv = calloc((size_t)reps, sizeof(*pv));
	rv = calloc((size_t)reps, sizeof(*rv));
	hv = calloc((size_t)reps, sizeof(*hv));
	for (int r = 0; r < reps; r++) {
		uint64_t t0, t1, ran = 0, stuck = 0, moved = 0, end, stopped = 0;
		bool ok;
		size_t len;
		char *body;

		t0 = now_ns();
		send_req(fd, "pause", NULL);
		body = recv_reply(fd, &ok, &len);
		t1 = now_ns();
		if (!ok) {
			fprintf(stderr, "pause failed: %s\n", body);
			bad = 1;
		}
		pv[r] = t1 - t0;
		hv[r] = elapsed_ns_of(body);
		free(body);
		for (uint64_t i = 0; i < n; i++)
			a[i] = counter(i);
		msleep(hold_ms);
		for (uint64_t i = 0; i < n; i++)
			if (counter(i) != a[i])
				ran++;
		t0 = now_ns();
		send_req(fd, "resume", NULL);
		body = recv_reply(fd, &ok, &len);
		t1 = now_ns();
		if (!ok) {
			fprintf(stderr, "resume failed: %s\n", body);
			bad = 1;
		}
		free(body);
		rv[r] = t1 - t0;
		/* Every task runs again: wait (bounded) until each counter
		 * has moved past its paused value. */
		memset(b, 0, n * sizeof(*b));
		end = now_ns() + 10ull * 1000000000u;
		while (moved < n && now_ns() < end) {
			for (uint64_t i = 0; i < n; i++)
				if (!b[i] && counter(i) != a[i]) {
					b[i] = 1;
					moved++;
				}
			if (moved < n)
				msleep(5);
		}
		stuck = n - moved;
		/* Not running yet: still held by the sentry (a failure), or
		 * runnable but not scheduled on an overloaded machine? */
		if (stuck)
			stopped = workload_threads_in_ptrace_stop();
		printf("repeat %d: pause %.2f ms (held after %.2f ms), resume %.2f ms, "
		       "ran while paused %llu/%llu, not running after resume %llu "
		       "(in a ptrace stop: %llu)\n",
		       r + 1, ms(pv[r]), ms(hv[r]), ms(rv[r]),
		       (unsigned long long)ran, (unsigned long long)n,
		       (unsigned long long)stuck, (unsigned long long)stopped);
		ran_total += ran;
		stuck_total += stuck;
		stopped_total += stopped;
	}
	printf("pause_ms median %.2f max %.2f resume_ms median %.2f max %.2f "
	       "held_ms median %.2f max %.2f ran_while_paused %llu stuck_after_resume %llu "
	       "stopped_after_resume %llu\n",
	       ms(median(pv, reps)), ms(vmax(pv, reps)), ms(median(rv, reps)),
	       ms(vmax(rv, reps)), ms(median(hv, reps)), ms(vmax(hv, reps)),
	       (unsigned long long)ran_total, (unsigned long long)stuck_total,
	       (unsigned long long)stopped_total);
	close(fd);
	/* A task not yet scheduled 10 s after resume is the host's doing
	 * (hundreds of runnable threads on two CPUs), not a failure. */
	return bad || ran_total || stopped_total ? 1 : 0;
}

static int cmd_dump(int argc, char **argv)
{
	int fd, reps;
	uint64_t *v;
	size_t len = 0;

	if (argc < 4)
		return 2;
	fd = sock_connect(argv[2]);
	reps = atoi(argv[3]);
	v = calloc((size_t)reps, sizeof(*v));
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = now_ns();
		bool ok;
		char *body;

		send_req(fd, "dump", "{\"format\":\"json\"}");
		body = recv_reply(fd, &ok, &len);
		v[r] = now_ns() - t0;
		if (!ok) {
			fprintf(stderr, "dump failed: %.300s\n", body);
			return 1;
		}
		free(body);
	}
	printf("dump_ms median %.1f max %.1f bytes %zu\n", ms(median(v, reps)),
	       ms(vmax(v, reps)), len);
	return 0;
}

static int cmd_cmd(int argc, char **argv)
{
	int fd;
	bool ok;
	size_t len;
	char *body;

	if (argc < 5)
		return 2;
	fd = sock_connect(argv[2]);
	send_req(fd, argv[4], argv[3]);
	body = recv_reply(fd, &ok, &len);
	printf("%s\n", body);
	free(body);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	/* The measuring side must not be starved by the workload it
	 * measures (hundreds of runnable threads on two CPUs): as root it
	 * runs at nice -20, like the sentry's platform and server threads. */
	setpriority(PRIO_PROCESS, 0, -20);
	if (argc >= 2 && strcmp(argv[1], "ready") == 0)
		return cmd_ready(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "pause") == 0)
		return cmd_pause(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "cmd") == 0)
		return cmd_cmd(argc, argv);
	fprintf(stderr, "usage: debugger_probe ready|pause|dump|cmd ...\n");
	return 2;
}
