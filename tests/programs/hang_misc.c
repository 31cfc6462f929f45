/*
 * hang_misc MODE: deadlocks through other objects than pipes, for
 * sentrydbg hangs (tests/integration/hangs.py).
 *
 *   socket  two children each recv() on their end of a unix socketpair:
 *           each waits for its peer, which waits too.
 *   flock   child a holds flock(LOCK_EX) on a file and reads a pipe only
 *           child b can write; b waits for a's lock.
 *
 * Prints "a=PID", "b=PID", then "ready"; the parent waits for both.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "socket";
	int sv[2], p[2], lockfd = -1;
	pid_t a, b;
	char c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "socket") == 0) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return 1;
		if ((a = fork()) == 0) {
			close(sv[1]);
			_exit(recv(sv[0], &c, 1, 0) < 0);
		}
		if ((b = fork()) == 0) {
			close(sv[0]);
			_exit(recv(sv[1], &c, 1, 0) < 0);
		}
		close(sv[0]);
		close(sv[1]);
	} else if (strcmp(mode, "flock") == 0) {
		char path[] = "/tmp/hang_misc.XXXXXX";

		lockfd = mkstemp(path);
		if (lockfd < 0 || pipe(p) < 0)
			return 1;
		unlink(path);
		if ((a = fork()) == 0) {
			/* Its own open file description: flock is per OFD. */
			close(p[1]);
			if (flock(lockfd, LOCK_EX) < 0)
				_exit(1);
			_exit(read(p[0], &c, 1) < 0);
		}
		usleep(100000);
		if ((b = fork()) == 0) {
			int fd;
			char self[64];

			close(p[0]);
			snprintf(self, sizeof(self), "/proc/self/fd/%d", lockfd);
			fd = open(self, O_RDWR);
			close(lockfd);
			_exit(fd < 0 || flock(fd, LOCK_EX) < 0);
		}
		close(p[0]);
		close(p[1]);
		close(lockfd);
	} else {
		fprintf(stderr, "usage: hang_misc socket|flock\n");
		return 2;
	}
	printf("a=%d\nb=%d\nparent=%d\nready\n", (int)a, (int)b,
	       (int)getpid());
	while (wait(NULL) > 0)
		;
	return 0;
}
