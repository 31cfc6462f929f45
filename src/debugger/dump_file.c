/*
 * This file implements dump_file.h: a dump is written into a temporary
 * file in the target's directory (so the rename cannot cross file
 * systems) and renamed over the target once it is whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugger/dump_file.h"

/* The process's umask, without umask(2)'s set-and-restore, which would
 * race with the sentry's other threads creating files. */
static mode_t current_umask(void)
{
	unsigned mask = 022;
	char line[128];
	FILE *st = fopen("/proc/self/status", "re");

	if (!st)
		return (mode_t)mask;
	while (fgets(line, sizeof(line), st))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	fclose(st);
	return (mode_t)mask;
}

int dump_file_open(struct dump_file *f, const char *path)
{
	struct stat st;
	int n;

	char *real;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	/* Through a symbolic link, the file it names is replaced, not the
	 * link: the temporary file goes beside the link's target. */
	real = realpath(path, NULL);
	if (real && strlen(real) < sizeof(f->path))
		path = strcpy(f->path, real);
	free(real);
	if (strlen(path) >= sizeof(f->path))
		return -ENAMETOOLONG;
	if (path != f->path)
		strcpy(f->path, path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f->in_place = true;
		f->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		return f->fd < 0 ? -errno : 0;
	}
	n = snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(f->tmp))
		return -ENAMETOOLONG;
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	/* mkostemp makes it 0600; a dump gets what fopen(path, "w") gave. */
	if (fchmod(f->fd, 0666 & ~current_umask()) < 0) {
		int err = -errno;

		close(f->fd);
		unlink(f->tmp);
		f->fd = -1;
		return err;
	}
	return 0;
}

int dump_file_finish(struct dump_file *f, bool ok)
{
	int err = 0;

	if (f->fd < 0)
		return -EBADF;
	if (close(f->fd) < 0)
		err = -errno;
	f->fd = -1;
	if (f->in_place)
		return err;
	if (ok && !err && rename(f->tmp, f->path) < 0)
		err = -errno;
	if (!ok || err)
		unlink(f->tmp);
	return err;
}

int dump_file_write(const char *path, const char *data, size_t len)
{
	struct dump_file f;
	int err = dump_file_open(&f, path);

	if (err < 0)
		return err;
	while (len > 0 && !err) {
		ssize_t w = write(f.fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = -errno;
			break;
		}
		data += w;
		len -= (size_t)w;
	}
	if (err) {
		dump_file_finish(&f, false);
		return err;
	}
	return dump_file_finish(&f, true);
}
