/*
 * This file implements the host cgroup mirror's discovery and directory
 * operations (see hostcg.h for what maps to what):
 *
 *   1. hostcg_open reads /proc/self/cgroup (controller -> the sentry's
 *      path) and /proc/self/mountinfo (controller -> mount point and the
 *      path of the mount's root), joins them into the sentry's own host
 *      cgroup per hierarchy, picks the layout (v1 when memory or cpu has a
 *      v1 hierarchy, else cgroup2), creates "sentry-<PID>" there and
 *      starts the reaper.
 *   2. Emulated paths map to the same names below that root, in every
 *      hierarchy used (on v2, threads go to the HOSTCG_V2_LEAF child).
 *   3. hostcg_write/hostcg_read dispatch to hostcg_v1.c or hostcg_v2.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/hostcg_internal.h"

static const char *const ctrl_names[HOSTCG_NCTRL] = {
	[HOSTCG_MEMORY] = "memory",
	[HOSTCG_CPU] = "cpu",
	[HOSTCG_CPUACCT] = "cpuacct",
};

static void set_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	if (!why || whylen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* ---- whole-file helpers ---- */

int hostcg_read_text(const char *dir, const char *file, char *buf,
		     size_t len)
{
	char p[PATH_MAX];
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, file) >= sizeof(p))
		return -ENAMETOOLONG;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT && access(dir, F_OK) == 0)
			return -EOPNOTSUPP;
		return -e;
	}
	size_t n = 0;
	for (;;) {
		if (n + 1 >= len) {
			/* Full: is there more? */
			char c;
			ssize_t r = read(fd, &c, 1);
			close(fd);
			if (r > 0)
				return -ERANGE;
			break;
		}
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0) {
			close(fd);
			break;
		}
		n += (size_t)r;
	}
	if (len == 0)
		return -ERANGE;
	buf[n] = '\0';
	return (int)n;
}

int hostcg_write_text(const char *dir, const char *file, const char *value)
{
	char p[PATH_MAX];
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, file) >= sizeof(p))
		return -ENAMETOOLONG;
	/* O_TRUNC: cgroupfs ignores it; the plain files of the unit tests'
	 * fake cgroupfs keep the last value only, as a cgroup file reads. */
	int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT && access(dir, F_OK) == 0)
			return -EOPNOTSUPP;
		return -e;
	}
	size_t n = strlen(value);
	ssize_t r;
	do
		r = write(fd, value, n);
	while (r < 0 && errno == EINTR);
	int e = r < 0 ? errno : 0;
	close(fd);
	if (r < 0)
		return -e;
	return (size_t)r == n ? 0 : -EIO;
}

int hostcg_read_i64(const char *dir, const char *file, int64_t *out)
{
	char buf[64];
	int r = hostcg_read_text(dir, file, buf, sizeof(buf));
	if (r < 0)
		return r;
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (end == buf || errno == ERANGE)
		return -EIO;
	*out = v;
	return 0;
}

