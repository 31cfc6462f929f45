# Tracers inside the sandbox (emulated ptrace, issue 16):
# tests/programs/ptrace_ops.c modes and real strace and gdb, run natively
# and under `sentry run` by tests/integration/tracers.py, one ctest per
# case (tracers.CASE). Included from tests/integration/CMakeLists.txt.
# DEBUG: gdb's breakpoints, variables and finish need the frames.
foreach(prog ptrace_ops gdb_target)
  sentry_test_program(${prog} DEBUG)
endforeach()
sentry_python_cases(tracers ${CMAKE_CURRENT_LIST_DIR}/tracers.py)
