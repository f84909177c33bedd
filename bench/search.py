#!/usr/bin/env python3
"""Latency of the ticket list's text search (GET /api/v1/tickets?q=) at 1,000,000
tickets, on a real server over SQLite.

The database: --db FILE (a seeded file, copied; the server brings it to this build's
schema and indexes what is not indexed yet), or else a new one: `portal-server seed
--demo --tickets N` with --fill seed (complete trails, slow), or with --fill sql
(default) `--tickets K` (--texts, 20,000: the seed's own descriptions and addresses)
copied round after round into N rows, written straight into the file, the search
index emptied, so that the server's start indexes them all (timed: the backfill of a
database from before the index).

Then, for each query (none, as the baseline; 1, 2 and 4 Chinese characters, an address
word, a ticket-number prefix) and each caller (a district dispatcher's scope=all, the same dispatcher's
scope=queue, a grid worker's scope=queue), --rounds requests of the first page over
one keep-alive connection. Printed per query and caller: the total found, p50 and p99
seen by the client and by the server's request log ("ms").

usage: bench/search.py [--server BIN] [--db FILE | --tickets N [--fill sql|seed]]
                       [--rounds R] [--keep FILE]
Not a test: it prints figures.
"""
import argparse
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

from benchlib import Server, default_server, percentile, require_server


def fill_sql(db, n):
    """The seeded rows copied round after round until there are n, each copy a new
    number; then the search index emptied and marked to be filled from the top."""
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=OFF")
    k = c.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    cols = [r[1] for r in c.execute("PRAGMA table_info(tickets)") if r[1] != "id"]
    override = {
        "number": "printf('RC%s%08d', strftime('%Y%m%d', created_at + 28800, 'unixepoch'), "
                  "(?1 * 1000003 + id) % 100000000)",
        "idempotency_key": "NULL", "idempotency_fingerprint": "NULL",
        "sealed_access_code": "NULL", "external_id": "NULL",
    }
    select = ", ".join(override.get(col, col) for col in cols)
    sql = (f"INSERT INTO tickets({', '.join(cols)}) SELECT {select} FROM tickets "
           f"WHERE id <= ?2 ORDER BY id")
    t0 = time.time()
    r = 1
    total = k
    while total < n:
        rows = min(k, n - total)
        c.execute(sql.replace("?2", str(rows)), (r,))
        c.commit()
        total += rows
        r += 1
        print(f"\r[search] {total}/{n} rows, {time.time() - t0:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)
    c.execute("INSERT INTO ticket_search(ticket_search) VALUES ('delete-all')")
    c.execute("DELETE FROM ticket_search_backfill")
    c.execute("INSERT INTO ticket_search_backfill(upto) SELECT MAX(id) FROM tickets")
    c.commit()
    c.execute("ANALYZE")
    c.close()


def login(server, user):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", "/api/v1/auth/login",
                 json.dumps({"login": user, "password": "demo12345"}),
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    body = json.loads(r.read())
    conn.close()
    if r.status != 200:
        sys.exit(f"login {user}: {r.status} {body}")
    return body["token"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default=default_server())
    ap.add_argument("--db", help="a seeded SQLite file to copy (otherwise one is made)")
    ap.add_argument("--tickets", type=int, default=1000000)
    ap.add_argument("--fill", choices=["sql", "seed"], default="sql")
    ap.add_argument("--texts", type=int, default=20000,
                    help="with --fill sql: tickets seeded whole, whose texts are copied")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--keep", help="keep the made database at this path for later runs")
    args = ap.parse_args()
    require_server(args.server)

    work = tempfile.mkdtemp(prefix="portal-search-bench-")
    server = None
    try:
        db = os.path.join(work, "portal.db")
        if args.db:
            shutil.copy(args.db, db)
        else:
            t0 = time.time()
            seeded = args.tickets if args.fill == "seed" else min(args.texts, args.tickets)
            subprocess.run([args.server, "seed", "--db", db, "--demo", "--tickets", str(seeded)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if args.fill == "sql":
                fill_sql(db, args.tickets)
            print(f"[search] {args.tickets} tickets in {time.time() - t0:.0f} s", file=sys.stderr)
        # Migrating indexes every ticket the index does not hold yet.
        t0 = time.time()
        subprocess.run([args.server, "migrate", "--db", db], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"[search] migrated and indexed in {time.time() - t0:.0f} s", file=sys.stderr)
        if args.keep:
            shutil.copy(db, args.keep)
        c = sqlite3.connect(db)
        number = c.execute("SELECT number FROM tickets ORDER BY id DESC LIMIT 1").fetchone()[0]
        count = c.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
        c.close()
        www = os.path.join(work, "www")
        os.makedirs(www)
        server = Server(args.server, db, www, "/api/v1/tickets", rate_limit_scale=1000000,
                        timeout=60)
        callers = [("ds01", "all"), ("ds01", "queue"), ("gw0001", "queue")]
        tokens = {u: login(server, u) for u, _ in callers}
        # "" first: each caller's list without q, what the filters and the scope cost alone.
        queries = ["", "路", "灯", "路灯", "噪音", "路灯不亮", "消防通道", "菜市场", number[:12]]
        print(f"search at {count:,} tickets (SQLite, first page of 50, {args.rounds} requests "
              f"each after 5 to warm up)")
        print(f"  {'query':<14}{'caller':<18}{'total':>9}  {'client p50':>10} {'p99':>7}  "
              f"{'server p50':>10} {'p99':>7}")
        worst = []
        conn = server.conn
        for q in queries:
            for user, scope in callers:
                path = f"/api/v1/tickets?scope={scope}" + (f"&q={urllib.parse.quote(q)}" if q else "")
                headers = {"Authorization": f"Bearer {tokens[user]}"}
                client_ms, total = [], 0
                for i in range(args.rounds + 5):
                    t0 = time.perf_counter()
                    conn.request("GET", path, headers=headers)
                    r = conn.getresponse()
                    body = r.read()
                    ms = (time.perf_counter() - t0) * 1000
                    if r.status != 200:
                        sys.exit(f"{path}: {r.status} {body[:200]!r}")
                    if i >= 5:
                        client_ms.append(ms)
                    total = json.loads(body)["total"]
                time.sleep(0.2)
                srv = server.take_server_ms()[5:]
                if q:
                    worst.extend(srv)
                label = q or "(no q)"
                print(f"  {label:<{14 - sum(1 for ch in q if ord(ch) > 0x2e80)}}"
                      f"{user + ' ' + scope:<18}{total:>9}  "
                      f"{percentile(client_ms, 50):>7.2f} ms {percentile(client_ms, 99):>7.2f}  "
                      f"{percentile(srv, 50):>7.2f} ms {percentile(srv, 99):>7.2f}")
        print(f"  all searches, server: p50 {percentile(worst, 50):.2f} ms, "
              f"p99 {percentile(worst, 99):.2f} ms")
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
