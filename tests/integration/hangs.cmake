# Why is it stuck (issue 18): tests/programs/hang_*.c deadlocked under
# `sentry run`, inspected by tests/integration/hangs.py with sentrydbg
# hangs/why/ps and tasks/TID/blocked, one ctest per case (hangs.CASE).
# Included from tests/integration/CMakeLists.txt.
foreach(prog hang_pipes hang_mutex hang_misc)
  add_executable(${prog} ${CMAKE_CURRENT_LIST_DIR}/../programs/${prog}.c)
  target_compile_options(${prog} PRIVATE -Wall -Werror -O0 -g -fno-sanitize=all)
  target_link_options(${prog} PRIVATE -fno-sanitize=all)
  target_link_libraries(${prog} PRIVATE Threads::Threads)
  set_target_properties(${prog} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_BINARY_DIR}/tests/programs)
endforeach()

set(HANGS_PY ${CMAKE_CURRENT_LIST_DIR}/hangs.py)
execute_process(COMMAND ${Python3_EXECUTABLE} ${HANGS_PY} --list
                OUTPUT_VARIABLE HANGS_CASES
                OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE HANGS_LIST_RESULT)
if(NOT HANGS_LIST_RESULT EQUAL 0)
  message(FATAL_ERROR "hangs.py --list failed")
endif()
string(REPLACE "\n" ";" HANGS_CASES "${HANGS_CASES}")
foreach(case ${HANGS_CASES})
  add_test(NAME hangs.${case}
           COMMAND ${Python3_EXECUTABLE} ${HANGS_PY}
                   --sentry $<TARGET_FILE:sentry>
                   --programs ${CMAKE_BINARY_DIR}/tests/programs ${case})
  set_tests_properties(hangs.${case} PROPERTIES TIMEOUT 120
                       LABELS integration)
endforeach()
