/*
 * Kills process groups holding stopped children, in a loop (issue #18).
 *
 * Each round forks a group leader that forks stopped children (SIGSTOP)
 * and a grandchild orphaned before the kill (its parent exits), all in the
 * leader's group, then SIGKILLs the group: the leader dies with its
 * children, which are orphaned to init as they die, and init reaps them.
 * Under the sentry this is the order that once made sentry-init's wait
 * fail with ECHILD: the host hands each dying child to init at once, the
 * kernel only when it collects the leader's death, often after the
 * child's.
 *
 * Usage: pgrp_kill_stress [ROUNDS [CHILDREN]]
 * Prints "rounds: N" and "leftover: K", the processes of the killed groups
 * still present after a settling time (0 once init reaped them all).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xfork.h"

#define MAX_ROUNDS 100000

static pid_t killed[MAX_ROUNDS];
static int nr_killed;

/* The group leader: stopped children, an orphan, then wait to be killed. */
static void __attribute__((noreturn)) leader(int children, int ready_fd)
{
	pid_t mid;

	for (int i = 0; i < children; i++) {
		pid_t c = fork();

		if (c == 0) {
			raise(SIGSTOP);
			for (;;)
				pause();
		}
		/* Stopped before the kill, as the program had it. */
		if (waitpid(c, NULL, WUNTRACED) != c)
			_exit(2);
	}
	mid = fork();
	if (mid == 0) {
		if (fork() == 0) {
			/* The orphan: reparented to init before the kill. */
			raise(SIGSTOP);
			for (;;)
				pause();
		}
		_exit(0);
	}
	if (waitpid(mid, NULL, 0) != mid)
		_exit(2);
	if (write(ready_fd, "r", 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

/* Whether process pid belongs to one of the killed groups. */
static int in_killed_group(const char *pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int pgrp = -1;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* After the comm's closing parenthesis: state ppid pgrp. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %d", &pgrp) != 1)
		return 0;
	for (int i = 0; i < nr_killed; i++)
		if (killed[i] == pgrp)
			return 1;
	return 0;
}

static int count_leftover(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) &&
		    in_killed_group(e->d_name))
			n++;
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	int children = argc > 2 ? atoi(argv[2]) : 3;
	int left = -1;

	if (rounds < 1 || rounds > MAX_ROUNDS || children < 0 ||
	    children > 64) {
		fprintf(stderr, "usage: pgrp_kill_stress [ROUNDS [CHILDREN]]\n");
		return 2;
	}
	for (int r = 0; r < rounds; r++) {
		int fds[2];
		pid_t l;
		char c;

		if (pipe(fds) < 0) {
			perror("pipe");
			return 1;
		}
		l = fork();
		if (l == 0) {
			close(fds[0]);
			setpgid(0, 0);
			leader(children, fds[1]);
		}
		setpgid(l, l); /* whichever runs first */
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1) {
			fprintf(stderr, "round %d: the leader failed\n", r);
			return 1;
		}
		close(fds[0]);
		killed[nr_killed++] = l;
		if (kill(-l, SIGKILL) != 0) {
			perror("kill");
			return 1;
		}
		if (waitpid(l, NULL, 0) != l) {
			perror("waitpid");
			return 1;
		}
	}
	/* The orphans are init's to reap: give it time. */
	for (int i = 0; i < 300 && left != 0; i++) {
		left = count_leftover();
		if (left != 0)
			usleep(10000);
	}
	printf("rounds: %d\nleftover: %d\n", rounds, left);
	return left == 0 ? 0 : 1;
}
