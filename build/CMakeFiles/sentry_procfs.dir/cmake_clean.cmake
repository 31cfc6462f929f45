file(REMOVE_RECURSE
  "CMakeFiles/sentry_procfs.dir/src/procfs/placeholder_procfs.c.o"
  "CMakeFiles/sentry_procfs.dir/src/procfs/placeholder_procfs.c.o.d"
  "libsentry_procfs.a"
  "libsentry_procfs.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sentry_procfs.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
