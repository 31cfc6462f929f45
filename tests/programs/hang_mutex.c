/*
 * hang_mutex: two threads deadlocked on two pthread mutexes taken in
 * opposite orders, for sentrydbg hangs (tests/integration/hangs.py).
 * Prints "t1=TID", "t2=TID", "m1=ADDR", "m2=ADDR", then "ready"; the
 * main thread joins the first, which never returns.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold;

static void *first(void *arg)
{
	(void)arg;
	printf("t1=%ld\n", (long)syscall(SYS_gettid));
	pthread_mutex_lock(&m1);
	pthread_barrier_wait(&both_hold);
	pthread_mutex_lock(&m2);
	return NULL;
}

static void *second(void *arg)
{
	(void)arg;
	printf("t2=%ld\n", (long)syscall(SYS_gettid));
	pthread_mutex_lock(&m2);
	pthread_barrier_wait(&both_hold);
	pthread_mutex_lock(&m1);
	return NULL;
}

int main(void)
{
	pthread_t a, b;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_barrier_init(&both_hold, NULL, 2);
	printf("m1=%p\nm2=%p\n", (void *)&m1, (void *)&m2);
	pthread_create(&a, NULL, first, NULL);
	pthread_create(&b, NULL, second, NULL);
	usleep(100000);
	printf("ready\n");
	pthread_join(a, NULL);
	return 0;
}
