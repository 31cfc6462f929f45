/* placeholder */
int sentry_ptrace_placeholder;
