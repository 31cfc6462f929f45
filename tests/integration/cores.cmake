# Core files (issue 18): tests/programs/core_target.c under `sentry run`,
# its cores read by gdb and eu-stack in tests/integration/cores.py, one
# ctest per case (cores.CASE). Included from tests/integration/CMakeLists.txt.
sentry_test_program(core_target DEBUG)
sentry_python_cases(cores ${CMAKE_CURRENT_LIST_DIR}/cores.py)
