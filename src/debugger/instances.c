/*
 * This file implements the registry of running sentries (instances.h) and
 * `sentry list` (ctl_list_instances in server.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "debugger/instances.h"
#include "debugger/proto.h"
#include "debugger/server.h"

int ctl_runtime_dir(char *buf, size_t len)
{
	const char *env = getenv("SENTRY_RUNTIME_DIR");
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/sentry");
	else if ((env = getenv("XDG_RUNTIME_DIR")) && *env)
		n = snprintf(buf, len, "%s/sentry", env);
	else
		n = snprintf(buf, len, "/tmp/sentry-%u", (unsigned)geteuid());
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

bool ctl_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 63 || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

int ctl_instance_paths(const char *name, struct ctl_instance *out)
{
	char base[PATH_MAX];
	int n;

	if (!ctl_name_valid(name))
		return -EINVAL;
	if (ctl_runtime_dir(base, sizeof(base)) < 0)
		return -ENAMETOOLONG;
	snprintf(out->name, sizeof(out->name), "%s", name);
	n = snprintf(out->dir, sizeof(out->dir), "%s/%s", base, name);
	if (n < 0 || (size_t)n >= sizeof(out->dir))
		return -ENAMETOOLONG;
	n = snprintf(out->sock, sizeof(out->sock), "%s/ctl", out->dir);
	if (n < 0 || (size_t)n >= sizeof(out->sock))
		return -ENAMETOOLONG;
	return 0;
}

int ctl_info_read(const char *dir, struct ctl_instance *out)
{
	char path[PATH_MAX + 8];
	json_error_t jerr;
	json_t *j;
	const char *s;
	const char *slash = strrchr(dir, '/');

	memset(out, 0, sizeof(*out));
	snprintf(out->dir, sizeof(out->dir), "%s", dir);
	if ((size_t)snprintf(out->sock, sizeof(out->sock), "%s/ctl", dir) >=
	    sizeof(out->sock))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/info", dir);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		return access(path, F_OK) == 0 ? -EPROTO : -ENOENT;
	if (!json_is_object(j) || !json_is_integer(json_object_get(j, "pid"))) {
		json_decref(j);
		return -EPROTO;
	}
	s = json_string_value(json_object_get(j, "name"));
	snprintf(out->name, sizeof(out->name), "%s",
		 s ? s : (slash ? slash + 1 : dir));
	out->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	out->uid = (uid_t)json_integer_value(json_object_get(j, "uid"));
	s = json_string_value(json_object_get(j, "command"));
	snprintf(out->command, sizeof(out->command), "%s", s ? s : "");
	s = json_string_value(json_object_get(j, "mountpoint"));
	snprintf(out->mountpoint, sizeof(out->mountpoint), "%s", s ? s : "");
	out->started_ns = (uint64_t)json_integer_value(
		json_object_get(j, "started_ns"));
	json_decref(j);
	return 0;
}

int ctl_info_write(const struct ctl_instance *in)
{
	char path[PATH_MAX + 8], tmp[PATH_MAX + 16];
	json_t *j;
	char *text;
	size_t len;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/info", in->dir);
	snprintf(tmp, sizeof(tmp), "%s/info.tmp", in->dir);
	j = json_pack("{s:s, s:i, s:i, s:s, s:s?, s:I, s:i}", "name", in->name,
		      "pid", (int)in->pid, "uid", (int)in->uid, "command",
		      in->command, "mountpoint",
		      in->mountpoint[0] ? in->mountpoint : NULL, "started_ns",
		      (json_int_t)in->started_ns, "protocol", CTL_PROTO_VERSION);
	if (!j)
		return -ENOMEM;
	/* One write: json_dumpfd writes token by token (~60 writes). */
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	text[len] = '\n'; /* json_dumps leaves room: replace the NUL */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(text);
		return -errno;
	}
	if (write(fd, text, len + 1) != (ssize_t)(len + 1))
		err = -EIO;
	free(text);
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

bool ctl_pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int ctl_connect(const char *sock, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", sock);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot connect to %s: %s", sock,
			 strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

static void instance_remove(const struct ctl_instance *in)
{
	char path[PATH_MAX + 16];

	unlink(in->sock);
	snprintf(path, sizeof(path), "%s/info", in->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/info.tmp", in->dir);
	unlink(path);
	rmdir(in->dir);
}

bool ctl_instance_live(const struct ctl_instance *in, bool remove_stale)
{
	char err[256];
	int fd;

	if (ctl_pid_alive(in->pid)) {
		/* The pid may have been reused by an unrelated process: only
		 * a listener on the socket proves the sentry is there. */
		fd = ctl_connect(in->sock, err, sizeof(err));
		if (fd >= 0) {
			close(fd);
			return true;
		}
		if (fd == -EACCES || fd == -EPERM)
			return true; /* someone else's sentry, running */
	} else {
		fd = ctl_connect(in->sock, err, sizeof(err));
		if (fd >= 0) { /* pid namespace games: it listens, it lives */
			close(fd);
			return true;
		}
	}
	if (remove_stale && fd != -EACCES)
		instance_remove(in);
	return false;
}

static int instance_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ctl_instance *)a)->name,
		      ((const struct ctl_instance *)b)->name);
}

