/*
 * This file implements reads of host-owned state from the host's /proc:
 * execution state (running or sleeping), CPU times, memory and FDs belong
 * to the host (DESIGN §2), and the filesystem shows them next to the
 * emulated state, never instead of it.
 *
 * Paths use host TIDs in the sentry's PID namespace (task.host_tid).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs/procfs_internal.h"

static int host_read(const char *path, struct pbuf *b, bool one_record)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		pbuf_put(b, chunk, (size_t)n);
		/* One record comes whole in the first read that has room for
		 * it (seq_file fills the reader's buffer). */
		if (one_record && (size_t)n < sizeof(chunk))
			break;
	}
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return b->err;
}

int host_read_file(const char *path, struct pbuf *b)
{
	return host_read(path, b, false);
}

int host_read_record(const char *path, struct pbuf *b)
{
	return host_read(path, b, true);
}

int host_readlink(const char *path, struct pbuf *b)
{
	char target[4096];
	ssize_t n = readlink(path, target, sizeof(target));

	if (n < 0)
		return -errno;
	pbuf_put(b, target, (size_t)n);
	return b->err;
}

static const char *const host_stat_zero = "0";

void host_stat_init(struct host_stat *hs)
{
	memset(hs, 0, sizeof(*hs));
	pbuf_init(&hs->raw);
	for (int i = 0; i < HOST_STAT_NFIELDS; i++)
		hs->f[i] = host_stat_zero;
	hs->f[0] = "S";
}

int host_stat_split(struct host_stat *hs)
{
	char *p, *end;

	if (!hs->raw.data || !hs->raw.len)
		return -EIO;
	/* The name may hold spaces and ')': it ends at the last ')'. */
	p = strrchr(hs->raw.data, ')');
	if (!p)
		return -EIO;
	p++;
	end = hs->raw.data + hs->raw.len;
	while (p < end && hs->nr < HOST_STAT_NFIELDS) {
		while (p < end && (*p == ' ' || *p == '\n'))
			*p++ = '\0';
		if (p >= end)
			break;
		hs->f[hs->nr++] = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
	}
	if (p < end)
		*p = '\0';
	return 0;
}

void host_stat_free(struct host_stat *hs)
{
	pbuf_free(&hs->raw);
}

const char *host_stat_field(const struct host_stat *hs, int n)
{
	if (n < 3 || n - 3 >= HOST_STAT_NFIELDS)
		return host_stat_zero;
	return hs->f[n - 3];
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int host_list_numbers(const char *path, uint32_t **out)
{
	DIR *d = opendir(path);
	struct dirent *de;
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long x = strtoul(de->d_name, &end, 10);

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end ||
		    x > 0xfffffe)
			continue;
		if (n == cap) {
			uint32_t *nv = realloc(v, (cap = cap ? cap * 2 : 64) *
						       sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (uint32_t)x;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), u32_cmp); /* v may be NULL when empty */
	*out = v;
	return (int)n;
}
