/*
 * This file implements co-location: the platform thread runs on one CPU,
 * and a traced thread it resumes runs on that CPU too while it keeps
 * stopping.
 *
 * Every host stop is a round trip between the stopped thread and the
 * platform thread. With the two on different CPUs, each trip wakes the
 * other CPU, and waking an idle vCPU costs tens of µs on a VM: more than
 * the sentry spends on the stop itself (bench/run.sh: a shell's fork+exec
 * loop ran 1.4x native across two CPUs and 1.05x with everything on one).
 * So the platform thread binds itself to the CPU it starts on, and each
 * thread it resumes to that CPU, where the scheduler switches between
 * them as a shell and its child switch natively.
 *
 * A thread that then goes COLOCATE_HOLD_NS without a stop is computing
 * or blocked (in a read, a futex, a host wait4), not trapping: the
 * balancer thread gives it back the sandbox's default affinity, so
 * CPU-bound work spreads over every CPU as it does natively. Its next
 * stop binds it again. A thread whose affinity the application
 * chose (sched_setaffinity, trapped: pt_colocate_release) is never bound
 * again, and the kernel shows a bound thread the default affinity
 * (syscalls/affinity.c, proc/PID/status), so the binding is invisible to
 * the sandbox.
 *
 * A reader of the filesystem on the platform thread's CPU makes it move
 * (COLOCATE_READ_NS).
 * It is off when the sentry may use only one CPU, or with
 * SENTRY_COLOCATE=0.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/timing.h"
#include "platform/ptrace/internal.h"

/* How long after its last resume a bound thread that has not stopped
 * since is unbound (wall time: it may be computing or blocked), and how
 * often the balancer looks. A CPU-bound thread shares the platform
 * thread's CPU for at most their sum. */
#define COLOCATE_HOLD_NS (4 * 1000 * 1000ull)
#define COLOCATE_TICK_NS (2 * 1000 * 1000)
/* How long a request to the filesystem served on our CPU keeps threads
 * off it: the filesystem serves a reader on the CPU the reader runs on,
 * and a bound thread could not move away from the two (bench/
 * procfs_bench.sh: a fork+CPU workload ran 20% slower while a reader
 * walked the tree, against 8% without co-location). The platform thread
 * moves to another CPU instead, at most once per period, and binds
 * nothing while the reader is on its CPU (12% slower). */
#define COLOCATE_READ_NS (20 * 1000 * 1000ull)

/* A status line's value in status (ours to write), without the tabs
 * before it, NUL-terminated in place: NULL when the key is missing. Both
 * keys are looked up before either value is terminated. */
static void status_fields(char *status, const char *k1, char **v1,
			  const char *k2, char **v2)
{
	const char *a = pt_status_value(status, k1);
	const char *b = pt_status_value(status, k2);

	*v1 = a ? status + (a - status) + strspn(a, "\t") : NULL;
	*v2 = b ? status + (b - status) + strspn(b, "\t") : NULL;
	if (*v1)
		(*v1)[strcspn(*v1, "\n")] = '\0';
	if (*v2)
		(*v2)[strcspn(*v2, "\n")] = '\0';
}

int pt_colocate_setup(struct ptrace_platform *pp)
{
	struct pt_colocate *c = &pp->colo;
	const char *e = getenv("SENTRY_COLOCATE");
	char *status, *hex, *list;
	int err;

	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->initialised = true;
	if (sched_getaffinity(0, sizeof(c->dflt), &c->dflt) < 0)
		return 0; /* the kernel shows the host's affinity as it is */
	/* How the host prints the default in status files: the sandbox's
	 * tasks start with this thread's affinity. */
	if (pt_host_status_read(gettid(), &status) < 0)
		return 0;
	status_fields(status, "Cpus_allowed", &hex, "Cpus_allowed_list", &list);
	err = 0;
	if (hex && list) {
		err = kernel_set_default_affinity(pp->k, &c->dflt, hex, list);
		c->on = err == 0 && CPU_COUNT(&c->dflt) >= 2 &&
			!(e && !strcmp(e, "0"));
	}
	free(status);
	return err;
}

static void colocate_remove_locked(struct pt_colocate *c, struct pt_task *pt)
{
	size_t i = pt->bound_slot;

	c->bound[i] = c->bound[--c->nr_bound];
	c->bound[i]->bound_slot = i;
	pt->bound = false;
}

