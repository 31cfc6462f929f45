/* Orphans are reparented: to the nearest PR_SET_CHILD_SUBREAPER ancestor
 * ("subreaper" mode) or to init ("init" mode, where the test checks the new
 * parent is PID 1 of the sandbox). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	bool subreaper = argc > 1 && !strcmp(argv[1], "subreaper");
	int fds[2];
	pid_t me = getpid(), mid, gc = 0;
	char buf[64];

	if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("prctl");
		return 1;
	}
	if (pipe(fds) < 0)
		return 1;
	mid = fork();
	if (mid == 0) {
		pid_t parent = getpid();

		gc = fork();
		if (gc == 0) {
			/* Wait until our parent is gone, then report where we
			 * went. */
			while (getppid() == parent)
				usleep(1000);
			snprintf(buf, sizeof(buf), "%d\n", getppid());
			if (write(fds[1], buf, strlen(buf)) < 0)
				_exit(1);
			_exit(0);
		}
		_exit(0);
	}
	waitpid(mid, NULL, 0);
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	pid_t newparent = atoi(buf);
	if (subreaper) {
		printf("reparented-to-subreaper: %s\n",
		       newparent == me ? "yes" : "no");
		/* The subreaper reaps it. */
		pid_t w = wait(NULL);
		printf("subreaper-reaped: %s\n", w > 0 ? "yes" : "no");
	} else {
		printf("reparented-to: %d\n", newparent);
	}
	return 0;
}
