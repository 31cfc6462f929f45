# Empty dependencies file for sentry_platform.
# This may be replaced when dependencies are built.
