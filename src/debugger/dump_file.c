/*
 * This file implements dump_file.h: a dump is written into a temporary
 * file in the target's directory (so the rename cannot cross file
 * systems), synced, and renamed over the target once it is whole; the
 * new file takes the old one's mode and owner.
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
 * race with the sentry's other threads creating files; the strictest
 * mask when the kernel does not say (before Linux 4.7). */
static mode_t current_umask(void)
{
	unsigned mask = 077;
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

/* Writes through path itself, as fopen(path, "w") would. */
static int open_in_place(struct dump_file *f, const char *path)
{
	f->in_place = true;
	f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	return f->fd < 0 ? -errno : 0;
}

int dump_file_open(struct dump_file *f, const char *path)
{
	struct stat st;
	bool exists;
	int n;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (strlen(path) >= sizeof(f->path))
		return -ENAMETOOLONG;
	strcpy(f->path, path);
	exists = lstat(path, &st) == 0;
	/* A symbolic link (/dev/stdout is one, to whatever standard output
	 * is) or a FIFO or device: replacing it would break what it stands
	 * for, so it is written through, as before. */
	if (exists && !S_ISREG(st.st_mode))
		return open_in_place(f, path);
	n = snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(f->tmp))
		return open_in_place(f, path);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		int err = -errno;

		/* A file we may write in a directory we may not: in place. */
		if (exists && (err == -EACCES || err == -EPERM || err == -EROFS))
			return open_in_place(f, path);
		return err;
	}
	/* mkostemp makes it 0600: the new file gets the old one's mode and
	 * owner, or what fopen(path, "w") would have given it. */
	if (exists) {
		if (fchown(f->fd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
			goto fail;
		if (fchmod(f->fd, st.st_mode & 07777) < 0)
			goto fail;
	} else if (fchmod(f->fd, 0666 & ~current_umask()) < 0) {
		goto fail;
	}
	return 0;
fail:
	n = -errno;
	close(f->fd);
	unlink(f->tmp);
	f->fd = -1;
	return n;
}

int dump_file_finish(struct dump_file *f, bool ok)
{
	int err = 0;

	if (f->fd < 0)
		return -EBADF;
	/* Some file systems report a full disk only here. */
	if (ok && !f->in_place && fsync(f->fd) < 0)
		err = -errno;
	if (close(f->fd) < 0 && !err)
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

int dump_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int dump_file_write(const char *path, const char *data, size_t len)
{
	struct dump_file f;
	int err = dump_file_open(&f, path);

	if (err < 0)
		return err;
	err = dump_write_all(f.fd, data, len);
	if (err) {
		dump_file_finish(&f, false);
		return err;
	}
	return dump_file_finish(&f, true);
}
