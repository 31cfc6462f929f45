# Empty compiler generated dependencies file for sentrydbg.
# This may be replaced when dependencies are built.
