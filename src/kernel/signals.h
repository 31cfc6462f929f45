/*
 * signals.h - emulated signal state: dispositions, pending queues, masks.
 *
 * Signal numbers are 1..64 as in Linux; a sigset64_t holds signal S in bit
 * S-1, the same layout as the kernel's sigset_t on x86_64 and as the hex
 * masks of /proc/PID/status.
 */
#ifndef SENTRY_KERNEL_SIGNALS_H
#define SENTRY_KERNEL_SIGNALS_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

#define SIG_MAX 64
typedef uint64_t sigset64_t;

static inline sigset64_t sig_bit(int sig)
{
	return (sigset64_t)1 << (sig - 1);
}

static inline bool sig_valid(int sig)
{
	return sig >= 1 && sig <= SIG_MAX;
}

/* Standard (non-real-time) signals coalesce; real-time ones queue. */
static inline bool sig_is_rt(int sig)
{
	return sig >= 32;
}

/* SIGKILL and SIGSTOP can never be blocked, caught or ignored. */
#define SIG_UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))

/* The x86_64 struct kernel_sigaction as the application passes it. */
struct sig_action {
	uint64_t handler; /* SIG_DFL (0), SIG_IGN (1) or a handler address */
	uint64_t flags;   /* SA_* */
	uint64_t restorer;
	sigset64_t mask;
};

/* One queued signal with the siginfo it will be delivered with. */
struct sig_queued {
	struct cds_list_head node;
	siginfo_t info;
	/* Sent from outside the sandbox (the debugger): the host sees the
	 * sentry's own kill, whose siginfo names no sender in the sandbox. */
	bool external;
	/* The user it is counted against (sig_users.h), or NULL. */
	long *charged;
};

/* A pending set: a task's private one or a thread group's shared one.
 * Protected by the owning thread group's signal mutex (sighand.mu). */
struct sig_pending {
	sigset64_t set;            /* signals with at least one entry queued */
	struct cds_list_head queue; /* struct sig_queued, oldest first */
	int nr_queued;
};

/*
 * sighand is a table of signal dispositions, shared by the thread groups
 * that share it (CLONE_SIGHAND) and copied by fork. Its mutex is "the signal
 * mutex" of every thread group that uses it (DESIGN §3): it also protects
 * those groups' pending sets, masks, group stop and per-task ptrace stop
 * state.
 */
struct sighand {
	pthread_mutex_t mu;
	int refs;                         /* atomic */
	struct sig_action actions[SIG_MAX]; /* protected by mu */
};

/* Alternate signal stack (sigaltstack). */
struct sig_altstack {
	uint64_t sp;
	int32_t flags;
	uint64_t size;
};

/* Returns a new sighand with default dispositions, or NULL on ENOMEM. */
struct sighand *sighand_new(void);
/* Returns a new sighand holding a copy of src's dispositions (fork), or
 * NULL on ENOMEM. Takes src->mu. */
struct sighand *sighand_copy(struct sighand *src);
void sighand_get(struct sighand *sh);
void sighand_put(struct sighand *sh);
/* Resets caught signals to SIG_DFL, as execve does; ignored stay ignored.
 * Preconditions: sh->mu is held. */
void sighand_reset_for_exec_locked(struct sighand *sh);

void sig_pending_init(struct sig_pending *p);
/* Frees every queued entry. */
void sig_pending_clear(struct sig_pending *p);
/* Takes q out of p and frees it, uncharging its user (sig_users.h); p's
 * set is the caller's to update. Every removal of an entry goes through
 * here. */
void sig_pending_remove(struct sig_pending *p, struct sig_queued *q);

/* Signal name without "SIG" ("INT", "RTMIN+3"); NULL when invalid. */
const char *sig_name(int sig, char *buf, size_t len);
/* Parses "INT", "SIGINT", "sigint", "2" or "RTMIN+3"; returns the number or
 * -EINVAL. */
int sig_parse(const char *s);

#endif
