/*
 * Holds a sandbox in a state every part of which /mnt/sentry must show
 * (tests/integration/cases.py, filesystem_shows_a_known_state):
 *
 *   - this process has 10 threads: the main thread and 9 that pause;
 *   - every thread blocks SIGUSR1 and SIGRTMIN+2; SIGUSR1 is raised at
 *     the main thread (task-private pending), SIGRTMIN+2 is queued to the
 *     process with sigqueue(3) and the value 4242 (shared pending, with
 *     its siginfo);
 *   - SIGUSR2 is ignored and SIGTERM caught;
 *   - a child made with clone(CLONE_FILES) shares this process's FD
 *     table (and so holds the pipe made before it);
 *   - a second child is stopped by SIGSTOP: a stopped job;
 *
 * then writes "PID FILES_CHILD STOPPED_CHILD READ_FD\n" (as getpid(2)
 * and the pipe's read end give them) to FILE, and pauses until killed.
 *
 *   known_state FILE
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_THREADS 10
#define QUEUED_VALUE 4242

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static void *waits(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int shares_files(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	static char stack[64 * 1024];
	pthread_t threads[NR_THREADS - 1];
	union sigval value = { .sival_int = QUEUED_VALUE };
	pid_t files_child, stopped_child;
	sigset_t mask;
	int fds[2], st;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: known_state FILE\n");
		return 2;
	}
	signal(SIGUSR2, SIG_IGN);
	signal(SIGTERM, on_term);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &mask, NULL); /* the threads inherit it */
	if (pipe(fds) != 0) {
		perror("pipe");
		return 1;
	}
	files_child = clone(shares_files, stack + sizeof(stack),
			    CLONE_FILES | SIGCHLD, NULL);
	if (files_child < 0) {
		perror("clone");
		return 1;
	}
	stopped_child = fork();
	if (stopped_child == 0) {
		for (;;)
			pause();
	}
	if (stopped_child < 0 || kill(stopped_child, SIGSTOP) != 0 ||
	    waitpid(stopped_child, &st, WUNTRACED) != stopped_child ||
	    !WIFSTOPPED(st)) {
		perror("stopping a child");
		return 1;
	}
	for (int i = 0; i < NR_THREADS - 1; i++)
		if (pthread_create(&threads[i], NULL, waits, NULL) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	pthread_kill(pthread_self(), SIGUSR1);
	if (sigqueue(getpid(), SIGRTMIN + 2, value) != 0) {
		perror("sigqueue");
		return 1;
	}
	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fprintf(f, "%d %d %d %d\n", (int)getpid(), (int)files_child,
		(int)stopped_child, fds[0]);
	fclose(f);
	for (;;)
		pause();
}
