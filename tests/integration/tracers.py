#!/usr/bin/env python3
"""Tracers inside the sandbox (emulated ptrace, issue 16): the
tests/programs/ptrace_ops.c modes, strace and gdb, each run natively and
under `sentry run`, with the same results expected.

Usage: tracers.py --list
       tracers.py --sentry PATH --programs DIR CASE

A ptrace_ops case (ops_MODE) compares stdout and exit status as they are:
the program prints facts only. strace cases compare, per process (renamed
by order of first appearance), the sequence of syscall names and how each
process ended; gdb cases compare gdb's output with numbers, addresses and
runs of spaces (column widths follow PID lengths) normalised.
"""
import json
import os
import re
import subprocess
import tempfile
import time

import harness
from harness import case, fail, main

OPS_MODES = [
    "traceme", "errors", "peek_poke", "syscall_stops", "signal_stops",
    "fault_then_kill", "fork_event", "seize_interrupt", "attach_detach",
    "vfork_done", "peeksiginfo", "wait_untraced", "cont_group_stop",
    "cont_group_stop_seized", "sigcont_seized",
]


class Ctx(harness.Ctx):
    def run(self, argv, sandboxed, timeout=90):
        if sandboxed:
            argv = [self.sentry, "run", "--name",
                    f"tr-{self.name}-{os.getpid()}", "--no-mount",
                    "--"] + argv
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout)
        if r.returncode < 0:
            r.returncode = 128 - r.returncode
        return r


def compare(ctx, argv, normalise=lambda s: s, stream="stdout"):
    native = ctx.run(argv, False)
    sandboxed = ctx.run(argv, True)
    n, s = getattr(native, stream), getattr(sandboxed, stream)
    print("native: rc=%d\n%s" % (native.returncode, n))
    print("sentry: rc=%d\n%s" % (sandboxed.returncode, s))
    if stream == "stdout" and sandboxed.stderr:
        print("sentry stderr:", sandboxed.stderr)
    if native.returncode != sandboxed.returncode:
        fail("exit status differs")
    if normalise(n) != normalise(s):
        fail("output differs")


def ops_case(mode):
    def run(ctx):
        compare(ctx, [ctx.prog("ptrace_ops"), mode])
    run.__name__ = "ops_" + mode
    return run


for _mode in OPS_MODES:
    case(ops_case(_mode))


def strace_sequences(path):
    """[[syscall names..., how it ended] per process] of an strace -f
    output file."""
    seqs, order = {}, []
    with open(path) as f:
        for line in f:
            m = re.match(r"(\d+)\s+(.*)", line)
            if not m:
                continue
            pid, rest = m.groups()
            if pid not in seqs:
                seqs[pid] = []
                order.append(pid)
            if rest.startswith("+++"):
                seqs[pid].append(rest.strip("+ \n"))
            elif not rest.startswith(("<...", "---")):
                n = re.match(r"([a-z0-9_]+)\(", rest)
                # Where a handler's rt_sigreturn falls among the other
                # syscalls is the scheduler's choice (when SIGCHLD came),
                # natively too.
                if n and n.group(1) != "rt_sigreturn":
                    seqs[pid].append(n.group(1))
    # Which of two children runs first is the scheduler's choice: the
    # command's own process first, the others in sorted order.
    return [seqs[order[0]]] + sorted(seqs[p] for p in order[1:])


def strace_compare(ctx, strace_args, argv, expect_rc):
    with tempfile.TemporaryDirectory() as d:
        outs = {}
        for sandboxed in (False, True):
            out = os.path.join(d, "sentry" if sandboxed else "native")
            r = ctx.run(["strace", "-f", "-o", out] + strace_args + argv,
                        sandboxed)
            print("%s: rc=%d %s" % ("sentry" if sandboxed else "native",
                                    r.returncode, r.stderr))
            if r.returncode != expect_rc:
                fail("strace exited %d, expected %d" % (r.returncode,
                                                        expect_rc))
            outs[sandboxed] = strace_sequences(out)
        for i, (n, s) in enumerate(zip(outs[False], outs[True])):
            print("P%d native: %s\nP%d sentry: %s" % (i, " ".join(n), i,
                                                      " ".join(s)))
        if outs[False] != outs[True]:
            fail("the traced syscalls differ")


@case
def strace_f_sees_every_syscall_of_every_process(ctx):
    strace_compare(ctx, [], ["sh", "-c", "/bin/true; exit 3"], 3)


@case
def strace_f_of_a_pipeline_and_a_subshell(ctx):
    strace_compare(ctx, [], ["sh", "-c",
                             "echo a | cat >/dev/null; (exit 4); exit 5"],
                   5)


