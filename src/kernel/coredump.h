/*
 * coredump.h - ELF core files of a thread group (man 5 core), as Linux's
 * fs/binfmt_elf.c writes them: one PT_NOTE with the process's and every
 * thread's notes, one PT_LOAD per mapping with the memory Linux's
 * default coredump_filter (0x33) keeps. gdb and eu-stack read them.
 *
 * The kernel decides what goes in; the host's facts (registers, the
 * mappings, the auxiliary vector, memory) come through the platform.
 * The thread group is held in external stops while it is written (only
 * it: the rest of the sandbox runs on), and the file is written whole or
 * not at all: into a temporary file beside it, renamed at the end.
 */
#ifndef SENTRY_KERNEL_COREDUMP_H
#define SENTRY_KERNEL_COREDUMP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel;

struct core_result {
	pid_t tgid;
	int nr_threads;    /* threads whose registers are in it */
	int nr_segments;   /* PT_LOADs */
	uint64_t bytes;    /* the file's size */
};

/*
 * Writes the core of the thread group of tid to path. si is the siginfo
 * of the signal the process dies of (the first thread is then tid, the
 * one that took it), or NULL for a core of a live process (gcore).
 * Returns 0 and *out, or -errno with a one-line reason in err: -ESRCH
 * for an unknown or dead task (or one that exited while it was
 * written), the file system's error when path cannot be written. Call
 * off the platform's thread: it waits for the threads to stop.
 */
int kernel_write_core(struct kernel *k, pid_t tid, const char *path,
		      const siginfo_t *si, struct core_result *out, char *err,
		      size_t errlen);

/* Notes that the sentry wrote the core of thread group tgid as it dies:
 * its wait status gets WCOREDUMP. */
void kernel_note_core_written(struct kernel *k, pid_t tgid);

#endif
