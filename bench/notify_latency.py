#!/usr/bin/env python3
"""Notification latency under write load: how long from a ticket's commit to its
`received` message reaching the SMS gateway's webhook (SPEC §12).

Starts a fresh demo database and the real server with --notify-webhook pointing at a
gateway this script runs (which checks each signature), creates tickets at a fixed rate
from several writers for a while, and prints, for every ticket, the time from the
server's acknowledgement of the ticket (its transaction committed) to the arrival of its
message: p50, p90, p99 and max, with the creation latency beside them for scale.

usage: bench/notify_latency.py [--server BIN] [--db URL] [--seconds S] [--rate R] [--writers N]
"""
import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "bench-gateway-secret-0123456789"


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))] if v else float("nan")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default=os.path.join(ROOT, "build/debug/server/portal-server"))
    ap.add_argument("--db", help="a postgres:// URL (default: a new SQLite file)")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rate", type=float, default=50, help="tickets created per second")
    ap.add_argument("--writers", type=int, default=8)
    a = ap.parse_args()

    arrived, bad = {}, [0]
    lock = threading.Lock()

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            at = time.monotonic()
            want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            m = json.loads(body)
            with lock:
                if not hmac.compare_digest(want, self.headers.get("X-Portal-Signature", "")):
                    bad[0] += 1
                if m["kind"] == "received":
                    arrived.setdefault(m["ticket"], at)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()

    tmp = tempfile.mkdtemp(prefix="notify-bench-")
    db = a.db or os.path.join(tmp, "portal.db")
    print(f"seeding {db if not a.db else 'the PostgreSQL database'} ...", file=sys.stderr)
    subprocess.run([a.server, "seed", "--db", db, "--demo"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    env = dict(os.environ, PORTAL_NOTIFY_SECRET=SECRET)
    server = subprocess.Popen(
        [a.server, "serve", "--port", str(port), "--host", "127.0.0.1", "--db", db,
         "--www", tmp, "--rate-limit-scale", "1000000",
         "--notify-webhook", f"http://127.0.0.1:{gateway.server_address[1]}/sms"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "server.log"), "w"))
    try:
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        acked, create_ms, errors = {}, [], [0]
        stop_at = time.monotonic() + a.seconds
        interval = a.writers / a.rate

        def writer(w):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            next_at = time.monotonic() + w * interval / a.writers
            i = 0
            while time.monotonic() < stop_at:
                time.sleep(max(0, next_at - time.monotonic()))
                next_at += interval
                body = json.dumps({
                    "category": "city.road", "description": f"路面破损第{w}-{i}处，车辆经过颠簸",
                    "location": {"lat": 35.41 + (i % 50) * 0.0004, "lng": 116.58, "address": "古槐路"},
                    "contact": {"name": "测试", "phone": "139%08d" % (w * 100000 + i)}})
                i += 1
                t0 = time.monotonic()
                try:
                    conn.request("POST", "/api/v1/tickets", body=body.encode(),
                                 headers={"Content-Type": "application/json"})
                    r = conn.getresponse()
                    data = r.read()
                except (OSError, http.client.HTTPException):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    errors[0] += 1
                    continue
                t1 = time.monotonic()
                if r.status != 201:
                    errors[0] += 1
                    continue
                with lock:
                    acked[json.loads(data)["number"]] = t1
                    create_ms.append((t1 - t0) * 1000)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(a.writers)]
        print(f"creating {a.rate:g} tickets/s from {a.writers} writers for {a.seconds:g} s ...",
              file=sys.stderr)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                if all(n in arrived for n in acked):
                    break
            time.sleep(0.1)
        with lock:
            late = [(arrived[n] - acked[n]) * 1000 for n in acked if n in arrived]
            missing = [n for n in acked if n not in arrived]
        print(f"tickets acknowledged: {len(acked)} ({len(acked) / a.seconds:.1f}/s), "
              f"errors {errors[0]}; messages missing: {len(missing)}; bad signatures: {bad[0]}")
        print(f"creation (request → 201): p50 {percentile(create_ms, 50):.1f} ms, "
              f"p99 {percentile(create_ms, 99):.1f} ms")
        print(f"commit → webhook (201 → received at the gateway): p50 {percentile(late, 50):.1f} ms, "
              f"p90 {percentile(late, 90):.1f} ms, p99 {percentile(late, 99):.1f} ms, "
              f"max {max(late) if late else float('nan'):.1f} ms")
        return 1 if missing or bad[0] else 0
    finally:
        server.terminate()
        server.wait()
        gateway.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