@case
def strace_c_counts_the_same_syscalls(ctx):
    def names(out):
        return sorted(l.split()[-1] for l in out.splitlines()
                      if re.match(r"\s*\d+\.\d+\s", l))
    compare(ctx, ["strace", "-f", "-c", "-o", "/dev/stderr", "sh", "-c",
                  "/bin/true; exit 0"], normalise=names, stream="stderr")


@case
def strace_k_prints_stack_traces(ctx):
    # strace -k unwinds the tracee from the tracer, through
    # process_vm_readv and /proc/PID/maps: the host's, which it reads as
    # natively.
    def frames(out):
        return sorted(set(re.findall(r"^ > \S+\((\w+)\+", out, re.M)))
    with tempfile.TemporaryDirectory() as d:
        got = {}
        for sandboxed in (False, True):
            out = os.path.join(d, str(sandboxed))
            r = ctx.run(["strace", "-f", "-k", "-e", "trace=exit_group",
                         "-o", out, "sh", "-c", "/bin/true"], sandboxed)
            if r.returncode != 0:
                fail("strace -k exited %d: %s" % (r.returncode, r.stderr))
            got[sandboxed] = frames(open(out).read())
            print(sandboxed, got[sandboxed])
        if "_exit" not in got[True] or got[True] != got[False]:
            fail("the stack traces differ")


@case
def a_tracer_killed_mid_stop_leaves_its_tracee_running(ctx):
    script = ("strace -o /dev/null sh -c 'sleep 0.5; echo tracee done' & "
              "S=$!; sleep 0.2; kill -9 $S; wait $S; "
              "echo strace status $?; sleep 1")
    compare(ctx, ["sh", "-c", script])


def gdb_normalise(s):
    s = re.sub(r"0x[0-9a-f]+", "X", s)
    s = re.sub(r"\d+", "N", s)
    return re.sub(r"[ \t]+", " ", s)


@case
def gdb_break_bt_finish_continue(ctx):
    compare(ctx, ["gdb", "-nx", "-batch", "-ex", "break f", "-ex", "run",
                  "-ex", "bt", "-ex", "finish", "-ex", "delete",
                  "-ex", "continue", ctx.prog("gdb_target")],
            normalise=gdb_normalise)


@case
def gdb_threads_watchpoint_and_catch_fork(ctx):
    compare(ctx, ["gdb", "-nx", "-batch", "-ex", "break stopme", "-ex",
                  "run", "-ex", "info threads", "-ex", "watch counter",
                  "-ex", "continue", "-ex", "continue", "-ex",
                  "catch fork", "-ex", "continue", "-ex", "kill",
                  "--args", ctx.prog("gdb_target"), "threads"],
            normalise=gdb_normalise)


@case
def gdb_attaches_to_a_running_process(ctx):
    script = ("sleep 30 & P=$!; sleep 0.3; "
              "gdb -nx -batch -p $P -ex 'info inferiors' -ex detach "
              "2>&1 | grep -E 'process|Detaching'; "
              "kill $P; wait $P; echo status $?")
    compare(ctx, ["sh", "-c", script], normalise=gdb_normalise)


@case
def sentrydbg_catch_ptrace_pauses_at_a_tracers_request(ctx):
    # The debugger sees the sandbox's tracer: a catchpoint on its
    # PTRACE_SEIZE pauses the kernel with the request answered; resume
    # lets strace finish as usual.
    sentrydbg = ctx.sentrydbg()
    name = "tr-catch-%d" % os.getpid()
    proc = subprocess.Popen(
        [ctx.sentry, "run", "--name", name, "--no-mount", "--", "sh", "-c",
         "sleep 1; strace -o /dev/null sh -c 'exit 6'"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        sock = "/run/sentry/%s/ctl" % name
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        r = subprocess.run([sentrydbg, name, "-c",
                            "catch ptrace seize; watch ptrace --count 1"],
                           capture_output=True, text=True, timeout=30)
        print(r.returncode, r.stdout, r.stderr)
        if "made ptrace request PTRACE_SEIZE" not in r.stdout:
            fail("no catchpoint hit for PTRACE_SEIZE")
        st = subprocess.run([sentrydbg, name, "-c", "status --json"],
                            capture_output=True, text=True, timeout=30)
        if json.loads(st.stdout)["pause_depth"] != 1:
            fail("the hit did not pause the kernel: %s" % st.stdout)
        bad = subprocess.run([sentrydbg, name, "-c", "catch ptrace FROB"],
                             capture_output=True, text=True, timeout=30)
        print(bad.returncode, bad.stderr)
        if bad.returncode != 1 or "unknown ptrace request" not in bad.stderr:
            fail("a bad request name is not refused clearly")
        subprocess.run([sentrydbg, name, "-c", "resume"], timeout=30)
        rc = proc.wait(timeout=60)
        if rc != 6:
            fail("strace under the sentry exited %d, expected 6" % rc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main(Ctx)
