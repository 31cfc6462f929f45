/*
 * debugger_spin - the workload of bench/debugger_bench.sh and of the
 * debugger's pause tests: many tasks that show their progress in shared
 * memory, so a bench outside the sandbox can tell whether they run.
 *
 *   debugger_spin -f /dev/shm/FILE [-p PROCS] [-t THREADS] [-s SPIN%]
 *                 [-S SLEEP_US] [-F]
 *
 * Starts PROCS processes of THREADS threads each (the process's main
 * thread is one of them). Task i (0 <= i < PROCS*THREADS) owns slot i of
 * FILE: a spinner increments it in a tight loop, a sleeper once per
 * SLEEP_US microseconds. SPIN% of the tasks (spread evenly) spin.
 *
 * With -F (fork storm) every process, once its threads run, keeps forking
 * children that bump their own counters (slots past the fixed ones, up to
 * the file's capacity) and exit, forever.
 *
 * FILE layout (little-endian, everything 64-bit):
 *   header (one page): magic, nr_slots, nr_ready, start_ns, ready_ns,
 *                      storm_slots, storm_next, root_pid
 *   slot i at offset 4096 + 64*i: the counter (own cache line)
 * start_ns/ready_ns are CLOCK_MONOTONIC: when the workload started and
 * when its last task reported running; the bench prints ready_ns-start_ns
 * as the workload's own start-up time.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x53504e4442475331ull /* "SPNDBGS1" */
#define HDR 4096
#define SLOT 64

struct hdr {
	uint64_t magic, nr_slots, nr_ready, start_ns, ready_ns;
	uint64_t storm_slots, storm_next, root_pid;
};

static char *base;
static struct hdr *h;
static int spin_pct = 100, sleep_us = 10000, storm;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t *slot(uint64_t i)
{
	return (volatile uint64_t *)(base + HDR + SLOT * i);
}

static int spins(uint64_t i)
{
	/* Bresenham: SPIN% of the slots, spread evenly. */
	return (i + 1) * (uint64_t)spin_pct / 100 != i * (uint64_t)spin_pct / 100;
}

static void ready(uint64_t total)
{
	if (__atomic_add_fetch(&h->nr_ready, 1, __ATOMIC_ACQ_REL) == total)
		__atomic_store_n(&h->ready_ns, now_ns(), __ATOMIC_RELEASE);
}

static void *task_main(void *arg)
{
	uint64_t i = (uint64_t)(uintptr_t)arg;
	volatile uint64_t *c = slot(i);
	struct timespec ts = { sleep_us / 1000000, (sleep_us % 1000000) * 1000L };

	ready(h->nr_slots);
	if (spins(i))
		for (;;)
			(*c)++;
	for (;;) {
		(*c)++;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Forks short-lived children forever: each bumps a storm slot and exits. */
static void *storm_main(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t n = __atomic_fetch_add(&h->storm_next, 1, __ATOMIC_RELAXED);
		uint64_t i = h->nr_slots + n % h->storm_slots;
		pid_t pid = fork();

		if (pid == 0) {
			for (int k = 0; k < 1000; k++)
				(*slot(i))++;
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		else
			usleep(1000);
	}
	return NULL;
}

static void proc_main(uint64_t first, int threads)
{
	pthread_attr_t attr;
	pthread_t th;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int t = 1; t < threads; t++)
		if (pthread_create(&th, &attr, task_main,
				   (void *)(uintptr_t)(first + (uint64_t)t)) != 0) {
			fprintf(stderr, "debugger_spin: pthread_create failed\n");
			_exit(1);
		}
	if (storm)
		pthread_create(&th, &attr, storm_main, NULL);
	task_main((void *)(uintptr_t)first);
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	int procs = 1, threads = 1, opt, fd;
	uint64_t total, storm_slots = 0;
	size_t size;

	while ((opt = getopt(argc, argv, "f:p:t:s:S:F")) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'p': procs = atoi(optarg); break;
		case 't': threads = atoi(optarg); break;
		case 's': spin_pct = atoi(optarg); break;
		case 'S': sleep_us = atoi(optarg); break;
		case 'F': storm = 1; break;
		default:
			fprintf(stderr, "usage: %s -f FILE [-p PROCS] [-t THREADS] [-s SPIN%%] [-S SLEEP_US] [-F]\n",
				argv[0]);
			return 2;
		}
	}
	if (!file || procs < 1 || threads < 1 || spin_pct < 0 || spin_pct > 100) {
		fprintf(stderr, "debugger_spin: bad arguments\n");
		return 2;
	}
	total = (uint64_t)procs * (uint64_t)threads;
	if (storm)
		storm_slots = 64;
	size = HDR + SLOT * (total + storm_slots);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror(file);
		return 1;
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	close(fd);
	h = (struct hdr *)base;
	h->start_ns = now_ns();
	h->nr_slots = total;
	h->storm_slots = storm_slots;
	h->root_pid = (uint64_t)getpid();
	__atomic_store_n(&h->magic, MAGIC, __ATOMIC_RELEASE);

	for (int p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			proc_main((uint64_t)p * (uint64_t)threads, threads);
			_exit(0);
		}
	}
	/* The root only reaps; the bench kills the sentry when done. */
	for (;;)
		if (wait(NULL) < 0 && errno == ECHILD)
			pause();
}
