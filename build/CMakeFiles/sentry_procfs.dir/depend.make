# Empty dependencies file for sentry_procfs.
# This may be replaced when dependencies are built.
