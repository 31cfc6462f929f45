/*
 * dump.h - state dumps for bug reports (DESIGN §8, man/sentry-dump.5).
 *
 * A dump is taken from a consistent snapshot: the kernel is paused for its
 * duration (kernel_pause() nests, so dumping an already paused kernel is
 * fine) and every object is copied with the snapshot functions.
 */
#ifndef SENTRY_KERNEL_DUMP_H
#define SENTRY_KERNEL_DUMP_H

#include <jansson.h>
#include <stdbool.h>

struct kernel;

#define DUMP_SCHEMA_VERSION 3

/* Builds the dump as a JSON object. With pause, the kernel is paused
 * around it. Returns 0 and a new reference in *out, or -errno. */
int kernel_dump_json(struct kernel *k, bool pause, json_t **out);

/* Renders the dump as malloc'd text (json: pretty JSON; otherwise the
 * human-readable text form). Returns 0 and *out, *len, or -errno. */
int kernel_dump_render(struct kernel *k, bool json, char **out, size_t *len);

#endif
