file(REMOVE_RECURSE
  "CMakeFiles/sentry_debugger.dir/src/debugger/placeholder_debugger.c.o"
  "CMakeFiles/sentry_debugger.dir/src/debugger/placeholder_debugger.c.o.d"
  "libsentry_debugger.a"
  "libsentry_debugger.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sentry_debugger.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