int ctl_instances_scan(struct ctl_instance **out, bool remove_stale)
{
	char base[PATH_MAX], dir[PATH_MAX * 2];
	struct ctl_instance *v = NULL;
	struct dirent *de;
	int n = 0;
	DIR *d;

	*out = NULL;
	if (ctl_runtime_dir(base, sizeof(base)) < 0)
		return -ENAMETOOLONG;
	d = opendir(base);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		struct ctl_instance in, *nv;

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		if (strlen(dir) >= sizeof(in.dir))
			continue;
		if (ctl_info_read(dir, &in) < 0) {
			/* No info file: a sentry that is just starting, or
			 * debris. Leave it alone. */
			continue;
		}
		if (!ctl_instance_live(&in, remove_stale))
			continue;
		nv = realloc(v, sizeof(*v) * (size_t)(n + 1));
		if (!nv) {
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = in;
	}
	closedir(d);
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), instance_cmp);
	*out = v;
	return n;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int ctl_instance_resolve(const char *target, struct ctl_instance *out,
			 char *err, size_t errlen)
{
	struct ctl_instance *v;
	char base[PATH_MAX];
	int n, found = -1;

	memset(out, 0, sizeof(*out));
	if (target && strchr(target, '/')) {
		if (strlen(target) >= sizeof(out->sock)) {
			snprintf(err, errlen, "socket path too long: %s", target);
			return -ENAMETOOLONG;
		}
		snprintf(out->sock, sizeof(out->sock), "%s", target);
		snprintf(out->name, sizeof(out->name), "%s", target);
		return 0;
	}
	if (target && !all_digits(target) && !ctl_name_valid(target)) {
		snprintf(err, errlen, "invalid sentry name '%s'", target);
		return -EINVAL;
	}
	ctl_runtime_dir(base, sizeof(base));
	n = ctl_instances_scan(&v, true);
	if (n < 0) {
		snprintf(err, errlen, "cannot list sentries in %s: %s", base,
			 strerror(-n));
		return n;
	}
	for (int i = 0; i < n; i++) {
		if (!target ||
		    (all_digits(target) ? v[i].pid == atoi(target)
					: strcmp(v[i].name, target) == 0)) {
			if (found >= 0 && target)
				continue;
			found = found >= 0 ? -2 : i;
		}
	}
	if (found == -1) {
		if (target)
			snprintf(err, errlen,
				 "no running sentry named '%s' (looked in %s)",
				 target, base);
		else
			snprintf(err, errlen,
				 "no running sentry found (looked in %s)", base);
		free(v);
		return -ENOENT;
	}
	if (found == -2) {
		size_t off = (size_t)snprintf(
			err, errlen, "%d sentries are running; name one:", n);

		for (int i = 0; i < n && off < errlen; i++)
			off += (size_t)snprintf(err + off, errlen - off, " %s",
						v[i].name);
		free(v);
		return -ENOTUNIQ;
	}
	*out = v[found];
	free(v);
	return 0;
}

int ctl_instance_query(const struct ctl_instance *in, int timeout_ms,
		       json_t **out)
{
	char err[256];
	json_t *req, *rep = NULL;
	int fd = ctl_connect(in->sock, err, sizeof(err)), rc;

	if (fd < 0)
		return fd;
	req = ctl_request_new(1, "status", NULL);
	rc = req ? ctl_send(fd, req) : -ENOMEM;
	json_decref(req);
	/* Skip events; the first reply answers us. */
	while (rc == 0) {
		rc = ctl_recv(fd, CTL_MAX_REPLY, timeout_ms, &rep);
		if (rc == 0 && json_object_get(rep, "event")) {
			json_decref(rep);
			rep = NULL;
			continue;
		}
		break;
	}
	close(fd);
	if (rc < 0)
		return rc;
	if (!json_is_true(json_object_get(rep, "ok"))) {
		const char *code = json_string_value(
			json_object_get(json_object_get(rep, "error"), "code"));

		json_decref(rep);
		return code && strcmp(code, "EPERM") == 0 ? -EPERM : -EPROTO;
	}
	*out = json_incref(json_object_get(rep, "result"));
	json_decref(rep);
	return *out ? 0 : -EPROTO;
}

int ctl_list_instances(FILE *out, bool json)
{
	struct ctl_instance *v;
	json_t *arr = json ? json_array() : NULL;
	int n = ctl_instances_scan(&v, true);

	if (n < 0)
		return n;
	if (!json)
		fprintf(out, "%-16s %8s %-8s %6s %-20s %s\n", "NAME", "PID",
			"STATE", "TASKS", "MOUNT", "COMMAND");
	for (int i = 0; i < n; i++) {
		json_t *st = NULL;
		const char *state = "unreachable";
		long long tasks = -1;
		int rc = ctl_instance_query(&v[i], 1000, &st);

		if (rc == 0) {
			state = json_is_true(json_object_get(st, "paused"))
					? "paused"
					: "running";
			tasks = (long long)json_integer_value(
				json_object_get(st, "nr_tasks"));
		} else if (rc == -EPERM || rc == -EACCES) {
			state = "no-access";
		}
		if (json) {
			json_array_append_new(
				arr,
				json_pack("{s:s, s:i, s:s, s:o, s:s?, s:s, s:s}",
					  "name", v[i].name, "pid", (int)v[i].pid,
					  "state", state, "tasks",
					  tasks >= 0 ? json_integer(tasks)
						     : json_null(),
					  "mountpoint",
					  v[i].mountpoint[0] ? v[i].mountpoint
							     : NULL,
					  "command", v[i].command, "socket",
					  v[i].sock));
		} else {
			char t[24];

			if (tasks >= 0)
				snprintf(t, sizeof(t), "%lld", tasks);
			else
				snprintf(t, sizeof(t), "-");
			fprintf(out, "%-16s %8d %-8s %6s %-20s %s\n", v[i].name,
				(int)v[i].pid, state, t,
				v[i].mountpoint[0] ? v[i].mountpoint : "-",
				v[i].command);
		}
		json_decref(st);
	}
	free(v);
	if (json) {
		json_dumpf(arr, out, JSON_INDENT(2));
		fputc('\n', out);
		json_decref(arr);
	}
	return 0;
}
