# Tracers inside the sandbox (emulated ptrace, issue 16):
# tests/programs/ptrace_ops.c modes and real strace and gdb, run natively
# and under `sentry run` by tests/integration/tracers.py, one ctest per
# case (tracers.CASE). Included from tests/integration/CMakeLists.txt.
foreach(prog ptrace_ops gdb_target)
  add_executable(${prog} ${CMAKE_CURRENT_LIST_DIR}/../programs/${prog}.c)
  # -O0 -g: gdb's breakpoints, variables and finish need the frames.
  target_compile_options(${prog} PRIVATE -Wall -Werror -O0 -g -fno-sanitize=all)
  target_link_options(${prog} PRIVATE -fno-sanitize=all)
  target_link_libraries(${prog} PRIVATE Threads::Threads)
  set_target_properties(${prog} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_BINARY_DIR}/tests/programs)
endforeach()

set(TRACERS_PY ${CMAKE_CURRENT_LIST_DIR}/tracers.py)
execute_process(COMMAND ${Python3_EXECUTABLE} ${TRACERS_PY} --list
                OUTPUT_VARIABLE TRACER_CASES
                OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE TRACER_LIST_RESULT)
if(NOT TRACER_LIST_RESULT EQUAL 0)
  message(FATAL_ERROR "tracers.py --list failed")
endif()
string(REPLACE "\n" ";" TRACER_CASES "${TRACER_CASES}")
foreach(case ${TRACER_CASES})
  add_test(NAME tracers.${case}
           COMMAND ${Python3_EXECUTABLE} ${TRACERS_PY}
                   --sentry $<TARGET_FILE:sentry>
                   --programs ${CMAKE_BINARY_DIR}/tests/programs ${case})
  set_tests_properties(tracers.${case} PROPERTIES TIMEOUT 120
                       LABELS integration)
endforeach()
