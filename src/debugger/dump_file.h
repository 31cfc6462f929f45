/*
 * dump_file.h - writing a dump to a named file whole or not at all, for
 * `sentry run --dump-on` and sentrydbg's `dump FILE`.
 *
 * The dump goes into a temporary file beside the target, which is renamed
 * over it once complete: a full disk or any other error leaves no partial
 * dump behind, and an earlier file of that name intact (the new one takes
 * its mode and owner). A target that is not a regular file (a symbolic
 * link such as /dev/stdout, a FIFO, a device), or one in a directory we
 * may not write to, is written in place, as fopen(path, "w") would.
 */
#ifndef SENTRY_DEBUGGER_DUMP_FILE_H
#define SENTRY_DEBUGGER_DUMP_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct dump_file {
	int fd;                /* write the dump here */
	bool in_place;         /* fd is the target itself */
	char path[PATH_MAX];
	char tmp[PATH_MAX];
};

/* Opens a file to write path's new contents to. Returns 0 or -errno (the
 * target's directory is missing or not writable, the name is too long). */
int dump_file_open(struct dump_file *f, const char *path);
/* Closes f; with ok, puts the new file in place, else removes it. Returns
 * 0 or -errno (the close or rename failed: then nothing is left behind). */
int dump_file_finish(struct dump_file *f, bool ok);
/* dump_file_open, the whole of data, dump_file_finish. Returns 0 or
 * -errno. */
int dump_file_write(const char *path, const char *data, size_t len);
/* Writes all len bytes of data to fd (retrying short writes and EINTR).
 * Returns 0 or -errno. */
int dump_write_all(int fd, const char *data, size_t len);

#endif
