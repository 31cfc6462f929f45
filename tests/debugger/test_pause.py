#!/usr/bin/env python3
"""Behaviour of pause, resume, catchpoints and bad input against a real
`sentry run` (issue 5, "How we will know" and "Bad input").

  test_pause.py SENTRY SENTRYDBG SPIN TEST

SPIN is bench/debugger_spin (progress counters in shared memory). TEST is
one of: frozen nested fork_storm agree catch_signal two_clients bad_input.

Exits 77 (CTest: skipped) only when the sentry cannot run at all here.
"""
import json
import mmap
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
HDR, SLOT = 4096, 64


def skip(why):
    print("SKIP:", why)
    sys.exit(SKIP)


class Client:
    """The control protocol: 4-byte big-endian length + one JSON object."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.next_id = 0
        self.events = []

    def send_raw(self, data):
        self.s.sendall(data)

    def recv_frame(self, timeout=30):
        self.s.settimeout(timeout)
        hdr = self._read(4)
        n = struct.unpack(">I", hdr)[0]
        return json.loads(self._read(n))

    def _read(self, n):
        b = b""
        while len(b) < n:
            d = self.s.recv(n - len(b))
            if not d:
                raise EOFError("sentry closed the connection")
            b += d
        return b

    def call(self, cmd, timeout=30, **args):
        self.next_id += 1
        body = json.dumps({"v": 1, "id": self.next_id, "cmd": cmd,
                           "args": args}).encode()
        self.s.sendall(struct.pack(">I", len(body)) + body)
        while True:
            m = self.recv_frame(timeout)
            if "event" in m:
                self.events.append(m)
                continue
            return m

    def ok(self, cmd, **args):
        r = self.call(cmd, **args)
        assert r.get("ok"), (cmd, args, r)
        return r["result"]

    def wait_event(self, timeout):
        if self.events:
            return self.events.pop(0)
        return self.recv_frame(timeout)

    def close(self):
        self.s.close()


class Sentry:
    def __init__(self, sentry, rundir, argv, mount=None):
        self.name = "pausetest-%d" % os.getpid()
        self.sock = os.path.join(rundir, self.name, "ctl")
        env = dict(os.environ, SENTRY_RUNTIME_DIR=rundir)
        opts = ["--mount", mount] if mount else ["--no-mount"]
        self.proc = subprocess.Popen(
            [sentry, "run", "--name", self.name] + opts + ["--"] + argv,
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        for _ in range(200):
            if os.path.exists(self.sock):
                return
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")
                skip("sentry run exited %d: %s" % (self.proc.returncode,
                                                  err.strip()))
            time.sleep(0.05)
        self.stop()
        skip("sentry run made no control socket")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is not None:
            return
        try:  # a paused sentry holds its tasks: let them go first
            c = Client(self.sock)
            for _ in range(8):
                if not c.call("resume", timeout=5).get("ok"):
                    break
            c.close()
        except (OSError, EOFError):
            pass
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Counters:
    def __init__(self, path, timeout=60):
        end = time.time() + timeout
        while True:
            try:
                if os.path.getsize(path) >= HDR:
                    f = open(path, "rb")
                    self.m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
                    f.close()
                    if self.hdr(0) == 0x53504e4442475331:
                        break
            except OSError:
                pass
            if time.time() > end:
                raise AssertionError("the workload never started")
            time.sleep(0.05)
        self.n = self.hdr(1)
        self.storm = self.hdr(5)
        while self.hdr(2) < self.n:
            if time.time() > end:
                raise AssertionError("only %d of %d tasks started" %
                                     (self.hdr(2), self.n))
            time.sleep(0.02)

    def hdr(self, i):
        return struct.unpack_from("<Q", self.m, 8 * i)[0]

    def read(self, storm=False):
        n = self.n + (self.storm if storm else 0)
        return [struct.unpack_from("<Q", self.m, HDR + SLOT * i)[0]
                for i in range(n)]

    def wait_all_move(self, base, timeout=20):
        """Every fixed counter moves past base: every task runs."""
        end = time.time() + timeout
        while time.time() < end:
            now = self.read()
            stuck = [i for i in range(self.n) if now[i] == base[i]]
            if not stuck:
                return
            time.sleep(0.02)
        raise AssertionError("tasks %s did not run after resume" % stuck)


def assert_frozen(cnt, hold=0.3, storm=False):
    a = cnt.read(storm)
    time.sleep(hold)
    b = cnt.read(storm)
    moved = [i for i in range(len(a)) if a[i] != b[i]]
    assert not moved, "slots %s advanced while paused" % moved
    return b


def t_frozen(env):
    """Every thread of a busy-looping multi-threaded program stops."""
    s, cnt, c = env.start(["-p", "2", "-t", "4", "-s", "100"])
    for _ in range(3):
        r = c.ok("pause")
        assert r["pause_depth"] == 1, r
        base = assert_frozen(cnt)
        c.ok("resume")
        cnt.wait_all_move(base)


def t_nested(env):
    s, cnt, c = env.start(["-p", "1", "-t", "4", "-s", "100"])
    assert c.ok("pause")["pause_depth"] == 1
    assert c.ok("pause")["pause_depth"] == 2
    assert_frozen(cnt)
    assert c.ok("resume")["pause_depth"] == 1
    base = assert_frozen(cnt)  # one pause still holds everything
    assert c.ok("status")["paused"] is True
    assert c.ok("resume")["pause_depth"] == 0
    cnt.wait_all_move(base)
    r = c.call("resume")
    assert not r["ok"] and r["error"]["code"] == "EINVAL", r


def t_fork_storm(env):
    """Tasks created around the pause start paused and do not run."""
    s, cnt, c = env.start(["-p", "2", "-t", "2", "-s", "50", "-F"])
    time.sleep(0.5)  # the storm is going
    for _ in range(5):
        c.ok("pause")
        before = {t["tid"] for t in c.ok("ps")["tasks"]}
        base = assert_frozen(cnt, hold=0.3, storm=True)
        tasks = c.ok("ps")["tasks"]
        after = {t["tid"] for t in tasks}
        assert after <= before, "tasks %s appeared while paused" % (
            after - before)
        for t in tasks:
            st = c.ok("stop-state", tid=t["tid"])
            assert st["stop"]["held"] or st["state"] in "ZX", st
            assert st["stop"]["external_count"] >= 1 or st["state"] in "ZX", st
        c.ok("resume")
        cnt.wait_all_move(base)
    assert c.ok("status")["tasks_created"] > 20


def status_file(path):
    d = {}
    for line in open(path):
        k, _, v = line.partition(":")
        if not _:
            k, _, v = line.partition("\t")
        d[k.strip()] = v.strip()
    return d


def t_agree(env):
    """ps, task, tg and the dump (and /mnt/sentry) show the same state."""
    s, cnt, c = env.start(["-p", "3", "-t", "3", "-s", "30"], mount=True)
    c.ok("pause")
    ps = {t["tid"]: t for t in c.ok("ps")["tasks"]}
    dump = c.ok("dump", format="json")["dump"]
    assert dump["consistent"] is True
    dt = {t["tid"]: t for t in dump["tasks"]}
    assert set(ps) == set(dt), (sorted(ps), sorted(dt))
    assert len(ps) >= cnt.n + 1, len(ps)  # the workload's root + n
    for tid, p in ps.items():
        d = dt[tid]
        for k in ("tgid", "ppid", "pgid", "sid", "comm", "state",
                  "nr_threads", "cmdline"):
            assert p[k] == d[k], (tid, k, p[k], d[k])
        t = c.ok("task", tid=tid)
        d2 = json.loads(json.dumps(d))
        d2.pop("regs", None)
        # The dump holds its own pause while it copies (sentry-dump(5)).
        d2["stop"]["external_count"] -= 1
        assert t == d2, (tid, t, d2)
        assert "regs" in d, "held task %d has no registers in the dump" % tid
    tgs = {g["tgid"]: g for g in dump["thread_groups"]}
    for tgid, g in tgs.items():
        assert c.ok("tg", tgid=tgid) == g, tgid
    st = c.ok("status")
    assert st["nr_tasks"] == len(dt) == dump["kernel"]["nr_tasks"]
    if env.mount:
        fs = {int(x) for x in os.listdir(os.path.join(env.mount, "tasks"))}
        assert fs == set(ps), (sorted(fs), sorted(ps))
        for tid in ps:
            f = status_file(os.path.join(env.mount, "tasks", str(tid),
                                         "status"))
            for k in ("tgid", "ppid", "pgid", "sid"):
                assert int(f[k]) == dt[tid][k], (tid, k, f[k], dt[tid][k])
            assert f["comm"] == dt[tid]["comm"], (tid, f, dt[tid]["comm"])
    else:
        print("note: no FUSE mount here; compared ps, task, tg and the dump")
    c.ok("resume")


def t_catch_signal(env):
    s, cnt, c = env.start(
        argv=["sh", "-c", 'trap "x=1" USR1; while :; do sleep 0.05; done'])
    r = c.ok("catch", what="signal", signal="SIGUSR1")
    cid = r["id"]
    r = c.ok("kill", target="tg", id=1, signal="SIGUSR1")
    ev = c.wait_event(10)
    assert ev["event"] == "catch" and ev["kind"] == "signal", ev
    assert ev["signo"] == signal.SIGUSR1 and ev["signal"] in (
        "USR1", "SIGUSR1"), ev
    assert ev["catchpoint"] == cid and ev["paused"] is True, ev
    assert c.ok("status")["paused"] is True
    info = c.ok("info-catch")["catchpoints"]
    assert info[0]["hits"] >= 1, info
    c.ok("delete", id=cid)
    c.ok("resume")
    assert c.ok("status")["pause_depth"] == 0
    assert s.alive()


def t_two_clients(env):
    s, cnt, c = env.start(["-p", "2", "-t", "2", "-s", "100"])
    errors = []

    def worker():
        try:
            w = Client(s.sock)
            for _ in range(25):
                w.ok("pause")
                w.ok("resume")
            w.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    th = [threading.Thread(target=worker) for _ in range(2)]
    for t in th:
        t.start()
    for t in th:
        t.join(120)
    assert not errors, errors
    assert c.ok("status")["pause_depth"] == 0
    cnt.wait_all_move(cnt.read())


def t_bad_input(env):
    s, cnt, c = env.start(["-p", "1", "-t", "2", "-s", "100"])

    def still_fine():
        assert s.alive()
        k = Client(s.sock)
        assert k.ok("status")["pause_depth"] == 0
        k.close()
        cnt.wait_all_move(cnt.read())

    # Garbage: a frame of non-JSON, then bytes that are not a frame.
    g = Client(s.sock)
    junk = b"\xff\xfegarbage\x00{"
    g.send_raw(struct.pack(">I", len(junk)) + junk)
    r = g.recv_frame()
    assert r["ok"] is False, r
    g.send_raw(b"\x00\x00\x00\x00")  # an empty frame breaks the framing
    r = g.recv_frame()
    assert r["ok"] is False and r["id"] is None, r
    g.close()
    still_fine()
    # Oversized: refused with EMSGSIZE, connection closed.
    o = Client(s.sock)
    o.send_raw(struct.pack(">I", 0xFFFFFFF0) + b"{")
    r = o.recv_frame()
    assert r["error"]["code"] == "EMSGSIZE", r
    o.close()
    still_fine()
    # Disconnect mid-request, also while paused by another client.
    c.ok("pause")
    for n in (2, 200):
        d = Client(s.sock)
        d.send_raw(struct.pack(">I", 1000) + b"{" * n)
        d.close()
    m = Client(s.sock)
    m.send_raw(b"\x00\x00")
    m.close()
    c.ok("resume")
    still_fine()
    # A request with a descriptor the command does not want is harmless.
    r, w = os.pipe()
    x = Client(s.sock)
    body = json.dumps({"v": 1, "id": 1, "cmd": "status"}).encode()
    x.s.sendmsg([struct.pack(">I", len(body)) + body],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                  struct.pack("i", w))])
    assert x.recv_frame()["ok"] is True
    x.close()
    os.close(r)
    os.close(w)
    still_fine()


TESTS = {
    "frozen": t_frozen, "nested": t_nested, "fork_storm": t_fork_storm,
    "agree": t_agree, "catch_signal": t_catch_signal,
    "two_clients": t_two_clients, "bad_input": t_bad_input,
}


class Env:
    def __init__(self, sentry, spin, tmp):
        self.sentry, self.spin, self.tmp = sentry, spin, tmp
        self.rundir = os.path.join(tmp, "run")
        os.mkdir(self.rundir, 0o700)
        self.shm = "/dev/shm/sentry-pausetest-%d" % os.getpid()
        self.s = self.c = None
        self.mount = None

    def start(self, spin_args=None, argv=None, mount=False):
        if mount:
            self.mount = os.path.join(self.tmp, "mnt")
            os.mkdir(self.mount)
        if argv is None:
            argv = [self.spin, "-f", self.shm] + spin_args
        self.s = Sentry(self.sentry, self.rundir, argv, self.mount)
        if mount and not os.path.isdir(os.path.join(self.mount, "tasks")):
            time.sleep(0.5)
            if not os.path.isdir(os.path.join(self.mount, "tasks")):
                self.mount = None  # no FUSE here: compare the rest
        cnt = Counters(self.shm) if spin_args is not None else None
        self.c = Client(self.s.sock)
        return self.s, cnt, self.c

    def stop(self):
        if self.c:
            self.c.close()
        if self.s:
            self.s.stop()
        try:
            os.unlink(self.shm)
        except OSError:
            pass


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in TESTS:
        print(__doc__)
        sys.exit(2)
    sentry, _sentrydbg, spin, which = sys.argv[1:5]
    for b in (sentry, spin):
        if not os.access(b, os.X_OK):
            skip("%s is not built" % b)
    tmp = tempfile.mkdtemp(prefix="sentry-pausetest-")
    env = Env(sentry, spin, tmp)
    try:
        TESTS[which](env)
    finally:
        env.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
