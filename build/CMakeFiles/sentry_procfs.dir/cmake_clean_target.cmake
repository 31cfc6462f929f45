file(REMOVE_RECURSE
  "libsentry_procfs.a"
)
