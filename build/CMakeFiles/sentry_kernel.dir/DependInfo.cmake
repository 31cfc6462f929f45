
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/kernel/cgroup.c" "CMakeFiles/sentry_kernel.dir/src/kernel/cgroup.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/cgroup.c.o.d"
  "/work/main/src/kernel/fd_table.c" "CMakeFiles/sentry_kernel.dir/src/kernel/fd_table.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/fd_table.c.o.d"
  "/work/main/src/kernel/kernel.c" "CMakeFiles/sentry_kernel.dir/src/kernel/kernel.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/kernel.c.o.d"
  "/work/main/src/kernel/ptrace.c" "CMakeFiles/sentry_kernel.dir/src/kernel/ptrace.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/ptrace.c.o.d"
  "/work/main/src/kernel/signals.c" "CMakeFiles/sentry_kernel.dir/src/kernel/signals.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/signals.c.o.d"
  "/work/main/src/kernel/snapshot.c" "CMakeFiles/sentry_kernel.dir/src/kernel/snapshot.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/snapshot.c.o.d"
  "/work/main/src/kernel/syscalls/dispatch.c" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/dispatch.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/dispatch.c.o.d"
  "/work/main/src/kernel/syscalls/identity.c" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/identity.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/identity.c.o.d"
  "/work/main/src/kernel/syscalls/lifecycle.c" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/lifecycle.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/lifecycle.c.o.d"
  "/work/main/src/kernel/syscalls/signal.c" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/signal.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/signal.c.o.d"
  "/work/main/src/kernel/syscalls/wait.c" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/wait.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/syscalls/wait.c.o.d"
  "/work/main/src/kernel/task.c" "CMakeFiles/sentry_kernel.dir/src/kernel/task.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/task.c.o.d"
  "/work/main/src/kernel/task_clone.c" "CMakeFiles/sentry_kernel.dir/src/kernel/task_clone.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/task_clone.c.o.d"
  "/work/main/src/kernel/task_exec.c" "CMakeFiles/sentry_kernel.dir/src/kernel/task_exec.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/task_exec.c.o.d"
  "/work/main/src/kernel/task_exit.c" "CMakeFiles/sentry_kernel.dir/src/kernel/task_exit.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/task_exit.c.o.d"
  "/work/main/src/kernel/task_set.c" "CMakeFiles/sentry_kernel.dir/src/kernel/task_set.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/task_set.c.o.d"
  "/work/main/src/kernel/task_stop.c" "CMakeFiles/sentry_kernel.dir/src/kernel/task_stop.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/task_stop.c.o.d"
  "/work/main/src/kernel/thread_group.c" "CMakeFiles/sentry_kernel.dir/src/kernel/thread_group.c.o" "gcc" "CMakeFiles/sentry_kernel.dir/src/kernel/thread_group.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
