#!/usr/bin/env bash
# gcore_bench.sh - sentrydbg gcore of a 1 GiB-RSS process against gdb's
# gcore of the same program run natively (issue 18).
#
#   bench/gcore_bench.sh [SENTRY]    (root; MIB=1024 RUNS=5 by default)
#
# bench/gcore_big MIB touches MIB of anonymous memory and sleeps; one
# copy runs under the sentry, one natively. farm-bench times, in turns,
# `sentrydbg NAME -c 'gcore PID FILE'` and `gcore -o FILE PID` (gdb's),
# each writing its core to the same tmpfs (/dev/shm), and checks both cores
# have the memory (file size >= MIB). Writes bench/results-gcore.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
SENTRY=${1:-${SENTRY:-$root/build/sentry}}
SENTRYDBG=$(dirname "$SENTRY")/sentrydbg
MIB=${MIB:-1024}
RUNS=${RUNS:-5}
RESULTS=${RESULTS:-$here/results-gcore.md}
command -v gcore >/dev/null || { echo "gcore_bench: gdb's gcore not found" >&2; exit 2; }
command -v farm-bench >/dev/null || { echo "gcore_bench: farm-bench not found" >&2; exit 2; }

# The cores go to memory (tmpfs): what is measured is the dump, not how
# this machine's disk and dirty-page writeback feel at the moment.
tmp=$(mktemp -d /dev/shm/gcore-bench.XXXXXX)
cc -O2 -Wall -o "$tmp/gcore_big" "$here/gcore_big.c" || exit 2
name=gcore-bench-$$
spid= npid=
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	[ -n "$npid" ] && kill "$npid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$SENTRY" run --name "$name" --no-mount -- "$tmp/gcore_big" "$MIB" >"$tmp/s.out" 2>&1 &
spid=$!
"$tmp/gcore_big" "$MIB" >"$tmp/n.out" &
npid=$!
for _ in $(seq 300); do
	grep -q ready "$tmp/s.out" && grep -q ready "$tmp/n.out" && break
	sleep 0.2
done
inner=$(awk '/ready/ {print $2}' "$tmp/s.out")
[ -n "$inner" ] || { echo "gcore_bench: workload not ready" >&2; exit 1; }

farm-bench -n "$RUNS" --timeout 1800 --vs "gcore -o $tmp/gdb.core $npid" \
	-- "$SENTRYDBG" "$name" -c "gcore $inner $tmp/sentry.core" \
	>"$tmp/farm.txt" 2>&1
cat "$tmp/farm.txt"
s_size=$(stat -c %s "$tmp/sentry.core" 2>/dev/null || echo 0)
g_size=$(stat -c %s "$tmp/gdb.core.$npid" 2>/dev/null || echo 0)
a_wall=$(awk '$1 == "A" && $2 == "wall" { print $5; exit }' "$tmp/farm.txt")
b_wall=$(awk '$1 == "B" && $2 == "wall" { print $5; exit }' "$tmp/farm.txt")
ratio=$(awk '/ratio|A\/B/ && /wall/ { print; exit }' "$tmp/farm.txt")
{
	echo "## gcore of a $MIB MiB-RSS process ($(date -u +%Y-%m-%d), $(nproc) CPUs)"
	echo
	echo "bench/gcore_bench.sh: median wall time of $RUNS runs (farm-bench, A and B in turns)."
	echo
	echo "| command | median | core size |"
	echo "|---|---|---|"
	echo "| A: sentrydbg -c 'gcore PID FILE' (under the sentry) | ${a_wall} s | $s_size |"
	echo "| B: gdb's gcore -o FILE PID (native) | ${b_wall} s | $g_size |"
	echo
	echo "farm-bench: ${ratio:-see its output}"
	echo
} | tee "$RESULTS"
