/* A non-leader thread execs: the new image must run with the process's
 * PID (the thread takes over the leader's TID), and other threads die. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *execer(void *arg)
{
	char pid[32];

	(void)arg;
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

int main(void)
{
	pthread_t a, b;

	pthread_create(&b, NULL, sleeper, NULL);
	pthread_create(&a, NULL, execer, NULL);
	for (;;)
		pause();
}
