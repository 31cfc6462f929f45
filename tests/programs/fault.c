/*
 * A fault whose signal is blocked, the way Linux's force_sig_info() meets
 * it: the handler is reset to SIG_DFL and the process dies of SIGSEGV.
 *
 *   fault blocked      SIGSEGV has a handler and is blocked by sigprocmask
 *   fault in-handler   the SIGSEGV handler faults itself (SIGSEGV is blocked
 *                      while it runs)
 *
 * Never returns normally; exits 2 on bad usage, 3 if it survived.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile int *volatile nowhere;

static void fault_again(int sig)
{
	(void)sig;
	*nowhere = 1;
}

static void ignore(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t set;

	if (argc != 2)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (!strcmp(argv[1], "blocked")) {
		sa.sa_handler = ignore;
		sigaction(SIGSEGV, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
		*nowhere = 1;
	} else if (!strcmp(argv[1], "in-handler")) {
		sa.sa_handler = fault_again;
		sigaction(SIGSEGV, &sa, NULL);
		raise(SIGSEGV);
	} else {
		return 2;
	}
	fprintf(stderr, "fault: survived\n");
	return 3;
}
