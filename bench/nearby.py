#!/usr/bin/env python3
"""Latency of GET /api/v1/tickets/nearby ("已有人反映？") at 1,000,000 tickets, on a real
server over SQLite.

The database: --db FILE (a seeded file, e.g. build/bench/bench-1000000.db from
bench/run.sh, copied and brought to this build's schema), or else a new one with the
demo organisation and --tickets rows: `portal-server seed --tickets N` with --fill seed
(complete trails, slow: about an hour for a million in a debug build), or with --fill
sql (default) the ticket rows alone, written straight into the file: spread over the
district's grids and the 44 categories, over three years with more of them recent (as
the seed spreads them), the recent ones mostly open. Nearby reads only ticket rows, so
the figure is the same; the other endpoints are not measured here.

Then --rounds requests at random points inside random grids, for random categories,
over one keep-alive connection. Printed: p50 and p99 seen by the client and by the
server's request log ("ms"), and how many tickets the answers held.

usage: bench/nearby.py [--server BIN] [--db FILE | --tickets N [--fill sql|seed]]
                       [--rounds R] [--radius M] [--keep FILE]
Not a test: it prints figures.
"""
import argparse
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from benchlib import Server, default_server, percentile, require_server

OPEN = ["submitted", "assigned", "accepted", "in_progress", "returned"]





def grids_and_categories(db):
    c = sqlite3.connect(db)
    grids = c.execute("SELECT id, community_id, street_id, min_lat, max_lat, min_lng, max_lng "
                      "FROM grids").fetchall()
    cats = [r[0] for r in c.execute("SELECT code FROM categories")]
    c.close()
    return grids, cats


def fill_sql(db, n, seed=1):
    """n ticket rows written directly (no events: nearby reads none)."""
    grids, cats = grids_and_categories(db)
    rng = random.Random(seed)
    now = int(time.time())
    span = 3 * 365 * 86400
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=OFF")
    sql = ("INSERT INTO tickets(number, category, description, lat, lng, address, grid_id, "
           "contact_name, contact_phone, anonymous, channel, status, level, created_at, "
           "updated_at, response_due_at, resolve_due_at, reopen_count, community_id, street_id, "
           "assignee_kind, assignee_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?,'org',?)")
    batch = []
    t0 = time.time()
    for i in range(n):
        g = grids[rng.randrange(len(grids))]
        lat = g[3] + (g[4] - g[3]) * (0.2 + 0.6 * rng.random())
        lng = g[5] + (g[6] - g[5]) * (0.2 + 0.6 * rng.random())
        age = int(span * (1.0 - math.sqrt(rng.random()))) + 60
        created = now - age
        # Recent tickets are mostly still open; a few old ones linger.
        open_ = rng.random() < (0.7 if age < 15 * 86400 else 0.03 if age < 60 * 86400 else 0.005)
        status = rng.choice(OPEN) if open_ else rng.choice(["closed"] * 8 + ["resolved", "merged"])
        day = time.strftime("%Y%m%d", time.gmtime(created + 8 * 3600))
        batch.append((f"RC{day}{i:08d}", rng.choice(cats), "路灯不亮，晚上走路不安全", lat, lng,
                      "某小区门口", g[0], "张三", "13800000000", 0, "web", status, "grid", created,
                      created, created + 86400, created + 5 * 86400, g[1], g[2], g[1]))
        if len(batch) == 20000:
            c.executemany(sql, batch)
            c.commit()
            batch.clear()
            print(f"\r[nearby] {i + 1}/{n} rows, {time.time() - t0:.0f} s", end="", file=sys.stderr)
    if batch:
        c.executemany(sql, batch)
        c.commit()
    print(file=sys.stderr)
    c.execute("ANALYZE")
    c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default=default_server())
    ap.add_argument("--db", help="a seeded SQLite file to copy (otherwise one is made)")
    ap.add_argument("--tickets", type=int, default=1000000)
    ap.add_argument("--fill", choices=["sql", "seed"], default="sql")
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--radius", type=int, default=250)
    ap.add_argument("--keep", help="keep the made database at this path for later runs")
    args = ap.parse_args()
    require_server(args.server)

    work = tempfile.mkdtemp(prefix="portal-nearby-bench-")
    server = None
    try:
        db = os.path.join(work, "portal.db")
        if args.db:
            shutil.copy(args.db, db)
        else:
            t0 = time.time()
            cmd = [args.server, "seed", "--db", db, "--demo"]
            if args.fill == "seed":
                cmd += ["--tickets", str(args.tickets)]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if args.fill == "sql":
                fill_sql(db, args.tickets)
            print(f"[nearby] {args.tickets} tickets in {time.time() - t0:.0f} s", file=sys.stderr)
            if args.keep:
                shutil.copy(db, args.keep)
        grids, cats = grids_and_categories(db)
        target = db
        www = os.path.join(work, "www")
        os.makedirs(www)
        server = Server(args.server, target, www, "/api/v1/tickets/nearby", rate_limit_scale=1000000, timeout=30)
        conn = server.conn

        rng = random.Random(7)
        client_ms, counts = [], []
        for i in range(args.rounds + 50):
            g = grids[rng.randrange(len(grids))]
            lat = g[3] + (g[4] - g[3]) * rng.random()
            lng = g[5] + (g[6] - g[5]) * rng.random()
            path = (f"/api/v1/tickets/nearby?lat={lat:.6f}&lng={lng:.6f}"
                    f"&category={rng.choice(cats)}&radius_m={args.radius}")
            t0 = time.perf_counter()
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            ms = (time.perf_counter() - t0) * 1000
            if r.status != 200:
                sys.exit(f"{path}: {r.status} {body[:200]!r}")
            if i >= 50:  # the first ones warm the caches
                client_ms.append(ms)
                counts.append(len(json.loads(body)["items"]))
        time.sleep(0.5)
        srv = server.take_server_ms()[50:]
        backend = "SQLite"
        print(f"nearby at {args.tickets:,} tickets ({backend}, radius {args.radius} m, "
              f"{len(client_ms)} requests): answers held {sum(counts) / len(counts):.2f} tickets "
              f"on average, {sum(1 for c in counts if c) } of them at least one")
        print(f"  client  p50 {percentile(client_ms, 50):6.2f} ms   p99 {percentile(client_ms, 99):6.2f} ms")
        if srv:
            print(f"  server  p50 {percentile(srv, 50):6.2f} ms   p99 {percentile(srv, 99):6.2f} ms")
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
