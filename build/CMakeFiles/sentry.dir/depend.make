# Empty dependencies file for sentry.
# This may be replaced when dependencies are built.
