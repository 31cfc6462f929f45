/*
 * rawtrace - the floor for a trapped syscall under ptrace+seccomp: a
 * minimal tracer whose seccomp filter returns SECCOMP_RET_TRACE for getpid
 * only (hand-built BPF), and whose loop is waitpid + PTRACE_CONT, nothing
 * else. With --regs it also does what an emulating tracer must do at the
 * least: PTRACE_GETREGS, answer the call itself (skip it, rax = pid),
 * PTRACE_SETREGS, PTRACE_CONT.
 *
 *   rawtrace [--regs] CMD [ARGS...]
 *
 * Prints the number of seccomp stops it handled on stderr.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int main(int argc, char **argv)
{
	int regs_mode = 0, st;
	long stops = 0;
	pid_t child;

	if (argc > 1 && strcmp(argv[1], "--regs") == 0) {
		regs_mode = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: rawtrace [--regs] CMD [ARGS...]\n");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		if (install_filter() != 0) {
			perror("seccomp");
			_exit(126);
		}
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(child, &st, 0) != child || !WIFSTOPPED(st)) {
		fprintf(stderr, "rawtrace: child did not stop\n");
		return 1;
	}
	ptrace(PTRACE_SETOPTIONS, child, 0,
	       PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	ptrace(PTRACE_CONT, child, 0, 0);
	for (;;) {
		int sig = 0;

		if (waitpid(child, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			perror("waitpid");
			return 1;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if ((st >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			stops++;
			if (regs_mode) {
				struct user_regs_struct r;

				ptrace(PTRACE_GETREGS, child, 0, &r);
				r.orig_rax = (unsigned long long)-1;
				r.rax = (unsigned long long)child;
				ptrace(PTRACE_SETREGS, child, 0, &r);
			}
		} else if ((st >> 16) == 0) {
			sig = WSTOPSIG(st); /* a real signal: pass it on */
		}
		ptrace(PTRACE_CONT, child, 0, sig);
	}
	fprintf(stderr, "rawtrace: %ld seccomp stops\n", stops);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
