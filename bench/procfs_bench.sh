#!/bin/bash
# procfs_bench.sh - the cost of the sentry's FUSE filesystem (issue 4,
# DESIGN §6) against the host's own /proc at the same task count.
#
#   bench/procfs_bench.sh [SENTRY_BINARY]        # default: build/sentry
#   SENTRY=/path/sentry bench/procfs_bench.sh
#   COUNTS="1000" REPS=5 bench/procfs_bench.sh   # quicker
#
# Run as root (the sentry mounts FUSE; unshare/nsenter need it). For each
# N in COUNTS it starts a holder program under `sentry run` (N sleeping
# children, so the sandbox has N+2 tasks). The sandbox's tasks are real
# host processes in their own PID namespace, with its own /proc mounted
# (src/platform/ptrace/launch.c): the host side is that /proc, entered
# with `nsenter`, so both sides show exactly the same N+2 processes.
# HOST_SIDE=separate instead starts a second, native holder in a fresh
# PID namespace (`unshare --pid --fork --mount-proc`), as earlier
# versions did; it doubles the host's processes, and with 2 x 10,000 of
# them this VM's kdamond takes up to a CPU (bench/README.md, Notes).
# Then, interleaving the two sides REPS times, it times:
#   ls        `ls MNT/tasks`                 vs `ls /proc` in the PID ns
#   status    `cat MNT/tasks/*/status`       vs `cat /proc/[0-9]*/status`
#   ps -e     `ps -e` with MNT/proc bind-mounted over /proc (private mount
#             ns)                            vs `ps -e` in the PID ns
# and, last, how much a CPU+fork workload under the sentry slows while a
# reader (bench/procfs_walk.c) walks the whole mounted tree continuously.
# Prints a markdown table and writes it to bench/results-procfs.md.
# Every value is a median; "min" columns are the fastest run.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
SENTRY=${1:-${SENTRY:-$ROOT/build/sentry}}
COUNTS=${COUNTS:-"1000 10000"}
REPS=${REPS:-7}
WREPS=${WREPS:-5}
OUT=${OUT:-$ROOT/bench/results-procfs.md}
HOST_SIDE=${HOST_SIDE:-sandbox}
B=$ROOT/bench/build/procfs
T=$(mktemp -d /tmp/procfs_bench.XXXXXX)
MNT=$T/mnt

die() { echo "procfs_bench: $*" >&2; exit 1; }
case $HOST_SIDE in
sandbox) holders=1 ;;
separate) holders=2 ;;
*) die "HOST_SIDE must be sandbox or separate, not '$HOST_SIDE'" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$SENTRY" ] || die "no sentry binary at $SENTRY"
[ -c /dev/fuse ] || die "no /dev/fuse"
mkdir -p "$B" || exit 1
for p in spawn timeit walk work perfile; do
	gcc -O2 -Wall -o "$B/procfs_$p" "$ROOT/bench/procfs_$p.c" || die "gcc procfs_$p.c"
done

maxn=0
for n in $COUNTS; do [ "$n" -gt "$maxn" ] && maxn=$n; done
pidmax=$(cat /proc/sys/kernel/pid_max)
[ $((holders * maxn + 2000)) -lt "$pidmax" ] || die "pid_max $pidmax is too small for $holders x $maxn processes"
ulimit -u unlimited 2>/dev/null || ulimit -u $((holders * maxn + maxn + 4000)) 2>/dev/null
[ "$(ulimit -u)" = unlimited ] || [ "$(ulimit -u)" -gt $((holders * maxn + 1000)) ] ||
	die "ulimit -u $(ulimit -u) is too small for $holders x $maxn processes"

SPID= UPID=
cleanup() {
	touch "$T"/s*/stop "$T"/n*/stop "$T/go" 2>/dev/null
	[ -n "$SPID" ] && wait "$SPID" 2>/dev/null
	[ -n "$UPID" ] && wait "$UPID" 2>/dev/null
	mountpoint -q "$MNT" && umount -l "$MNT"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }
