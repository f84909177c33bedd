#!/usr/bin/env python3
"""Crash safety of ticket creation: the real server is killed with SIGKILL at random
moments while clients create tickets concurrently, then restarted, ROUNDS times.

Checks after every restart and at the end:
  - every ticket whose creation was acknowledged (201) is there, exactly once;
  - a retry of every request with its Idempotency-Key, acknowledged or not, answers a
    ticket, the same one for an acknowledged request, and creates no second one;
  - `portal-server audit verify` finds every hash chain intact;
  - `PRAGMA integrity_check` says ok.

usage: crash_test.py PORTAL_SERVER [--rounds N] [--clients N] [--seed S]
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

BODY = json.dumps({
    "category": "env.noise",
    "description": "夜间施工噪音很大，影响休息",
    "location": {"lat": 35.41, "lng": 116.58},
    "contact": {"name": "测试", "phone": "13800001234"},
}).encode()


def key_hash(key):
    """The hash the server stores for an anonymous request's Idempotency-Key."""
    return hashlib.sha256(("ticket create\nanonymous\n" + key).encode()).hexdigest()


class Server:
    def __init__(self, binary, db, www):
        self.binary, self.db, self.www = binary, db, www
        self.proc = None
        self.port = 0

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", "0", "--host", "127.0.0.1", "--db", self.db,
             "--www", self.www, "--rate-limit-scale", "1000000", "--threads", "64"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"localhost:(\d+)", line)
        if not m:
            raise RuntimeError("unexpected first line: " + line)
        self.port = int(m.group(1))
        threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("server did not become ready")

    @staticmethod
    def _drain(f):
        for _ in iter(lambda: f.read(65536), b""):
            pass

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def create(port, key, timeout=10):
    """POSTs a ticket; returns its number, or None when no answer came."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("POST", "/api/v1/tickets", body=BODY,
                  headers={"Content-Type": "application/json", "Idempotency-Key": key})
        r = c.getresponse()
        data = r.read()
        if r.status != 201:
            raise AssertionError(f"create answered {r.status}: {data[:200]!r}")
        return json.loads(data)["number"]
    except (OSError, http.client.HTTPException):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"seed {args.seed}", flush=True)

    work = tempfile.mkdtemp(prefix="portal-crash-")
    try:
        db = os.path.join(work, "portal.db")
        www = os.path.join(work, "www")
        os.makedirs(www)
        subprocess.run([args.server, "seed", "--db", db, "--demo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = Server(args.server, db, www)
        acked = {}      # key -> number answered with 201
        unanswered = set()  # keys sent without an answer before the kill
        lock = threading.Lock()
        counter = [0]

        for rnd in range(args.rounds):
            server.start()
            # Retries of what the last crash left unanswered, plus a sample of answered
            # ones: each must answer a ticket, the acknowledged ones the same ticket.
            sample = rng.sample(sorted(acked), min(20, len(acked)))
            for key in sorted(unanswered) + sample:
                number = create(server.port, key)
                assert number, f"retry of {key} got no answer from a live server"
                if key in acked:
                    assert acked[key] == number, f"{key}: {acked[key]} then {number}"
                acked[key] = number
            unanswered.clear()

            stop = threading.Event()

            def client(cid):
                while not stop.is_set():
                    with lock:
                        counter[0] += 1
                        key = f"crash-{args.seed}-{counter[0]}"
                        unanswered.add(key)
                    number = create(server.port, key)
                    if number is None:
                        return  # the server is gone
                    with lock:
                        acked[key] = number
                        unanswered.discard(key)

            threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.2, 1.2))
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            print(f"round {rnd + 1}: {len(acked)} acknowledged, "
                  f"{len(unanswered)} unanswered at the kill", flush=True)

        # Last restart: settle what the last kill left open, then stop cleanly.
        server.start()
        for key in sorted(unanswered):
            number = create(server.port, key)
            assert number, f"retry of {key} got no answer"
            acked[key] = number
        server.stop()

        con = sqlite3.connect(db)
        rows = dict(con.execute(
            "SELECT idempotency_key, number FROM tickets WHERE idempotency_key IS NOT NULL"))
        count = con.execute(
            "SELECT COUNT(*) FROM tickets WHERE idempotency_key IS NOT NULL").fetchone()[0]
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        con.close()
        missing = [k for k, n in acked.items() if rows.get(key_hash(k)) != n]
        assert not missing, f"{len(missing)} acknowledged tickets missing, e.g. {missing[:3]}"
        assert count == len(acked), f"{count} tickets for {len(acked)} requests"
        numbers = list(acked.values())
        assert len(set(numbers)) == len(numbers), "two requests answered the same ticket"
        assert integrity == "ok", integrity
        verify = subprocess.run([args.server, "audit", "verify", "--db", db],
                                capture_output=True, text=True)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        print(f"ok: {len(acked)} tickets, each once; {verify.stdout.strip()}; "
              f"integrity_check ok", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
