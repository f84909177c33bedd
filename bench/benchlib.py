"""What the HTTP benchmarks share: a real server on a free port, and the time it took
itself to answer each request (the request log's "ms"), beside what the client saw."""
import http.client
import json
import os
import subprocess
import sys
import threading
import time


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_server():
    """The fastest server binary built here: release builds before debug ones."""
    for rel in ("build/bench-release", "build/release", "build/native", "build/pg", "build/debug"):
        path = os.path.join(ROOT, rel, "server/portal-server")
        if os.path.exists(path):
            return path
    return os.path.join(ROOT, "build/release/server/portal-server")


def require_server(path):
    if not os.path.exists(path):
        sys.exit(f"no server at {path}: build it (see README) or pass --server")


def print_latency(what, client_ms, server_ms):
    """The client's and the server's own p50 and p99 over all requests."""
    print(f"all {what}, client: p50 {percentile(client_ms, 50):.3f} ms, "
          f"p99 {percentile(client_ms, 99):.3f} ms ({len(client_ms)} requests)")
    print(f"all {what}, server: p50 {percentile(server_ms, 50):.3f} ms, "
          f"p99 {percentile(server_ms, 99):.3f} ms ({len(server_ms)} log lines)")


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Server:
    """`portal-server serve` on db; `server_ms` collects the log's "ms" of each 200 answer
    to `path`; `conn` is one keep-alive connection, open once /readyz answers 200."""

    def __init__(self, binary, db, www, path, rate_limit_scale=1000000, timeout=30):
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", "0", "--host", "127.0.0.1", "--db", db, "--www", www,
             "--rate-limit-scale", str(rate_limit_scale)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        first = self.proc.stdout.readline()
        self.port = int(first.split("localhost:")[1].split("/")[0])
        self.server_ms = []
        self.lock = threading.Lock()
        self._path = path
        threading.Thread(target=self._drain, daemon=True).start()
        self._timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        for _ in range(600):
            try:
                self.conn.request("GET", "/readyz")
                r = self.conn.getresponse()
                r.read()
                if r.status == 200:
                    break
            except OSError:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            time.sleep(0.1)

    def _drain(self):
        for line in self.proc.stdout:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("path") == self._path and entry.get("status") == 200:
                with self.lock:
                    self.server_ms.append(entry["ms"])

    def take_server_ms(self):
        """The server's own times so far, forgotten once taken."""
        with self.lock:
            out, self.server_ms = self.server_ms, []
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
