#!/usr/bin/env python3
"""Signal conformance tests (issue 3): the tests/programs/sig_*.c programs,
one case per program mode, run natively and under `sentry run`, with the
same stdout and exit status expected; plus bash job control on a pty.

Usage: signals.py --list
       signals.py --sentry PATH --programs DIR CASE

A case name is PROGRAM_MODE without the "sig_" prefix (sig_queue's
"rt_order" mode is case queue_rt_order). The programs print facts only
(no PIDs or addresses), so their output is comparable as is; stderr is
ignored (the sentry may print its own lines there). A death by signal N
counts as exit status 128+N, as `sentry run` reports it.
"""
import os
import pty
import re
import select
import subprocess
import time

import harness
from harness import case, fail, main

# program -> its modes (see each program's main()).
PROGRAMS = {
    "sig_disposition": [
        "siginfo", "restart", "nodefer", "resethand", "onstack",
        "nocldstop", "nocldwait", "sigchld_ign", "ignored_discarded",
        "ignored_never_wakes",
        "fork_inherit", "exec_reset",
    ],
    "sig_mask": [
        "handler_mask", "handler_restore", "unblockable", "sigsuspend",
        "pause", "sigpending",
    ],
    "sig_queue": [
        "coalesce", "rt_order", "rt_lower_first", "sigtimedwait",
        "sigwaitinfo", "signalfd", "rlimit_sigpending", "rt_queue_many",
    ],
    "sig_send": [
        "kill_targets", "kill_minus1", "tkill_tgkill", "sigqueueinfo",
        "sigqueueinfo_ids",
        "pidfd", "errors", "permissions",
    ],
    "sig_default": [
        "terminate", "core", "ignore", "self_death", "self_core",
        "stop_cont", "stop_cont_pending", "stop_overridden",
    ],
    "sig_jobctl": [
        "wait_stop_cont", "sigchld_codes", "mt_stop", "orphan_pgrp",
        "tty_background", "tty_signals",
    ],
    "sig_host": [
        "segv", "fpe", "ill_trap", "pipe", "alarm", "posix_timer", "bus",
        "limits",
    ],
    "sig_thread": [
        "group_target", "thread_directed", "masks_dispositions",
        "fatal_kills_all", "exec_pending",
    ],
}


class Ctx(harness.Ctx):
    def sentry_cmd(self, argv):
        return [self.sentry, "run", "--name",
                f"sig-{self.name}-{os.getpid()}", "--no-mount", "--"] + argv

    def run(self, argv, sandboxed, timeout=90):
        cmd = self.sentry_cmd(argv) if sandboxed else argv
        try:
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=timeout, stdin=subprocess.DEVNULL,
                               errors="replace")
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(
                e.stdout, bytes) else (e.stdout or "")
            return subprocess.CompletedProcess(cmd, -999, out, "timeout")
        if r.returncode < 0:
            r.returncode = 128 - r.returncode
        return r


def show_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<missing>"
        y = bl[i] if i < len(bl) else "<missing>"
        if x != y:
            print(f"  line {i + 1}: native: {x!r}")
            print(f"  {' ' * len(str(i + 1))}       sentry: {y!r}")


def compare(ctx, argv):
    native = ctx.run(argv, False)
    sandboxed = ctx.run(argv, True)
    print("native: rc=%d" % native.returncode)
    print(native.stdout, end="")
    print("sentry: rc=%d" % sandboxed.returncode)
    print(sandboxed.stdout, end="")
    if sandboxed.stderr:
        print("sentry stderr:", sandboxed.stderr)
    if native.returncode != sandboxed.returncode:
        fail("exit status differs: native %d, sentry %d" %
             (native.returncode, sandboxed.returncode))
    if native.stdout != sandboxed.stdout:
        show_diff(native.stdout, sandboxed.stdout)
        fail("output differs")


def program_case(program, mode):
    def run(ctx):
        compare(ctx, [ctx.prog(program), mode])
    run.__name__ = program[len("sig_"):] + "_" + mode
    return run


for _prog, _modes in PROGRAMS.items():
    for _mode in _modes:
        case(program_case(_prog, _mode))


# ---- bash job control on a pty ----

def pty_session(argv, steps, timeout=60):
    """Runs argv on a new pty. steps is a list of (bytes to type, seconds
    of quiet to wait for afterwards). Returns (output, status)."""
    env = dict(os.environ, TERM="dumb", PS1="$ ", HISTFILE="/dev/null")
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    out = b""
    deadline = time.time() + timeout

    def drain(quiet):
        nonlocal out
        end = time.time() + quiet
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
                end = max(end, time.time() + 0.3)
        return True

    drain(1.5)
    for data, quiet in steps:
        os.write(fd, data)
        if not drain(quiet):
            break
    while drain(0.5) and time.time() < deadline:
        pass
    try:
        _, status = os.waitpid(pid, os.WNOHANG)
        if _ == 0:
            os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = -1
    os.close(fd)
    return out.decode(errors="replace"), status


def job_control_facts(out):
    """The meaningful lines of the session: job states as `jobs` and the
    shell report them, and the status echoed at the end."""
    facts = []
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out).replace("\r", "")
    for line in text.splitlines():
        m = re.search(r"\[1\][+-]?\s+(Stopped|Running|Done|Terminated|"
                      r"Killed|Interrupt)\S*\s+(.*)", line)
        if m:
            facts.append("job 1: %s %s" % (m.group(1),
                                           m.group(2).strip().rstrip("&")
                                           .strip()))
            continue
        if re.fullmatch(r"status=\d+", line.strip()):
            facts.append(line.strip())
        if line.strip() == "sleep 30":  # what fg prints
            facts.append("fg: sleep 30")
    return facts


@case
def bash_job_control_on_pty(ctx):
    steps = [
        (b"sleep 30\n", 1.5),
        (b"\x1a", 1.0),          # ^Z: stop the foreground job
        (b"jobs\n", 1.0),
        (b"bg\n", 1.0),
        (b"jobs\n", 1.0),
        (b"fg\n", 1.5),
        (b"\x03", 1.0),          # ^C: interrupt it
        (b"echo status=$?\n", 1.0),
        (b"sleep 0.2 & wait; echo status=$?\n", 1.5),
        (b"exit 3\n", 1.0),
    ]
    argv = ["bash", "--norc", "--noprofile", "-i"]
    native_out, native_status = pty_session(argv, steps)
    sentry_out, sentry_status = pty_session(ctx.sentry_cmd(argv), steps)
    nf, sf = job_control_facts(native_out), job_control_facts(sentry_out)
    print("native facts:", nf)
    print("sentry facts:", sf)
    print("sentry session:", repr(sentry_out))
    if "status=130" not in nf:
        print("native session:", repr(native_out))
        fail("the native session did not behave as expected")
    if nf != sf:
        fail("job control differs")

    def code(st):
        if st < 0:
            return st
        if os.WIFSIGNALED(st):
            return 128 + os.WTERMSIG(st)
        return os.WEXITSTATUS(st)
    if code(native_status) != code(sentry_status):
        fail("exit status differs: native %d, sentry %d" %
             (code(native_status), code(sentry_status)))


if __name__ == "__main__":
    main(Ctx)
