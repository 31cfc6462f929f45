/*
 * This file implements the start of the sandbox: the init task is forked
 * into a new PID and mount namespace, gets its session or process group,
 * a private /proc, default signal state and the seccomp filter, waits for
 * the platform thread to attach with PTRACE_SEIZE, and forks the command
 * (PID 2), staying behind as the sandbox's init (PID 1, "sentry-init")
 * that reaps orphans. The command is not PID 1 so that it behaves as it
 * does natively: Linux protects a namespace's init from signals it has no
 * handler for, which would make `kill $$` a no-op.
 *
 * The child runs only system calls between fork and exec (the filter was
 * built beforehand), so forking from a threaded sentry is safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kernel/lifecycle.h"
#include "platform/ptrace/internal.h"

/* What the child does; never returns. */
static void __attribute__((noreturn))
init_child(char *const argv[], const struct sock_fprog *prog, int sync_fd,
	   int mode)
{
	sigset_t none;
	pid_t cmd;
	int warned = 0;
	char c;

	if (read(sync_fd, &c, 1) != 1)
		_exit(127); /* the sentry gave up before attaching */
	close(sync_fd);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "sentry-init");
	/* Mounts made here stay here; the sandbox's ps reads its own PIDs. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		      NULL);
	/* Every disposition the default, as the kernel believes init's are:
	 * glibc's signal() refuses its own signals (SIGCANCEL, SIGSETXID:
	 * 32 and 33), whose handlers the fork kept, so the raw call. Nothing
	 * here needs them (one thread, no cancellation, no set*id). */
	for (int sig = 1; sig < NSIG; sig++) {
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			uint64_t mask;
		} dfl = { SIG_DFL, 0, NULL, 0 };

		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL,
				sizeof(dfl.mask));
	}
	if (mode == INIT_NEW_PGRP) {
		/* Keep the terminal: be the foreground group of the sentry's
		 * session, as a shell makes a job. */
		signal(SIGTTOU, SIG_IGN);
		setpgid(0, 0);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	} else {
		setsid();
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog) != 0) {
		dprintf(STDERR_FILENO, "sentry: cannot install seccomp filter: %s\n",
			strerror(errno));
		_exit(125);
	}
	cmd = fork();
	if (cmd == 0) {
		/* The command leads its own process group, as a job of a
		 * shell does, and on a terminal it is the foreground job:
		 * kill(0, sig) and the terminal's ^C reach it, not init. */
		setpgid(0, 0);
		if (mode == INIT_NEW_PGRP) {
			sigset_t ttou;

			sigemptyset(&ttou);
			sigaddset(&ttou, SIGTTOU);
			sigprocmask(SIG_BLOCK, &ttou, NULL);
			tcsetpgrp(STDIN_FILENO, getpid());
			sigprocmask(SIG_UNBLOCK, &ttou, NULL);
		}
		execvp(argv[0], argv);
		if (errno == ENOENT) {
			dprintf(STDERR_FILENO, "sentry: %s: command not found\n",
				argv[0]);
			_exit(127);
		}
		dprintf(STDERR_FILENO, "sentry: %s: %s\n", argv[0],
			strerror(errno));
		_exit(126);
	}
	setpgid(cmd, cmd); /* whichever runs first, as shells do */
	/* The sandbox's init: reap orphans until the command is gone. The
	 * platform reports the command's own status (it sees it die). */
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);

		if (w == cmd)
			_exit(0);
		if (w < 0 && errno == ECHILD) {
			/* Should not happen while the command lives: it is
			 * init's child in the kernel's tree and the host's.
			 * The one cause seen (issue #18) was an orphan the
			 * host let init reap before the kernel had moved it
			 * to init: the kernel kept its zombie, and each wait
			 * was rewritten to it (wait_reap() in the kernel's
			 * syscalls/wait.c now releases it). Init leaving
			 * would take the whole namespace with it: say so
			 * once and keep waiting while the command exists. */
			if (kill(cmd, 0) == 0) {
				if (!warned++)
					dprintf(STDERR_FILENO,
						"sentry-init: wait reported no "
						"children while the command "
						"lives; still waiting\n");
				usleep(10000);
				continue;
			}
			_exit(0);
		}
	}
}

pid_t pt_launch_init(struct ptrace_platform *pp, const struct sock_fprog *prog,
		     int *sync_fd, int *mode, char *errbuf, size_t errlen)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(errbuf, errlen, "cannot create a pipe: %s",
			 strerror(errno));
		return -errno;
	}
	*mode = (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp())
			? INIT_NEW_PGRP
			: INIT_NEW_SESSION;
	/* A raw clone behaves like fork() here (no new stack) but takes the
	 * namespace flags. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, 0,
			     NULL, NULL, 0);
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		if (err == EPERM)
			snprintf(errbuf, errlen,
				 "creating PID and mount namespaces needs "
				 "CAP_SYS_ADMIN: run sentry as root");
		else
			snprintf(errbuf, errlen,
				 "cannot create the sandbox namespaces: %s",
				 strerror(err));
		return -err;
	}
	if (pid == 0) {
		close(fds[1]);
		init_child(pp->argv, prog, fds[0], *mode);
	}
	close(fds[0]);
	*sync_fd = fds[1];
	return pid;
}
