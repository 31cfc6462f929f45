#!/usr/bin/env bash
# The demo: installs dependencies, builds, runs a small workload under the
# sentry with /mnt/sentry mounted, and looks at the emulated kernel while
# it runs (the filesystem, procps on the proc/ view, and sentrydbg).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_INSTALL:-}" != 1 ]; then
	./scripts/install-deps.sh
fi
echo "building (log: /tmp/sentry-build.log)..."
./scripts/build.sh > /tmp/sentry-build.log 2>&1 || { cat /tmp/sentry-build.log; exit 1; }
S=build/sentry
DBG=build/sentrydbg
MNT=/mnt/sentry
NAME=demo

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "$*"; "$@" || true; }

# The workload: a shell with a pipeline, a background job group, a stopped
# job, a blocked and queued real-time signal, and a python3 with threads.
cat > /tmp/sentry-demo.sh <<'WORKLOAD'
python3 -c '
import threading, time, signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGRTMIN + 1})
ts = [threading.Thread(target=time.sleep, args=(8,)) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]' &
(sleep 9 | cat) &
sleep 30 & job=$!
kill -STOP $job
for i in 1 2 3; do sleep 0.2; done
wait %1 %2
kill -CONT $job; kill $job
echo "demo workload finished"
WORKLOAD

step "$S run --name $NAME -- sh /tmp/sentry-demo.sh &"
$S run --name "$NAME" -- sh /tmp/sentry-demo.sh &
sentry_pid=$!
for _ in $(seq 100); do
	[ -e "$MNT/kernel/state" ] && [ "$(ls "$MNT/tasks" | wc -l)" -ge 10 ] && break
	sleep 0.1
done
sleep 1
py=$(grep -l python3 "$MNT"/tasks/*/comm 2>/dev/null | head -1 | xargs -r dirname | xargs -r basename)
[ -n "$py" ] && $DBG "$NAME" -c "kill $py RTMIN+1 value=42" >/dev/null 2>&1 || true

run ls "$MNT"
run ls "$MNT/tasks"
run cat "$MNT/kernel/state" "$MNT/kernel/counts"
[ -n "$py" ] && run cat "$MNT/tasks/$py/status"
[ -n "$py" ] && run cat "$MNT/tasks/$py/signals"
run sh -c "cat $MNT/pgrps/*/members | head -20"
step "unshare --mount sh -c 'mount --bind $MNT/proc /proc && ps -ef && pstree -p'"
unshare --mount sh -c "mount --bind $MNT/proc /proc && ps -o pid,ppid,pgid,sid,stat,comm -e && pstree -p" || true
run $S list
run $DBG "$NAME" -c "ps; tree"
run $DBG "$NAME" -c "pause; signals ${py:-2}; stop-state ${py:-2}; resume"
run sh -c "$DBG $NAME -c 'dump --json /tmp/sentry-demo-dump.json' && head -c 400 /tmp/sentry-demo-dump.json; echo"
step "wait for the workload"
wait "$sentry_pid" && echo "sentry exited with status $?"
