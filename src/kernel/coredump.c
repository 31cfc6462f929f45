/*
 * This file writes ELF core files (coredump.h): it holds the thread
 * group, collects every thread's registers and the process's notes,
 * decides per mapping what memory to keep, lays the file out with
 * libelf (ELF header and program headers) and copies the notes and the
 * memory in with pwrite, into a temporary file renamed at the end.
 */
#include "kernel/coredump.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/sigmask.h"
#include "kernel/snapshot.h"
#include "kernel/task_set.h"
#include "kernel/task_stop.h"
#include "kernel/thread_group.h"
#include "platform/platform.h"

#define PAGE 4096u
/* How long the thread group may take to reach its stops. */
#define CORE_STOP_TIMEOUT_MS 5000
/* Room for the largest XSAVE area (AMX: about 11 KiB). */
#define XSTATE_MAX 16384
/* Memory is copied this much at a time. */
#define COPY_CHUNK (4u << 20)

/* One thread as the core shows it. */
struct core_thread {
	struct task_snap snap;
	struct user_regs_struct regs;
	struct user_fpregs_struct fpregs;
	bool have_fpregs;
	unsigned char *xstate;
	long xstate_len;
};

/* One mapping of /proc/PID/maps and what of it the core keeps. */
struct core_map {
	uint64_t start, end, offset;
	char perms[5];
	uint64_t inode;
	char *path;       /* "" for anonymous; owned */
	uint64_t dump;    /* bytes kept from start (0, a page, all) */
	uint64_t file_off; /* where they go in the core */
};

struct core {
	struct kernel *k;
	struct core_thread *threads;
	int nr_threads;
	struct task *mem;  /* whose memory is read (a reference) */
	struct core_map *maps;
	int nr_maps;
	char *auxv;
	size_t auxv_len;
	unsigned char *notes; /* the PT_NOTE payload */
	size_t notes_len, notes_cap;
	const siginfo_t *si;
};

static struct platform *plat(struct core *c)
{
	return c->k->plat;
}

/* ---- notes ---- */

static int note_add(struct core *c, const char *name, uint32_t type,
		    const void *desc, size_t len)
{
	size_t namesz = strlen(name) + 1;
	size_t need = sizeof(Elf64_Nhdr) + ((namesz + 3) & ~3u) +
		      ((len + 3) & ~(size_t)3);
	Elf64_Nhdr h = { .n_namesz = (Elf64_Word)namesz,
			 .n_descsz = (Elf64_Word)len, .n_type = type };
	unsigned char *p;

	if (c->notes_len + need > c->notes_cap) {
		size_t cap = (c->notes_cap + need) * 2;
		unsigned char *n = realloc(c->notes, cap);

		if (!n)
			return -ENOMEM;
		c->notes = n;
		c->notes_cap = cap;
	}
	p = c->notes + c->notes_len;
	memset(p, 0, need);
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), name, namesz);
	memcpy(p + sizeof(h) + ((namesz + 3) & ~3u), desc, len);
	c->notes_len += need;
	return 0;
}

static int process_notes(struct core *c);

static void prstatus_fill(struct core *c, const struct core_thread *t,
			  bool first, struct elf_prstatus *ps)
{
	memset(ps, 0, sizeof(*ps));
	if (first && c->si) {
		ps->pr_info.si_signo = c->si->si_signo;
		ps->pr_info.si_code = c->si->si_code;
		ps->pr_info.si_errno = c->si->si_errno;
		ps->pr_cursig = (short)c->si->si_signo;
	}
	ps->pr_sigpend = t->snap.pending | t->snap.shared_pending;
	ps->pr_sighold = t->snap.blocked;
	ps->pr_pid = t->snap.tid;
	ps->pr_ppid = t->snap.ppid;
	ps->pr_pgrp = t->snap.pgid;
	ps->pr_sid = t->snap.sid;
	memcpy(&ps->pr_reg, &t->regs, sizeof(ps->pr_reg) < sizeof(t->regs)
					      ? sizeof(ps->pr_reg)
					      : sizeof(t->regs));
	ps->pr_fpvalid = t->have_fpregs;
}

