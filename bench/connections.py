#!/usr/bin/env python3
"""Cheap denial of service, measured: many open live streams and slowloris sockets on one
server instance, while a normal client keeps asking for /healthz and a ticket's page.

Phases, each --seconds long, with the p50/p99/max latency of the normal requests:
  1. baseline        nothing else open
  2. streams         --streams stream subscribers (default 10,000), each following one of
                     the anonymous tickets (8 a ticket, 100 an address: the default caps
                     hold), spread over source addresses 127.0.1.1, 127.0.1.2, ...
  3. + slowloris     --slow more sockets (default 2,000) from ONE address (127.0.3.1),
                     each sending a request head a byte at a time; the server cuts each off
                     at its deadline and the attacker opens a new one at once
At the end of phase 3 the grid worker accepts every ticket; each stream must hear its own.
Prints the figures and the server's RSS; exits 1 when a request failed, a p99 was 1 s or
more, or an event went missing.

usage: bench/connections.py [--server BIN] [--streams N] [--slow N] [--seconds S]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return -1


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * (len(v) - 1)))] if v else float("nan")


def call(port, method, path, body=None, headers=None, source=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                   source_address=(source, 0) if source else None)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def probe(port, number, code, out, stop):
    """The normal user, in a process of its own (the streams' reader holds this one's GIL):
    one kept-alive connection, a request every 20 ms; sends (time, ms, ok) for each."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = 0
    while not stop.is_set():
        path = "/healthz" if i % 2 == 0 else f"/api/v1/tickets/{number}"
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"X-Access-Code": code})
            r = conn.getresponse()
            r.read()
            ok = r.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        out.send((time.time(), (time.perf_counter() - t0) * 1000, ok))
        i += 1
        time.sleep(0.02)


