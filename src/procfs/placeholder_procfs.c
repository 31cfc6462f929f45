/* placeholder */
int sentry_procfs_placeholder;
