/*
 * This file implements the sandbox's seccomp filter (DESIGN §5), built
 * with libseccomp in the sentry and exported as a BPF program, so the
 * forked init child only has to load it with prctl(): no allocation
 * between fork and exec.
 *
 *   SCMP_ACT_TRACE   the process-model syscalls the kernel emulates
 *   SCMP_ACT_ERRNO   what the sandbox must never do to the host
 *   SCMP_ACT_ALLOW   everything else (file, memory, time, network I/O)
 */
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/syscalls/syscalls.h"
#include "platform/ptrace/internal.h"

/* Syscalls that would act on the host outside the sandbox. */
static const int denied_syscalls[] = {
	SCMP_SYS(reboot), SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
	SCMP_SYS(init_module), SCMP_SYS(finit_module),
	SCMP_SYS(delete_module), SCMP_SYS(swapon), SCMP_SYS(swapoff),
};

/* prctl options the kernel tracks; other prctls run untrapped. */
static const int traced_prctls[] = {
	PR_SET_NAME, PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER,
};

int pt_seccomp_build(struct sock_fprog *prog)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	struct stat st;
	int fd = -1, err = -ENOMEM;

	if (!ctx)
		return -ENOMEM;
	/* The sentry runs as root; no_new_privs would break setuid programs
	 * inside the sandbox for no gain. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (const int *nr = kernel_trapped_syscalls; *nr >= 0; nr++) {
		err = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), *nr, 0);
		if (err < 0)
			goto out;
	}
	for (size_t i = 0; i < sizeof(traced_prctls) / sizeof(*traced_prctls);
	     i++) {
		err = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), SCMP_SYS(prctl),
				       1, SCMP_A0(SCMP_CMP_EQ,
						  (scmp_datum_t)traced_prctls[i]));
		if (err < 0)
			goto out;
	}
	/* prlimit64 only when it sets a limit (a non-NULL new_limit): the
	 * kernel rereads limits after a change, reads are the host's. */
	err = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), SCMP_SYS(prlimit64), 1,
			       SCMP_A2(SCMP_CMP_NE, 0));
	if (err < 0)
		goto out;
	/* ioctl only for TIOCSPGRP (tcsetpgrp: the foreground group) and
	 * TIOCSCTTY (a session takes a controlling terminal, its caller's
	 * group in the foreground); the request is an unsigned int, so only
	 * its low 32 bits count. */
	err = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
				       (scmp_datum_t)TIOCSPGRP));
	if (err < 0)
		goto out;
	err = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
				       (scmp_datum_t)TIOCSCTTY));
	if (err < 0)
		goto out;
	for (size_t i = 0;
	     i < sizeof(denied_syscalls) / sizeof(*denied_syscalls); i++) {
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				       denied_syscalls[i], 0);
		if (err < 0)
			goto out;
	}
	fd = memfd_create("sentry-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = seccomp_export_bpf(ctx, fd);
	if (err < 0)
		goto out;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter)) {
		err = -EINVAL;
		goto out;
	}
	prog->filter = malloc((size_t)st.st_size);
	if (!prog->filter) {
		err = -ENOMEM;
		goto out;
	}
	if (pread(fd, prog->filter, (size_t)st.st_size, 0) != st.st_size) {
		free(prog->filter);
		prog->filter = NULL;
		err = -EIO;
		goto out;
	}
	prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	err = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return err;
}