minimum() { sort -n | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "n/a") printf "%.2f", a / b; else print "n/a" }'; }
wait_file() { # FILE SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
# CPU time (clock ticks) of the host's kdamond threads (DAMON): on this
# project's VMs they take up to a whole CPU while thousands of processes
# share pages, and skew the 10,000-task rows (bench/README.md, Notes).
kdamond_ticks() {
	local p sum=0 v
	for p in $(pgrep -x 'kdamond.*' 2>/dev/null); do
		v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && sum=$((sum + v))
	done
	echo "$sum"
}
kd0=$(kdamond_ticks)
t_start=$(date +%s)
ROWS=()
ERRLOG=$T/stderr.log
: >"$ERRLOG"

for N in $COUNTS; do
	echo "procfs_bench: N=$N: starting the sandbox (host side: $HOST_SIDE)..." >&2
	mkdir -p "$T/s$N" "$T/n$N" "$MNT"
	"$SENTRY" run --name "pfb$$" --mount "$MNT" -- "$B/procfs_spawn" "$N" "$T/s$N" 2>>"$ERRLOG" &
	SPID=$!
	if [ "$HOST_SIDE" = separate ]; then
		unshare --pid --fork --mount-proc "$B/procfs_spawn" "$N" "$T/n$N" 2>>"$ERRLOG" &
		UPID=$!
	fi
	wait_file "$T/s$N/ready" 600 || die "the sandbox did not start $N processes (see $ERRLOG)"
	if [ "$HOST_SIDE" = separate ]; then
		wait_file "$T/n$N/ready" 600 || die "the native namespace did not start $N processes"
		NS=$(pgrep -P "$UPID" | head -1)
		[ -n "$NS" ] || die "cannot find the native namespace's init"
	else
		# The sandbox's init (PID 1 inside) is the sentry's child.
		NS=$(pgrep -P "$SPID" -x sentry-init | head -1)
		[ -n "$NS" ] || die "cannot find the sandbox's init"
	fi
	ntasks=$(ls "$MNT/tasks" | wc -l)
	nproc_ns=$(nsenter -t "$NS" -p -m sh -c 'ls -d /proc/[0-9]* | wc -l')
	declare -A V=()
	for ((r = 0; r < REPS; r++)); do
		V[ls_s]+="$("$B/procfs_timeit" 1 ls "$MNT/tasks" | cut -d' ' -f1) "
		V[ls_n]+="$(nsenter -t "$NS" -p -m "$B/procfs_timeit" 1 ls /proc | cut -d' ' -f1) "
		V[st_s]+="$("$B/procfs_timeit" 1 sh -c "cat $MNT/tasks/*/status" | cut -d' ' -f1) "
		V[st_n]+="$(nsenter -t "$NS" -p -m "$B/procfs_timeit" 1 sh -c 'cat /proc/[0-9]*/status' | cut -d' ' -f1) "
		V[ps_s]+="$(unshare --mount sh -c "mount --bind $MNT/proc /proc && exec $B/procfs_timeit 1 ps -e" 2>>"$ERRLOG" | cut -d' ' -f1) "
		V[ps_n]+="$(nsenter -t "$NS" -p -m "$B/procfs_timeit" 1 ps -e | cut -d' ' -f1) "
	done 2>>"$ERRLOG"
	pslines=$(unshare --mount sh -c "mount --bind $MNT/proc /proc && ps -e" 2>>"$ERRLOG" | wc -l)
	# Which of the files ps opens carry the gap (bench/procfs_perfile.c).
	pf_s=$("$B/procfs_perfile" "$MNT/proc" 2>>"$ERRLOG")
	pf_n=$(nsenter -t "$NS" -p -m "$B/procfs_perfile" /proc 2>>"$ERRLOG")
	for m in ls st ps; do
		case $m in
		ls) what="\`ls tasks/\` vs \`ls /proc\` (ms)"; target=1.5 ;;
		st) what="read every task's \`status\`: \`cat tasks/*/status\` vs \`cat /proc/[0-9]*/status\` (ms)"; target=1.5 ;;
		ps) what="\`ps -e\` on \`proc/\` (bind-mounted over /proc) vs \`ps -e\` (ms)"; target=2 ;;
		esac
		s=$(echo ${V[${m}_s]} | tr ' ' '\n' | median)
		n=$(echo ${V[${m}_n]} | tr ' ' '\n' | median)
		smin=$(echo ${V[${m}_s]} | tr ' ' '\n' | minimum)
		nmin=$(echo ${V[${m}_n]} | tr ' ' '\n' | minimum)
		q=$(ratio "$s" "$n")
		ok=$(awk -v q="$q" -v t="$target" 'BEGIN { print (q != "n/a" && q <= t) ? "yes" : "**no**" }')
		ROWS+=("| $N | $what | $n | $s | ${q}× | ≤ ${target}× $ok | min: host $nmin, sentry $smin ($(ratio "$smin" "$nmin")×) |")
	done
	ROWS+=("| $N | (check) entries in \`tasks/\`: $ntasks; PIDs in the native /proc: $nproc_ns; lines of \`ps -e\` on proc/: $pslines | | | | | |")
	ROWS+=("| $N | (per file) \`procfs_perfile\`: host /proc: ${pf_n#*: }; sentry proc/: ${pf_s#*: } | | | | | |")
	unset V
	touch "$T/s$N/stop" "$T/n$N/stop"
	wait "$SPID"; st=$?; SPID=
	[ -n "$UPID" ] && wait "$UPID"
	UPID=
	[ "$st" = 0 ] || echo "procfs_bench: the sandbox exited with $st" >&2
