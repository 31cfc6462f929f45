/*
 * procfs_walk - walks a directory tree over and over, reading every
 * regular file and every link, until SECONDS pass (0: until killed).
 * Prints how many passes and files it read. For bench/procfs_bench.sh:
 * the "reader walking the whole tree continuously".
 *
 *   procfs_walk DIR SECONDS
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t done;
static unsigned long files, errors;

static void walk(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	char buf[65536];

	if (!d) {
		close(dfd);
		return;
	}
	while (!done && (de = readdir(d))) {
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR && depth < 16) {
			fd = openat(dirfd(d), de->d_name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (fd >= 0)
				walk(fd, depth + 1);
		} else if (de->d_type == DT_LNK) {
			if (readlinkat(dirfd(d), de->d_name, buf, sizeof(buf)) < 0)
				errors++;
			files++;
		} else {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NONBLOCK);
			if (fd < 0) {
				errors++;
				continue;
			}
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
			files++;
		}
	}
	closedir(d);
}

static void stop(int sig)
{
	done = 1;
}

int main(int argc, char **argv)
{
	unsigned long passes = 0;
	time_t end;

	if (argc != 3) {
		fprintf(stderr, "usage: procfs_walk DIR SECONDS\n");
		return 2;
	}
	signal(SIGTERM, stop);
	signal(SIGINT, stop);
	end = atoi(argv[2]) ? time(NULL) + atoi(argv[2]) : 0;
	while (!done && (!end || time(NULL) < end)) {
		int fd = open(argv[1], O_RDONLY | O_DIRECTORY);

		if (fd < 0)
			break;
		walk(fd, 0);
		passes++;
	}
	printf("%lu passes, %lu files, %lu errors\n", passes, files, errors);
	return 0;
}
