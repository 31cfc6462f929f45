/*
 * The thread group leader exits (pthread_exit) while another thread goes
 * on: Linux keeps the leader a zombie until the group exits, so ps shows
 * the process as "Z" with an empty command line ([comm] <defunct>).
 *
 *   leader_exits SECONDS    the other thread lives that long, then exits 0
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *lives_on(void *arg)
{
	sleep((unsigned)atoi(arg));
	exit(0);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 2)
		return 2;
	pthread_create(&t, NULL, lives_on, argv[1]);
	pthread_exit(NULL);
}
