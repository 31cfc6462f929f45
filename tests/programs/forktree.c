/* Builds a tree of N processes (each node forks up to two children until N
 * are made), every node reaps its children and reports the subtree size
 * through its exit status chain; the root prints the total. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int total;

/* Creates the subtree rooted at index i (heap numbering) and returns its
 * size. */
static int node(int i)
{
	int count = 1;

	for (int c = 2 * i + 1; c <= 2 * i + 2 && c < total; c++) {
		int fds[2];
		pid_t pid;

		if (pipe(fds) < 0)
			exit(1);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(1);
		}
		if (pid == 0) {
			int n = node(c);

			if (write(fds[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
		close(fds[1]);
		int n = 0, st;

		if (read(fds[0], &n, sizeof(n)) != sizeof(n))
			exit(1);
		close(fds[0]);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			exit(1);
		count += n;
	}
	return count;
}

int main(int argc, char **argv)
{
	total = argc > 1 ? atoi(argv[1]) : 1000;
	printf("processes: %d\n", node(0));
	/* Nothing is left to reap. */
	printf("leftover: %s\n", wait(NULL) < 0 ? "none" : "some");
	return 0;
}
