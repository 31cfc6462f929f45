#!/usr/bin/env bash
# debugger_bench.sh - pause latency and dump time of sentrydbg (issue 5).
#
#   bench/debugger_bench.sh [SENTRY]      (root; SENTRY or $SENTRY, default
#                                          build/sentry; sentrydbg next to it)
#
# (a) Pause with 1,000 running tasks (10 processes x 100 threads of
#     bench/debugger_spin): all spinning, then 25% spinning / 75% sleeping.
#     bench/debugger_probe times `pause` over the control socket (request
#     to reply; the reply comes once every task is held, and carries the
#     server's own request-to-held time), then checks that no task's
#     progress counter (/dev/shm) moves while paused and that every one
#     moves again after `resume`. REPEATS (default 10) pauses each.
# (b) Dump with 10,000 tasks (100 x 100 sleeping threads): the workload's
#     own start-up time, the time to pause them all, then `dump --json`
#     over the socket and `sentrydbg NAME -c 'dump --json FILE'` (wall
#     clock, process start included), on the paused kernel and on a
#     running one (the dump pauses it itself).
#
# Appends a Markdown section to bench/results-debugger.md (RESULTS=FILE to
# change) and prints it. Exit status 1 when a pause was not real (a
# counter moved) or a check failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
SENTRY=${1:-${SENTRY:-$root/build/sentry}}
SENTRYDBG=$(dirname "$SENTRY")/sentrydbg
REPEATS=${REPEATS:-10}
RESULTS=${RESULTS:-$here/results-debugger.md}
[ -x "$SENTRY" ] && [ -x "$SENTRYDBG" ] || {
	echo "debugger_bench: $SENTRY or $SENTRYDBG not built" >&2; exit 2; }

tmp=$(mktemp -d /tmp/debugger-bench.XXXXXX)
export SENTRY_RUNTIME_DIR=$tmp/run
mkdir -p "$SENTRY_RUNTIME_DIR"
cc -O2 -Wall -o "$tmp/debugger_spin" "$here/debugger_spin.c" -lpthread || exit 2
cc -O2 -Wall -o "$tmp/debugger_probe" "$here/debugger_probe.c" || exit 2
probe=$tmp/debugger_probe
spid=
status=0

stop_sentry() {
	[ -n "$spid" ] || return 0
	# A paused sentry holds its tasks: resume until it runs, then stop.
	for _ in 1 2 3 4; do
		"$probe" cmd "$sock" '{}' resume >/dev/null 2>&1 || break
	done
	kill "$spid" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	spid=
}
cleanup() { stop_sentry; rm -rf "$tmp"; rm -f /dev/shm/debugger-bench-$$-*; }
trap cleanup EXIT

# start NAME PROCS THREADS SPIN% SLEEP_US: a sentry running debugger_spin.
start() {
	name=$1 shm=/dev/shm/debugger-bench-$$-$1
	sock=$SENTRY_RUNTIME_DIR/$name/ctl
	rm -f "$shm"
	"$SENTRY" run --name "$name" --no-mount -- "$tmp/debugger_spin" -f "$shm" \
		-p "$2" -t "$3" -s "$4" -S "$5" >"$tmp/$name.log" 2>&1 &
	spid=$!
	startup=$("$probe" ready "$shm" 300) || { status=1; return 1; }
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	echo "$name: $startup" >&2
}

field() { # field NAME LINE: the number after NAME in LINE
	echo "$2" | sed -n "s/.*$1 \([0-9.]*\).*/\1/p"
}
now_ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }

rows=()
pause_case() { # pause_case LABEL SPIN%
	start "p$2" 10 100 "$2" 10000 || return
	local out
	out=$("$probe" pause "$sock" "$shm" "$REPEATS" 100) || status=1
	echo "$out" >&2
	local sum; sum=$(echo "$out" | tail -1)
	rows+=("| pause, 1,000 tasks ($1) | $(field startup_ms "$startup") | $REPEATS | $(echo "$sum" | sed 's/.*pause_ms median \([0-9.]*\) max \([0-9.]*\).*/\1 \/ \2/') | $(echo "$sum" | sed 's/.*held_ms median \([0-9.]*\) max \([0-9.]*\).*/\1 \/ \2/') | $(echo "$sum" | sed 's/.*resume_ms median \([0-9.]*\) max \([0-9.]*\).*/\1 \/ \2/') | $(field ran_while_paused "$sum") ran while paused, $(field stuck_after_resume "$sum") not running 10 s after resume ($(field stopped_after_resume "$sum") of them in a ptrace stop) |")
	stop_sentry
}

pause_case "all spinning" 100
pause_case "25% spinning, 75% sleeping 10 ms" 25

# (b) 10,000 tasks.
start d 100 100 0 1000000 && {
	t0=$(now_ms)
	pout=$("$probe" cmd "$sock" '{}' pause)
	t1=$(now_ms)
	held=$(echo "$pout" | sed -n 's/.*"elapsed_ns":\([0-9]*\).*/\1/p')
	pnote="pause $(awk "BEGIN { printf \"%.0f\", $t1 - $t0 }") ms"
	echo "$pout" | grep -q '"ok":true' || pnote="$pnote (ETIMEDOUT: not every task held within the kernel's 2 s)"
	sleep 1
	dsock=$("$probe" dump "$sock" 3)
	echo "socket, paused: $dsock" >&2
	walls=()
	for _ in 1 2 3; do
		a=$(now_ms)
		"$SENTRYDBG" d -c "dump --json $tmp/dump.json" >/dev/null || status=1
		b=$(now_ms)
		walls+=("$(awk "BEGIN { printf \"%.0f\", $b - $a }")")
	done
	bytes=$(stat -c %s "$tmp/dump.json")
	ntasks=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['tasks']), sum('regs' in t for t in d['tasks']))" "$tmp/dump.json" 2>/dev/null || echo "?")
	"$probe" cmd "$sock" '{}' resume >/dev/null
	sleep 1
	a=$(now_ms)
	"$SENTRYDBG" d -c "dump --json $tmp/dump2.json" >/dev/null || status=1
	b=$(now_ms)
	running=$(awk "BEGIN { printf \"%.0f\", $b - $a }")
	rows+=("| dump, 10,000 tasks, kernel paused first ($pnote) | $(field startup_ms "$startup") | 3 | socket: $(echo "$dsock" | sed 's/dump_ms median \([0-9.]*\) max \([0-9.]*\).*/\1 \/ \2/'); sentrydbg -c to FILE: ${walls[*]} | | | $bytes bytes; tasks, with regs: $ntasks |")
	rows+=("| dump, 10,000 tasks, kernel running (dump pauses it) | $(field startup_ms "$startup") | 1 | sentrydbg -c to FILE: $running | | | |")
	stop_sentry
}

machine="$(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/ { print $2 }') GB, Linux $(uname -r)"
{
	echo
	echo "## $(date -u +%Y-%m-%dT%H:%MZ) — \`bench/debugger_bench.sh $SENTRY\`"
	echo
	echo "Machine: $machine. Commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (dirty tree)')."
	echo
	echo "| case | workload start-up (ms) | repeats | round trip, median / max (ms) | server: request to every task held, median / max (ms) | resume, median / max (ms) | checks |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
} | tee -a "$RESULTS"
exit $status
