/*
 * This file implements the kernel's side of execve(2) and execveat(2).
 *
 * The host replaces the image; the kernel commits, when the host reports a
 * successful exec, what Linux's begin_new_exec() changes in the process
 * model:
 *
 * 1. de_thread(): a non-leader that execs takes over the leader's TID (the
 *    host does the same), the old leader leaves the tree; the other
 *    threads are killed by the host and reported dead one by one.
 * 2. Shared dispositions are unshared, caught signals reset to SIG_DFL,
 *    the alternate signal stack is cleared.
 * 3. A shared FD table is unshared (the descriptors stay; identity splits).
 * 4. comm and the command line become those of the new program.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/creds.h"
#include "kernel/kernel.h"
#include "kernel/lifecycle.h"
#include "kernel/task_set_internal.h"
#include "platform/platform.h"

struct task *task_exec(struct kernel *k, struct task *t)
{
	struct thread_group *tg;
	struct task *old_leader = NULL;
	struct sighand *sh;
	pid_t former;
	struct ptrace_detached detached = { 0 };

	pthread_rwlock_wrlock(&k->ts.mu);
	former = t->tid;
	tg = t->tg;
	if (tg->leader != t) {
		old_leader = tg->leader;
		ptrace_forget_locked(k, old_leader, &detached);
		ts_remove_task_locked(k, old_leader);
		cds_list_del_init(&old_leader->tg_node);
		if (old_leader->exit_state < TASK_EXIT_ZOMBIE)
			tg->nr_tasks--;
		old_leader->exit_state = TASK_EXIT_DEAD;
		ts_remove_task_locked(k, t);
		t->tid = old_leader->tid;
		t->host_tid = old_leader->host_tid;
		/* The new leader reports to the parent as the old one did
		 * (Linux's de_thread()). */
		t->exit_signal = old_leader->exit_signal;
		old_leader->exit_signal = -1;
		t->start_ns = old_leader->start_ns;
		ts_insert_task_locked(k, t);
		tg->leader = t;
		/* Keep the leader first in the group's task list. */
		cds_list_del(&t->tg_node);
		cds_list_add(&t->tg_node, &tg->tasks);
	}
	tg->execed = true;
	sh = tg->sighand;
	if (__atomic_load_n(&sh->refs, __ATOMIC_ACQUIRE) > 1) {
		struct sighand *copy = sighand_copy(sh);

		if (copy) {
			tg->sighand = copy;
			sighand_put(sh);
			sh = copy;
		}
	}
	pthread_rwlock_unlock(&k->ts.mu);
	ptrace_release_detached(k, &detached);

	pthread_mutex_lock(&sh->mu);
	sighand_reset_for_exec_locked(sh);
	memset(&t->altstack, 0, sizeof(t->altstack));
	t->altstack.flags = SS_DISABLE;
	if (t->stop == TASK_STOP_EXEC)
		t->stop = TASK_STOP_NONE;
	pthread_mutex_unlock(&sh->mu);

	pthread_mutex_lock(&t->mu);
	/* The old image's environment is gone either way. The new one's
	 * copy is there only if the exec's stack was read (a failed read
	 * drops it): without it, readers fall back to the host's file. */
	exec_env_put(t->env);
	t->env = t->sc.exec_env;
	t->sc.exec_env = NULL;
	if (t->sc.exec_captured) {
		t->sc.exec_captured = false;
		free(t->cmdline);
		t->cmdline = t->sc.exec_argv;
		t->cmdline_len = t->sc.exec_argv_len;
		t->sc.exec_argv = NULL;
		t->sc.exec_argv_len = 0;
		memcpy(t->comm, t->sc.exec_comm, sizeof(t->comm));
	}
	if (t->fdt && fdt_users(t->fdt) > 1) {
		struct fd_table *nt = fdt_new();

		if (nt) {
			fdt_put(t->fdt);
			t->fdt = nt;
		}
	}
	pthread_mutex_unlock(&t->mu);

	task_vfork_release(k, t);
	/* A set-user-ID program changes the credentials at exec. */
	task_exec_creds(k, t);
	ptrace_exec(k, t, former);
	if (kernel_event(k, KERNEL_EVENT_EXEC, t->tid, 0))
		kernel_pause(k);
	return old_leader;
}

