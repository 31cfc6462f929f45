# What the integration suites share (included from CMakeLists.txt before
# them): building a test program of tests/programs/ and registering the
# cases of a tests/integration/*.py script (see harness.py) as ctests.

find_package(Threads REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# sentry_test_program(NAME [DEBUG] [LIBS lib...]): tests/programs/NAME.c
# into build/tests/programs/NAME. The programs stand for ordinary
# applications: no sanitizer runtime (LeakSanitizer stops the world with
# ptrace, which a sandbox does not offer its tasks). DEBUG: -O0 -g, for
# gdb and core files that must show frames and variables.
function(sentry_test_program name)
  cmake_parse_arguments(P "DEBUG" "" "LIBS" ${ARGN})
  add_executable(${name} ${CMAKE_SOURCE_DIR}/tests/programs/${name}.c)
  target_compile_options(${name} PRIVATE -Wall -Werror -fno-sanitize=all)
  if(P_DEBUG)
    target_compile_options(${name} PRIVATE -O0 -g)
  endif()
  target_link_options(${name} PRIVATE -fno-sanitize=all)
  target_link_libraries(${name} PRIVATE Threads::Threads ${P_LIBS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_BINARY_DIR}/tests/programs)
endfunction()

# sentry_python_cases(PREFIX SCRIPT): one ctest PREFIX.CASE (label
# integration, 120 s) per case SCRIPT --list prints.
function(sentry_python_cases prefix script)
  execute_process(COMMAND ${Python3_EXECUTABLE} ${script} --list
                  OUTPUT_VARIABLE cases
                  OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE list_result)
  if(NOT list_result EQUAL 0)
    message(FATAL_ERROR "${script} --list failed")
  endif()
  string(REPLACE "\n" ";" cases "${cases}")
  foreach(case ${cases})
    add_test(NAME ${prefix}.${case}
             COMMAND ${Python3_EXECUTABLE} ${script}
                     --sentry $<TARGET_FILE:sentry>
                     --programs ${CMAKE_BINARY_DIR}/tests/programs ${case})
    set_tests_properties(${prefix}.${case} PROPERTIES TIMEOUT 120
                         LABELS integration)
  endforeach()
endfunction()
