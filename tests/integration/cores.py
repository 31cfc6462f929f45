#!/usr/bin/env python3
"""Core files (issue 18): `sentrydbg gcore` of a live process and
`sentry run --dump-on=fatal-signal DIR` of one that crashes, read back
with gdb and eu-stack; RLIMIT_CORE, WCOREDUMP and bad input.

Usage: cores.py --list | --sentry PATH --programs DIR CASE
"""
import glob
import json
import os
import re
import subprocess
import tempfile
import time

from harness import case, fail, main, stop_sentry


def gdb(prog, core, *cmds):
    argv = ["gdb", "-batch", "-nx"]
    for c in cmds:
        argv += ["-ex", c]
    r = subprocess.run(argv + [prog, core], capture_output=True, text=True,
                       timeout=120)
    print(r.stdout, r.stderr)
    return r.stdout


class Blocked:
    """core_target block under the sentry: its PID, until closed."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.name = "cores-%s-%d" % (ctx.name, os.getpid())
        self.proc = subprocess.Popen(
            [ctx.sentry, "run", "--name", self.name, "--no-mount", "--",
             ctx.prog("core_target"), "block"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) < 3 or line[0] != "ready":
            fail("core_target did not start: %r %s" %
                 (line, self.proc.stderr.read()))
        self.pid = int(line[1])
        time.sleep(0.3)

    def dbg(self, command):
        r = subprocess.run([self.ctx.sentrydbg(), self.name, "-c", command],
                           capture_output=True, text=True, timeout=120)
        print("$ sentrydbg -c %r -> %d\n%s%s" % (command, r.returncode,
                                                  r.stdout, r.stderr))
        return r

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        stop_sentry(self.proc)


@case
def gcore_of_a_blocked_process_has_every_thread(ctx):
    prog = ctx.prog("core_target")
    with tempfile.TemporaryDirectory() as d, Blocked(ctx) as b:
        core = os.path.join(d, "core.live")
        r = b.dbg("gcore %d %s" % (b.pid, core))
        if r.returncode != 0 or "written to %s" % core not in r.stdout:
            fail("gcore failed")
        out = gdb(prog, core, "bt", "info threads", "print/x marker",
                  "info sharedlibrary")
        if "wait_for_b" not in out:
            fail("gdb's backtrace of the core does not show wait_for_b")
        if len(re.findall(r"^\*?\s+\d+\s+Thread ", out, re.M)) != 3:
            fail("gdb does not see the 3 threads in the core")
        if "0x5e57c0de" not in out:
            fail("gdb cannot read a global variable from the core")
        if "libc.so.6" not in out:
            fail("gdb finds no shared libraries in the core")
        es = subprocess.run(["eu-stack", "--core", core, "-e", prog],
                            capture_output=True, text=True, timeout=60)
        print(es.stdout, es.stderr)
        if "wait_for_b" not in es.stdout or \
                es.stdout.count("helper_sleeps") != 2:
            fail("eu-stack does not show every thread's stack")
        # The process goes on, released: still there, still waiting.
        r = b.dbg("ps --json")
        tasks = {t["tid"]: t for t in json.loads(r.stdout)["tasks"]}
        if b.pid not in tasks or tasks[b.pid]["stop_count"] != 0:
            fail("the process is gone or still held after gcore")


@case
def gcore_bad_input_leaves_nothing_behind(ctx):
    with tempfile.TemporaryDirectory() as d, Blocked(ctx) as b:
        r = b.dbg("gcore 99999 %s/x" % d)
        if r.returncode == 0 or "no task with TID 99999" not in r.stderr:
            fail("gcore of an unknown TID is not refused clearly")
        r = b.dbg("gcore %d /nonexistent/dir/core" % b.pid)
        if r.returncode == 0 or "cannot create" not in r.stderr:
            fail("gcore to an unwritable path is not refused clearly")
        full = os.path.join(d, "full")
        os.mkdir(full)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "none",
                        full], check=True)
        try:
            r = b.dbg("gcore %d %s/core" % (b.pid, full))
            if r.returncode == 0 or "No space left" not in r.stderr:
                fail("gcore to a full disk is not refused clearly")
            if os.listdir(full):
                fail("a partial core was left: %r" % os.listdir(full))
        finally:
            subprocess.run(["umount", full])
        # Still there, still blocked, and a core still works.
        r = b.dbg("gcore %d %s/core" % (b.pid, d))
        if r.returncode != 0:
            fail("gcore after the failures failed")


def crash_run(ctx, d, limit, mode):
    r = subprocess.run(
        [ctx.sentry, "run", "--name", "cores-%s-%d" % (ctx.name, os.getpid()),
         "--no-mount", "--dump-on=fatal-signal", d, "--", "sh", "-c",
         "ulimit -c %s; cd %s; exec %s %s" % (limit, d, ctx.prog("core_target"),
                                             mode)],
        capture_output=True, text=True, timeout=120)
    print(r.returncode, r.stdout, r.stderr)
    return r


@case
def a_crash_with_dump_on_leaves_a_core_gdb_reads(ctx):
    with tempfile.TemporaryDirectory() as d:
        r = crash_run(ctx, d, "unlimited", "crash")
        if r.returncode != 128 + 11:
            fail("sentry run exited %d, expected 139" % r.returncode)
        cores = glob.glob(os.path.join(d, "core.*"))
        dumps = glob.glob(os.path.join(d, "sentry-dump-*.json"))
        if len(cores) != 1 or len(dumps) != 1:
            fail("expected one core and one dump, found %r" % os.listdir(d))
        if os.path.exists(os.path.join(d, "core")):
            fail("the host wrote a second core")
        if "crash_here" not in gdb(ctx.prog("core_target"), cores[0], "bt"):
            fail("gdb's backtrace of the crash does not show crash_here")
        if json.load(open(dumps[0])).get("core_file") != cores[0]:
            fail("the dump does not name the core file")


@case
def wcoredump_is_set_exactly_when_a_core_was_written(ctx):
    with tempfile.TemporaryDirectory() as d:
        r = crash_run(ctx, d, "unlimited", "parent")
        if "signal=11 core=1" not in r.stdout:
            fail("the parent's wait lacks WCOREDUMP though a core was written")
    with tempfile.TemporaryDirectory() as d:
        r = crash_run(ctx, d, "0", "parent")
        if "signal=11 core=0" not in r.stdout:
            fail("the parent's wait has WCOREDUMP though RLIMIT_CORE is 0")
        if glob.glob(os.path.join(d, "core*")):
            fail("a core was written with RLIMIT_CORE 0")
        dumps = glob.glob(os.path.join(d, "sentry-dump-*.json"))
        if len(dumps) != 1 or json.load(open(dumps[0]))["core_file"] is not None:
            fail("the dump does not say there is no core")


if __name__ == "__main__":
    main()
