/*
 * This file implements signal names (kill -l's numbering): shared by the
 * kernel and the sentrydbg client, so it depends on nothing but libc.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kernel/signals.h"

static const char *const sig_names[32] = {
	[SIGHUP] = "HUP",     [SIGINT] = "INT",       [SIGQUIT] = "QUIT",
	[SIGILL] = "ILL",     [SIGTRAP] = "TRAP",     [SIGABRT] = "ABRT",
	[SIGBUS] = "BUS",     [SIGFPE] = "FPE",       [SIGKILL] = "KILL",
	[SIGUSR1] = "USR1",   [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE",   [SIGALRM] = "ALRM",     [SIGTERM] = "TERM",
	[SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD",   [SIGCONT] = "CONT",
	[SIGSTOP] = "STOP",   [SIGTSTP] = "TSTP",     [SIGTTIN] = "TTIN",
	[SIGTTOU] = "TTOU",   [SIGURG] = "URG",       [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ",   [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
	[SIGWINCH] = "WINCH", [SIGIO] = "IO",         [SIGPWR] = "PWR",
	[SIGSYS] = "SYS",
};

/* Linux numbers the real-time signals 32..64; glibc reserves 32 and 33 and
 * calls 34 SIGRTMIN. Names here follow the kernel's numbering as kill -l
 * does: 34 is RTMIN, 64 is RTMAX. 32 and 33 have no names. */
const char *sig_name(int sig, char *buf, size_t len)
{
	if (!sig_valid(sig))
		return NULL;
	if (sig < 32 && sig_names[sig]) {
		snprintf(buf, len, "%s", sig_names[sig]);
	} else if (sig < 34) {
		snprintf(buf, len, "%d", sig);
	} else if (sig == 64) {
		snprintf(buf, len, "RTMAX");
	} else if (sig <= 49) {
		if (sig == 34)
			snprintf(buf, len, "RTMIN");
		else
			snprintf(buf, len, "RTMIN+%d", sig - 34);
	} else {
		snprintf(buf, len, "RTMAX-%d", 64 - sig);
	}
	return buf;
}

int sig_parse(const char *s)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)*s)) {
		long n;

		errno = 0;
		n = strtol(s, &end, 10);
		return (*end || errno || n < 1 || n > SIG_MAX) ? -EINVAL
							       : (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < 32; i++)
		if (sig_names[i] && strcasecmp(s, sig_names[i]) == 0)
			return i;
	if (strcasecmp(s, "IOT") == 0)
		return SIGABRT;
	if (strcasecmp(s, "POLL") == 0)
		return SIGIO;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool min = strncasecmp(s, "RTMIN", 5) == 0;
		long off = 0;

		s += 5;
		if (*s == '+' || *s == '-') {
			if ((*s == '+') != min)
				return -EINVAL;
			off = strtol(s + 1, &end, 10);
			if (*end || end == s + 1)
				return -EINVAL;
		} else if (*s) {
			return -EINVAL;
		}
		long sig = min ? 34 + off : 64 - off;

		return (sig >= 34 && sig <= 64) ? (int)sig : -EINVAL;
	}
	return -EINVAL;
}
