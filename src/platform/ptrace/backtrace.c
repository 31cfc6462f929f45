/*
 * This file implements backtraces of stopped tasks with libunwind's ptrace
 * accessors (libunwind-ptrace): frames are unwound from the tracee's
 * registers and memory and named from its ELF symbol tables.
 */
#include <errno.h>
#include <libunwind-ptrace.h>
#include <stdio.h>

#include "platform/ptrace/internal.h"

#define BT_MAX_FRAMES 64

int pt_backtrace(pid_t host_tid, char *buf, size_t len)
{
	unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
	void *ui;
	unw_cursor_t cur;
	size_t off = 0;
	int err = 0, n = 0;

	if (!as)
		return -ENOMEM;
	ui = _UPT_create(host_tid);
	if (!ui) {
		unw_destroy_addr_space(as);
		return -ENOMEM;
	}
	if (unw_init_remote(&cur, as, ui) < 0) {
		err = -EIO;
		goto out;
	}
	if (len)
		buf[0] = '\0';
	do {
		unw_word_t ip = 0, offp = 0;
		char name[256];

		unw_get_reg(&cur, UNW_REG_IP, &ip);
		if (unw_get_proc_name(&cur, name, sizeof(name), &offp) < 0)
			snprintf(name, sizeof(name), "??");
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off,
						"#%-2d 0x%016lx in %s+0x%lx\n", n,
						(unsigned long)ip, name,
						(unsigned long)offp);
	} while (++n < BT_MAX_FRAMES && unw_step(&cur) > 0);
out:
	_UPT_destroy(ui);
	unw_destroy_addr_space(as);
	return err;
}