done

# (d) A CPU + fork workload under the sentry, alone and while a reader
# walks the whole tree (files and links) in a loop.
FORKS=${FORKS:-200} SPIN=${SPIN:-2000000} HOLD=${HOLD:-500}
echo "procfs_bench: workload slowdown under a continuous reader ($WREPS rounds)..." >&2
alone= loaded= passes=
for ((r = 0; r < WREPS; r++)); do
	for mode in alone loaded; do
		rm -f "$T/go" "$T/work.out"
		"$SENTRY" run --name "pfbw$$" --mount "$MNT" -- "$B/procfs_work" "$FORKS" "$SPIN" "$HOLD" "$T/go" >"$T/work.out" 2>>"$ERRLOG" &
		SPID=$!
		for ((i = 0; i < 600; i++)); do
			[ "$(ls "$MNT/tasks" 2>/dev/null | wc -l)" -ge "$HOLD" ] && break
			sleep 0.1
		done
		WPID=
		if [ $mode = loaded ]; then
			"$B/procfs_walk" "$MNT" 0 >"$T/walk.out" &
			WPID=$!
			sleep 0.5
		fi
		touch "$T/go"
		wait "$SPID"; SPID=
		if [ -n "$WPID" ]; then
			kill -TERM "$WPID"; wait "$WPID"
			passes+="$(cat "$T/walk.out"); "
		fi
		v=$(head -1 "$T/work.out")
		[ $mode = alone ] && alone+="$v " || loaded+="$v "
	done
done
a=$(echo $alone | tr ' ' '\n' | median)
l=$(echo $loaded | tr ' ' '\n' | median)
slow=$(awk -v a="$a" -v l="$l" 'BEGIN { if (a > 0) printf "%.1f", (l / a - 1) * 100; else print "n/a" }')
ok=$(awk -v s="$slow" 'BEGIN { print (s != "n/a" && s < 10) ? "yes" : "**no**" }')
ROWS+=("| $HOLD (+ workload) | workload \`procfs_work $FORKS $SPIN\` (fork + CPU, $FORKS children) under the sentry: alone vs while \`procfs_walk\` reads the whole tree in a loop (ms) | $a (alone) | $l (walked) | +${slow}% | < 10% $ok | alone: $alone; walked: $loaded; walker: $passes |")

t_end=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
kd1=$(kdamond_ticks)
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo +dirty)
{
	echo "# sentryfs (/mnt/sentry) benchmarks"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), kernel $(uname -sr), libfuse $(pkg-config --modversion fuse3 2>/dev/null || echo '?'), procps $(ps --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1)"
	echo "- sentry: \`$SENTRY\` (repo $rev), SENTRY_PROCFS_THREADS=${SENTRY_PROCFS_THREADS:-1}"
	echo "- command: \`COUNTS=\"$COUNTS\" REPS=$REPS WREPS=$WREPS bench/procfs_bench.sh $SENTRY\`; total $((t_end - t_start)) s"
	echo "- load average before / after: $load0 / $load1 (other load on the machine skews every number)"
	echo "- the host's kdamond (DAMON) threads took $(awk -v t=$((kd1 - kd0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }') s of CPU during the $((t_end - t_start)) s run"
	if [ "$HOST_SIDE" = separate ]; then
		echo "- host side (HOST_SIDE=separate): the same holder program natively in its own PID namespace (\`unshare --pid --fork --mount-proc\`), measured through \`nsenter\`, so both sides hold N+1 or N+2 processes; each value is the median of $REPS interleaved runs"
	else
		echo "- host side: the host's own /proc of the sandbox's PID namespace (the same N+2 processes the sentry shows), entered with \`nsenter\`; each value is the median of $REPS interleaved runs"
	fi
	echo
	echo "| N | measurement | host /proc | sentry | ratio | target | notes |"
	echo "| ---: | --- | ---: | ---: | ---: | --- | --- |"
	printf '%s\n' "${ROWS[@]}"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
if [ -s "$ERRLOG" ]; then
	echo "procfs_bench: stderr of the runs (first lines):" >&2
	sort "$ERRLOG" | uniq -c | sort -rn | head -5 >&2
fi