/* Gives pt the sandbox's default affinity back and takes it out of the
 * table (ESRCH: it died; the platform thread forgets it). */
static void colocate_unbind_locked(struct pt_colocate *c, struct pt_task *pt)
{
	sched_setaffinity(pt->host_tid, sizeof(c->dflt), &c->dflt);
	colocate_remove_locked(c, pt);
}

/* Whether the filesystem served a request lately on CPU cpu. */
static bool reading_on(struct kernel *k, uint64_t now, int cpu)
{
	return now - __atomic_load_n(&k->last_read_ns, __ATOMIC_RELAXED) <
		       COLOCATE_READ_NS &&
	       __atomic_load_n(&k->last_read_cpu, __ATOMIC_RELAXED) == cpu;
}

static void *colocate_balancer(void *arg)
{
	struct ptrace_platform *pp = arg;
	struct pt_colocate *c = &pp->colo;
	const struct timespec tick = { 0, COLOCATE_TICK_NS };

	/* Started by the bound platform thread; it need not share its CPU. */
	sched_setaffinity(0, sizeof(c->dflt), &c->dflt);

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		uint64_t now;
		bool read;

		if (c->nr_bound == 0) {
			pthread_cond_wait(&c->cond, &c->mu);
			continue;
		}
		now = clock_now_ns(CLOCK_MONOTONIC);
		read = reading_on(pp->k, now, c->cpu);
		for (size_t i = 0; i < c->nr_bound;) {
			struct pt_task *pt = c->bound[i];

			if (!read && now - pt->bound_ns < COLOCATE_HOLD_NS) {
				i++;
				continue;
			}
			colocate_unbind_locked(c, pt);
		}
		pthread_mutex_unlock(&c->mu);
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

void pt_colocate_start(struct ptrace_platform *pp)
{
	struct pt_colocate *c = &pp->colo;
	int cpu = sched_getcpu();

	if (!c->on)
		return;
	c->on = false;
	if (cpu < 0 || !CPU_ISSET(cpu, &c->dflt))
		return;
	CPU_ZERO(&c->one);
	CPU_SET(cpu, &c->one);
	if (sched_setaffinity(0, sizeof(c->one), &c->one) < 0)
		return;
	c->cpu = cpu;
	c->used = c->one;
	if (pthread_create(&c->balancer, NULL, colocate_balancer, pp) != 0) {
		sched_setaffinity(0, sizeof(c->dflt), &c->dflt);
		return;
	}
	c->on = true;
	c->balancer_started = true;
}

/* A reader is on our CPU: moves the platform thread to another CPU, at
 * most once per COLOCATE_READ_NS, unbinding every thread (their next
 * resume binds them to the new one). Returns whether it moved. */
static bool colocate_move(struct pt_colocate *c, uint64_t now)
{
	cpu_set_t one;
	int to = -1;

	if (c->moved_ns && now - c->moved_ns < COLOCATE_READ_NS)
		return false;
	c->moved_ns = now;
	for (int i = 0; i < CPU_SETSIZE && to < 0; i++)
		if (i != c->cpu && CPU_ISSET(i, &c->dflt))
			to = i;
	if (to < 0)
		return false;
	CPU_ZERO(&one);
	CPU_SET(to, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		return false;
	pthread_mutex_lock(&c->mu);
	while (c->nr_bound)
		colocate_unbind_locked(c, c->bound[0]);
	c->cpu = to;
	c->one = one;
	CPU_SET(to, &c->used);
	pthread_mutex_unlock(&c->mu);
	return true;
}

/*
 * The host copied the creator's affinity when it created the thread, which
 * may be before or after a sched_setaffinity of the creator that the
 * kernel has not seen the end of (another thread's): the child's own
 * affinity says which. Ours (the one CPU) is a binding to give back if the
 * child is not bound itself; anything but ours and the default is the
 * application's choice, whatever the child inherited in the kernel.
 */
void pt_colocate_inherit(struct ptrace_platform *pp, struct pt_task *child)
{
	struct pt_colocate *c = &pp->colo;
	struct task *t = child->task;
	cpu_set_t m;
	bool ours;

	if (!c->on || sched_getaffinity(child->host_tid, sizeof(m), &m) < 0)
		return;
	/* One CPU we have bound threads to (the creator may have been
	 * bound before the platform thread last moved). */
	if (CPU_COUNT(&m) == 1) {
		cpu_set_t both;

		CPU_AND(&both, &m, &c->used);
		ours = CPU_COUNT(&both) == 1;
	} else {
		ours = false;
	}
	child->inherited_bound = ours && t->default_affinity;
	if (!ours && !CPU_EQUAL(&m, &c->dflt) && t->default_affinity) {
		pthread_mutex_lock(&t->mu);
		t->default_affinity = false;
		pthread_mutex_unlock(&t->mu);
		child->colocate_never = true;
	}
}

/* A thread that is not to be bound gives back the binding it inherited
 * from the thread that created it, if any: no one else would. */
static void colocate_drop_inherited(struct pt_colocate *c,
				    struct pt_task *pt)
{
	if (pt->inherited_bound) {
		pt->inherited_bound = false;
		sched_setaffinity(pt->host_tid, sizeof(c->dflt), &c->dflt);
	}
}

void pt_colocate_bind(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct pt_colocate *c = &pp->colo;
	uint64_t now;

	if (!c->on)
		return;
	if (pt->colocate_never || !pt->task || !pt->task->default_affinity ||
	    pt->task->exit_state != TASK_EXIT_NONE) {
		colocate_drop_inherited(c, pt);
		return;
	}
	now = clock_now_ns(CLOCK_MONOTONIC);
	if (reading_on(pp->k, now, c->cpu) && !colocate_move(c, now)) {
		colocate_drop_inherited(c, pt);
		return;
	}
	/* The balancer holds the lock while it unbinds, a system call a
	 * thread: after a mass resume, thousands of them (10,000 held tasks
	 * resumed made this thread wait up to 8 ms here, 34 ms a resume in
	 * all). Co-location is only an optimisation: when the balancer is
	 * at work, this thread runs unbound this time. */
	if (pthread_mutex_trylock(&c->mu) != 0) {
		colocate_drop_inherited(c, pt);
		return;
	}
	pt->bound_ns = now;
	if (!pt->bound) {
		if (c->nr_bound == c->cap_bound) {
			size_t cap = c->cap_bound ? 2 * c->cap_bound : 64;
			struct pt_task **v =
				realloc(c->bound, cap * sizeof(*v));

			if (!v) {
				colocate_drop_inherited(c, pt);
				goto out;
			}
			c->bound = v;
			c->cap_bound = cap;
		}
		if (sched_setaffinity(pt->host_tid, sizeof(c->one),
				      &c->one) < 0) {
			/* A cpuset without our CPU, say: leave it be. */
			pt->colocate_never = true;
			colocate_drop_inherited(c, pt);
			goto out;
		}
		pt->bound = true;
		pt->inherited_bound = false;
		pt->bound_slot = c->nr_bound;
		c->bound[c->nr_bound++] = pt;
		if (c->nr_bound == 1)
			pthread_cond_signal(&c->cond);
	}
out:
	pthread_mutex_unlock(&c->mu);
}

void pt_colocate_forget(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct pt_colocate *c = &pp->colo;

	if (!c->on)
		return;
	pthread_mutex_lock(&c->mu);
	if (pt->bound)
		colocate_remove_locked(c, pt);
	pthread_mutex_unlock(&c->mu);
}

void pt_colocate_release(struct ptrace_platform *pp, struct pt_task *pt)
{
	struct pt_colocate *c = &pp->colo;

	pt->colocate_never = true;
	if (!c->on)
		return;
	pthread_mutex_lock(&c->mu);
	if (pt->bound)
		colocate_unbind_locked(c, pt);
	colocate_drop_inherited(c, pt);
	pthread_mutex_unlock(&c->mu);
}

void pt_colocate_stop(struct ptrace_platform *pp)
{
	struct pt_colocate *c = &pp->colo;

	if (c->balancer_started) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->cond);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->balancer, NULL);
		c->balancer_started = false;
	}
	/* The threads still bound are gone or going: no table, no binds. */
	c->on = false;
	free(c->bound);
	c->bound = NULL;
	c->nr_bound = c->cap_bound = 0;
}

void pt_colocate_destroy(struct ptrace_platform *pp)
{
	struct pt_colocate *c = &pp->colo;

	if (c->initialised) {
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cond);
		c->initialised = false;
	}
}
