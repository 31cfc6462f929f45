#!/usr/bin/env bash
# Tracers inside the sandbox (issue 16): strace -f of the same workloads
# natively, inside the sentry and (when it runs here) inside gVisor's
# runsc, in one run. Every traced syscall of the sandboxed strace is a
# round trip through the sentry's emulated ptrace: this is what it costs.
#
#   bench/ptrace_bench.sh [SENTRY_BINARY]
#
# Environment:
#   REPS   runs per workload and side, median taken (default 5)
#   FORKS  fork+exec iterations of the loop workload (default 200)
#   RUNSC  runsc binary (default: runsc on PATH; none skips it)
#   OUT    results file (default bench/results-ptrace.md)
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH_DIR")
SENTRY=${1:-$REPO/build/sentry}
REPS=${REPS:-5}
FORKS=${FORKS:-200}
OUT=${OUT:-$BENCH_DIR/results-ptrace.md}
RUNSC=${RUNSC:-runsc}
W=$(mktemp -d /tmp/ptrace-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

case $SENTRY in /*) ;; *) SENTRY=$PWD/$SENTRY ;; esac
[ -x "$SENTRY" ] || { echo "ptrace_bench.sh: no sentry at $SENTRY" >&2; exit 1; }
command -v strace >/dev/null || { echo "ptrace_bench.sh: strace is not installed (scripts/install-deps.sh)" >&2; exit 1; }
if [ "$RUNSC" != none ] && ! { command -v "$RUNSC" >/dev/null &&
	"$RUNSC" --platform=ptrace --network=none do true >/dev/null 2>&1; }; then
	RUNSC=none
fi

# The make workload: this project's kernel library, configured once in a
# scratch directory and cleaned before every run (outside the timing).
cmake -S "$REPO" -B "$W/mk" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
LOOP="for i in \$(seq $FORKS); do /bin/true; done"

now() { date +%s%N; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# run SIDE CMD...: the wall time of one run in ns, on stdout.
run() {
	local side=$1 t0 t1
	shift
	case $side in
	native) t0=$(now); "$@" >/dev/null 2>&1; t1=$(now) ;;
	sentry) t0=$(now); "$SENTRY" run --no-mount -- "$@" >/dev/null 2>&1; t1=$(now) ;;
	runsc) t0=$(now); "$RUNSC" --platform=ptrace --network=none do "$@" >/dev/null 2>&1; t1=$(now) ;;
	esac
	echo $((t1 - t0))
}

declare -A MED
sides="native sentry"
[ "$RUNSC" != none ] && sides="$sides runsc"
bench() {
	local key=$1 prep=$2
	shift 2
	for side in $sides; do : >"$W/$key.$side"; done
	for ((r = 0; r < REPS; r++)); do
		for side in $sides; do
			[ -n "$prep" ] && eval "$prep"
			run "$side" "$@" >>"$W/$key.$side"
		done
	done
	for side in $sides; do
		MED[$key.$side]=$(median <"$W/$key.$side")
		echo "$key $side: $(tr '\n' ' ' <"$W/$key.$side")" >&2
	done
}

bench forkexec "" strace -f -o /dev/null sh -c "$LOOP"
bench untraced "" sh -c "$LOOP"
bench make "make -s -C $W/mk clean >/dev/null 2>&1" \
	strace -f -o /dev/null make -s -j2 -C "$W/mk" sentry_kernel

ms() { awk -v n="$1" 'BEGIN { printf "%.0f", n / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }
runsc_col() { [ "$RUNSC" != none ] && echo "$(ms "${MED[$1.runsc]}") ($(ratio "${MED[$1.runsc]}" "${MED[$1.native]}"))" || echo "not run here"; }
{
	echo "# Tracers in the sandbox: strace -f, native against the sentry"
	echo
	echo "\`bench/ptrace_bench.sh\`, $(date -u +%Y-%m-%d), $(nproc) CPUs, $(uname -r), $(strace -V | head -1); median of $REPS runs, wall time of the whole command in ms (sandbox start-up included)."
	echo
	echo "| workload | native | sentry | sentry/native | runsc (ptrace platform) |"
	echo "| --- | --- | --- | --- | --- |"
	echo "| \`strace -f -o /dev/null\` of $FORKS × fork+exec \`/bin/true\` from sh | $(ms "${MED[forkexec.native]}") | $(ms "${MED[forkexec.sentry]}") | $(ratio "${MED[forkexec.sentry]}" "${MED[forkexec.native]}") | $(runsc_col forkexec) |"
	echo "| the same loop without strace | $(ms "${MED[untraced.native]}") | $(ms "${MED[untraced.sentry]}") | $(ratio "${MED[untraced.sentry]}" "${MED[untraced.native]}") | $(runsc_col untraced) |"
	echo "| \`strace -f -o /dev/null make -j2\` of this project's kernel library | $(ms "${MED[make.native]}") | $(ms "${MED[make.sentry]}") | $(ratio "${MED[make.sentry]}" "${MED[make.native]}") | $(runsc_col make) |"
	echo
	echo "runsc: $([ "$RUNSC" != none ] && echo "$RUNSC --platform=ptrace" || echo "not installed or \`runsc do\` does not run here")."
} >"$OUT"
cat "$OUT"
