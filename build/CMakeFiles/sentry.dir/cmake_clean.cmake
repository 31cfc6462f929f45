file(REMOVE_RECURSE
  "CMakeFiles/sentry.dir/src/cmd/sentry.c.o"
  "CMakeFiles/sentry.dir/src/cmd/sentry.c.o.d"
  "sentry"
  "sentry.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sentry.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
