# Why is it stuck (issue 18): tests/programs/hang_*.c deadlocked under
# `sentry run`, inspected by tests/integration/hangs.py with sentrydbg
# hangs/why/ps and tasks/TID/blocked, one ctest per case (hangs.CASE).
# Included from tests/integration/CMakeLists.txt.
foreach(prog hang_pipes hang_mutex hang_misc)
  sentry_test_program(${prog} DEBUG)
endforeach()
sentry_python_cases(hangs ${CMAKE_CURRENT_LIST_DIR}/hangs.py)
