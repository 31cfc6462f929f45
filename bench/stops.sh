#!/usr/bin/env bash
# Where the sentry's time goes: counts the host ptrace stops and the ptrace
# requests the sentry's platform thread makes while CMD runs, by attaching
# strace to that one thread (it is the only host tracer of the sandbox).
# A profiling aid, not a benchmark: strace slows everything down, but the
# counts are exact.
#
#   bench/stops.sh [SENTRY_BINARY] -- CMD [ARGS...]
#
# Needs strace and root. CMD starts 0.5 s after the sandbox, so that strace
# is attached before it runs.
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SENTRY=${SENTRY:-$(dirname "$BENCH_DIR")/build/sentry}
if [ $# -gt 0 ] && [ "$1" != -- ]; then SENTRY=$1; shift; fi
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || { echo "usage: stops.sh [SENTRY] -- CMD [ARGS...]" >&2; exit 2; }
command -v strace >/dev/null || { echo "stops.sh: strace is not installed" >&2; exit 1; }
TRACE=$(mktemp)
trap 'rm -f "$TRACE"' EXIT

"$SENTRY" run --no-mount -- sh -c 'sleep 0.5; exec "$@"' sh "$@" &
SPID=$!
# The platform thread is the sentry thread whose children are the sandbox's
# init and the doorbell.
TT=""
for _ in $(seq 100); do
	for t in /proc/$SPID/task/*; do
		[ -n "$(cat "$t/children" 2>/dev/null)" ] && TT=${t##*/}
	done
	[ -n "$TT" ] && break
	sleep 0.01
done
[ -n "$TT" ] || { echo "stops.sh: cannot find the platform thread" >&2; wait $SPID; exit 1; }
strace -qq -p "$TT" -o "$TRACE" -e trace=ptrace,wait4,openat,process_vm_readv 2>/dev/null
wait $SPID

echo "== host stops and deaths seen by the platform thread (wait4 results)"
grep '^wait4' "$TRACE" |
	sed -n 's/.*\[{\(.*\)}[]|].*/\1/p; s/.*\[{\(.*\)}\].*/\1/p' |
	sed 's/WIFSTOPPED(s) && //; s/ && s >> 8 == .*//' | sort | uniq -c | sort -rn
grep -o 'PTRACE_EVENT_[A-Z_]*' "$TRACE" | grep -v PTRACE_EVENT_STOP\< | sort | uniq -c | sort -rn
echo "== seccomp stops by syscall"
# Each seccomp stop is read with one PTRACE_GET_SYSCALL_INFO, which names
# the syscall (strace decodes it as nr=__NR_name).
grep -o 'seccomp={nr=__NR_[a-z_0-9]*' "$TRACE" | sed 's/.*__NR_//' |
	sort | uniq -c | sort -rn
echo "== platform-thread system calls"
grep -o '^[a-z_0-9]*(PTRACE_[A-Z_]*\|^[a-z_0-9]*(' "$TRACE" | sort | uniq -c | sort -rn
