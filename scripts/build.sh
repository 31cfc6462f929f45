#!/usr/bin/env bash
# Builds sentry into build/ (RelWithDebInfo) and, with --asan, also into
# build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
if [ "${1:-}" = "--asan" ]; then
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSENTRY_SANITIZE=ON >/dev/null
	cmake --build build-asan -j "$jobs"
fi
