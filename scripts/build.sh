#!/usr/bin/env bash
# Builds sentry into build/ (RelWithDebInfo); with --asan, also into
# build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer; with
# --tsan, also into build-tsan/ with ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
asan=0 tsan=0
for arg in "$@"; do
	case $arg in
	--asan) asan=1 ;;
	--tsan) tsan=1 ;;
	*)
		echo "usage: scripts/build.sh [--asan] [--tsan]" >&2
		exit 2
		;;
	esac
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
if [ $asan = 1 ]; then
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSENTRY_SANITIZE=ON >/dev/null
	cmake --build build-asan -j "$jobs"
fi
if [ $tsan = 1 ]; then
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DSENTRY_TSAN=ON >/dev/null
	cmake --build build-tsan -j "$jobs"
fi