static int thread_notes(struct core *c, const struct core_thread *t,
			bool first)
{
	struct elf_prstatus ps;
	int err;

	prstatus_fill(c, t, first, &ps);
	err = note_add(c, "CORE", NT_PRSTATUS, &ps, sizeof(ps));
	if (err == 0 && first)
		err = process_notes(c);
	if (err == 0 && t->have_fpregs)
		err = note_add(c, "CORE", NT_PRFPREG, &t->fpregs,
			       sizeof(t->fpregs));
	if (err == 0 && t->xstate_len > 0)
		err = note_add(c, "LINUX", NT_X86_XSTATE, t->xstate,
			       (size_t)t->xstate_len);
	return err;
}

/* NT_PRPSINFO, NT_SIGINFO, NT_AUXV and NT_FILE, after the first
 * thread's NT_PRSTATUS as Linux orders them. */
static int process_notes(struct core *c)
{
	const struct task_snap *s = &c->threads[0].snap;
	struct elf_prpsinfo pi;
	siginfo_t si;
	size_t n = 0, off, files = 0, names = 0, len;
	uint64_t *d;
	char *np;
	int err;

	memset(&pi, 0, sizeof(pi));
	pi.pr_sname = c->si ? 'R' : 'T';
	pi.pr_state = c->si ? 0 : 4;
	pi.pr_uid = s->uid;
	pi.pr_gid = s->gid;
	pi.pr_pid = s->tgid;
	pi.pr_ppid = s->ppid;
	pi.pr_pgrp = s->pgid;
	pi.pr_sid = s->sid;
	memcpy(pi.pr_fname, s->comm, sizeof(pi.pr_fname));
	for (size_t i = 0; i < s->cmdline_len && n + 1 < sizeof(pi.pr_psargs);
	     i++)
		pi.pr_psargs[n++] = s->cmdline[i] ? s->cmdline[i] : ' ';
	while (n > 0 && pi.pr_psargs[n - 1] == ' ')
		pi.pr_psargs[--n] = '\0';
	err = note_add(c, "CORE", NT_PRPSINFO, &pi, sizeof(pi));
	if (err)
		return err;
	memset(&si, 0, sizeof(si));
	if (c->si)
		si = *c->si;
	err = note_add(c, "CORE", NT_SIGINFO, &si, sizeof(si));
	if (err == 0 && c->auxv_len)
		err = note_add(c, "CORE", NT_AUXV, c->auxv, c->auxv_len);
	if (err)
		return err;

	/* NT_FILE: count, page size, {start, end, offset in pages} per
	 * file mapping, then their names. */
	for (int i = 0; i < c->nr_maps; i++) {
		if (c->maps[i].path[0] == '/') {
			files++;
			names += strlen(c->maps[i].path) + 1;
		}
	}
	len = (2 + files * 3) * sizeof(uint64_t) + names;
	d = calloc(1, len);
	if (!d)
		return -ENOMEM;
	d[0] = files;
	d[1] = PAGE;
	off = 2;
	np = (char *)(d + 2 + files * 3);
	for (int i = 0; i < c->nr_maps; i++) {
		const struct core_map *m = &c->maps[i];
		size_t l = strlen(m->path) + 1;

		if (m->path[0] != '/')
			continue;
		d[off++] = m->start;
		d[off++] = m->end;
		d[off++] = m->offset / PAGE;
		memcpy(np, m->path, l);
		np += l;
	}
	err = note_add(c, "CORE", NT_FILE, d, len);
	free(d);
	return err;
}

/* ---- mappings ---- */

static bool is_elf_header(struct core *c, uint64_t addr)
{
	unsigned char magic[SELFMAG];

	return plat_read_mem(plat(c), c->mem, addr, magic, sizeof(magic)) ==
		       (ssize_t)sizeof(magic) &&
	       memcmp(magic, ELFMAG, SELFMAG) == 0;
}

/* What of a mapping the core keeps, after Linux's vma_dump_size() with
 * the default filter 0x33: anonymous memory, private or shared, whole;
 * private file memory that is not code, whole (data, bss, RELRO: the
 * maps file does not say which pages were written, Linux's test); of
 * code, the ELF header page; nothing of shared files, of unreadable
 * mappings and of [vvar] and [vsyscall] (not memory process_vm_readv
 * reaches). */
