#!/usr/bin/env python3
"""Why is it stuck (issue 18): blocked-on state, sentrydbg hangs/why,
tasks/TID/blocked and ps's state letters, on real deadlocked programs
(tests/programs/hang_pipes.c, hang_mutex.c) under `sentry run`.

Usage: hangs.py --list
       hangs.py --sentry PATH --programs DIR CASE
"""
import json
import os
import re
import subprocess
import tempfile
import time

from harness import case, fail, main, stop_sentry


class Sandbox:
    """A program under `sentry run` with the filesystem mounted, its
    "role=PID" lines read up to "ready"."""

    def __init__(self, ctx, argv):
        self.ctx = ctx
        self.name = "hangs-%s-%d" % (ctx.name, os.getpid())
        self.mnt = tempfile.mkdtemp(prefix="sentry-hangs-")
        self.proc = subprocess.Popen(
            [ctx.sentry, "run", "--name", self.name, "--mount", self.mnt,
             "--"] + argv,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.roles = {}
        deadline = time.time() + 30
        for line in self.proc.stdout:
            line = line.strip()
            if line == "ready":
                break
            k, _, v = line.partition("=")
            self.roles[k] = v
            if time.time() > deadline:
                fail("the program did not get ready")
        if not self.roles:
            fail("no output from the program: %s" % self.proc.stderr.read())
        # Let every task reach its wait.
        time.sleep(0.5)

    def pid(self, role):
        return int(self.roles[role])

    def dbg(self, command, check=True):
        r = subprocess.run([self.ctx.sentrydbg(), self.name, "-c", command],
                           capture_output=True, text=True, timeout=60)
        print("$ sentrydbg -c %r -> %d\n%s%s" % (command, r.returncode,
                                                  r.stdout, r.stderr))
        if check and r.returncode != 0:
            fail("sentrydbg %s failed: %s" % (command, r.stderr))
        return r

    def dbg_json(self, command):
        return json.loads(self.dbg(command + " --json").stdout)

    def close(self):
        stop_sentry(self.proc, self.mnt)
        try:
            os.rmdir(self.mnt)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@case
def pipes_deadlock_is_exactly_the_two_readers(ctx):
    with Sandbox(ctx, [ctx.prog("hang_pipes")]) as sb:
        a, b = sb.pid("a"), sb.pid("b")
        # Several looks: the busy writer and reader, seen one after the
        # other, must never pass for a deadlock.
        for _ in range(5):
            r = sb.dbg_json("hangs")
            if r["stuck"] != sorted([a, b]):
                fail("stuck set %r, expected exactly %r" %
                     (r["stuck"], sorted([a, b])))
            if sorted([a, b]) not in r["cycles"]:
                fail("no cycle of the two readers in %r" % r["cycles"])
        blocked = {e["tid"]: e for e in r["blocked"]}
        for t in (a, b):
            e = blocked[t]
            if e["syscall"] != "read" or not e["object"].startswith("pipe:["):
                fail("task %d's wait is %r" % (t, e))
            wakers = sorted(w["tid"] for w in e["wakers"])
            if wakers != sorted([a, b]) or e["role"] != "writers":
                fail("task %d's wakers are %r" % (t, e["wakers"]))
        if not blocked[sb.pid("sleeper")]["timed"]:
            fail("the sleeper's wait is not timed: %r" % blocked[sb.pid("sleeper")])
        parent = blocked[sb.pid("parent")]
        if parent["syscall"] != "wait4" or sb.pid("sleeper") not in \
                [w["tid"] for w in parent["wakers"]]:
            fail("the parent's wait is %r" % parent)
        text = sb.dbg("hangs").stdout
        if not re.search(r"^\s*%d \(hang_pipes\) S read pipe:\[\d+\] ← "
                         r"writers: .*itself: fd \d+" % a, text, re.M):
            fail("hangs does not show the chain of %d" % a)
        why = sb.dbg("why %d" % a).stdout
        if "stuck: nothing outside the cycle %d %d" % tuple(sorted([a, b])) \
                not in why or "%d (hang_pipes) S read pipe:[" % b not in why:
            fail("why %d does not walk to %d and the cycle" % (a, b))
        why = sb.dbg("why %d" % sb.pid("parent")).stdout
        if "not stuck" not in why or "timed" not in why:
            fail("why of the parent does not find the sleeper's timer")
        wj = sb.dbg_json("why %d" % a)
        if not wj["stuck"] or wj["chain"][0]["tid"] != a:
            fail("why --json of %d: %r" % (a, wj))
        # The filesystem says the same, in one line.
        with open(os.path.join(sb.mnt, "tasks", str(a), "blocked")) as f:
            line = f.read()
        if not line.startswith("read pipe:[") or "writers:" not in line:
            fail("tasks/%d/blocked reads %r" % (a, line))
        with open(os.path.join(sb.mnt, "tasks", str(sb.pid("sleeper")),
                               "blocked")) as f:
            if "timed" not in f.read():
                fail("the sleeper's blocked file does not say timed")


@case
def ps_letters_agree_with_proc(ctx):
    with Sandbox(ctx, [ctx.prog("hang_pipes")]) as sb:
        ps = {t["tid"]: t for t in sb.dbg_json("ps")["tasks"]}
        for role in ("a", "b", "sleeper", "parent"):
            pid = sb.pid(role)
            with open(os.path.join(sb.mnt, "proc", str(pid), "stat")) as f:
                proc_state = f.read().rsplit(")", 1)[1].split()[0]
            if ps[pid]["state"] != "S" or proc_state != "S":
                fail("%s (%d): ps says %s, proc/ says %s, expected S" %
                     (role, pid, ps[pid]["state"], proc_state))
        if not ps[sb.pid("a")]["blocked"].startswith("read pipe:["):
            fail("ps's wait column for a: %r" % ps[sb.pid("a")]["blocked"])
        sb.dbg("stop %d" % sb.pid("sleeper"))
        ps = {t["tid"]: t for t in sb.dbg_json("ps")["tasks"]}
        if ps[sb.pid("sleeper")]["state"] != "T":
            fail("a task the debugger holds is not T in ps")
        text = sb.dbg("ps").stdout
        if not re.search(r"^\s*%d .* S +0 hang_pipes +read pipe:\[" %
                         sb.pid("a"), text, re.M):
            fail("ps text does not show a's wait")


@case
def mutex_deadlock_names_both_threads_and_owners(ctx):
    with Sandbox(ctx, [ctx.prog("hang_mutex")]) as sb:
        t1, t2 = sb.pid("t1"), sb.pid("t2")
        m1, m2 = sb.roles["m1"], sb.roles["m2"]
        r = sb.dbg_json("hangs")
        if t1 not in r["stuck"] or t2 not in r["stuck"]:
            fail("stuck set %r lacks the threads %d %d" % (r["stuck"], t1, t2))
        if sorted([t1, t2]) not in r["cycles"]:
            fail("no cycle of the two threads in %r" % r["cycles"])
        blocked = {e["tid"]: e for e in r["blocked"]}
        # t1 holds m1 and waits for m2, which t2 holds; and conversely.
        for t, m, owner in ((t1, m2, t2), (t2, m1, t1)):
            e = blocked[t]
            if e["syscall"] != "futex" or \
                    e["object"] != "mutex %s (owner %d)" % (m, owner) or \
                    [w["tid"] for w in e["wakers"]] != [owner]:
                fail("thread %d's wait is %r" % (t, e))
        text = sb.dbg("hangs").stdout
        if "mutex %s (owner %d) ← owner: %d" % (m2, t2, t2) not in text:
            fail("hangs does not name m2's owner")


@case
def unix_socket_peers_wait_on_each_other(ctx):
    with Sandbox(ctx, [ctx.prog("hang_misc"), "socket"]) as sb:
        a, b = sb.pid("a"), sb.pid("b")
        r = sb.dbg_json("hangs")
        # The parent waits for only these two: stuck too, and init.
        if r["stuck"] != sorted([1, sb.pid("parent"), a, b]) or \
                r["cycles"] != [sorted([a, b])]:
            fail("stuck %r cycles %r, expected the cycle %d %d" %
                 (r["stuck"], r["cycles"], a, b))
        blocked = {e["tid"]: e for e in r["blocked"]}
        for t, peer in ((a, b), (b, a)):
            e = blocked[t]
            if not re.match(r"socket:\[\d+\] \(peer socket:\[\d+\]\)$",
                            e["object"]) or e["role"] != "peer" or \
                    [w["tid"] for w in e["wakers"]] != [peer]:
                fail("task %d's wait is %r" % (t, e))


@case
def a_lock_holder_waiting_on_the_waiter_is_a_cycle(ctx):
    with Sandbox(ctx, [ctx.prog("hang_misc"), "flock"]) as sb:
        a, b = sb.pid("a"), sb.pid("b")
        r = sb.dbg_json("hangs")
        blocked = {e["tid"]: e for e in r["blocked"]}
        e = blocked[b]
        if e["syscall"] != "flock" or not e["object"].startswith("lock on ") \
                or [w["tid"] for w in e["wakers"]] != [a]:
            fail("the lock waiter's wait is %r" % e)
        if r["stuck"] != sorted([1, sb.pid("parent"), a, b]) or \
                r["cycles"] != [sorted([a, b])]:
            fail("stuck %r cycles %r, expected the cycle %d %d" %
                 (r["stuck"], r["cycles"], a, b))


@case
def bad_input_gets_clear_errors(ctx):
    with Sandbox(ctx, [ctx.prog("hang_pipes")]) as sb:
        r = sb.dbg("why 99999", check=False)
        if r.returncode == 0 or "no task with TID 99999" not in r.stderr:
            fail("why of an unknown TID is not refused clearly")
        r = sb.dbg("why abc", check=False)
        if r.returncode == 0 or not r.stderr:
            fail("why of a malformed TID is not refused")
        # The sentry goes on.
        if sb.dbg_json("hangs")["stuck"] != sorted([sb.pid("a"), sb.pid("b")]):
            fail("hangs changed after bad requests")
        try:
            open(os.path.join(sb.mnt, "tasks", "99999", "blocked"))
            fail("tasks/99999/blocked exists")
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    main()
