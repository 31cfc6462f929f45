# Signal conformance tests (issue 3): tests/programs/sig_*.c run natively
# and under `sentry run` by tests/integration/signals.py, one ctest per
# case (signals.CASE). Included from tests/integration/CMakeLists.txt.
find_package(Threads REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

file(GLOB SIGNAL_TEST_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/../programs/sig_*.c)
set(SIGNAL_TEST_PROGRAMS "")
foreach(src ${SIGNAL_TEST_SOURCES})
  get_filename_component(prog ${src} NAME_WE)
  add_executable(${prog} ${src})
  target_compile_options(${prog} PRIVATE -Wall -Werror -fno-sanitize=all)
  target_link_options(${prog} PRIVATE -fno-sanitize=all)
  # POSIX timers (timer_create) live in librt on older glibc.
  target_link_libraries(${prog} PRIVATE Threads::Threads rt)
  set_target_properties(${prog} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_BINARY_DIR}/tests/programs)
  list(APPEND SIGNAL_TEST_PROGRAMS ${prog})
endforeach()

set(SIGNALS_PY ${CMAKE_CURRENT_LIST_DIR}/signals.py)
execute_process(COMMAND ${Python3_EXECUTABLE} ${SIGNALS_PY} --list
                OUTPUT_VARIABLE SIGNAL_CASES
                OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE SIGNAL_LIST_RESULT)
if(NOT SIGNAL_LIST_RESULT EQUAL 0)
  message(FATAL_ERROR "signals.py --list failed")
endif()
string(REPLACE "\n" ";" SIGNAL_CASES "${SIGNAL_CASES}")
foreach(case ${SIGNAL_CASES})
  add_test(NAME signals.${case}
           COMMAND ${Python3_EXECUTABLE} ${SIGNALS_PY}
                   --sentry $<TARGET_FILE:sentry>
                   --programs ${CMAKE_BINARY_DIR}/tests/programs ${case})
  set_tests_properties(signals.${case} PROPERTIES TIMEOUT 120
                       LABELS integration)
endforeach()