static uint64_t dump_size(struct core *c, const struct core_map *m)
{
	uint64_t size = m->end - m->start;

	if (m->perms[0] != 'r' || strcmp(m->path, "[vvar]") == 0 ||
	    strcmp(m->path, "[vsyscall]") == 0)
		return 0;
	if (m->path[0] != '/')
		return size;
	if (m->perms[3] == 's')
		return 0;
	if (m->perms[2] != 'x')
		return size;
	return m->offset == 0 && is_elf_header(c, m->start) ? PAGE : 0;
}

static int maps_read(struct core *c)
{
	struct platform *p = plat(c);
	char *text, *line, *save = NULL;
	size_t len;
	int err;

	if (!p->ops->read_host_file)
		return -ENOSYS;
	err = p->ops->read_host_file(p, c->threads[0].snap.host_tid, "maps",
				     &text, &len);
	if (err < 0)
		return err;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, offset, inode;
		char perms[5];
		int pathpos = 0;
		struct core_map *nm;

		if (sscanf(line, "%llx-%llx %4s %llx %*s %llu %n", &start, &end,
			   perms, &offset, &inode, &pathpos) < 5)
			continue;
		nm = realloc(c->maps, sizeof(*nm) * (size_t)(c->nr_maps + 1));
		if (!nm) {
			free(text);
			return -ENOMEM;
		}
		c->maps = nm;
		nm = &nm[c->nr_maps];
		memset(nm, 0, sizeof(*nm));
		nm->start = start;
		nm->end = end;
		nm->offset = offset;
		nm->inode = inode;
		memcpy(nm->perms, perms, sizeof(nm->perms));
		nm->path = strdup(pathpos ? line + pathpos : "");
		if (!nm->path) {
			free(text);
			return -ENOMEM;
		}
		c->nr_maps++;
	}
	free(text);
	if (p->ops->read_host_file(p, c->threads[0].snap.host_tid, "auxv",
				   &c->auxv, &c->auxv_len) < 0) {
		c->auxv = NULL;
		c->auxv_len = 0;
	}
	for (int i = 0; i < c->nr_maps; i++)
		c->maps[i].dump = dump_size(c, &c->maps[i]);
	return c->nr_maps ? 0 : -ESRCH;
}

/* ---- threads ---- */

static int thread_read(struct core *c, pid_t tid, struct core_thread *t)
{
	struct platform *p = plat(c);
	struct task *task;
	int err = task_snapshot(c->k, tid, &t->snap);

	if (err < 0)
		return err;
	t->snap.blocked = task_snap_blocked(c->k, &t->snap);
	task = task_get_by_tid(c->k, tid);
	if (!task)
		return -ESRCH;
	err = p->ops->get_regs(p, task, &t->regs);
	if (err == 0 && p->ops->get_regset) {
		t->have_fpregs = p->ops->get_regset(p, task, NT_PRFPREG,
						    &t->fpregs,
						    sizeof(t->fpregs)) > 0;
		t->xstate = malloc(XSTATE_MAX);
		if (t->xstate)
			t->xstate_len = p->ops->get_regset(p, task,
							   NT_X86_XSTATE,
							   t->xstate,
							   XSTATE_MAX);
	}
	task_put(task);
	return err;
}

static void core_free(struct core *c)
{
	for (int i = 0; i < c->nr_threads; i++) {
		task_snap_free(&c->threads[i].snap);
		free(c->threads[i].xstate);
	}
	free(c->threads);
	for (int i = 0; i < c->nr_maps; i++)
		free(c->maps[i].path);
	free(c->maps);
	free(c->auxv);
	free(c->notes);
	if (c->mem)
		task_put(c->mem);
}

/* ---- the file ---- */

static int write_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Copies m's kept memory to the core at its offset. Pages the process
 * cannot read (a guard page, memory unmapped meanwhile) stay holes,
 * which read as zeros, as Linux leaves them. */
