/* placeholder */
int sentry_debugger_placeholder;
