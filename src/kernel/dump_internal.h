/*
 * dump_internal.h - what the files of the state dump share, for
 * src/kernel/dump*.c only: dump.c collects the copies (struct dump_parts)
 * and builds the dump object, dump_objects.c has the JSON forms of kernel
 * objects, dump_stream.c writes the JSON text one task at a time, and
 * dump_text.c renders the human-readable text.
 */
#ifndef SENTRY_KERNEL_DUMP_INTERNAL_H
#define SENTRY_KERNEL_DUMP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/user.h>

#include "kernel/signals.h"
#include "kernel/snapshot.h"

struct kernel;

/* Sets key to a new value, ignoring ENOMEM: a dump missing a field under
 * memory pressure is better than no dump, and jansson leaves the object
 * valid. */
static inline void set(json_t *o, const char *key, json_t *v)
{
	/* Keys are the dump's ASCII literals: skip the UTF-8 check. */
	json_object_set_new_nocheck(o, key, v);
}

/*
 * While a dump is built, equal signal sets share one JSON object (jansson
 * values are reference counted and may have several parents): 10,000
 * tasks have a handful of distinct masks, and building six sigset objects
 * per task was a good part of a dump's time. Only the dumping thread sees
 * the cache; nothing modifies a dump's values once built.
 */
#define SIGSET_CACHE_SIZE 256
struct sigset_cache {
	sigset64_t mask[SIGSET_CACHE_SIZE];
	json_t *val[SIGSET_CACHE_SIZE];
};

/* Makes dump_sigset_json share equal sets through c on this thread until
 * sigset_cache_end(c), which drops the cache's references (the values
 * handed out keep theirs). */
void sigset_cache_begin(struct sigset_cache *c);
void sigset_cache_end(struct sigset_cache *c);

/* held: the task is held in a stop, so its registers can be read. */
static inline bool task_regs_readable(const struct task_snap *s)
{
	return (s->stop != TASK_STOP_NONE || s->stop_count > 0) &&
	       s->exit_state < TASK_EXIT_ZOMBIE;
}

/* The task object of a dump (dump_task_json with its inputs given).
 * regs: registers read beforehand (NULL: read them now if with_regs).
 * pause_depth: the kernel's pause depth when s was taken. */
json_t *dump_task_json_at(struct kernel *k, const struct task_snap *s,
			  bool with_regs, const struct user_regs_struct *regs,
			  int pause_depth);

/* Collects the FD tables of the task snapshots: one entry per table id
 * (in order of first use), with its users and the descriptors read from
 * the host through the first live user. */
json_t *dump_fd_tables_json(const struct task_snap *snaps, int n);

/*
 * What a dump is made of, copied while the kernel is paused: snapshots of
 * every task (with the registers of the held ones) and thread group, and
 * the small members already in JSON form.
 */
struct hang_report;

struct dump_parts {
	bool consistent;
	int pause_depth;          /* while the copies were taken */
	json_t *head;             /* schema_version ... kernel, in order */
	json_t *tail;             /* sessions ... fd_tables, in order */
	struct task_snap *snaps;
	struct user_regs_struct *regs; /* by snapshot index */
	bool *have;               /* regs[i] was read */
	int nsnap;
	struct tg_snap *tgs;
	int ntg;
	/* What every task waited for just before the pause (a pause takes
	 * tasks out of their host syscalls), and the stuck set; NULL when
	 * it could not be worked out. */
	struct hang_report *hangs;
};

/* dump.c: the task object of snapshot i of p, with its "blocked". */
json_t *dump_task_of_parts(struct kernel *k, const struct dump_parts *p,
			   int i);

/* dump.c: copies everything a dump shows into *p (0, or -errno with
 * nothing to free); with pause, inside one kernel_pause()/kernel_unpause()
 * pair. dump_parts_free frees the copies and zeroes *p. */
int dump_collect(struct kernel *k, bool pause, struct dump_parts *p);
void dump_parts_free(struct dump_parts *p);

/* dump_stream.c: the JSON text of a dump of the paused kernel (the same
 * text as json_dumps(JSON_INDENT(2)) of kernel_dump_json's object).
 * Returns 0 and malloc'd *out, *len, or -errno. */
int dump_stream(struct kernel *k, char **out, size_t *len);

/* dump_text.c: renders dump d (consumed) as the human-readable text.
 * Returns 0 and malloc'd *out, *len, or -errno. */
int dump_render_text(json_t *d, char **out, size_t *len);

#endif
