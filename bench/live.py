#!/usr/bin/env python3
"""Live load: many stream subscribers (GET /api/v1/stream, Server-Sent Events) on one
server while tickets are created, checking that every subscriber receives every event
of its scope, and printing API latency meanwhile and the server's memory.

Subscribers are split between the district hotline centre (ds01: every ticket) and the
citizens cz001-cz020 (each only their own tickets); writers create tickets as random
citizens at a fixed rate while a reader fetches ticket details. Streams are served by the
front's event loop, not by worker threads; the stream caps are lifted (one address, two
dozen accounts), as bench/connections.py does not.

usage: bench/live.py [--server BIN] [--subscribers N] [--seconds S] [--rate R]
Exits 1 when an event went missing (so a reduced run serves as a test).
"""
import argparse
import http.client
import json
import multiprocessing
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER = re.compile(rb'"number":"(RC\d+)"')


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def status_of(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


class Api:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default=os.path.join(ROOT, "build/bench-release/server/portal-server"))
    ap.add_argument("--subscribers", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rate", type=float, default=50, help="tickets created per second")
    ap.add_argument("--writers", type=int, default=8)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="portal-live-")
    server = None
    try:
        db = os.path.join(work, "live.db")
        subprocess.run([args.server, "seed", "--db", db, "--demo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = subprocess.Popen(
            [args.server, "serve", "--port", "0", "--host", "127.0.0.1", "--db", db, "--www",
             work, "--rate-limit-scale", "1000000"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        port = int(re.search(rb"localhost:(\d+)", server.stdout.readline()).group(1))
        threading.Thread(target=lambda: [None for _ in iter(lambda: server.stdout.read(65536), b"")],
                         daemon=True).start()
        api = Api(port)
        for _ in range(100):
            try:
                if api.call("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        rss_idle = int(status_of(server.pid)["VmRSS"].split()[0]) // 1024

        def login(name):
            s, body = api.call("POST", "/api/v1/auth/login", {"login": name, "password": "demo12345"})
            assert s == 200, body
            d = json.loads(body)
            return d["token"], d["user"]["id"]

        district, _ = login("ds01")
        citizens = [login(f"cz{i:03d}") for i in range(1, 21)]

        # [subscribers] half the district centre, half the citizens in turn.
        subs = []  # (socket, scope) where scope is None (all) or a citizen index
        sel = selectors.DefaultSelector()
        t0 = time.time()
        for i in range(args.subscribers):
            scope = None if i % 2 == 0 else (i // 2) % len(citizens)
            token = district if scope is None else citizens[scope][0]
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(f"GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                      "\r\n".encode())
            s.setblocking(False)
            subs.append({"sock": s, "scope": scope, "buf": b"", "seen": set(), "ok": False})
            sel.register(s, selectors.EVENT_READ, subs[-1])
        connect_s = time.time() - t0

        def pump(until):
            while time.time() < until:
                for key, _ in sel.select(timeout=0.05):
                    sub = key.data
                    try:
                        chunk = sub["sock"].recv(65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        sel.unregister(sub["sock"])
                        continue
                    data = sub["buf"] + chunk
                    cut = data.rfind(b"\n\n")
                    if cut >= 0:
                        head, sub["buf"] = data[:cut], data[cut + 2:]
                        if not sub["ok"] and b" 200 " in head:
                            sub["ok"] = True
                        sub["seen"].update(NUMBER.findall(head))
                    else:
                        sub["buf"] = data

        deadline = time.time() + 30
        while time.time() < deadline and not all(s["ok"] for s in subs):
            pump(time.time() + 0.2)
        connected = sum(s["ok"] for s in subs)
        st = status_of(server.pid)
        rss_subscribed = int(st["VmRSS"].split()[0]) // 1024
        print(f"[live] {connected}/{args.subscribers} subscribers streaming after "
              f"{connect_s:.1f} s; server threads {st['Threads']}, RSS {rss_idle} MB idle -> "
              f"{rss_subscribed} MB subscribed", flush=True)

        # [writers] tickets at a fixed total rate; a reader fetches details meanwhile.
        created = []  # (number, citizen index)
        create_ms, detail_ms, errors = [], [], []
        lock = threading.Lock()
        stop = threading.Event()
        body = {"category": "env.noise", "description": "夜间施工噪音很大，影响休息",
                "location": {"lat": 35.41, "lng": 116.58},
                "contact": {"name": "测试", "phone": "13800001234"}}

        def writer(w):
            c = Api(port)
            interval = args.writers / args.rate
            nxt = time.time()
            n = 0
            while not stop.is_set():
                who = (w + n * args.writers) % len(citizens)
                n += 1
                t = time.time()
                s, b = c.call("POST", "/api/v1/tickets", body, citizens[who][0])
                ms = (time.time() - t) * 1000
                with lock:
                    if s == 201:
                        created.append((json.loads(b)["number"].encode(), who))
                        create_ms.append(ms)
                    else:
                        errors.append((s, b[:100]))
                nxt += interval
                time.sleep(max(0.0, nxt - time.time()))

        def reader():
            c = Api(port)
            while not stop.is_set():
                with lock:
                    number = created[-1][0].decode() if created else None
                if not number:
                    time.sleep(0.05)
                    continue
                t = time.time()
                s, _ = c.call("GET", "/api/v1/tickets/" + number, token=district)
                with lock:
                    (detail_ms if s == 200 else errors).append(
                        (time.time() - t) * 1000 if s == 200 else (s, number))
                time.sleep(0.01)

        # The writers and the reader run in a process of their own: beside the pump
        # their timings would include waits for the interpreter lock, not the server.
        def load(out, finished):
            workers = [threading.Thread(target=writer, args=(w,)) for w in range(args.writers)]
            workers.append(threading.Thread(target=reader))
            for w in workers:
                w.start()
            finished.wait()
            stop.set()
            for w in workers:
                w.join()
            out.send((created, create_ms, detail_ms, errors))

        fork = multiprocessing.get_context("fork")
        results_in, results_out = fork.Pipe(duplex=False)
        finished = fork.Event()
        child = fork.Process(target=load, args=(results_out, finished))
        child.start()
        pump(time.time() + args.seconds)
        peak = status_of(server.pid)
        finished.set()
        while not results_in.poll(0.05):
            pump(time.time() + 0.05)
        created, create_ms, detail_ms, errors = results_in.recv()
        child.join()
        # Let the last events arrive.
        expected = {}
        for number, who in created:
            expected[number] = who

        def missing_of(sub):
            want = {n for n, who in expected.items() if sub["scope"] in (None, who)}
            return want - sub["seen"], sub["seen"] - want

        end = time.time() + 20
        while time.time() < end:
            pump(time.time() + 0.5)
            if all(not missing_of(s)[0] for s in subs):
                break
        missing = sum(len(missing_of(s)[0]) for s in subs)
        foreign = sum(len(missing_of(s)[1]) for s in subs)
        deliveries = sum(len(s["seen"]) for s in subs)
        print(f"[live] {len(created)} tickets created in {args.seconds:.0f} s "
              f"({len(created) / args.seconds:.0f}/s), {len(errors)} errors; "
              f"{deliveries} events delivered, {missing} missing, {foreign} outside their scope")
        print(f"[live] create p50 {percentile(create_ms, 50):.1f} ms p99 "
              f"{percentile(create_ms, 99):.1f} ms; detail p50 {percentile(detail_ms, 50):.1f} ms "
              f"p99 {percentile(detail_ms, 99):.1f} ms ({len(detail_ms)} reads)")
        print(f"[live] server RSS {int(peak['VmRSS'].split()[0]) // 1024} MB under load, peak "
              f"{int(peak['VmHWM'].split()[0]) // 1024} MB; threads {peak['Threads']}")
        ok = connected == args.subscribers and missing == 0 and foreign == 0 and not errors
        print("[live] " + ("ok" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        if server:
            server.send_signal(signal.SIGKILL)
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
