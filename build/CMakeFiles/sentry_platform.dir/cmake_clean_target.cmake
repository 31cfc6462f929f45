file(REMOVE_RECURSE
  "libsentry_platform.a"
)
