#!/usr/bin/env bash
# hangs_bench.sh - the cost of sentrydbg hangs, why and ps over 10,000 tasks
# (issue 18).
#
#   bench/hangs_bench.sh [SENTRY]    (root; SENTRY or $SENTRY, default
#                                     build/sentry; sentrydbg next to it)
#
# Starts bench/hangs_world N (default TASKS=10000) under the sentry: half
# of the tasks read a pipe only they can write (each stuck on itself),
# half sleep with a timeout. Then times, with farm-bench (median of RUNS),
# `sentrydbg NAME -c 'hangs --json'`, `-c hangs`, `-c ps` and `-c 'why T'`
# (process start and the socket round trip included), and checks that
# hangs names exactly the pipe readers. As a yardstick for what the host's
# /proc costs here, the same reads natively: every task's stat and
# syscall, and every FD table (ls -l /proc/PID/fd, as lsof does).
#
# Writes bench/results-hangs.md (RESULTS=FILE to change) and prints it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
SENTRY=${1:-${SENTRY:-$root/build/sentry}}
SENTRYDBG=$(dirname "$SENTRY")/sentrydbg
TASKS=${TASKS:-10000}
RUNS=${RUNS:-7}
RESULTS=${RESULTS:-$here/results-hangs.md}
[ -x "$SENTRY" ] && [ -x "$SENTRYDBG" ] || {
	echo "hangs_bench: $SENTRY or $SENTRYDBG not built" >&2; exit 2; }
command -v farm-bench >/dev/null || {
	echo "hangs_bench: farm-bench not found" >&2; exit 2; }

tmp=$(mktemp -d /tmp/hangs-bench.XXXXXX)
export SENTRY_RUNTIME_DIR=$tmp/run
mkdir -p "$SENTRY_RUNTIME_DIR"
cc -O2 -Wall -o "$tmp/hangs_world" "$here/hangs_world.c" || exit 2
name=hangs-bench-$$
spid=
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$SENTRY" run --name "$name" --no-mount -- "$tmp/hangs_world" "$TASKS" \
	>"$tmp/out" 2>"$tmp/err" &
spid=$!
for _ in $(seq 600); do
	grep -q ready "$tmp/out" && break
	kill -0 "$spid" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
	sleep 0.2
done
grep -q ready "$tmp/out" || { echo "hangs_bench: workload not ready" >&2; exit 1; }

# The check: exactly the pipe readers (odd children) are stuck.
"$SENTRYDBG" "$name" -c 'hangs --json' >"$tmp/hangs.json" || exit 1
check=$(python3 - "$tmp/hangs.json" "$TASKS" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
blocked = {e["tid"]: e for e in d["blocked"]}
readers = sorted(t for t, e in blocked.items()
                 if e["syscall"] == "read" and e["object"].startswith("pipe:"))
ok = d["stuck"] == readers and len(readers) == n // 2
print("%s: %d stuck, %d pipe readers, %d cycles" %
      ("ok" if ok else "WRONG", len(d["stuck"]), len(readers), len(d["cycles"])))
PY
)
reader=$(python3 -c "import json,sys; print(json.load(open('$tmp/hangs.json'))['stuck'][0])")

median() { # farm-bench output: "A wall s  MIN MEDIAN MAX"
	awk '$1 == "A" && $2 == "wall" { print $5 " s"; exit }'
}
time_cmd() {
	farm-bench -n "$RUNS" --timeout 600 -- "$@" 2>&1 | tee -a "$tmp/farm.log" | median
}

# A native look at the same tasks: what /proc costs on this machine.
cat >"$tmp/native.py" <<'PY'
import os
for p in os.listdir("/proc"):
    if p.isdigit():
        for f in ("stat", "syscall"):
            try:
                with open("/proc/%s/%s" % (p, f), "rb") as fh:
                    fh.read()
            except OSError:
                pass
PY
cat >"$tmp/native_fd.sh" <<'SH'
ls -l /proc/[0-9]*/fd/ >/dev/null 2>&1
SH

t_json=$(time_cmd "$SENTRYDBG" "$name" -c 'hangs --json')
t_text=$(time_cmd "$SENTRYDBG" "$name" -c 'hangs')
t_ps=$(time_cmd "$SENTRYDBG" "$name" -c 'ps')
t_why=$(time_cmd "$SENTRYDBG" "$name" -c "why $reader")
t_nat=$(time_cmd python3 "$tmp/native.py")
t_natfd=$(time_cmd sh "$tmp/native_fd.sh")

{
	echo "## sentrydbg hangs over $TASKS tasks ($(date -u +%Y-%m-%d), $(nproc) CPUs)"
	echo
	echo "bench/hangs_bench.sh: bench/hangs_world $TASKS under the sentry, half"
	echo "blocked reading a pipe only they hold (stuck), half in nanosleep."
	echo "Wall time, median of $RUNS (farm-bench), process start included."
	echo "Check: $check."
	echo
	echo "| command | median |"
	echo "|---|---|"
	echo "| sentrydbg -c 'hangs --json' | $t_json |"
	echo "| sentrydbg -c hangs | $t_text |"
	echo "| sentrydbg -c ps | $t_ps |"
	echo "| sentrydbg -c 'why $reader' | $t_why |"
	echo "| native: stat + syscall of every process (python3) | $t_nat |"
	echo "| native: ls -l /proc/*/fd/ (every FD table) | $t_natfd |"
	echo
} | tee "$RESULTS"
