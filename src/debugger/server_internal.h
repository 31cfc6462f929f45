/*
 * server_internal.h - the control server's state, shared by server.c
 * (sockets and threads), commands.c (inspecting and steering commands) and
 * catch.c (catchpoints, watch, the kernel event hook).
 *
 * Threads: one accept thread, one thread per client. Kernel events arrive
 * on the platform thread through the kernel's event hook, which only
 * queues them for the clients and wakes their threads: the platform
 * thread never blocks on a socket.
 *
 * Locking: srv->mu protects the client list, the catchpoints and every
 * client's event queue and watch mask. It is a leaf: nothing calls into
 * the kernel or the platform with it held, so the platform thread can
 * take it from the event hook without risk of deadlock.
 */
#ifndef SENTRY_DEBUGGER_SERVER_INTERNAL_H
#define SENTRY_DEBUGGER_SERVER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <urcu/list.h>

#include "debugger/instances.h"
#include "kernel/kernel.h"

/* Most clients served at once; more are refused with EUSERS. */
#define CTL_MAX_CLIENTS 64
/* Events queued per client before the oldest are dropped. */
#define CTL_EVQ_CAP 1024

#define CTL_EV_BIT(ev) (1u << (ev))
#define CTL_EV_ALL                                                       \
	(CTL_EV_BIT(KERNEL_EVENT_CLONE) | CTL_EV_BIT(KERNEL_EVENT_EXEC) |   \
	 CTL_EV_BIT(KERNEL_EVENT_EXIT) | CTL_EV_BIT(KERNEL_EVENT_SIGNAL) |  \
	 CTL_EV_BIT(KERNEL_EVENT_SYSCALL) | CTL_EV_BIT(KERNEL_EVENT_PTRACE))

struct ctl_event {
	bool is_catch;          /* a catchpoint hit (else a watched event) */
	enum kernel_event ev;
	pid_t tid;
	long detail;
	int catch_id;
	uint64_t ns;            /* kernel uptime when it happened */
};

struct ctl_server;

struct ctl_client {
	struct ctl_server *srv;  /* immutable */
	struct cds_list_head node; /* in srv->clients; srv->mu */
	unsigned id;             /* immutable */
	int fd;                  /* owned by the client thread */
	int evfd;                /* eventfd: events queued; immutable */
	uid_t uid;               /* peer credentials; immutable */
	pid_t pid;
	/* A descriptor the client passed (SCM_RIGHTS) with the request
	 * being handled, or -1. Owned by the client thread: a command that
	 * keeps it sets it to -1; otherwise it is closed after the reply. */
	int req_fd;

	/* Protected by srv->mu. */
	unsigned watch_mask;     /* CTL_EV_BIT()s this client watches */
	struct ctl_event q[CTL_EVQ_CAP];
	unsigned q_head, q_len;
	unsigned long dropped;   /* events lost to a full queue */
};

struct ctl_catch {
	struct cds_list_head node; /* in srv->catches; srv->mu */
	int id;
	enum kernel_event ev;
	long arg;                /* signal or syscall number; -1: any */
	unsigned owner;          /* client id; removed when it leaves */
	unsigned long hits;
	char desc[64];
};

struct ctl_server {
	struct kernel *k;        /* immutable */
	struct ctl_instance inst; /* immutable after start */
	int listen_fd;
	int stop_pipe[2];        /* written once by ctl_server_stop */
	pthread_t accept_thread;

	pthread_mutex_t mu;
	pthread_cond_t cond;     /* signalled when a client leaves */
	struct cds_list_head clients;
	int nr_clients;
	unsigned next_client_id;
	struct cds_list_head catches;
	int next_catch_id;
	bool stopping;

	/* OR of every client's watch mask and every catchpoint's event bit:
	 * the hook returns at once for events nobody wants. Written under mu,
	 * read atomically by the hook. */
	unsigned interest;
	/* Hook calls in progress (atomic), for ctl_server_stop. */
	int hook_inflight;
};

/* A command: fills *result (a new reference) or returns -errno with a
 * message in err. Runs on the client's thread without srv->mu. */
typedef int (*ctl_cmd_fn)(struct ctl_client *c, json_t *args,
			  json_t **result, char *err, size_t errlen);

struct ctl_cmd {
	const char *name;
	ctl_cmd_fn fn;
};

/* commands.c: the table of commands, NULL-terminated. */
extern const struct ctl_cmd ctl_commands[];
const struct ctl_cmd *ctl_cmd_find(const char *name);

/* catch.c */
int ctl_cmd_catch(struct ctl_client *c, json_t *args, json_t **result,
		  char *err, size_t errlen);
int ctl_cmd_info_catch(struct ctl_client *c, json_t *args, json_t **result,
		       char *err, size_t errlen);
int ctl_cmd_delete(struct ctl_client *c, json_t *args, json_t **result,
		   char *err, size_t errlen);
int ctl_cmd_watch(struct ctl_client *c, json_t *args, json_t **result,
		  char *err, size_t errlen);
int ctl_cmd_unwatch(struct ctl_client *c, json_t *args, json_t **result,
		    char *err, size_t errlen);

/* Installs the server's event hook on its kernel. Returns 0 or -EBUSY
 * when another hook is installed. */
int ctl_hook_install(struct ctl_server *srv);
/* Removes it and waits for calls in progress to return. */
void ctl_hook_remove(struct ctl_server *srv);
/* Forgets a leaving client's catchpoints and watch. Preconditions:
 * srv->mu held. */
void ctl_client_forget_locked(struct ctl_client *c);
/* Moves the client's queued events out as JSON event messages appended
 * to the array out. Takes srv->mu. */
void ctl_client_drain_events(struct ctl_client *c, json_t *out);

/* Name of a kernel event for messages and JSON ("clone", …). */
const char *ctl_event_name(enum kernel_event ev);

#endif
