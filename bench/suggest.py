#!/usr/bin/env python3
"""Category suggestion: accuracy and latency (POST /api/v1/suggest) on a real server.

Seeds a fresh SQLite database with the demo organisation and --tickets historical
tickets, runs `portal-server train` (which prints the held-out top-1 and top-3 accuracy
and the most confused categories; with --eval FILE, default
tests/data/suggest_handwritten.tsv when it exists, the same on that file), starts a
server on it and asks it for suggestions: each text of a mix (short and long, clear and
vague, emoji, characters beyond the BMP) --rounds times over one keep-alive connection.
Printed: the latency seen by the client and the server's own (the request log's "ms":
parsing, prediction and the JSON answer), p50 and p99.

usage: bench/suggest.py [--server BIN] [--tickets N] [--rounds R] [--eval FILE] [--seed S]
Not a test: it prints figures.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, Server, default_server, percentile, print_latency, require_server


TEXTS = [
    "路灯坏了",
    "小区门口那条路的路灯好几天都不亮了，晚上黑灯瞎火的，老人出门不方便，请尽快修一下",
    "楼上天天半夜蹦跶，吵得睡不着",
    "家里没水了",
    "来电人反映：建设路与红星路交叉口下水道井盖没了，要求尽快处理。",
    "老板拖着工资不给，干了半年了",
    "🙂🙂 有个事",
    "𠮷野家门口垃圾堆成山",
    "x",
    "您好，我想反映个事，我们小区的物业不作为，电梯三天两头坏，楼道也没人打扫，交了物业费"
    "出了事物业也不管，业主们意见很大，找物业好多次都推脱，希望住建部门督促物业整改。" * 3,
]





def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default=default_server())
    ap.add_argument("--tickets", type=int, default=50000,
                    help="historical tickets seeded (default 50000)")
    ap.add_argument("--rounds", type=int, default=300, help="times each text is asked (default 300)")
    ap.add_argument("--eval", default=os.path.join(ROOT, "tests/data/suggest_handwritten.tsv"),
                    help="labelled texts to report the accuracy on too, when the file exists")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    require_server(args.server)

    work = tempfile.mkdtemp(prefix="portal-suggest-bench-")
    server = None
    try:
        db = os.path.join(work, "portal.db")
        t0 = time.perf_counter()
        subprocess.run([args.server, "seed", "--db", db, "--demo", "--tickets", str(args.tickets),
                        "--seed", str(args.seed)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        print(f"seeded the demo and {args.tickets} tickets in {time.perf_counter() - t0:.1f}s "
              f"(server {args.server})")
        train = [args.server, "train", "--db", db, "--quiet", "--seed", str(args.seed)]
        if args.eval and os.path.exists(args.eval):
            train += ["--eval", args.eval]
        else:
            print(f"(no {args.eval}: held-out figures only)")
        t0 = time.perf_counter()
        subprocess.run(train, check=True)
        print(f"trained in {time.perf_counter() - t0:.1f}s")

        www = os.path.join(work, "www")
        os.makedirs(www)
        server = Server(args.server, db, www, "/api/v1/suggest", rate_limit_scale=1000, timeout=10)
        conn = server.conn

        def ask(text):
            body = json.dumps({"description": text}, ensure_ascii=False).encode()
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/suggest", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            ms = (time.perf_counter() - t0) * 1000
            if r.status != 200:
                sys.exit(f"{text[:20]}: {r.status} {data[:200]!r}")
            return ms, json.loads(data)["categories"]

        for _ in range(100):  # the server loads the model at start
            if ask(TEXTS[0])[1]:
                break
            time.sleep(0.1)
        for t in TEXTS:
            ask(t)
        server.take_server_ms()
        print(f"suggest, {args.rounds} requests per text")
        print(f"{'text':<24}{'top-1':<22}{'score':>7}{'p50 ms':>9}{'p99 ms':>9}")
        every = []
        for t in TEXTS:
            times = []
            cats = []
            for _ in range(args.rounds):
                ms, cats = ask(t)
                times.append(ms)
            every += times
            top = cats[0] if cats else {"code": "-", "score": 0}
            label = (t[:10] + "…") if len(t) > 10 else t
            print(f"{label:<24}{top['code']:<22}{top['score']:>7.3f}"
                  f"{percentile(times, 50):>9.3f}{percentile(times, 99):>9.3f}")
        time.sleep(0.3)  # the last log lines
        srv = server.take_server_ms()
        print_latency("texts", every, srv)
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
