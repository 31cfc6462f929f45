/* A non-leader thread execs: the new image must run with the process's
 * PID (the thread takes over the leader's TID), and other threads die.
 *
 *   exec_from_thread            the thread execs a sh that checks its PID
 *   exec_from_thread CMD...     the thread execs CMD */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char **cmd;

static void *execer(void *arg)
{
	char pid[32];

	(void)arg;
	if (cmd) {
		execvp(cmd[0], cmd);
		perror("execvp");
		exit(127);
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	setenv("ORIG_PID", pid, 1);
	execl("/bin/sh", "sh", "-c",
	      "if [ \"$$\" = \"$ORIG_PID\" ]; then echo same-pid; else echo "
	      "different-pid $$ $ORIG_PID; fi; exit 7",
	      (char *)NULL);
	perror("execl");
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	if (argc > 1)
		cmd = argv + 1;
	pthread_create(&b, NULL, sleeper, NULL);
	pthread_create(&a, NULL, execer, NULL);
	for (;;)
		pause();
}
