#!/usr/bin/env python3
"""Integration tests: real programs under `sentry run`, compared with the
same programs run natively.

Usage: cases.py --list
       cases.py --sentry PATH --programs DIR CASE

Each case either compares the sandboxed run with the native run (same
stdout after an optional normalisation, same exit status) or checks a
property that only exists under the sentry (the emulated tree agreeing with
ps, reparenting to the sandbox's init, no survivor after SIGKILL...).
"""
import contextlib
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import harness
from harness import case, fail, main, stop_sentry


class Ctx(harness.Ctx):
    def sentry_cmd(self, argv, mount=False):
        cmd = [self.sentry, "run", "--name", f"it-{self.name}-{os.getpid()}"]
        if not mount:
            cmd.append("--no-mount")
        return cmd + ["--"] + argv

    def run(self, argv, sandboxed, timeout=90, **kw):
        cmd = self.sentry_cmd(argv) if sandboxed else argv
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout, **kw)
        # Report a death by signal N as a shell does (128+N), which is
        # what `sentry run` itself exits with.
        if r.returncode < 0:
            r.returncode = 128 - r.returncode
        return r


@contextlib.contextmanager
def mounted_run(ctx, name, argv, d):
    """Runs `sentry run --name it-NAME-PID --mount D/mnt -- ARGV` and yields
    (proc, mnt); then ends the sandbox, checks its mount is gone and
    removes the directory d."""
    mnt = os.path.join(d, "mnt")
    proc = None
    try:
        proc = subprocess.Popen(
            [ctx.sentry, "run", "--name", f"it-{name}-{os.getpid()}",
             "--mount", mnt, "--"] + argv,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        yield proc, mnt
    finally:
        stop_sentry(proc, mnt)
        shutil.rmtree(d, ignore_errors=True)


def host_tid_of(mnt, tid):
    """The host TID behind the sandbox's task tid (tasks/TID/status);
    raises OSError or IndexError while it is not there."""
    with open(os.path.join(mnt, "tasks", str(tid), "status")) as f:
        return [l.split()[1] for l in f.read().splitlines()
                if l.startswith("host_tid:")][0]


def poll(probe, until=lambda v: v is not None, proc=None, seconds=20,
         interval=0.2):
    """Calls probe() every `interval` seconds until until(its value) holds,
    the sandbox `proc` exits or `seconds` pass. An OSError or IndexError
    from probe means "not yet": a file may not exist yet, and a task can
    vanish between a listing and a read. Returns (the last value probe
    returned, the last error it raised), for the case's diagnostics."""
    value = error = None
    deadline = time.time() + seconds
    while time.time() < deadline:
        time.sleep(interval)
        if proc is not None and proc.poll() is not None:
            break
        try:
            value = probe()
        except (OSError, IndexError) as e:
            error = e
            continue
        if until(value):
            break
    return value, error


def read_file(path, binary=False):
    with open(path, "rb" if binary else "r") as f:
        return f.read()


def stat_fields(path):
    """The fields of a /proc/PID/stat after the command's name: [0] is
    the state, [1] the parent, [2] the process group, [5] tpgid."""
    return read_file(path).rsplit(")", 1)[1].split()


def pid_with_cmdline(root, cmdline):
    """The numbered entry of root (a proc/ or tasks/ directory) whose
    cmdline is the bytes cmdline, or None. Entries that vanish while it
    looks are skipped."""
    for pid in os.listdir(root):
        if not pid.isdigit():
            continue
        try:
            if read_file(os.path.join(root, pid, "cmdline"), True) == cmdline:
                return pid
        except OSError:
            continue
    return None


def sleep_cmdline(marker):
    """What proc/PID/cmdline holds for `sleep MARKER`."""
    return b"sleep\0" + marker.encode() + b"\0"


def sleep_stat(mnt, marker):
    """(PID, stat fields) of `sleep MARKER` in mnt's proc/, or None."""
    pid = pid_with_cmdline(os.path.join(mnt, "proc"), sleep_cmdline(marker))
    if pid is None:
        return None
    return pid, stat_fields(os.path.join(mnt, "proc", pid, "stat"))


def compare(ctx, argv, normalise=lambda s: s, **kw):
    native = ctx.run(argv, False, **kw)
    sandboxed = ctx.run(argv, True, **kw)
    print("native:   rc=%d stdout=%r" % (native.returncode, native.stdout))
    print("sentry:   rc=%d stdout=%r" % (sandboxed.returncode,
                                         sandboxed.stdout))
    if sandboxed.stderr:
        print("sentry stderr:", sandboxed.stderr)
    if native.returncode != sandboxed.returncode:
        fail("exit status differs")
    if normalise(native.stdout) != normalise(sandboxed.stdout):
        fail("output differs")
    return sandboxed


def sorted_lines(s):
    return sorted(s.splitlines())


@case
def shell_pipelines_subshells_jobs(ctx):
    compare(ctx, ["sh", "-c", r"""
        echo hello world | tr a-z A-Z | rev
        (echo in-subshell; exit 3); echo "subshell status $?"
        x=$(echo substituted); echo "$x"
        false | true; echo "pipeline status $?"
        for i in 1 2 3; do (sleep 0.0$i; exit $i) & pids="$pids $!"; done
        for p in $pids; do wait $p; echo "job status $?"; done
        sleep 0.1 & wait; echo "waited all"
        exit 5
    """])


@case
def make_j2(ctx):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "Makefile"), "w") as f:
            targets = [f"t{i}" for i in range(30)]
            f.write("all: " + " ".join(targets) + "\n\t@echo all-done\n")
            for i, t in enumerate(targets):
                dep = f"t{i - 1}" if i % 3 else ""
                f.write(f"{t}: {dep}\n\t@echo built {t}; sh -c 'exit 0'\n")
        compare(ctx, ["make", "-j2", "-s", "-C", d], normalise=sorted_lines)


