file(REMOVE_RECURSE
  "CMakeFiles/sentry_platform.dir/src/platform/ptrace/placeholder_ptrace.c.o"
  "CMakeFiles/sentry_platform.dir/src/platform/ptrace/placeholder_ptrace.c.o.d"
  "libsentry_platform.a"
  "libsentry_platform.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sentry_platform.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
