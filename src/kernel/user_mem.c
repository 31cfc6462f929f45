/*
 * This file implements reads of application memory that the syscall
 * handlers and exec share.
 */
#include <errno.h>
#include <string.h>

#include "kernel/user_mem.h"
#include "platform/platform.h"
#include "kernel/kernel.h"

ssize_t user_read_string(struct kernel *k, struct task *t, uint64_t addr,
			 char *buf, size_t len)
{
	size_t done = 0;

	while (done < len - 1) {
		/* Read up to the end of the page so an unmapped next page
		 * does not fail a short string. */
		size_t chunk = 4096 - ((addr + done) & 4095);
		ssize_t n;
		char *nul;

		if (chunk > len - 1 - done)
			chunk = len - 1 - done;
		n = plat_read_mem(k->plat, t, addr + done, buf + done, chunk);
		if (n <= 0)
			return n < 0 ? n : -EFAULT;
		nul = memchr(buf + done, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		done += (size_t)n;
	}
	buf[done] = '\0';
	return (ssize_t)done;
}
