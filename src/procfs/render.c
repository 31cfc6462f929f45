/*
 * This file implements the output buffers files are rendered into, and
 * the small formatters every table file shares (signal sets, wait
 * statuses, PID lists).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kernel/signals.h"
#include "procfs/procfs_internal.h"

void pbuf_init(struct pbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void pbuf_free(struct pbuf *b)
{
	free(b->data);
	pbuf_init(b);
}

/* Makes room for n more bytes plus a terminating NUL. */
static bool pbuf_reserve(struct pbuf *b, size_t n)
{
	size_t want = b->len + n + 1;
	char *nd;

	if (b->err)
		return false;
	if (want <= b->cap)
		return true;
	/* Most files fit in the first allocation, status in the second. */
	if (want < 1024)
		want = 1024;
	if (want < b->cap * 2)
		want = b->cap * 2;
	nd = realloc(b->data, want);
	if (!nd) {
		b->err = -ENOMEM;
		return false;
	}
	b->data = nd;
	b->cap = want;
	return true;
}

void pbuf_put(struct pbuf *b, const void *p, size_t n)
{
	if (!pbuf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void pbuf_puts(struct pbuf *b, const char *s)
{
	pbuf_put(b, s, strlen(s));
}

void pbuf_putc(struct pbuf *b, char c)
{
	pbuf_put(b, &c, 1);
}

void pbuf_put_u64(struct pbuf *b, uint64_t v)
{
	char digits[20], *p = digits + sizeof(digits);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pbuf_put(b, p, (size_t)(digits + sizeof(digits) - p));
}

void pbuf_put_i64(struct pbuf *b, int64_t v)
{
	if (v < 0) {
		pbuf_putc(b, '-');
		/* -(v + 1) + 1: INT64_MIN has no positive counterpart. */
		pbuf_put_u64(b, (uint64_t)-(v + 1) + 1);
	} else {
		pbuf_put_u64(b, (uint64_t)v);
	}
}

void pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (!pbuf_reserve(b, 64))
		return;
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (!pbuf_reserve(b, (size_t)n))
			return;
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void pbuf_terminate(struct pbuf *b)
{
	if (pbuf_reserve(b, 0))
		b->data[b->len] = '\0';
}

void pbuf_sigset_hex(struct pbuf *b, sigset64_t set)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];

	for (int i = 15; i >= 0; i--, set >>= 4)
		digits[i] = hex[set & 0xf];
	pbuf_put(b, digits, sizeof(digits));
}

void pbuf_signame(struct pbuf *b, int sig)
{
	char name[16];

	if (sig_name(sig, name, sizeof(name)))
		pbuf_puts(b, name);
	else
		pbuf_puts(b, "none");
}

void pbuf_signames(struct pbuf *b, sigset64_t set)
{
	bool first = true;

	for (int sig = 1; sig <= SIG_MAX; sig++) {
		if (!(set & sig_bit(sig)))
			continue;
		if (!first)
			pbuf_puts(b, " ");
		pbuf_signame(b, sig);
		first = false;
	}
	if (first)
		pbuf_puts(b, "-");
}

void pbuf_wait_status(struct pbuf *b, int status)
{
	if (WIFEXITED(status)) {
		pbuf_printf(b, "exited %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		pbuf_puts(b, "killed ");
		pbuf_signame(b, WTERMSIG(status));
		if (WCOREDUMP(status))
			pbuf_puts(b, " (core)");
	} else if (WIFSTOPPED(status)) {
		pbuf_puts(b, "stopped ");
		pbuf_signame(b, WSTOPSIG(status));
	} else if (WIFCONTINUED(status)) {
		pbuf_puts(b, "continued");
	} else {
		pbuf_printf(b, "unknown 0x%x", status);
	}
}

void pbuf_pids(struct pbuf *b, const pid_t *v, int n, char sep)
{
	for (int i = 0; i < n; i++) {
		if (i)
			pbuf_putc(b, sep);
		pbuf_put_i64(b, v[i]);
	}
	if (n > 0)
		pbuf_puts(b, "\n");
}
