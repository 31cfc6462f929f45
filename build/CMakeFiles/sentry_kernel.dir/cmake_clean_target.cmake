file(REMOVE_RECURSE
  "libsentry_kernel.a"
)
