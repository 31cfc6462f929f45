#!/usr/bin/env bash
# Installs everything sentry needs to build, test and demo on Debian 12.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it uses apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential cmake pkg-config git ca-certificates \
	libfuse3-dev fuse3 libseccomp-dev liburcu-dev libcmocka-dev \
	libjansson-dev libunwind-dev libreadline-dev liburing-dev \
	procps psmisc lsof util-linux python3 make clang \
	strace gdb libelf-dev elfutils
