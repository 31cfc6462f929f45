#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs dependencies,
# builds the normal, the ASan+UBSan and the TSan builds, runs every unit and
# integration test in the first two, and in the TSan build the tests of the
# paths where threads meet: the filesystem (its stress test among them) and
# the debugger's server.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh --asan --tsan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# die_after_fork=0: the in-process mount test forks helpers while its FUSE
# threads run, which TSan refuses by default.
export TSAN_OPTIONS="suppressions=$PWD/tests/procfs/tsan.supp die_after_fork=0"
status=0
echo "== tests: build/ =="
(cd build && ctest --output-on-failure -j 2 --timeout 300) || status=1
echo "== tests: build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer) =="
(cd build-asan && ctest --output-on-failure -j 2 --timeout 300) || status=1
echo "== tests: build-tsan/ (ThreadSanitizer: filesystem and debugger) =="
(cd build-tsan && ctest --output-on-failure -j 2 --timeout 300 \
	-R '^(procfs|debugger)\.') || status=1
exit $status