@case
def python_multiprocessing_and_threading(ctx):
    script = r"""
import multiprocessing, threading, os
def square(x): return x * x
if __name__ == '__main__':
    with multiprocessing.Pool(4) as p:
        print('pool', sum(p.map(square, range(200))))
    out = []
    lock = threading.Lock()
    def work(i):
        with lock: out.append(i)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(32)]
    [t.start() for t in ts]; [t.join() for t in ts]
    print('threads', sorted(out) == list(range(32)))
    p = multiprocessing.Process(target=os._exit, args=(9,))
    p.start(); p.join(); print('child exit', p.exitcode)
"""
    compare(ctx, [sys.executable, "-c", script])


@case
def pthreads_100(ctx):
    compare(ctx, [ctx.prog("threads")])


@case
def exec_from_non_leader_thread(ctx):
    r = compare(ctx, [ctx.prog("exec_from_thread")])
    if r.stdout.strip() != "same-pid":
        fail("exec from a thread did not keep the PID")


@case
def exec_from_a_thread_shows_the_new_image(ctx):
    # After a non-leader thread's exec, the process is the new image:
    # proc/PID/cmdline, comm and status must say so, as on the host.
    d = tempfile.mkdtemp(prefix="sentry-threxec-")
    marker = "35.%d" % os.getpid()
    argv = [ctx.prog("exec_from_thread"), "sleep", marker]
    with mounted_run(ctx, "threxec", argv, d) as (proc, mnt):
        base = os.path.join(mnt, "proc", "2")
        got, err = poll(lambda: (read_file(os.path.join(base, "cmdline"), True),
                                 read_file(os.path.join(base, "comm")).strip(),
                                 read_file(os.path.join(base, "status"))
                                 .splitlines()[0]),
                        until=lambda g: g is not None and g[1] == "sleep")
        print("cmdline, comm, status:", got, "last error:", err)
        if got != (sleep_cmdline(marker), "sleep", "Name:\tsleep"):
            fail("proc/2 does not show the image the thread exec'd")


@case
def leader_that_exited_first_is_a_zombie(ctx):
    # A leader that pthread_exit()s while another thread runs is a zombie
    # until the group exits: proc/PID/stat says Z and cmdline is empty,
    # as the host's /proc says of the same thread.
    d = tempfile.mkdtemp(prefix="sentry-leader-")
    with mounted_run(ctx, "leader", [ctx.prog("leader_exits"), "30"],
                     d) as (proc, mnt):
        base = os.path.join(mnt, "proc", "2")
        seen, last_error = poll(
            lambda: (stat_fields(os.path.join(base, "stat"))[0],
                     read_file(os.path.join(base, "cmdline"), True),
                     stat_fields(f"/proc/{host_tid_of(mnt, 2)}/stat")[0]),
            until=lambda g: g is not None and g[2] == "Z", proc=proc)
        got, host = (seen[:2], seen[2]) if seen else (None, None)
        print("proc/2:", got, "host state:", host, "last error:", last_error,
              "sentry exit:", proc.poll())
        if host != "Z":
            fail("the host never showed the leader as a zombie")
        if got != ("Z", b""):
            fail("proc/2 does not show a zombie leader with no cmdline")


@case
def orphan_reparented_to_subreaper(ctx):
    r = compare(ctx, [ctx.prog("orphan"), "subreaper"])
    if "reparented-to-subreaper: yes" not in r.stdout:
        fail("orphan did not go to the subreaper")


@case
def orphan_reparented_to_init(ctx):
    r = ctx.run([ctx.prog("orphan")], True)
    print(r.stdout, r.stderr)
    if r.returncode != 0 or r.stdout.strip() != "reparented-to: 1":
        fail("orphan was not reparented to the sandbox's init (PID 1)")


@case
def init_reaps_orphans_of_killed_process_groups(ctx):
    # Issue #18: a group leader SIGKILLed with its stopped children; the
    # host hands each child to init as the leader dies, the kernel only
    # when it collects the leader's death, often after the child's. Every
    # orphan must still be reaped by init, whose waits never fail.
    r = ctx.run([ctx.prog("pgrp_kill_stress"), "300"], True)
    print(r.stdout, r.stderr)
    if "wait reported no children" in r.stderr:
        fail("sentry-init's wait said ECHILD while the command lived")
    if r.returncode != 0 or "leftover: 0" not in r.stdout:
        fail("orphans of the killed groups were not all reaped by init")


@case
def fork_tree_1000_fully_reaped(ctx):
    r = compare(ctx, [ctx.prog("forktree"), "1000"])
    if "processes: 1000" not in r.stdout or "leftover: none" not in r.stdout:
        fail("fork tree incomplete")


@case
def shell_forks_1000_background_jobs(ctx):
    compare(ctx, ["sh", "-c",
                  "for i in $(seq 1 1000); do /bin/true & done; wait; "
                  "echo reaped"])


@case
def wait_semantics_match_linux(ctx):
    compare(ctx, [ctx.prog("wait_semantics")])