static int copy_memory(struct core *c, int fd, const struct core_map *m,
		       unsigned char *buf)
{
	for (uint64_t done = 0; done < m->dump;) {
		size_t want = m->dump - done > COPY_CHUNK ? COPY_CHUNK
							  : m->dump - done;
		ssize_t n = plat_read_mem(plat(c), c->mem, m->start + done, buf,
					  want);
		int err;

		if (n == -ESRCH)
			return -ESRCH;
		if (n <= 0) {
			done += PAGE; /* unreadable: a hole */
			continue;
		}
		err = write_all(fd, buf, (size_t)n, (off_t)(m->file_off + done));
		if (err)
			return err;
		done += (uint64_t)n;
		if ((size_t)n < want)
			done = (done + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	}
	return 0;
}

static int layout_and_write(struct core *c, int fd, struct core_result *out)
{
	size_t nph = (size_t)c->nr_maps + 1;
	uint64_t note_off = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr);
	uint64_t off;
	unsigned char *buf;
	GElf_Ehdr eh;
	GElf_Phdr note = { .p_type = PT_NOTE, .p_offset = note_off,
			   .p_align = 4 };
	Elf *elf;
	int err;

	note.p_filesz = c->notes_len;
	off = (note_off + c->notes_len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	for (int i = 0; i < c->nr_maps; i++) {
		c->maps[i].file_off = off;
		off += c->maps[i].dump;
	}
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	elf = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!elf || !gelf_newehdr(elf, ELFCLASS64) || !gelf_getehdr(elf, &eh))
		goto elf_failed;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	if (!gelf_update_ehdr(elf, &eh) || !gelf_newphdr(elf, nph) ||
	    !gelf_update_phdr(elf, 0, &note))
		goto elf_failed;
	for (int i = 0; i < c->nr_maps; i++) {
		const struct core_map *m = &c->maps[i];
		GElf_Phdr ph = {
			.p_type = PT_LOAD, .p_offset = m->file_off,
			.p_vaddr = m->start, .p_filesz = m->dump,
			.p_memsz = m->end - m->start, .p_align = PAGE,
			.p_flags = (m->perms[0] == 'r' ? PF_R : 0) |
				   (m->perms[1] == 'w' ? PF_W : 0) |
				   (m->perms[2] == 'x' ? PF_X : 0),
		};

		if (!gelf_update_phdr(elf, i + 1, &ph))
			goto elf_failed;
		if (m->dump)
			out->nr_segments++;
	}
	/* The layout is ours: libelf writes the headers where we put them,
	 * the notes and memory follow with pwrite. */
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
	if (elf_update(elf, ELF_C_WRITE) < 0)
		goto elf_failed;
	elf_end(elf);
	err = write_all(fd, c->notes, c->notes_len, (off_t)note_off);
	buf = err ? NULL : malloc(COPY_CHUNK);
	if (!err && !buf)
		err = -ENOMEM;
	for (int i = 0; !err && i < c->nr_maps; i++)
		err = copy_memory(c, fd, &c->maps[i], buf);
	free(buf);
	/* The size covers the last segment even if its end was a hole. */
	if (!err && ftruncate(fd, (off_t)off) < 0)
		err = -errno;
	out->bytes = off;
	return err;

elf_failed:
	/* libelf's own words name no errno; a write that failed (ENOSPC,
	 * EIO) left it in errno. */
	err = errno ? -errno : -EIO;
	if (elf)
		elf_end(elf);
	return err;
}

static void group_release(struct kernel *k, const pid_t *tids,
			  const bool *held, int n)
{
	for (int i = 0; i < n; i++)
		if (held[i])
			task_cont_external(k, tids[i]);
}

