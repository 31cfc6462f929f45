/*
 * The control protocol compiled into sentrydbg: the same source as the
 * sentry's (CMake puts proto.c into the sentry's library and dbg_*.c into
 * sentrydbg).
 */
#include "proto.c"
