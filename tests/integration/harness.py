"""What every tests/integration/*.py shares: the case registry, how a
case fails, the command line ctest runs it with, and the context a case
gets (the sentry binary, where the test programs are, the case's name).

    SCRIPT --list                              the cases, one a line
    SCRIPT --sentry PATH --programs DIR CASE   run one; exit 0 and "PASS"

Each script registers its cases with @case, subclasses Ctx for what its
cases run, and ends with main(ItsCtx).
"""
import argparse
import os
import subprocess
import sys

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def mounted(path):
    """Whether path is a mount point, a dead FUSE mount ("Transport
    endpoint is not connected", which os.path.ismount calls no mount)
    included."""
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def stop_sentry(proc, mnt=None):
    """Ends a `sentry run` as a user would (SIGTERM: the sentry ends the
    sandbox and unmounts its filesystem), SIGKILL only if it does not
    exit; a mount left behind fails the case (after it is detached)."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if mnt and mounted(mnt):
        subprocess.run(["umount", "-l", mnt])
        fail("the sentry left its mount behind at %s" % mnt)


class Ctx:
    def __init__(self, sentry, programs, name):
        self.sentry = sentry
        self.programs = programs
        self.name = name

    def prog(self, name):
        return os.path.join(self.programs, name)

    def sentrydbg(self):
        return os.path.join(os.path.dirname(self.sentry), "sentrydbg")


def main(ctx_class=Ctx):
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--sentry")
    ap.add_argument("--programs")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.list:
        print("\n".join(CASES))
        return
    if a.case not in CASES:
        ap.error("unknown case %r" % a.case)
    CASES[a.case](ctx_class(a.sentry, a.programs, a.case))
    print("PASS")