/* tmp: "DIR/.NAME.XXXXXX" beside path. */
static int temp_name(const char *path, char *tmp, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;

	if (snprintf(tmp, len, "%.*s.%s.XXXXXX", dirlen, path,
		     slash ? slash + 1 : path) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int kernel_write_core(struct kernel *k, pid_t tid, const char *path,
		      const siginfo_t *si, struct core_result *out, char *err,
		      size_t errlen)
{
	struct core c = { .k = k, .si = si };
	struct task_snap first;
	struct tg_snap g;
	char tmp[PATH_MAX];
	bool *held = NULL;
	pid_t *tids = NULL;
	int n = 0, rc, fd;

	memset(out, 0, sizeof(*out));
	if (!k->plat || !k->plat->ops->get_regs) {
		snprintf(err, errlen, "no platform to read registers from");
		return -ENOSYS;
	}
	rc = task_snapshot(k, tid, &first);
	if (rc < 0) {
		snprintf(err, errlen, "no task with TID %d", (int)tid);
		return -ESRCH;
	}
	if (first.exit_state != TASK_EXIT_NONE) {
		task_snap_free(&first);
		snprintf(err, errlen, "task %d is exiting or dead", (int)tid);
		return -ESRCH;
	}
	out->tgid = first.tgid;
	task_snap_free(&first);
	if (tg_snapshot(k, out->tgid, &g) < 0) {
		snprintf(err, errlen, "no task with TID %d", (int)tid);
		return -ESRCH;
	}
	/* The thread that took the signal (or was named) first. */
	tids = calloc((size_t)g.nr_tasks + 1, sizeof(*tids));
	held = calloc((size_t)g.nr_tasks + 1, sizeof(*held));
	if (!tids || !held) {
		tg_snap_free(&g);
		free(tids);
		free(held);
		return -ENOMEM;
	}
	tids[n++] = tid;
	for (int i = 0; i < g.nr_tasks; i++)
		if (g.tasks[i] != tid)
			tids[n++] = g.tasks[i];
	tg_snap_free(&g);

	/* Hold the thread group, only it, while its state is copied. */
	for (int i = 0; i < n; i++)
		held[i] = task_stop_external(k, tids[i]) == 0;
	if (k->plat->ops->quiesce &&
	    k->plat->ops->quiesce(k->plat, CORE_STOP_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "thread group %d did not stop in time",
			 (int)out->tgid);
		rc = -ETIMEDOUT;
		goto out;
	}
	c.threads = calloc((size_t)n, sizeof(*c.threads));
	if (!c.threads) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct core_thread *t = &c.threads[c.nr_threads];

		if (thread_read(&c, tids[i], t) == 0) {
			c.nr_threads++;
			continue;
		}
		/* A thread that exited meanwhile is not in the core. */
		task_snap_free(&t->snap);
		free(t->xstate);
		memset(t, 0, sizeof(*t));
		if (i == 0)
			break;
	}
	c.mem = task_get_by_tid(k, tid);
	if (c.nr_threads == 0 || c.threads[0].snap.tid != tid || !c.mem) {
		snprintf(err, errlen,
			 "task %d exited while its core was being written",
			 (int)tid);
		rc = -ESRCH;
		goto out;
	}
	rc = maps_read(&c);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the mappings of task %d: %s",
			 (int)tid, strerror(-rc));
		goto out;
	}
	for (int i = 0; rc == 0 && i < c.nr_threads; i++)
		rc = thread_notes(&c, &c.threads[i], i == 0);
	if (rc < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	/* Whole or nothing: a temporary file beside path, renamed. */
	rc = temp_name(path, tmp, sizeof(tmp));
	if (rc < 0) {
		snprintf(err, errlen, "path too long: %s", path);
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(-rc));
		goto out;
	}
	errno = 0;
	rc = layout_and_write(&c, fd, out);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		if (rc == -ESRCH)
			snprintf(err, errlen,
				 "task %d exited while its core was being "
				 "written", (int)tid);
		else
			snprintf(err, errlen, "cannot write %s: %s", path,
				 strerror(-rc));
		goto out;
	}
	out->nr_threads = c.nr_threads;
out:
	group_release(k, tids, held, n);
	core_free(&c);
	free(tids);
	free(held);
	return rc;
}

void kernel_note_core_written(struct kernel *k, pid_t tgid)
{
	struct thread_group *tg;

	pthread_rwlock_wrlock(&k->ts.mu);
	rcu_read_lock();
	tg = tg_lookup_rcu(k, tgid);
	if (tg)
		__atomic_store_n(&tg->core_written, true, __ATOMIC_RELEASE);
	rcu_read_unlock();
	pthread_rwlock_unlock(&k->ts.mu);
}
