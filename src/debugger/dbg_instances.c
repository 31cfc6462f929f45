/*
 * The instance registry compiled into sentrydbg: the same source as the
 * sentry's (see dbg_proto.c).
 */
#include "instances.c"
