file(REMOVE_RECURSE
  "libsentry_debugger.a"
)
