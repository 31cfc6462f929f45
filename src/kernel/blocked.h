/*
 * blocked.h - what each task waits for and who could wake it
 * (DESIGN §10: blocked-on is first-class state), and the stuck set: the
 * tasks no one outside a closed set of waits can ever wake.
 *
 * The kernel knows its own waits (stops, a tracer's parked wait, vfork,
 * zombies); for a syscall the host runs, the host shows the syscall and
 * its arguments (platform read_host_state) and the kernel decodes them:
 * a pipe or socket names its inode and the tasks holding the other end
 * (from every FD table), a futex word its owner when glibc's mutex
 * layout or a TID in the word names one, a wait the children it waits
 * for. A wait with a timeout, or one something outside the sandbox can
 * end (a terminal, a network peer, the debugger, a user's SIGCONT), is
 * never stuck.
 *
 * A report is a copy: it is computed from task snapshots and host reads
 * with no kernel lock held across them, and owned by the caller.
 */
#ifndef SENTRY_KERNEL_BLOCKED_H
#define SENTRY_KERNEL_BLOCKED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel;

enum blocked_kind {
	BLOCKED_NONE,          /* runs, or asleep where nothing is known */
	BLOCKED_SYSCALL,       /* asleep in a syscall the host runs */
	BLOCKED_WAIT,          /* wait4/waitid for children or tracees */
	BLOCKED_SIGNAL,        /* sigsuspend, pause, sigtimedwait */
	BLOCKED_GROUP_STOP,
	BLOCKED_PTRACE_STOP,
	BLOCKED_VFORK,         /* a vfork parent until its child execs/exits */
	BLOCKED_EXTERNAL_STOP, /* held by the debugger or the kernel's pause */
	BLOCKED_ZOMBIE,        /* dead, awaiting reap */
};

/* A task that could end the wait, and by which descriptor (-1: none). */
struct blocked_waker {
	pid_t tid;
	int fd;
};

struct blocked_on {
	pid_t tid, tgid;
	char comm[16];
	char state;            /* Linux's letter: R S D T t Z X */
	enum blocked_kind kind;
	long nr;               /* the syscall, -1 */
	char syscall[24];      /* its name, "" */
	char object[160];      /* "pipe:[123]", "mutex 0x7f…", "children" */
	char role[16];         /* what the wakers are: "writers", "owner" */
	char wchan[32];        /* the host function it sleeps in */
	bool timed;            /* a timeout ends it */
	bool has_remaining;
	uint64_t remaining_ns; /* of a timed wait, about */
	/* Something outside the sandbox can end it; external_why says
	 * what ("terminal", "socket peer", "debugger", "SIGCONT"). */
	bool external;
	char external_why[24];
	struct blocked_waker *wakers; /* sorted by TID, one entry a task */
	int nr_wakers, cap_wakers;
	bool wakers_any;       /* any task may wake it (a signal) */
};

/* The stuck set and its cycles (strongly connected sets of waits). */
struct hang_report {
	struct blocked_on *tasks; /* every task, sorted by TID */
	int nr_tasks;
	pid_t *stuck;             /* sorted */
	int nr_stuck;
	pid_t **cycles;           /* each sorted; sorted by first TID */
	int *cycle_len;
	int nr_cycles;
};

/* Computes the report over every task. Returns 0 and *out, or -errno. */
int kernel_hangs(struct kernel *k, struct hang_report **out);
void hang_report_free(struct hang_report *r);

/* The report's entry for tid, or NULL. */
const struct blocked_on *hang_report_find(const struct hang_report *r,
					  pid_t tid);
bool hang_report_is_stuck(const struct hang_report *r, pid_t tid);

/* What one task waits for, with its wakers: computed as kernel_hangs()
 * does, over the FD tables of every task but reading host state of the
 * one task only. Returns 0 and *out (free with blocked_on_free), -ESRCH
 * for an unknown or reaped TID, or -errno. */
int kernel_blocked_on(struct kernel *k, pid_t tid, struct blocked_on *out);
void blocked_on_free(struct blocked_on *b);

/* What every task waits for, sorted by TID: the count and a malloc'd
 * array in *out (free with blocked_list_free), or -errno. Without
 * with_wakers only the waits and their objects are worked out (ps),
 * which spares reading every FD table. */
int kernel_blocked_list(struct kernel *k, bool with_wakers,
			struct blocked_on **out);
void blocked_list_free(struct blocked_on *v, int n);

/* One line: "read pipe:[N] ← writers: 12 (itself: fd 4), 13 (fd 6)",
 * "running", "clock_nanosleep, 4.2 s left". */
void blocked_on_text(const struct blocked_on *b, char *buf, size_t len);
/* The short form ps shows: "read pipe:[N]", "wait4", "" when running. */
void blocked_on_short(const struct blocked_on *b, char *buf, size_t len);

json_t *blocked_on_json(const struct blocked_on *b);
/* {"stuck":[…],"cycles":[[…]…],"blocked":[{…}…]} (sentrydbg(1)). */
json_t *hang_report_json(const struct hang_report *r);
/* The stuck set, each with its chain, as text (malloc'd). */
char *hang_report_text(const struct hang_report *r);
/* Why tid does not run: the chain of waits from tid until a running
 * task, a timer, something outside or a cycle. Text (malloc'd) or JSON
 * {"tid","stuck","chain":[…],"cycles":[…]}. NULL when tid is
 * not in the report. */
char *hang_why_text(const struct hang_report *r, pid_t tid);
json_t *hang_why_json(const struct hang_report *r, pid_t tid);

#endif
