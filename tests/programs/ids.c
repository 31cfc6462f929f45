/* Prints the process's identity as the (emulated) syscalls report it, in
 * the format of `ps -o pid=,ppid=,pgid=,sid=`, so a test can compare. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("%d %d %d %d\n", getpid(), getppid(), getpgid(0), getsid(0));
	return 0;
}