class Prober:
    def __init__(self, port, number, code):
        self.recv, send = multiprocessing.Pipe(duplex=False)
        self.stop = multiprocessing.Event()
        self.proc = multiprocessing.Process(target=probe, args=(port, number, code, send, self.stop),
                                            daemon=True)
        self.samples = []
        self.proc.start()
        threading.Thread(target=self._collect, daemon=True).start()
        self.since = time.time()

    def _collect(self):
        while True:
            try:
                self.samples.append(self.recv.recv())
            except EOFError:
                return

    def take(self):
        """The latencies since the last take, and how many failed."""
        now, since = time.time(), self.since
        self.since = now
        window = [x for x in list(self.samples) if since <= x[0] < now]
        return [ms for _, ms, _ in window], sum(1 for *_, ok in window if not ok)

    def close(self):
        self.stop.set()
        self.proc.join(timeout=5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", default=os.path.join(ROOT, "build/bench-release/server/portal-server"))
    ap.add_argument("--streams", type=int, default=10000)
    ap.add_argument("--slow", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=15)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="portal-conn-")
    db = os.path.join(work, "conn.db")
    print(f"[conn] seeding the demo district into {db}", flush=True)
    subprocess.run([args.server, "seed", "--db", db, "--demo"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Anonymous submissions are rate limited per address (scale lifts that for the set-up);
    # the stream caps are set explicitly to their defaults, so they hold as in production.
    server = subprocess.Popen(
        [args.server, "serve", "--port", "0", "--host", "127.0.0.1", "--db", db, "--www", work,
         "--rate-limit-scale", "100000", "--streams-per-address", "128",
         "--streams-per-account", "16", "--streams-per-ticket", "8"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    port = int(re.search(rb"localhost:(\d+)", server.stdout.readline()).group(1))
    threading.Thread(target=lambda: [None for _ in iter(lambda: server.stdout.read(65536), b"")],
                     daemon=True).start()
    failed = False
    try:
        for _ in range(100):
            try:
                if call(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        status, body = call(port, "POST", "/api/v1/auth/login", {"login": "gw0006", "password": "demo12345"})
        assert status == 200, body
        worker = json.loads(body)["token"]
        grid = json.loads(call(port, "GET", "/api/v1/me", headers={"Authorization": "Bearer " + worker})[1])["grid_ids"][0]
        ring = next(f["geometry"]["coordinates"][0] for f in json.loads(call(port, "GET", "/api/v1/grids")[1])["features"]
                    if f["properties"]["grid_id"] == grid)
        lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
        lng = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
        n_tickets = (args.streams + 7) // 8
        print(f"[conn] creating {n_tickets} anonymous tickets in the grid of gw0006", flush=True)
        tickets = []
        for i in range(n_tickets):
            s, body = call(port, "POST", "/api/v1/tickets", {
                "category": "env.noise", "description": f"施工噪音扰民，第{i}号",
                "location": {"lat": lat + (i % 10 - 5) * 1e-5, "lng": lng + (i // 10 % 10 - 5) * 1e-5},
                "contact": {"name": "李堃", "phone": "13700004444"}})
            assert s == 201, body
            d = json.loads(body)
            tickets.append((d["number"], d["access_code"]))
            if (i + 1) % 250 == 0:
                print(f"[conn]   {i + 1}/{n_tickets}", flush=True)

        prober = Prober(port, *tickets[0])
        results = []

        def phase(name):
            time.sleep(args.seconds)
            s, f = prober.take()
            results.append((name, s, f, rss_mb(server.pid)))
            print(f"[conn] {name:<26} requests {len(s):5d}  failed {f}  p50 {pct(s, 50):7.1f} ms"
                  f"  p99 {pct(s, 99):7.1f} ms  max {max(s):7.1f} ms  RSS {rss_mb(server.pid)} MB",
                  flush=True)

        phase("1. baseline")

        # [streams]
        sel = selectors.DefaultSelector()
        streams = []
        t0 = time.time()
        for i in range(args.streams):
            number, code = tickets[i // 8]
            src = f"127.0.1.{1 + i // 100}" if i // 100 < 254 else f"127.0.2.{1 + i // 100 - 254}"
            s = socket.socket()
            s.bind((src, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(f"GET /api/v1/stream?number={number}&code={code} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            s.setblocking(False)
            st = {"sock": s, "number": number, "buf": b"", "ok": False, "heard": False, "closed": False}
            streams.append(st)
            sel.register(s, selectors.EVENT_READ, st)

        def pump(until, done=lambda: False):
            while time.time() < until and not done():
                for key, _ in sel.select(timeout=0.05):
                    st = key.data
                    try:
                        chunk = st["sock"].recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError:
                        chunk = b""
                    if not chunk:
                        st["closed"] = True
                        sel.unregister(st["sock"])
                        continue
                    st["buf"] += chunk
                    if not st["ok"] and b": connected" in st["buf"]:
                        st["ok"] = True
                    if not st["heard"] and b'"action":"accept"' in st["buf"]:
                        st["heard"] = True
                    if len(st["buf"]) > 4096:
                        st["buf"] = st["buf"][-512:]

        pump(time.time() + 60, lambda: all(x["ok"] or x["closed"] for x in streams))
        opened = sum(x["ok"] for x in streams)
        print(f"[conn] {opened}/{args.streams} streams open in {time.time() - t0:.1f} s", flush=True)
        failed |= opened != args.streams
        stop_pump = threading.Event()
        pumper = threading.Thread(target=lambda: [pump(time.time() + 0.2) for _ in iter(stop_pump.is_set, True)],
                                  daemon=True)
        pumper.start()
        phase("2. + streams")

        # [slowloris] from one address; each socket dribbles a byte every second and is
        # replaced when the server cuts it off.
        slow_stop = threading.Event()
        slow_stats = {"open": 0, "cut": 0}

        def loris():
            ssel = selectors.DefaultSelector()
            def open_one():
                s = socket.socket()
                s.bind(("127.0.3.1", 0))
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                ssel.register(s, selectors.EVENT_READ, None)
                return s
            socks = {}
            for _ in range(args.slow):
                s = open_one()
                socks[s] = 0
            slow_stats["open"] = len(socks)
            head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
            while not slow_stop.is_set():
                t = time.time()
                for s in list(socks):
                    try:
                        at = socks[s]
                        s.send(head[at:at + 1])
                        socks[s] = at + 1
                    except OSError:
                        pass
                for key, _ in ssel.select(timeout=0):
                    s = key.fileobj
                    try:
                        s.recv(4096)
                    except OSError:
                        pass
                    ssel.unregister(s)
                    s.close()
                    del socks[s]
                    slow_stats["cut"] += 1
                    socks[open_one()] = 0
                slow_stats["open"] = len(socks)
                time.sleep(max(0.0, 1.0 - (time.time() - t)))
            for s in socks:
                s.close()

        lt = threading.Thread(target=loris, daemon=True)
        lt.start()
        phase("3. + 2,000 slowloris")
        print(f"[conn] slowloris sockets open {slow_stats['open']}, cut off by the server {slow_stats['cut']}",
              flush=True)

        # Every ticket changes once; each stream must hear its own.
        t0 = time.time()
        for number, _ in tickets:
            s, body = call(port, "POST", f"/api/v1/tickets/{number}/actions",
                           {"action": "accept"}, {"Authorization": "Bearer " + worker})
            assert s == 200, body
        deadline = time.time() + 20
        while time.time() < deadline and not all(x["heard"] for x in streams):
            time.sleep(0.2)
        heard = sum(x["heard"] for x in streams)
        print(f"[conn] {len(tickets)} changes in {time.time() - t0:.1f} s: {heard}/{len(streams)} streams heard theirs",
              flush=True)
        failed |= heard != len(streams)
        slow_stop.set()
        stop_pump.set()
        prober.close()
        for name, s, f, _ in results:
            failed |= f > 0 or pct(s, 99) >= 1000
        print(f"[conn] server RSS {rss_mb(server.pid)} MB; {'FAILED' if failed else 'ok'}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
