# Signal conformance tests (issue 3): tests/programs/sig_*.c run natively
# and under `sentry run` by tests/integration/signals.py, one ctest per
# case (signals.CASE). Included from tests/integration/CMakeLists.txt.
file(GLOB SIGNAL_TEST_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/../programs/sig_*.c)
foreach(src ${SIGNAL_TEST_SOURCES})
  get_filename_component(prog ${src} NAME_WE)
  # POSIX timers (timer_create) live in librt on older glibc.
  sentry_test_program(${prog} LIBS rt)
endforeach()
sentry_python_cases(signals ${CMAKE_CURRENT_LIST_DIR}/signals.py)