int hostcg_keyed(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ') {
			*out = strtoull(l + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

int hostcg_emit(char *buf, size_t len, size_t *pos, const char *key,
		uint64_t value)
{
	if (*pos >= len)
		return -ERANGE;
	int n = snprintf(buf + *pos, len - *pos, "%s %" PRIu64 "\n", key,
			 value);
	if (n < 0 || (size_t)n >= len - *pos)
		return -ERANGE;
	*pos += (size_t)n;
	return 0;
}

/* ---- paths ---- */

/* Checks an emulated path: "/" or "/name/name", no empty, ".", ".."
 * component, no trailing "/". */
static int check_path(const char *path)
{
	if (!path || path[0] != '/')
		return -EINVAL;
	if (path[1] == '\0')
		return 0;
	const char *c = path + 1;
	for (;;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		if (!slash)
			return 0;
		c = slash + 1;
	}
}

int hostcg_dir(const struct hostcg *h, enum hostcg_ctrl ctrl,
	       const char *path, char *out, size_t outlen)
{
	int r = check_path(path);
	if (r < 0)
		return r;
	if (h->root[ctrl][0] == '\0')
		return -EOPNOTSUPP;
	const char *rel = path[1] ? path : "";
	if ((size_t)snprintf(out, outlen, "%s%s", h->root[ctrl], rel) >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- discovery ---- */

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
				      (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Whether the comma-separated list has item. */
static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = list; p; p = strchr(p, ','), p = p ? p + 1 : NULL)
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

struct self_cgroups {
	char path[HOSTCG_NCTRL][PATH_MAX]; /* v1: "" when not listed */
	char unified[PATH_MAX];            /* the "0::" line, "" if none */
	bool has_unified;
};

static int read_self_cgroup(const char *file, struct self_cgroups *sc)
{
	memset(sc, 0, sizeof(*sc));
	FILE *f = fopen(file, "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		/* ID:CONTROLLERS:PATH; the path may contain ':'. */
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		if (strcmp(line, "0") == 0 && ctrls[0] == '\0') {
			snprintf(sc->unified, sizeof(sc->unified), "%s", path);
			sc->has_unified = true;
			continue;
		}
		for (int c = 0; c < HOSTCG_NCTRL; c++)
			if (list_has(ctrls, ctrl_names[c]))
				snprintf(sc->path[c], sizeof(sc->path[c]), "%s",
					 path);
	}
	free(line);
	fclose(f);
	return 0;
}

/* Joins a mount's point and root with a cgroup path seen from the same
 * namespace: the path below the mount's root, under the mount point. */
static int join_mount(const char *point, const char *root, const char *cg,
		      char *out, size_t outlen)
{
	size_t rl = strlen(root);
	const char *rel;
	if (strcmp(root, "/") == 0)
		rel = cg;
	else if (strncmp(cg, root, rl) == 0 && (cg[rl] == '/' || cg[rl] == '\0'))
		rel = cg + rl;
	else
		return -ENOENT;
	if (strcmp(rel, "/") == 0)
		rel = "";
	if ((size_t)snprintf(out, outlen, "%s%s", point, rel) >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

struct mounts {
	/* own[c]: the sentry's own v1 cgroup directory per controller. */
	char own[HOSTCG_NCTRL][PATH_MAX];
	/* The sentry's own cgroup2 directory, and the mount point. */
	char own_unified[PATH_MAX];
	char unified_point[PATH_MAX];
};

static int find_mounts(const char *file, const struct self_cgroups *sc,
		       struct mounts *m)
{
	memset(m, 0, sizeof(*m));
	FILE *f = fopen(file, "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		/* ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - TYPE SRC SUPER */
		char *sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		char root[PATH_MAX], point[PATH_MAX], type[64], src[256],
			super[1024];
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2)
			continue;
		if (sscanf(sep + 3, "%63s %255s %1023s", type, src, super) < 3)
			continue;
		unescape(root);
		unescape(point);
		if (strcmp(type, "cgroup2") == 0 && sc->has_unified &&
		    m->own_unified[0] == '\0') {
			if (join_mount(point, root, sc->unified, m->own_unified,
				       sizeof(m->own_unified)) == 0)
				snprintf(m->unified_point,
					 sizeof(m->unified_point), "%s", point);
			continue;
		}
		if (strcmp(type, "cgroup") != 0)
			continue;
		for (int c = 0; c < HOSTCG_NCTRL; c++) {
			if (m->own[c][0] || sc->path[c][0] == '\0' ||
			    !list_has(super, ctrl_names[c]))
				continue;
			if (join_mount(point, root, sc->path[c], m->own[c],
				       sizeof(m->own[c])) < 0)
				m->own[c][0] = '\0';
		}
	}
	free(line);
	fclose(f);
	return 0;
}

static void add_warning(struct hostcg *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_warning(struct hostcg *h, const char *fmt, ...)
{
	size_t n = strlen(h->warning);
	if (n && n + 2 < sizeof(h->warning)) {
		memcpy(h->warning + n, "; ", 3);
		n += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->warning + n, sizeof(h->warning) - n, fmt, ap);
	va_end(ap);
}

/* Creates the v1 mirror roots: "sentry-<PID>" in each hierarchy found. A
 * hierarchy that refuses is left out with a warning; all refusing is the
 * error. */
static int open_v1(struct hostcg *h, const struct mounts *m, char *why,
		   size_t whylen)
{
	int err = 0;
	char errdir[PATH_MAX] = "";
	for (int c = 0; c < HOSTCG_NCTRL; c++) {
		if (m->own[c][0] == '\0') {
			if (c != HOSTCG_CPUACCT)
				add_warning(h, "host has no %s cgroup hierarchy",
					    ctrl_names[c]);
			continue;
		}
		int same = -1;
		for (int d = 0; d < c; d++)
			if (strcmp(m->own[d], m->own[c]) == 0 && h->root[d][0])
				same = d;
		if (same >= 0) {
			memcpy(h->root[c], h->root[same], sizeof(h->root[c]));
			continue;
		}
		char dir[PATH_MAX];
		if ((size_t)snprintf(dir, sizeof(dir), "%s/sentry-%d", m->own[c],
				     (int)getpid()) >= sizeof(dir))
			return -ENAMETOOLONG;
		if (mkdir(dir, 0755) < 0) {
			err = errno;
			snprintf(errdir, sizeof(errdir), "%s", dir);
			add_warning(h, "cannot create %s: %s", dir,
				    strerror(err));
			continue;
		}
		snprintf(h->root[c], sizeof(h->root[c]), "%s", dir);
		h->distinct[h->ndistinct++] = c;
	}
	if (h->root[HOSTCG_MEMORY][0] == '\0' && h->root[HOSTCG_CPU][0] == '\0') {
		if (err) {
			set_why(why, whylen,
				"cannot create host cgroup %s: %s%s", errdir,
				strerror(err),
				err == EACCES || err == EPERM || err == EROFS
					? " (the sentry's cgroup is not delegated to it)"
					: "");
			return -err;
		}
		set_why(why, whylen,
			"host has neither a memory nor a cpu cgroup hierarchy");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Whether dir/file (a space-separated list) names item. */
static bool file_lists(const char *dir, const char *file, const char *item)
{
	char buf[1024];
	if (hostcg_read_text(dir, file, buf, sizeof(buf)) < 0)
		return false;
	size_t n = strlen(item);
	for (char *p = buf; (p = strstr(p, item)) != NULL; p += n)
		if ((p == buf || p[-1] == ' ' || p[-1] == '+') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* The parent directory of dir (not above the mount point). */
static bool parent_of(const char *dir, const char *point, char *out,
		      size_t outlen)
{
	if (strcmp(dir, point) == 0)
		return false;
	const char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return false;
	size_t n = (size_t)(slash - dir);
	if (n >= outlen)
		return false;
	memcpy(out, dir, n);
	out[n] = '\0';
	return true;
}

/* Enables the available v2 controllers in dir/cgroup.subtree_control,
 * one by one so that a refusal names the controller. A controller the
 * host refuses (EINVAL/EOPNOTSUPP: realtime tasks block cpu, say) is
 * dropped from avail with a warning. Returns 0, or -EBUSY when dir holds
 * processes (the no-internal-processes rule), before changing avail. */
static int enable_in(struct hostcg *h, const char *dir,
		     bool avail[HOSTCG_NCTRL])
{
	static const int ctrls[] = { HOSTCG_MEMORY, HOSTCG_CPU };
	for (size_t i = 0; i < 2; i++) {
		int c = ctrls[i];
		if (!avail[c] ||
		    file_lists(dir, "cgroup.subtree_control", ctrl_names[c]))
			continue;
		char en[32];
		snprintf(en, sizeof(en), "+%s", ctrl_names[c]);
		int r = hostcg_write_text(dir, "cgroup.subtree_control", en);
		if (r == -EBUSY)
			return r;
		if (r < 0) {
			avail[c] = false;
			add_warning(h, "cannot enable %s in %s/cgroup.subtree_control: %s",
				    ctrl_names[c], dir, strerror(-r));
		}
	}
	return 0;
}

/* Creates the v2 mirror root; see hostcg.h for where it goes and why. */
static int open_v2(struct hostcg *h, const struct mounts *m, char *why,
		   size_t whylen)
{
	const char *self = m->own_unified;
	char parent[PATH_MAX];
	bool has_parent = parent_of(self, m->unified_point, parent,
				    sizeof(parent));
	static const int v2_ctrls[] = { HOSTCG_MEMORY, HOSTCG_CPU };
	bool avail[HOSTCG_NCTRL] = { false };
	/* The controllers the sentry's cgroup offers, after asking its
	 * parent for the missing ones. */
	for (size_t i = 0; i < 2; i++) {
		int c = v2_ctrls[i];
		if (!file_lists(self, "cgroup.controllers", ctrl_names[c]) &&
		    has_parent) {
			char en[32];
			snprintf(en, sizeof(en), "+%s", ctrl_names[c]);
			hostcg_write_text(parent, "cgroup.subtree_control", en);
		}
		avail[c] = file_lists(self, "cgroup.controllers", ctrl_names[c]);
	}
	if (!avail[HOSTCG_MEMORY] && !avail[HOSTCG_CPU]) {
		set_why(why, whylen,
			"host cgroup %s offers neither memory nor cpu "
			"(enable them in its parent's cgroup.subtree_control)",
			self);
		return -EOPNOTSUPP;
	}
	/* Enable them for the sentry's children; EBUSY means the sentry's
	 * cgroup holds processes (no internal processes): go beside it. */
	const char *base = self;
	int r = enable_in(h, base, avail);
	if (r == -EBUSY && has_parent) {
		base = parent;
		r = enable_in(h, base, avail);
	}
	if (r < 0 || (!avail[HOSTCG_MEMORY] && !avail[HOSTCG_CPU])) {
		if (r < 0)
			set_why(why, whylen, "cannot enable memory and cpu in "
				"%s/cgroup.subtree_control: %s", base,
				strerror(-r));
		else
			set_why(why, whylen, "%s", h->warning);
		return r < 0 ? r : -EOPNOTSUPP;
	}
	char dir[PATH_MAX];
	if ((size_t)snprintf(dir, sizeof(dir), "%s/sentry-%d", base,
			     (int)getpid()) >= sizeof(dir))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0755) < 0) {
		int e = errno;
		set_why(why, whylen, "cannot create host cgroup %s: %s%s", dir,
			strerror(e),
			e == EACCES || e == EPERM || e == EROFS
				? " (the sentry's cgroup is not delegated to it)"
				: "");
		return -e;
	}
	for (int c = 0; c < HOSTCG_NCTRL; c++)
		snprintf(h->root[c], sizeof(h->root[c]), "%s", dir);
	if (!avail[HOSTCG_MEMORY]) {
		h->root[HOSTCG_MEMORY][0] = '\0';
		add_warning(h, "host cgroup %s offers no memory controller", self);
	}
	if (!avail[HOSTCG_CPU]) {
		h->root[HOSTCG_CPU][0] = h->root[HOSTCG_CPUACCT][0] = '\0';
		add_warning(h, "host cgroup %s offers no cpu controller", self);
	}
	h->distinct[h->ndistinct++] = avail[HOSTCG_MEMORY] ? HOSTCG_MEMORY
							   : HOSTCG_CPU;
	char leaf[PATH_MAX];
	r = hostcg_v2_enable_subtree(h, dir);
	if (r == 0 && (size_t)snprintf(leaf, sizeof(leaf), "%s/%s", dir,
				       HOSTCG_V2_LEAF) >= sizeof(leaf))
		r = -ENAMETOOLONG;
	if (r == 0 && mkdir(leaf, 0755) < 0)
		r = -errno;
	if (r < 0) {
		/* hostcg_open_at's error path removes dir (distinct). */
		set_why(why, whylen, "cannot prepare host cgroup %s: %s", dir,
			strerror(-r));
		return r;
	}
	return 0;
}

int hostcg_open_at(struct hostcg **out, const char *mountinfo_path,
		   const char *self_cgroup_path, char *why, size_t whylen)
{
	set_why(why, whylen, "%s", "");
	struct hostcg *h = calloc(1, sizeof(*h));
	struct self_cgroups *sc = malloc(sizeof(*sc));
	struct mounts *m = malloc(sizeof(*m));
	int r = -ENOMEM;
	if (!h || !sc || !m) {
		set_why(why, whylen, "out of memory");
		goto err_free;
	}
	h->life_fd = h->done_fd = -1;
	r = read_self_cgroup(self_cgroup_path, sc);
	if (r < 0) {
		set_why(why, whylen, "cannot read %s: %s", self_cgroup_path,
			strerror(-r));
		goto err_free;
	}
	r = find_mounts(mountinfo_path, sc, m);
	if (r < 0) {
		set_why(why, whylen, "cannot read %s: %s", mountinfo_path,
			strerror(-r));
		goto err_free;
	}
	if (m->own[HOSTCG_MEMORY][0] || m->own[HOSTCG_CPU][0]) {
		h->layout = HOSTCG_V1;
		r = open_v1(h, m, why, whylen);
	} else if (m->own_unified[0]) {
		h->layout = HOSTCG_V2;
		r = open_v2(h, m, why, whylen);
	} else {
		set_why(why, whylen, "no cgroup filesystem of the sentry's "
				     "cgroups is mounted");
		r = -EOPNOTSUPP;
	}
	if (r < 0)
		goto err_remove;
	r = hostcg_reaper_start(h);
	if (r < 0) {
		set_why(why, whylen, "cannot start the host cgroup reaper: %s",
			strerror(-r));
		goto err_remove;
	}
	free(sc);
	free(m);
	*out = h;
	return 0;

err_remove:
	hostcg_remove_all(h);
err_free:
	free(sc);
	free(m);
	free(h);
	return r;
}

int hostcg_open(struct hostcg **out, char *why, size_t whylen)
{
	return hostcg_open_at(out, "/proc/self/mountinfo", "/proc/self/cgroup",
			      why, whylen);
}

/* ---- directories ---- */

int hostcg_mkdir(struct hostcg *h, const char *path)
{
	if (check_path(path) < 0)
		return check_path(path);
	if (path[1] == '\0')
		return -EEXIST;
	int made[HOSTCG_NCTRL];
	int nmade = 0, r = 0;
	char dir[PATH_MAX];
	for (int i = 0; i < h->ndistinct; i++) {
		int c = h->distinct[i];
		r = hostcg_dir(h, c, path, dir, sizeof(dir));
		if (r < 0)
			break;
		if (mkdir(dir, 0755) < 0) {
			r = -errno;
			break;
		}
		made[nmade++] = c;
		if (h->layout == HOSTCG_V2) {
			char leaf[PATH_MAX];
			r = hostcg_v2_enable_subtree(h, dir);
			if (r == 0 &&
			    (size_t)snprintf(leaf, sizeof(leaf), "%s/%s", dir,
					     HOSTCG_V2_LEAF) >= sizeof(leaf))
				r = -ENAMETOOLONG;
			if (r == 0 && mkdir(leaf, 0755) < 0)
				r = -errno;
			if (r < 0)
				break;
		}
	}
	if (r < 0) {
		while (nmade > 0) {
			hostcg_dir(h, made[--nmade], path, dir, sizeof(dir));
			if (h->layout == HOSTCG_V2) {
				char leaf[PATH_MAX + 16];
				snprintf(leaf, sizeof(leaf), "%s/%s", dir,
					 HOSTCG_V2_LEAF);
				rmdir(leaf);
			}
			rmdir(dir);
		}
	}
	return r;
}

int hostcg_rmdir(struct hostcg *h, const char *path)
{
	if (check_path(path) < 0)
		return check_path(path);
	if (path[1] == '\0')
		return -EINVAL;
	int r = 0;
	char dir[PATH_MAX];
	/* The mirror exists in every hierarchy or none (hostcg_mkdir); a
	 * refusal in the first leaves the others as they were. */
	for (int i = 0; i < h->ndistinct; i++) {
		int c = h->distinct[i];
		int e = hostcg_dir(h, c, path, dir, sizeof(dir));
		if (e < 0)
			return e;
		if (h->layout == HOSTCG_V2) {
			char leaf[PATH_MAX + 16];
			snprintf(leaf, sizeof(leaf), "%s/%s", dir, HOSTCG_V2_LEAF);
			if (rmdir(leaf) < 0 && errno != ENOENT)
				return -errno;
		}
		if (rmdir(dir) < 0) {
			e = -errno;
			if (h->layout == HOSTCG_V2 && e != -ENOENT) {
				/* Put the leaf back: the mirror stays usable. */
				char leaf[PATH_MAX + 16];
				snprintf(leaf, sizeof(leaf), "%s/%s", dir,
					 HOSTCG_V2_LEAF);
				mkdir(leaf, 0755);
			}
			if (i == 0)
				return e;
			r = e;
		}
	}
	return r;
}

int hostcg_attach(struct hostcg *h, const char *path, pid_t host_tid)
{
	if (host_tid <= 0)
		return -ESRCH;
	char tid[24];
	snprintf(tid, sizeof(tid), "%d\n", (int)host_tid);
	char dir[PATH_MAX];
	for (int i = 0; i < h->ndistinct; i++) {
		int c = h->distinct[i];
		int r = hostcg_dir(h, c, path, dir, sizeof(dir));
		if (r < 0)
			return r;
		if (h->layout == HOSTCG_V2) {
			size_t n = strlen(dir);
			if (n + 1 + strlen(HOSTCG_V2_LEAF) >= sizeof(dir))
				return -ENAMETOOLONG;
			snprintf(dir + n, sizeof(dir) - n, "/%s", HOSTCG_V2_LEAF);
		}
		r = hostcg_write_text(dir, h->layout == HOSTCG_V2 ? "cgroup.procs"
								  : "tasks",
				      tid);
		if (r == -EOPNOTSUPP)
			r = -ENOENT; /* the mirror directory itself is missing */
		if (r < 0)
			return r;
	}
	return 0;
}

int hostcg_write(struct hostcg *h, const char *path, const char *file,
		 const char *value)
{
	if (!file || !value)
		return -EINVAL;
	return h->layout == HOSTCG_V2 ? hostcg_v2_write(h, path, file, value)
				      : hostcg_v1_write(h, path, file, value);
}

int hostcg_read(struct hostcg *h, const char *path, const char *file,
		char *buf, size_t len)
{
	if (!file || !buf || len == 0)
		return -EINVAL;
	return h->layout == HOSTCG_V2 ? hostcg_v2_read(h, path, file, buf, len)
				      : hostcg_v1_read(h, path, file, buf, len);
}

void hostcg_close(struct hostcg *h)
{
	if (!h)
		return;
	hostcg_remove_all(h);
	hostcg_reaper_stop(h);
	free(h);
}

/* ---- introspection ---- */

bool hostcg_has(const struct hostcg *h, const char *controller)
{
	if (strcmp(controller, "memory") == 0)
		return h->root[HOSTCG_MEMORY][0] != '\0';
	if (strcmp(controller, "cpu") == 0)
		return h->root[HOSTCG_CPU][0] != '\0';
	return false;
}

const char *hostcg_layout(const struct hostcg *h)
{
	return h->layout == HOSTCG_V2 ? "v2" : "v1";
}

const char *hostcg_warning(const struct hostcg *h)
{
	return h->warning;
}

size_t hostcg_host_roots(const struct hostcg *h, const char **dirs, size_t n)
{
	for (int i = 0; i < h->ndistinct && (size_t)i < n; i++)
		dirs[i] = h->root[h->distinct[i]];
	return (size_t)h->ndistinct;
}

pid_t hostcg_reaper_pid(const struct hostcg *h)
{
	return h->reaper;
}