/* <elf.h>'s auxiliary vector types. */
#define AT_UID_TYPE 11
#define AT_EUID_TYPE 12
#define AT_GID_TYPE 13
#define AT_EGID_TYPE 14
#define AT_EXECFN_TYPE 31
#define EXEC_MAX_ARGS 4096
#define EXEC_MAX_ARGV_BYTES 65536

/* Takes the credentials from one auxiliary vector entry; *seen gathers
 * which of the four were there. */
static void aux_ids(struct task *t, uint64_t type, uint64_t val,
		    unsigned *seen)
{
	if (type < AT_UID_TYPE || type > AT_EGID_TYPE)
		return;
	t->sc.exec_ids[type - AT_UID_TYPE] = (uint32_t)val;
	*seen |= 1u << (type - AT_UID_TYPE);
	t->sc.exec_ids_valid = *seen == 0xf;
}

/* Stores what an exec captured: the command line (len bytes of NUL-ended
 * strings, taken over) and the name, the last component of the path the
 * program was started by (AT_EXECFN), or argv[0] without one. */
static void exec_store(struct task *t, char *argv, size_t len,
		       const char *execfn)
{
	const char *base = strrchr(execfn, '/');

	base = base ? base + 1 : execfn;
	if (!*base && len)
		base = argv; /* no AT_EXECFN: fall back to argv[0] */
	free(t->sc.exec_argv);
	t->sc.exec_argv = argv;
	t->sc.exec_argv_len = len;
	memset(t->sc.exec_comm, 0, sizeof(t->sc.exec_comm));
	if (base)
		memcpy(t->sc.exec_comm, base,
		       strnlen(base, sizeof(t->sc.exec_comm) - 1));
	/* fexecve, execveat(AT_EMPTY_PATH): the path is "/dev/fd/N", but
	 * Linux (6.13 on) names the program after the file's own name. */
	t->sc.exec_by_fd = strncmp(execfn, "/dev/fd/", 8) == 0;
	t->sc.exec_captured = true;
}

/* The initial stack as one local copy: words and strings by their
 * address in the task, NULL when outside the copy. */
struct stack_image {
	const char *buf;
	uint64_t sp;
	size_t n;
};

static const uint64_t *image_word(const struct stack_image *im, uint64_t a)
{
	if (a < im->sp || a - im->sp > im->n - sizeof(uint64_t) ||
	    im->n < sizeof(uint64_t))
		return NULL;
	return (const void *)(im->buf + (a - im->sp));
}

static const char *image_string(const struct stack_image *im, uint64_t a)
{
	if (a < im->sp || a - im->sp >= im->n ||
	    !memchr(im->buf + (a - im->sp), '\0', im->n - (a - im->sp)))
		return NULL;
	return im->buf + (a - im->sp);
}

/* Everything an exec needs lies between the stack pointer and the top of
 * the stack (vectors, then their strings, the exec path last): usually a
 * few KiB. One read of that instead of one per vector and string saves
 * four round trips into the task's memory per exec (the sh fork+exec
 * loop of bench/run.sh). A larger environment or argument takes a larger
 * copy; Linux bounds them together to a quarter of the stack limit, 2 MiB
 * with the usual 8 MiB. */
static const size_t exec_stack_reads[] = { 32u << 10, 512u << 10, 4u << 20 };

/* Copies the environment strings whose pointers start at *a into
 * t->sc.exec_env, and leaves *a at envp's NULL. -EAGAIN when a pointer
 * or string lies beyond the copy. */