@case
def identity_agrees_with_ps(ctx):
    # $$, $PPID and the emulated getpid/getppid/getpgid/getsid agree with
    # what procps reads from the sandbox's /proc.
    script = ("echo \"$$ $PPID\"; ps -o pid=,ppid= -p $$; "
              "exec %s" % ctx.prog("ids"))
    r = ctx.run(["sh", "-c", script + " & wait"], True)
    print(r.stdout, r.stderr)
    lines = r.stdout.splitlines()
    if len(lines) != 3 or lines[0].split() != lines[1].split():
        fail("$$/$PPID disagree with ps")
    ids = lines[2].split()
    r2 = ctx.run(["sh", "-c", "%s; ps -o pid=,ppid=,pgid=,sid= -p $$"
                  % ctx.prog("ids")], True)
    print(r2.stdout)
    l2 = r2.stdout.splitlines()
    # ids runs as a child of sh: its ppid is sh's pid.
    if len(l2) != 2:
        fail("unexpected output")
    child, sh = l2[0].split(), l2[1].split()
    if child[1] != sh[0] or child[2] != sh[2] or child[3] != sh[3]:
        fail("emulated ppid/pgid/sid disagree with ps")
    if len(ids) != 4:
        fail("ids output malformed")


@case
def exit_status_of_signal_death(ctx):
    compare(ctx, ["sh", "-c", "kill -TERM $$"])
    compare(ctx, ["sh", "-c", "kill -KILL $$"])


@case
def command_not_found_gives_127(ctx):
    r = ctx.run(["no-such-command-xyz"], True)
    print(r.returncode, r.stderr)
    if r.returncode != 127 or "not found" not in r.stderr:
        fail("expected the shell's message and 127")


@case
def ptrace_traceme_is_the_kernels(ctx):
    # ptrace is emulated (kernel/ptrace.c): a child that asks to be
    # traced by its parent stops at its SIGSTOP for it, as natively.
    script = ("import ctypes, os, signal\n"
              "libc = ctypes.CDLL(None, use_errno=True)\n"
              "pid = os.fork()\n"
              "if pid == 0:\n"
              "    libc.ptrace(0, 0, 0, 0)\n"
              "    os.kill(os.getpid(), signal.SIGSTOP)\n"
              "    os._exit(7)\n"
              "_, st = os.waitpid(pid, 0)\n"
              "print('stopped', os.WIFSTOPPED(st), os.WSTOPSIG(st))\n"
              "print('cont', libc.ptrace(7, pid, 0, 0))\n"
              "_, st = os.waitpid(pid, 0)\n"
              "print('exited', os.WEXITSTATUS(st))\n")
    compare(ctx, [sys.executable, "-c", script])


@case
def no_privileges_gives_one_clear_sentence(ctx):
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                        "--clear-groups", ctx.sentry, "run", "--no-mount",
                        "--", "true"], capture_output=True, text=True,
                       timeout=30)
    print(r.returncode, r.stderr)
    if r.returncode == 0 or "CAP_SYS_ADMIN" not in r.stderr:
        fail("expected a message naming the missing privilege")
    if len(r.stderr.strip().splitlines()) != 1:
        fail("expected one sentence")


