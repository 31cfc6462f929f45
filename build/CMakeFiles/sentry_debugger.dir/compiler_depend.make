# Empty compiler generated dependencies file for sentry_debugger.
# This may be replaced when dependencies are built.
