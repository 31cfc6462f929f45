#!/usr/bin/env bash
# Benchmarks: sentry against native and gVisor's runsc (ptrace platform).
# See bench/README.md.
#
#   bench/run.sh [SENTRY_BINARY]
#
# Environment:
#   SENTRY     sentry binary (default: build/sentry of this repo; the first
#              argument wins over it)
#   REPS       repetitions per measurement, median taken (default 5)
#   FORKS      fork+exec iterations per run (default 500)
#   RUNSC      runsc binary (default: runsc on PATH, installed with apt-get
#              when missing and we are root); RUNSC=none skips runsc
#   OUT        results file (default bench/results.md)
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH_DIR")
SENTRY=${1:-${SENTRY:-$REPO/build/sentry}}
REPS=${REPS:-5}
FORKS=${FORKS:-500}
OUT=${OUT:-$BENCH_DIR/results.md}
B=$BENCH_DIR/build
LOG=$B/stderr.log
RUNSC_FLAGS=(--platform=ptrace --network=none)

die() { echo "run.sh: $*" >&2; exit 1; }

case $SENTRY in /*) ;; *) SENTRY=$PWD/$SENTRY ;; esac
[ -x "$SENTRY" ] || die "no sentry binary at $SENTRY: pass its path as the first argument, or build it (cmake -S $REPO -B $REPO/build && make -C $REPO/build sentry)"
make -s -C "$BENCH_DIR" OUT="$B" >/dev/null || die "cannot build the benchmark programs"
: >"$LOG"

# --- runsc: find or install it, and check that `runsc do` works here -----
RUNSC_WHY=""
RUNSC=${RUNSC:-runsc}
if [ "$RUNSC" = none ]; then
	RUNSC_WHY="skipped (RUNSC=none)"
elif ! command -v "$RUNSC" >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing runsc (apt-get install -y runsc)..." >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y runsc >>"$LOG" 2>&1 ||
			{ apt-get update >>"$LOG" 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y runsc >>"$LOG" 2>&1; }
	fi
	command -v "$RUNSC" >/dev/null || RUNSC_WHY="runsc not installed (apt-get install runsc failed or not root)"
fi
if [ -z "$RUNSC_WHY" ]; then
	if [ "$(id -u)" != 0 ]; then
		RUNSC_WHY="runsc do needs root"
	elif ! err=$(cd "$BENCH_DIR" && timeout 60 "$RUNSC" "${RUNSC_FLAGS[@]}" do /bin/true 2>&1); then
		RUNSC_WHY="runsc do fails here: $(printf '%s' "$err" | tail -n 1 | cut -c1-120)"
	fi
fi
[ -n "$RUNSC_WHY" ] && echo "runsc: $RUNSC_WHY" >&2

# --- helpers ---------------------------------------------------------------

# in_env ENV CMD...: runs CMD natively, under the sentry, under runsc, or
# under the raw tracer (raw: waitpid+CONT; rawregs: +GETREGS/SETREGS), on
# CPU 0 only when PIN=1. Output always goes through a pipe: runsc writes a
# regular-file stdout at its own offset and would overwrite what others
# wrote.
in_env() {
	local env=$1 pin=()
	shift
	[ "${PIN:-0}" = 1 ] && pin=(taskset -c 0)
	case $env in
	native) "${pin[@]}" "$@" ;;
	sentry) "${pin[@]}" "$SENTRY" run --no-mount -- "$@" ;;
	runsc) "${pin[@]}" "$RUNSC" "${RUNSC_FLAGS[@]}" do "$@" ;;
	raw) "${pin[@]}" "$B/rawtrace" "$@" ;;
	rawregs) "${pin[@]}" "$B/rawtrace" --regs "$@" ;;
	esac 2>>"$LOG" | cat
	return "${PIPESTATUS[0]}"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# MED[SET.ENV] holds the median of each measurement, or FAIL or n/a;
# MIN[SET.ENV] the minimum (what is left when background load is luckiest).
declare -A MED MIN

# measure SET REPS MODE "ENV..." CMD...: runs CMD under each ENV, REPS
# rounds, interleaving the environments within each round so that drift in
# the machine's load hits them all alike. MODE "wall" times the whole
# command (µs); MODE "out" takes the first number CMD prints.
measure() {
	local set=$1 reps=$2 mode=$3 envs=$4 r env out t0 t1
	shift 4
	local -A vals=()
	for env in $envs; do
		vals[$env]=""
		if [ "$env" = runsc ] && [ -n "$RUNSC_WHY" ]; then MED[$set.$env]="n/a"; fi
	done
	for ((r = 0; r < reps; r++)); do
		for env in $envs; do
			[ -n "${MED[$set.$env]:-}" ] && continue # failed or n/a
			t0=$(now_us)
			if ! out=$(cd "$BENCH_DIR" && in_env "$env" "$@"); then
				MED[$set.$env]=FAIL
				echo "  $set under $env failed; see $LOG" >&2
				continue
			fi
			t1=$(now_us)
			[ "$mode" = wall ] && out=$((t1 - t0))
			out=${out%%[ $'\n']*}
			[ -n "$out" ] || { MED[$set.$env]=FAIL; continue; }
			vals[$env]+="$out "
		done
	done
	for env in $envs; do
		[ -n "${MED[$set.$env]:-}" ] && continue
		MED[$set.$env]=$(printf '%s\n' ${vals[$env]} | median)
		MIN[$set.$env]=$(printf '%s\n' ${vals[$env]} | sort -g | head -n 1)
	done
}

ratio() { # a b -> "a/b×" or "—"
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f×\n", a / b
		else print "—" }'
}

scale() { # value divisor -> value/divisor with one decimal, or value as is
	awk -v a="$1" -v d="$2" 'BEGIN { if (a ~ /^[0-9.]+$/) printf "%.1f\n", a / d; else print a }'
}

rate() { awk -v x="$1" 'BEGIN { if (x ~ /^[0-9.]+$/ && x > 0) printf "%.0f", 1e9 / x; else print "—" }'; }

ROWS=()
# row NAME NATIVE SENTRY RUNSC NOTES
row() {
	ROWS+=("| $1 | $2 | $3 | $4 | $(ratio "$3" "$2") | $(ratio "$4" "$2") | $5 |")
	echo "  $1: native $2, sentry $3, runsc $4" >&2
}

# --- benchmarks --------------------------------------------------------------
# CPU time of the whole machine (busy, steal) in clock ticks, and of this
# script's finished children, to tell how much else ran meanwhile.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $9 }' /proc/stat; }
# Sets OWN to the CPU ticks of this shell and its finished children (in
# this shell, not a subshell: a subshell's times start from zero).
own_ticks() {
	times >"$B/times"
	OWN=$(awk -v hz="$(getconf CLK_TCK)" '{ for (i = 1; i <= 2; i++) {
		split($i, a, /[ms]/); t += a[1] * 60 + a[2] } } END { print int(t * hz) }' "$B/times")
}
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
read -r BUSY0 STEAL0 < <(cpu_ticks)
own_ticks
OWN0=$OWN
echo "benchmarking $SENTRY ..." >&2

ALL="native sentry runsc"
GP=("$B/getpid" 200000 1000)
LOOP="for i in \$(seq $FORKS); do /bin/true; done"

measure startup "$REPS" wall "$ALL" /bin/true
row "sandbox start-up: \`/bin/true\` (ms, whole command)" \
	"$(scale "${MED[startup.native]}" 1000)" "$(scale "${MED[startup.sentry]}" 1000)" \
	"$(scale "${MED[startup.runsc]}" 1000)" "wall time of the whole command, median of $REPS"

ON0=", everything on CPU 0 (\`taskset -c 0\`)"
for pin in 0 1; do
	on=""
	[ $pin = 1 ] && on=$ON0
	k=forkexec$pin
	PIN=$pin measure $k "$REPS" out "$ALL" "$B/timeit" 1 sh -c "$LOOP"
	row "fork+exec: $FORKS × \`/bin/true\` from sh$on (ms)" \
		"$(scale "${MED[$k.native]}" 1e6)" "$(scale "${MED[$k.sentry]}" 1e6)" \
		"$(scale "${MED[$k.runsc]}" 1e6)" \
		"timed inside the sandbox by \`timeit\` (start-up excluded); target sentry ≤ 1.3× native; minima: native $(scale "${MIN[$k.native]:-n/a}" 1e6), sentry $(scale "${MIN[$k.sentry]:-n/a}" 1e6) ($(ratio "${MIN[$k.sentry]:-}" "${MIN[$k.native]:-}")), runsc $(scale "${MIN[$k.runsc]:-n/a}" 1e6)"
done

for pin in 0 1; do
	on=""
	[ $pin = 1 ] && on=$ON0
	k=getpid$pin
	PIN=$pin measure $k "$REPS" out "$ALL raw rawregs" "${GP[@]}"
	n=$(scale "${MED[$k.native]}" 1) s=$(scale "${MED[$k.sentry]}" 1)
	raw=$(scale "${MED[$k.raw]}" 1) rawr=$(scale "${MED[$k.rawregs]}" 1)
	row "getpid: \`syscall(SYS_getpid)\`$on (ns/call)" "$n" "$s" "$(scale "${MED[$k.runsc]}" 1)" \
		"raw seccomp-trace round trip (waitpid+CONT) $raw ns, raw+GETREGS/SETREGS $rawr ns; **sentry/raw $(ratio "$s" "$raw")** (target ≤ 1.2×), sentry/(raw+regs) $(ratio "$s" "$rawr"); minima: sentry ${MIN[$k.sentry]:-n/a}, raw ${MIN[$k.raw]:-n/a} (sentry/raw $(ratio "${MIN[$k.sentry]:-}" "${MIN[$k.raw]:-}"))"
done

for pin in 0 1; do
	on=""
	[ $pin = 1 ] && on=$ON0
	for v in wait handler; do
		k=pp$v$pin
		PIN=$pin measure $k "$REPS" out "$ALL" "$B/sigpingpong" "$v" 100000 1000
		n=$(scale "${MED[$k.native]}" 1) s=$(scale "${MED[$k.sentry]}" 1) r=$(scale "${MED[$k.runsc]}" 1)
		if [ $v = wait ]; then what="kill + sigwaitinfo"; else what="kill + handler (sigsuspend)"; fi
		row "signal ping-pong, $what$on (ns/round trip)" "$n" "$s" "$r" \
			"round trips/s: native $(rate "$n"), sentry $(rate "$s"), runsc $(rate "$r")"
	done
done

T_END=$(date +%s)
read -r BUSY1 STEAL1 < <(cpu_ticks)
own_ticks
OWN1=$OWN
OTHER=$(awk -v b=$((BUSY1 - BUSY0)) -v o=$((OWN1 - OWN0)) -v s=$((STEAL1 - STEAL0)) -v hz="$(getconf CLK_TCK)" \
	'BEGIN { x = (b - o - s) / hz; if (x < 0) x = 0; printf "%.1f CPU-s by other processes, %.1f s stolen by the hypervisor", x, s / hz }')

# --- report ------------------------------------------------------------------
rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "?")
git -C "$REPO" diff --quiet 2>/dev/null || rev="$rev+dirty"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
runsc_ver=$([ -z "$RUNSC_WHY" ] && "$RUNSC" --version 2>/dev/null | head -n 1 || echo "$RUNSC_WHY")
{
	echo "# sentry benchmarks"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: $(nproc) CPUs ($cpu), kernel $(uname -srm)"
	echo "- sentry: \`$SENTRY\` (repo $rev), run as \`sentry run --no-mount --\`"
	echo "- runsc: $runsc_ver, run as \`runsc ${RUNSC_FLAGS[*]} do\`"
	echo "- load average before / after: $LOAD_START / $(cut -d' ' -f1-3 /proc/loadavg); during the run: $OTHER (anything else running skews these numbers)"
	echo "- total benchmark time: $((T_END - T_START)) s; every value is the median of $REPS interleaved runs; lower is better everywhere; ratios are slowdowns"
	echo "- rows \"on CPU 0\" run the whole command under \`taskset -c 0\`: no cross-CPU wake-ups, which on this VM cost tens of µs when the other CPU is idle"
	echo
	echo "| benchmark | native | sentry | runsc | sentry/native | runsc/native | notes |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
	printf '%s\n' "${ROWS[@]}"
} >"$OUT"
cat "$OUT"