@case
def setuid_exec_credentials_match_the_host(ctx):
    # The kernel takes an exec's credentials from the new image's
    # auxiliary vector (AT_UID...); a set-user-ID, set-group-ID program
    # run by another user must show the host's real and effective IDs.
    d = tempfile.mkdtemp(prefix="sentry-suid-")
    proc = None
    try:
        if os.statvfs(d).f_flag & os.ST_NOSUID:
            print("SKIP: the temporary directory's filesystem is nosuid")
            return
        os.chmod(d, 0o755)
        prog = os.path.join(d, "suid-sleep")
        shutil.copy("/bin/sleep", prog)
        os.chown(prog, 4242, 4343)
        os.chmod(prog, 0o6755)
        mnt = os.path.join(d, "mnt")
        proc = subprocess.Popen(
            [ctx.sentry, "run", "--name", f"it-suid-{os.getpid()}",
             "--mount", mnt, "--", "setpriv", "--reuid=65534",
             "--regid=65534", "--clear-groups", prog, "30"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        def creds_of_suid_sleep():
            for tid in os.listdir(os.path.join(mnt, "tasks")):
                base = os.path.join(mnt, "tasks", tid)
                try:
                    if read_file(os.path.join(base, "comm")).strip() != \
                            "suid-sleep":
                        continue
                    return dict(line.split(": ", 1) for line in
                                read_file(os.path.join(base, "creds"))
                                .splitlines())
                except OSError:
                    continue
            return None

        creds, err = poll(creds_of_suid_sleep, interval=0.1)
        print("creds:", creds, "last error:", err)
        want = {"uid": "65534", "euid": "4242", "gid": "65534",
                "egid": "4343"}
        if creds is None:
            fail("the set-user-ID program never showed up in tasks/")
        if {k: creds.get(k) for k in want} != want:
            fail("expected %r" % want)
    finally:
        stop_sentry(proc, os.path.join(d, "mnt"))
        shutil.rmtree(d, ignore_errors=True)


@case
def environ_is_the_one_the_program_was_started_with(ctx):
    # proc/PID/environ comes from the exec's copy of the new stack, not
    # from the host's file; both must hold the same bytes.
    d = tempfile.mkdtemp(prefix="sentry-environ-")
    marker = "31.%d" % os.getpid()
    want = b"A=1\0B=two words\0EMPTY=\0"
    with mounted_run(ctx, "environ",
                     ["env", "-i", "A=1", "B=two words", "EMPTY=", "sleep",
                      marker], d) as (proc, mnt):
        def environ_in(root):
            pid = pid_with_cmdline(root, sleep_cmdline(marker))
            return pid and read_file(os.path.join(root, pid, "environ"), True)

        both, err = poll(lambda: (environ_in(os.path.join(mnt, "proc")),
                                  environ_in("/proc")),
                         until=lambda b: b is not None and all(b),
                         interval=0.1)
        got, host = both or (None, None)
        print("environ:", got, "host:", host, "last error:", err)
        if got != want or host != want:
            fail("expected %r from both" % want)


@case
def blocked_mask_after_a_handler_returns(ctx):
    # The blocked mask is the host's (kernel/sigmask.h): after a handler
    # returns, rt_sigreturn (untrapped) restores it, and tasks/N/signals
    # and proc/N/status must show the restored mask, not the handler's.
    d = tempfile.mkdtemp(prefix="sentry-sigmask-")
    marker = "sigmask-%d" % os.getpid()
    done = os.path.join(d, "handled")
    # The handler blocks SIGUSR2 on top (sa_mask, via signal.signal's
    # sigaction in C: none; the handler's own SIGUSR1 then); the file
    # appears after the handler has returned.
    prog = ("import os, signal, sys, time\n"
            "signal.signal(signal.SIGUSR1, lambda s, f: None)\n"
            "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})\n"
            "os.kill(os.getpid(), signal.SIGUSR1)\n"
            "open(sys.argv[2], 'w').close()\n"
            "time.sleep(30)\n")
    want = "0000000000000800"  # SIGUSR2 alone
    with mounted_run(ctx, "sigmask",
                     ["python3", "-c", prog, marker, done], d) as (proc, mnt):
        def masks():
            if not os.path.exists(done):
                return None
            for tid in os.listdir(os.path.join(mnt, "tasks")):
                base = os.path.join(mnt, "tasks", tid)
                if marker.encode() not in read_file(
                        os.path.join(base, "cmdline"), True):
                    continue
                sig = read_file(os.path.join(base, "signals"))
                if "caught: 0000000000000000" in sig:
                    return None  # the handler is not installed yet
                status = read_file(os.path.join(mnt, "proc", tid, "status"))
                blk = [l.split("\t")[1] for l in status.splitlines()
                       if l.startswith("SigBlk:")]
                line = [l for l in sig.splitlines()
                        if l.startswith("blocked:")]
                if line and want in line[0]:
                    return (line[0], blk)
            return None

        got, err = poll(masks)
        print("signals:", got, "last error:", err)
        if got is None:
            fail("tasks/N/signals never showed blocked: %s USR2" % want)
        if got[0] != "blocked: %s USR2" % want or got[1] != [want]:
            fail("expected USR2 alone blocked in signals and status")
        # Paused, the mask comes from the kernel's copy taken at the stop.
        tid = [t for t in os.listdir(os.path.join(mnt, "tasks"))
               if marker.encode() in open(os.path.join(
                   mnt, "tasks", t, "cmdline"), "rb").read()][0]
        r = subprocess.run(
            [ctx.sentry + "dbg", f"it-sigmask-{os.getpid()}", "-c",
             f"pause; signals {tid}; resume"],
            capture_output=True, text=True, timeout=30)
        print(r.stdout)
        if r.returncode != 0 or f"blocked: {want} (USR2)" not in r.stdout:
            fail("paused, sentrydbg signals did not show USR2 alone blocked")


@case
def forced_fault_resets_the_handler_and_dumps(ctx):
    # Linux's force_sig_info: a fault whose signal is blocked (by
    # sigprocmask, or inside its own handler) resets the handler to
    # SIG_DFL and kills with a core-dumping signal, which --dump-on
    # reports with a dump; SigCgt in the dump follows the host.
    for name in ("blocked", "in-handler"):
        d = tempfile.mkdtemp(prefix="sentry-forced-")
        try:
            r = subprocess.run(
                [ctx.sentry, "run", "--no-mount", "--dump-on=fatal-signal",
                 d, "--", ctx.prog("fault"), name],
                capture_output=True, text=True, timeout=60)
            dumps = [f for f in os.listdir(d) if f.endswith(".json")]
            print(name, "exit", r.returncode, "dumps", dumps)
            if r.returncode != 128 + signal.SIGSEGV:
                fail(f"{name}: exit {r.returncode}, want {128 + signal.SIGSEGV}")
            if len(dumps) != 1:
                fail(f"{name}: want one dump for the fatal SIGSEGV, got {dumps}")
            with open(os.path.join(d, dumps[0])) as f:
                dump = json.load(f)
            segv = [a["handler"] for g in dump["thread_groups"]
                    for a in g.get("actions", []) if a["signo"] == signal.SIGSEGV]
            if segv != ["default"]:
                fail(f"{name}: SIGSEGV's handler in the dump is {segv}, "
                     "want default (force_sig_info resets it)")
        finally:
            shutil.rmtree(d, ignore_errors=True)


@case
def a_dump_that_does_not_fit_is_reported_and_leaves_nothing(ctx):
    # --dump-on=fatal-signal into a full file system: the sentry says why
    # there is no dump, exits as the program did, and leaves no empty or
    # partial dump (it wrote a temporary file and renames it only whole).
    d = tempfile.mkdtemp(prefix="sentry-full-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", d],
                   check=True)
    try:
        with open(os.path.join(d, "filler"), "wb") as f:
            try:
                f.write(b"x" * 65536)
            except OSError:
                pass  # ENOSPC: full
        r = subprocess.run(
            [ctx.sentry, "run", "--no-mount", "--dump-on=fatal-signal", d,
             "--", "sh", "-c", "kill -SEGV $$"],
            capture_output=True, text=True, timeout=60)
        left = sorted(os.listdir(d))
        print("exit", r.returncode, "stderr:", r.stderr.strip(), "left:",
              left)
        if r.returncode != 128 + signal.SIGSEGV:
            fail(f"exit {r.returncode}, want {128 + signal.SIGSEGV}")
        if "cannot write dump" not in r.stderr or \
                "No space left on device" not in r.stderr:
            fail("the sentry did not say why there is no dump")
        if left != ["filler"]:
            fail(f"a failed dump left files behind: {left}")
    finally:
        subprocess.run(["umount", "-l", d])
        shutil.rmtree(d, ignore_errors=True)


@case
def fork_exec_costs_seven_host_stops_and_a_death(ctx):
    # A shell's fork+exec of a single-threaded program costs 7 host stops
    # (vfork event, the child's first stop, exec event, SIGCHLD, wait4
    # entry and exit, the WNOHANG wait4 entry) and one death: no exit
    # event (PT_OPTIONS in tracer.c). kernel/counts host_stops counts them
    # and the deaths between two fifo handshakes, during which the shell does nothing
    # else the sentry traps.
    d = tempfile.mkdtemp(prefix="sentry-stops-")
    go, done = os.path.join(d, "go"), os.path.join(d, "done")
    os.mkfifo(go)
    os.mkfifo(done)
    n = 100
    script = (f"read x < {go}; i=0; while [ $i -lt {n} ]; do /bin/true; "
              f"i=$((i + 1)); done; echo > {done}; sleep 30")

    def host_stops(mnt):
        with open(os.path.join(mnt, "kernel", "counts")) as f:
            for line in f:
                if line.startswith("host_stops:"):
                    return int(line.split()[1])
        fail("kernel/counts has no host_stops line")

    with mounted_run(ctx, "stops", ["sh", "-c", script], d) as (proc, mnt):
        counts = os.path.join(mnt, "kernel", "counts")
        if not poll(lambda: os.path.exists(counts), until=bool,
                    interval=0.05)[0]:
            fail("the filesystem never appeared")
        with open(go, "w") as f:  # returns once sh is blocked reading
            before = host_stops(mnt)
            f.write("\n")
        with open(done) as f:  # returns once the loop is over
            f.read()
        after = host_stops(mnt)
        per = (after - before) / n
        print(f"host stops: {after - before} for {n} fork+exec, {per:.2f} each")
        if per > 8.5:
            fail("a fork+exec costs more than 7 host stops and a death")
        if per < 7:
            fail("fewer stops than a fork+exec can cost: the count is wrong")


@case
def affinity_is_the_applications(ctx):
    # The platform runs a trapping thread on its own CPU (colocate.c); the
    # sandbox must not see it: nproc, taskset, Python and the sandbox's
    # sentryfs proc/ agree with the host's for the default affinity and for
    # one the program chose.
    script = ("nproc; taskset -p $$ | sed 's/.*: //'; "
              "python3 -c 'import os; print(sorted(os.sched_getaffinity(0)))'; "
              "taskset -c 0 nproc; "
              "taskset -c 0 python3 -c 'import os; print(os.sched_getaffinity(0))'")
    compare(ctx, ["sh", "-c", script])


@case
def a_computing_thread_gets_every_cpu_back(ctx):
    # A thread bound to the platform's CPU that then computes without
    # trapping is unbound within milliseconds, so CPU-bound work spreads
    # over every CPU as it does natively; sentryfs shows it the default
    # affinity throughout.
    if len(os.sched_getaffinity(0)) < 2:
        print("SKIP: one CPU")
        return
    with open("/proc/self/status") as f:
        mine = [l.split()[1] for l in f if l.startswith("Cpus_allowed_list:")]
    d = tempfile.mkdtemp(prefix="sentry-spin-")
    script = "i=0; while [ $i -lt 100000000 ]; do i=$((i + 1)); done"
    with mounted_run(ctx, "spin", ["sh", "-c", script], d) as (proc, mnt):
        def cpus_allowed(path):
            return [l.split()[1] for l in read_file(path).splitlines()
                    if l.startswith("Cpus_allowed_list:")]

        seen, err = poll(lambda: (cpus_allowed(
                                      f"/proc/{host_tid_of(mnt, 2)}/status"),
                                  cpus_allowed(os.path.join(mnt, "proc", "2",
                                                            "status"))),
                         until=lambda v: v is not None and v[0] == mine)
        host, shown = seen or (None, None)
        print("sentry's:", mine, "host's of the loop:", host,
              "proc/2 shows:", shown, "last error:", err)
        if host != mine:
            fail("a computing thread stayed bound to one CPU")
        if shown != mine:
            fail("proc/2/status does not show the default affinity")


@case
def a_session_that_takes_a_terminal_has_a_foreground(ctx):
    # script(1) runs its command in a new session that takes the pty as
    # its controlling terminal (TIOCSCTTY): ps shows that session's group
    # as the terminal's foreground (stat tpgid), as the host does.
    d = tempfile.mkdtemp(prefix="sentry-ctty-")
    marker = "37.%d" % os.getpid()
    argv = ["script", "-qc", f"sleep {marker}", "/dev/null"]
    with mounted_run(ctx, "ctty", argv, d) as (proc, mnt):
        def pgrp_and_tpgid():
            found = sleep_stat(mnt, marker)
            return found and (found[1][2], found[1][5])

        got, err = poll(pgrp_and_tpgid)
        print("sleep's pgrp, tpgid:", got, "last error:", err)
        if not got or got[0] != got[1]:
            fail("the session that took the terminal has no foreground group")


@case
def fexecve_names_the_program_after_its_file(ctx):
    # fexecve (execveat with AT_EMPTY_PATH) runs "/dev/fd/N"; Linux 6.13
    # and later name the program after the file (sleep), not "N": proc/
    # shows the host's name.
    d = tempfile.mkdtemp(prefix="sentry-fexec-")
    marker = "38.%d" % os.getpid()
    code = ("import os; fd = os.open('/bin/sleep', os.O_RDONLY); "
            f"os.execve(fd, ['sleep', '{marker}'], {{}})")
    with mounted_run(ctx, "fexec", ["python3", "-c", code], d) as (proc, mnt):
        def comms():
            base = os.path.join(mnt, "proc", "2")
            if read_file(os.path.join(base, "cmdline"), True) != \
                    sleep_cmdline(marker):
                return None
            return (read_file(os.path.join(base, "comm")).strip(),
                    read_file(f"/proc/{host_tid_of(mnt, 2)}/comm").strip())

        seen, err = poll(comms, proc=proc)
        got, host = seen or (None, None)
        print("proc/2/comm:", got, "host:", host, "last error:", err)
        if got is None or got != host:
            fail("proc/2/comm differs from the host's after fexecve")


@case
def limits_follow_setrlimit_and_prlimit(ctx):
    # The host enforces resource limits; proc/PID/limits must show what it
    # enforces after the program changed its own (ulimit) and after
    # prlimit(1) changed another process's.
    d = tempfile.mkdtemp(prefix="sentry-limits-")
    m1, m2 = "32.%d" % os.getpid(), "33.%d" % os.getpid()
    script = (f"sleep {m2} & prlimit --pid $! --nofile=77:88; "
              f"ulimit -n 123; ulimit -s 4096; exec sleep {m1}")

    def limits_of(root, marker):
        pid = pid_with_cmdline(root, sleep_cmdline(marker))
        if pid is None:
            return None
        try:
            return [l for l in read_file(os.path.join(root, pid, "limits"))
                    .splitlines()
                    if l.startswith(("Max open files", "Max stack size"))]
        except OSError:
            return None

    with mounted_run(ctx, "limits", ["sh", "-c", script], d) as (proc, mnt):
        want = {m1: ["Max stack size            4194304              "
                     "4194304              bytes     ",
                     "Max open files            123                  "
                     "123                  files     "],
                m2: None}
        def both():
            return ({m: limits_of(os.path.join(mnt, "proc"), m)
                     for m in want},
                    {m: limits_of("/proc", m) for m in want})

        (got, host), _ = poll(both, until=lambda v: all(v[0].values()) and
                              v[0] == v[1] and "77" in " ".join(v[0][m2]))
        print("sentry:", got)
        print("host:  ", host)
        if got != host:
            fail("proc/PID/limits differs from the host's")
        if got[m1] != want[m1]:
            fail("ulimit -n 123 -s 4096 not shown")
        if not any(l.split()[3:5] == ["77", "88"] for l in got[m2]):
            fail("prlimit --nofile=77:88 of another process not shown")


def pid_ns_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def procs_in_ns(ns):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit() and pid_ns_of(p) == ns:
            out.append(int(p))
    return out


@case
def sigkill_of_sentry_leaves_no_survivor(ctx):
    proc = subprocess.Popen(ctx.sentry_cmd(
        ["sh", "-c", "sleep 100 & sleep 100 & (sleep 100 &) ; wait"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    own_ns = pid_ns_of("self")

    def sandbox_ns():
        # The sandbox's init is the sentry's child in another PID
        # namespace. (The sentry has another child in ours, its doorbell:
        # taking our own namespace here would make every process on the
        # machine a "survivor" to kill.)
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                parent = int(stat_fields(f"/proc/{p}/stat")[1])
            except OSError:
                continue
            if parent == proc.pid and pid_ns_of(p) not in (None, own_ns):
                return pid_ns_of(p)
        return None

    ns, _ = poll(sandbox_ns, until=lambda ns: ns is not None and
                 len(procs_in_ns(ns)) >= 5, interval=0.05)
    if not ns:
        proc.kill()
        fail("sandbox did not start")
    print("sandbox processes:", procs_in_ns(ns))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    poll(lambda: procs_in_ns(ns), until=lambda left: not left, seconds=10,
         interval=0.05)
    left = procs_in_ns(ns)
    if left:
        assert ns != own_ns
        for p in left:
            os.kill(p, signal.SIGKILL)
        fail(f"survivors after SIGKILL of the sentry: {left}")


def pty_session(argv, inputs, timeout=30):
    """Runs argv on a new pty, writing each input after the previous output
    settles; returns (output, exit status)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    out = b""
    deadline = time.time() + timeout

    def drain(wait):
        nonlocal out
        end = time.time() + wait
        while time.time() < min(end, deadline):
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return False
                if not data:
                    return False
                out += data
                end = time.time() + 0.3
        return True

    drain(1.0)
    for line in inputs:
        os.write(fd, line.encode())
        drain(1.0)
    while drain(0.5) and time.time() < deadline:
        pass
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out.decode(errors="replace"), status


@case
def interactive_bash_on_a_terminal(ctx):
    out, status = pty_session(
        ctx.sentry_cmd(["bash", "--norc", "--noprofile", "-i"]),
        ["echo one-$((40+2))\n", "sleep 0.1 & wait; echo bg-done\n",
         "exit 4\n"])
    print(out)
    if "one-42" not in out or "bg-done" not in out:
        fail("interactive bash did not run the commands")
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 4:
        fail(f"exit status {status}")


@case
def foreground_group_follows_tcsetpgrp(ctx):
    # Job control: bash puts a foreground job in its own process group and
    # hands it the terminal (tcsetpgrp); proc/PID/stat's tpgid, and so the
    # "+" of ps, must name that group while it runs, as on the host.
    d = tempfile.mkdtemp(prefix="sentry-tty-")
    mnt = os.path.join(d, "mnt")
    marker = "34.%d" % os.getpid()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(ctx.sentry, [ctx.sentry, "run", "--mount", mnt, "--",
                              "bash", "--norc", "--noprofile", "-i"])
    try:
        time.sleep(1.0)
        os.write(fd, f"sleep {marker}\n".encode())
        def pid_pgrp_tpgid():
            found = sleep_stat(mnt, marker)
            return found and (found[0], found[1][2], found[1][5])

        found, err = poll(pid_pgrp_tpgid)
        print("sleep pid, pgrp, tpgid:", found, "last error:", err)
        if found is None:
            fail("the foreground sleep never showed up in proc/")
        if found[1] != found[0] or found[2] != found[1]:
            fail("the foreground job's group is not the terminal's")
        r = subprocess.run(
            ["unshare", "--mount", "sh", "-c",
             f"mount --bind {mnt}/proc /proc && ps -o pid=,stat= -p {found[0]}"],
            capture_output=True, text=True, timeout=30)
        print("ps:", r.stdout.strip())
        if "+" not in r.stdout:
            fail("ps does not mark the foreground job with +")
    finally:
        os.kill(pid, signal.SIGHUP)
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        if os.path.ismount(mnt):
            subprocess.run(["umount", "-l", mnt])
            fail("the sentry left its mount behind")
        shutil.rmtree(d, ignore_errors=True)


def keyed(text):
    """A sentryfs "key: value" file as a dict of lists (a key such as
    queued may repeat), in the file's order."""
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(": ")
        out.setdefault(k, []).append(v)
    return out


def host_status(host_tid):
    return dict(l.split(":\t", 1) for l in
                read_file(f"/proc/{host_tid}/status").splitlines()
                if ":\t" in l)


@case
def filesystem_shows_a_known_state(ctx):
    # The whole of a running sandbox in a known state, read through every
    # directory of the filesystem (issue 4): a process of 10 threads with
    # a blocked signal pending at one thread and a queued RT signal at the
    # process, an ignored and a caught signal, a child sharing its FD
    # table and a stopped job (tests/programs/known_state.c).
    d = tempfile.mkdtemp(prefix="sentry-known-")
    ready = os.path.join(d, "ready")
    with mounted_run(ctx, "known", [ctx.prog("known_state"), ready],
                     d) as (proc, mnt):
        ids, err = poll(lambda: [int(x) for x in read_file(ready).split()],
                        until=lambda v: v is not None and len(v) == 4,
                        proc=proc)
        if not ids or len(ids) != 4:
            fail(f"known_state never became ready (last error {err}, "
                 f"sentry exit {proc.poll()})")
        pid, files_child, stopped, read_fd = ids
        m = lambda *p: os.path.join(mnt, *[str(x) for x in p])
        problems = []

        def expect(what, got, want):
            if got != want:
                problems.append(f"{what}: got {got!r}, want {want!r}")

        # The thread group: 10 tasks, leader first.
        tids = read_file(m("threadgroups", pid, "tasks")).split()
        expect("threadgroups/PID/tasks count", len(tids), 10)
        expect("threadgroups/PID/tasks first", tids[:1], [str(pid)])
        expect("threadgroups/PID/leader",
               read_file(m("threadgroups", pid, "leader")).strip(), str(pid))
        expect("threadgroups/PID/children",
               sorted(read_file(m("threadgroups", pid, "children")).split()),
               sorted([str(files_child), str(stopped)]))
        lead = keyed(read_file(m("tasks", pid, "status")))
        expect("status threads", lead["threads"], ["10"])
        expect("status leader", lead["leader"], ["yes"])

        # One FD table for the 10 threads and the CLONE_FILES child.
        table = lead["fd_table"]
        for tid in tids[1:] + [str(files_child)]:
            expect(f"tasks/{tid}/status fd_table",
                   keyed(read_file(m("tasks", tid, "status")))["fd_table"],
                   table)
        expect("fd_table_users", lead["fd_table_users"], ["11"])
        other = keyed(read_file(m("tasks", stopped, "status")))
        if other["fd_table"] == table:
            problems.append("the forked child shares the FD table")
        link = os.readlink(m("tasks", pid, "fd", read_fd))
        expect("tasks/CHILD/fd/N (shared table)",
               os.readlink(m("tasks", files_child, "fd", read_fd)), link)
        if not link.startswith("pipe:["):
            problems.append(f"fd/{read_fd} is {link}, not the pipe")

        # Signals: USR1 pending at the main thread, RTMIN+2 queued to the
        # process with its value, both blocked everywhere.
        sig = keyed(read_file(m("tasks", pid, "signals")))
        expect("blocked", sig["blocked"], ["0000000800000200 USR1 RTMIN+2"])
        expect("pending", sig["pending"], ["0000000000000200 USR1"])
        expect("shared_pending", sig["shared_pending"],
               ["0000000800000000 RTMIN+2"])
        if "USR2" not in sig["ignored"][0].split():
            problems.append(f"ignored {sig['ignored']} lacks USR2")
        if "TERM" not in sig["caught"][0].split():
            problems.append(f"caught {sig['caught']} lacks TERM")
        expect("nr_queued", sig["nr_queued"], ["2"])
        queued = sig.get("queued", [])
        expect("queued signals", [q.split()[:2] for q in queued],
               [["private", "USR1"], ["shared", "RTMIN+2"]])
        if len(queued) == 2:
            f = dict(kv.split("=", 1) for kv in queued[1].split()[2:])
            expect("RTMIN+2 code (SI_QUEUE)", f.get("code"), "-1")
            expect("RTMIN+2 pid", f.get("pid"), str(pid))
            expect("RTMIN+2 value", f.get("value"), hex(4242))
        thread = keyed(read_file(m("tasks", tids[-1], "signals")))
        expect("another thread's pending", thread["pending"],
               ["0000000000000000 -"])
        expect("another thread's shared_pending", thread["shared_pending"],
               sig["shared_pending"])

        # proc/PID/status against the host's file of the same process, for
        # each process (init too: its dispositions are the kernel's
        # belief, not read from the host).
        for p in (1, pid, files_child, stopped):
            theirs = host_status(keyed(read_file(
                m("tasks", p, "status")))["host_tid"][0])
            mine = dict(l.split(":\t", 1) for l in
                        read_file(m("proc", p, "status")).splitlines())
            for k in ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt",
                      "Threads"):
                expect(f"proc/{p}/status {k} (host's)", mine.get(k),
                       theirs.get(k))
        ours = dict(l.split(":\t", 1) for l in
                    read_file(m("proc", pid, "status")).splitlines())
        host = host_status(lead["host_tid"][0])
        expect("proc/PID/status Threads", ours.get("Threads"), "10")
        # SigQ: the signals queued for the real user in the whole sandbox
        # (USR1 and RTMIN+2), over the host's RLIMIT_SIGPENDING. (The
        # host's own count is of every root process on the machine.)
        expect("proc/PID/status SigQ", ours.get("SigQ"),
               "2/" + host.get("SigQ", "/?").split("/")[1])
        expect("proc/STOPPED/status SigQ (same user)",
               dict(l.split(":\t", 1) for l in read_file(
                   m("proc", stopped, "status")).splitlines()).get("SigQ"),
               ours.get("SigQ"))
        expect("proc/PID/status SigPnd", ours.get("SigPnd"),
               "0000000000000200")
        expect("proc/PID/status ShdPnd", ours.get("ShdPnd"),
               "0000000800000000")

        # The stopped job.
        stop = keyed(read_file(m("tasks", stopped, "stop")))
        expect("stop", stop["stop"], ["group"])
        expect("group_stop_active", stop["group_stop_active"], ["yes"])
        expect("group_stop_signal", stop["group_stop_signal"], ["STOP"])
        expect("state_letter", stop["state_letter"], ["T"])
        gs = keyed(read_file(m("threadgroups", stopped, "groupstop")))
        expect("groupstop", (gs["active"], gs["signal"], gs["remaining"]),
               (["yes"], ["STOP"], ["0"]))
        expect("proc/STOPPED/stat state",
               stat_fields(m("proc", stopped, "stat"))[0], "T")
        regs = keyed(read_file(m("tasks", stopped, "regs")))
        if not regs.get("rip", [""])[0].startswith("0x"):
            problems.append("tasks/STOPPED/regs has no rip")
        if os.path.exists(m("tasks", files_child, "regs")):
            problems.append("a task that is not stopped has regs")
        expect("running task's stop", keyed(read_file(
            m("tasks", files_child, "stop")))["stop"], ["none"])

        # Every file of every directory of the process reads whole.
        unread = []
        for top in (m("tasks", pid), m("threadgroups", pid),
                    m("proc", pid), m("tasks", stopped)):
            for root, dirs, files in os.walk(top):
                for name in files:
                    path = os.path.join(root, name)
                    if os.path.islink(path):
                        continue
                    try:
                        read_file(path, True)
                    except OSError as e:
                        unread.append(f"{path[len(mnt):]}: {e}")
        if unread:
            problems.append("unreadable: " + "; ".join(unread[:5]))

        # procps on proc/: the threads and the stopped job.
        r = subprocess.run(
            ["unshare", "--mount", "sh", "-c",
             f"mount --bind {mnt}/proc /proc && "
             f"ps -L -o lwp= -p {pid} | wc -l && ps -o stat= -p {stopped}"],
            capture_output=True, text=True, timeout=30)
        expect("ps -L lines, ps stat of the stopped job",
               r.stdout.split(), ["10", "T"])

        # ps on proc/ against ps on the host's /proc of the sandbox's PID
        # namespace (the same processes): identical but for the stopped
        # job, which the host shows in a tracing stop (t, the sentry keeps
        # it in PTRACE_LISTEN) and Linux, like the sentry, as T.
        fmt = "pid=,ppid=,pgid=,sid=,tpgid=,stat=,nlwp=,uid=,comm="
        init = None
        for p in os.listdir("/proc"):
            try:
                if p.isdigit() and read_file(f"/proc/{p}/comm").strip() == \
                        "sentry-init" and \
                        int(stat_fields(f"/proc/{p}/stat")[1]) == proc.pid:
                    init = p
            except OSError:
                continue
        ours = subprocess.run(
            ["unshare", "--mount", "sh", "-c",
             f"mount --bind {mnt}/proc /proc && ps -eo {fmt}"],
            capture_output=True, text=True, timeout=30).stdout
        host = subprocess.run(["nsenter", "-t", str(init), "-p", "-m", "ps",
                               "-eo", fmt], capture_output=True, text=True,
                              timeout=30).stdout if init else ""
        ours = [l.split() for l in ours.splitlines()]
        host = [l.split() for l in host.splitlines() if l.split()[-1] != "ps"]
        for row in host:
            if row[0] == str(stopped) and row[5] == "t":
                row[5] = "T"
        if len(host) < 4:
            problems.append(f"the host's ps in the sandbox's namespace "
                            f"showed {host} (init {init})")
        expect("ps -eo on proc/ against the host's /proc", ours, host)
        print("ids:", ids, "signals:", sig)
        if problems:
            fail("\n  ".join(["the filesystem shows the wrong state:"] +
                              problems))


if __name__ == "__main__":
    main(Ctx)
