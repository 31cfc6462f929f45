file(REMOVE_RECURSE
  "CMakeFiles/sentrydbg.dir/src/cmd/sentrydbg.c.o"
  "CMakeFiles/sentrydbg.dir/src/cmd/sentrydbg.c.o.d"
  "sentrydbg"
  "sentrydbg.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sentrydbg.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
