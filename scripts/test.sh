#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs dependencies,
# builds the normal and the sanitizer (ASan+UBSan) builds, and runs every
# unit and integration test in both.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh --asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "== tests: build/ =="
(cd build && ctest --output-on-failure -j 2 --timeout 300) || status=1
echo "== tests: build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer) =="
(cd build-asan && ctest --output-on-failure -j 2 --timeout 300) || status=1
exit $status
