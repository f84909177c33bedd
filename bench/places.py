#!/usr/bin/env python3
"""Place search latency (GET /api/v1/places) at the district's size: the demo
organisation (15 streets, ~300 communities, 1,571 grids, ~300 located units) and its
gazetteer, grown by --extra generated roads and landmarks (imported with
`portal-server import-places`, as an administrator would), on a real server.

Each query of a mix (a street, a road, a common character, a grid, an estate form, a
character beyond the BMP, letters, no match) is asked --rounds times over one
keep-alive connection. Printed: for each query the number of answers and the latency
seen by the client (p50, p99), and for all of them together the client's and the
server's own figures (the request log's "ms": routing, search and the JSON answer).

usage: bench/places.py [--server BIN] [--extra N] [--rounds R]
Not a test: it prints figures.
"""
import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

from benchlib import Server, default_server, percentile, print_latency, require_server


QUERIES = ["古槐", "古槐路", "太白楼", "路", "社区", "第1网格", "小区", "派出所", "交叉口",
           "𠮷", "cbd", "济宁市第一人民医院", "没有这个地方"]

STEMS = ["金色", "阳光", "银河", "东方", "世纪", "锦绣", "华宇", "和谐", "翰林", "书香", "御景",
         "龙城", "盛世", "名仕", "香榭", "中央", "天和", "明珠", "怡景", "康桥", "紫金", "凤凰",
         "百合", "海川", "学府", "滨河", "丽都", "水木", "蓝湾", "翠微", "枫林", "金桥", "齐鲁"]
FORMS = [("小区", "landmark"), ("花园", "landmark"), ("大厦", "landmark"), ("超市", "landmark"),
         ("药店", "landmark"), ("幼儿园", "landmark"), ("公交站", "landmark"), ("街", "road"),
         ("巷", "road"), ("路", "road")]





def gazetteer_csv(n, seed=1):
    """n plausible extra places inside the district's box, each name once."""
    rng = random.Random(seed)
    lines = ["name,kind,lat,lng"]
    seen = set()
    while len(lines) <= n:
        form, kind = rng.choice(FORMS)
        name = rng.choice(STEMS) + rng.choice(STEMS) + form
        if name in seen:
            name = name[:-len(form)] + str(len(seen) % 97) + form
        if name in seen:
            continue
        seen.add(name)
        lat = rng.uniform(35.31, 35.54)
        lng = rng.uniform(116.41, 116.74)
        lines.append(f"{name},{kind},{lat:.6f},{lng:.6f}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default=default_server())
    ap.add_argument("--extra", type=int, default=2500,
                    help="generated roads and landmarks imported besides the seed's (default 2500)")
    ap.add_argument("--rounds", type=int, default=300, help="times each query is asked (default 300)")
    args = ap.parse_args()
    require_server(args.server)

    work = tempfile.mkdtemp(prefix="portal-places-bench-")
    server = None
    try:
        db = os.path.join(work, "portal.db")
        subprocess.run([args.server, "seed", "--db", db, "--demo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if args.extra > 0:
            csv = os.path.join(work, "extra.csv")
            with open(csv, "w", encoding="utf-8") as f:
                f.write(gazetteer_csv(args.extra))
            subprocess.run([args.server, "import-places", "--db", db, "--quiet", csv], check=True,
                           stdout=subprocess.DEVNULL)
        www = os.path.join(work, "www")
        os.makedirs(www)
        server = Server(args.server, db, www, "/api/v1/places", rate_limit_scale=1000, timeout=10)
        conn = server.conn

        def ask(q, limit=10):
            path = "/api/v1/places?" + urllib.parse.urlencode({"q": q, "limit": limit})
            t0 = time.perf_counter()
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            ms = (time.perf_counter() - t0) * 1000
            if r.status != 200:
                sys.exit(f"{q}: {r.status} {body[:200]!r}")
            return ms, json.loads(body)["items"]

        # How many places the server holds: every street, community and grid, the units
        # with a location, and the gazetteer.
        def get(path):
            conn.request("GET", path)
            return json.loads(conn.getresponse().read())
        org = get("/api/v1/org")
        org_places = len(org["streets"])
        for st in org["streets"]:
            org_places += len(st["communities"]) + sum(len(c["grids"]) for c in st["communities"])
        units = sum(1 for u in get("/api/v1/units") if "location" in u)
        with sqlite3.connect(db) as d:
            gazetteer = d.execute("SELECT count(*) FROM places").fetchone()[0]
        for q in QUERIES:
            ask(q)  # warm up
        server.take_server_ms()
        print(f"places search, {args.rounds} requests per query, limit 10 (server {args.server})")
        print(f"indexed: {org_places} streets, communities and grids, {units} units, "
              f"{gazetteer} gazetteer places (the seed's and {args.extra} imported): "
              f"{org_places + units + gazetteer} in all")
        print(f"{'query':<20}{'answers':>8}{'p50 ms':>10}{'p99 ms':>10}")
        every = []
        for q in QUERIES:
            times = []
            items = []
            for _ in range(args.rounds):
                ms, items = ask(q)
                times.append(ms)
            every += times
            print(f"{q:<20}{len(items):>8}{percentile(times, 50):>10.3f}{percentile(times, 99):>10.3f}")
        time.sleep(0.3)  # the last log lines
        srv = server.take_server_ms()
        print_latency("queries", every, srv)
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