static int exec_capture_env(struct task *t, const struct stack_image *im,
			    uint64_t *a)
{
	const uint64_t *w;
	const char *s;
	size_t len = 0, l;
	uint64_t p;
	char *d;

	for (p = *a; (w = image_word(im, p)) && *w; p += 8) {
		if (!(s = image_string(im, *w)))
			return -EAGAIN;
		len += strlen(s) + 1;
	}
	if (!w)
		return -EAGAIN;
	exec_env_put(t->sc.exec_env);
	t->sc.exec_env = exec_env_new(NULL, len);
	if (!t->sc.exec_env)
		return -ENOMEM;
	d = t->sc.exec_env->data;
	for (; *a < p; *a += 8) {
		s = image_string(im, *image_word(im, *a));
		l = strlen(s) + 1;
		memcpy(d, s, l);
		d += l;
	}
	return 0;
}

/* Parses a copy of size bytes of the stack at sp; *got is how much the
 * copy held (short at the end of the stack's mapping). Returns 0,
 * -ENOMEM, or -EAGAIN when something lies beyond the copy. */
static int exec_capture_image(struct kernel *k, struct task *t, uint64_t sp,
			      size_t size, size_t *got)
{
	struct stack_image im = { .sp = sp };
	const uint64_t *w, *argcp;
	char *buf, *out = NULL, *shrunk;
	unsigned seen = 0;
	const char *execfn = "";
	uint64_t argc, a;
	size_t len = 0;
	ssize_t n;
	int err;

	*got = 0;
	t->sc.exec_ids_valid = false;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	/* Short at the end of the stack's mapping: that is the top. */
	n = plat_read_mem(k->plat, t, sp, buf, size);
	im.buf = buf;
	im.n = *got = n > 0 ? (size_t)n : 0;
	argcp = image_word(&im, sp);
	if (!argcp || *argcp > EXEC_MAX_ARGS)
		goto again;
	argc = *argcp;
	out = malloc(EXEC_MAX_ARGV_BYTES + 1);
	if (!out) {
		free(buf);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < argc; i++) {
		const char *arg;
		size_t l;

		w = image_word(&im, sp + 8 + i * 8);
		if (!w || !(arg = image_string(&im, *w)))
			goto again;
		l = strlen(arg);
		if (len + l + 1 > EXEC_MAX_ARGV_BYTES)
			break;
		memcpy(out + len, arg, l + 1);
		len += l + 1;
	}
	/* Past argv's NULL, the environment and its NULL, then the
	 * auxiliary vector. */
	a = sp + 8 + (argc + 1) * 8;
	err = exec_capture_env(t, &im, &a);
	if (err)
		goto fail;
	for (a += 8;; a += 16) {
		const uint64_t *type = image_word(&im, a);
		const uint64_t *val = image_word(&im, a + 8);

		if (!type || !val)
			goto again;
		if (*type == 0)
			break;
		aux_ids(t, *type, *val, &seen);
		if (*type == AT_EXECFN_TYPE) {
			execfn = image_string(&im, *val);
			if (!execfn)
				goto again;
		}
	}
	/* The command line is kept for the task's life: only its size. */
	shrunk = realloc(out, len ? len : 1);
	exec_store(t, shrunk ? shrunk : out, len, execfn);
	free(buf);
	return 0;
again:
	err = -EAGAIN;
fail:
	t->sc.exec_ids_valid = false;
	exec_env_put(t->sc.exec_env);
	t->sc.exec_env = NULL;
	free(out);
	free(buf);
	return err;
}

int task_exec_capture(struct kernel *k, struct task *t, uint64_t sp)
{
	for (size_t i = 0;
	     i < sizeof(exec_stack_reads) / sizeof(exec_stack_reads[0]); i++) {
		size_t got;
		int err = exec_capture_image(k, t, sp, exec_stack_reads[i],
					     &got);

		if (err == 0 && t->sc.exec_by_fd && k->plat &&
		    k->plat->ops->read_comm) {
			char comm[16];

			if (k->plat->ops->read_comm(k->plat, t, comm) == 0)
				memcpy(t->sc.exec_comm, comm, sizeof(comm));
		}
		if (err != -EAGAIN)
			return err;
		/* A short copy reached the top of the stack: a larger one
		 * would hold no more. */
		if (got < exec_stack_reads[i])
			break;
	}
	return -EFAULT;
}
