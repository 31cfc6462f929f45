# Empty dependencies file for sentry_kernel.
# This may be replaced when dependencies are built.
