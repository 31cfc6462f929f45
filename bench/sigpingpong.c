/*
 * sigpingpong - signal round trips between two processes: the parent sends
 * SIGUSR1 (ping), the child answers SIGUSR2 (pong).
 *
 *   sigpingpong wait|handler [MAX_ROUNDS [MAX_MS]]
 *
 *   wait     both sides block the signals and take them with sigwaitinfo()
 *   handler  both sides catch them in a handler, waiting in sigsuspend()
 *
 * Runs up to MAX_ROUNDS round trips (default 100000), stopping early once
 * MAX_MS (default 2000) have passed. Prints "<ns/round trip> <rounds>".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_sig(int sig)
{
	(void)sig;
	got = 1;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Waits for sig, blocked in the caller's mask, in the chosen way. */
static void take(int handler, int sig, const sigset_t *one,
		 const sigset_t *open)
{
	if (handler) {
		while (!got)
			sigsuspend(open);
		got = 0;
	} else {
		siginfo_t si;

		while (sigwaitinfo(one, &si) != sig)
			;
	}
}

int main(int argc, char **argv)
{
	int handler;
	long max_rounds = argc > 2 ? atol(argv[2]) : 100000, rounds = 0;
	long long max_ns = (argc > 3 ? atoll(argv[3]) : 2000) * 1000000LL;
	long long t0, dt = 0;
	sigset_t both, usr1, usr2, open;
	pid_t child, parent;

	if (argc < 2 || (strcmp(argv[1], "wait") && strcmp(argv[1], "handler"))) {
		fprintf(stderr, "usage: sigpingpong wait|handler [MAX_ROUNDS [MAX_MS]]\n");
		return 2;
	}
	handler = strcmp(argv[1], "handler") == 0;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, &open);
	sigdelset(&open, SIGUSR1);
	sigdelset(&open, SIGUSR2);
	if (handler) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sig;
		sigaction(SIGUSR1, &sa, NULL);
		sigaction(SIGUSR2, &sa, NULL);
	}
	parent = getpid();
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		for (;;) {
			take(handler, SIGUSR1, &usr1, &open);
			kill(parent, SIGUSR2);
		}
	}
	/* One untimed round trip so that both sides are running. */
	kill(child, SIGUSR1);
	take(handler, SIGUSR2, &usr2, &open);
	t0 = now_ns();
	while (rounds < max_rounds) {
		kill(child, SIGUSR1);
		take(handler, SIGUSR2, &usr2, &open);
		if (++rounds % 256 == 0 && (dt = now_ns() - t0) >= max_ns)
			break;
	}
	dt = now_ns() - t0;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("%.1f %ld\n", (double)dt / (double)rounds, rounds);
	return 0;
}
