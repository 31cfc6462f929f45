/*
 * gcore_big MiB: a process with MiB of touched anonymous memory, for
 * bench/gcore_bench.sh. Prints "ready PID" and sleeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	char *p = malloc(mib << 20);

	if (!p)
		return 1;
	for (size_t i = 0; i < mib << 20; i += 4096)
		p[i] = (char)i;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
