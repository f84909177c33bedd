#!/usr/bin/env bash
# Cockpit latency on a seeded database: starts portal-server on a copy of the file,
# signs in as ds01 and times single requests (curl, keep-alive off, idle server) of the
# overview, the street ranking and the daily trend for the default 30 days, for a year
# in whole days and for a year with partial days at both ends. Prints the median and
# the fastest of --runs requests each. Not a test: it prints figures.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/stats.sh --db FILE [--server BIN] [--runs N] [--keep] [--help]
  --db FILE     a seeded database (e.g. build/bench/bench-1000000.db); not modified
  --server BIN  portal-server to run (default build/release/server/portal-server)
  --runs N      requests per figure (default 7)
  --keep        reuse the copy of a previous run (its migrations already applied)
Run it with two servers on the same database for before/after figures.
USAGE
}

DB="" SERVER="" RUNS=7 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --db) DB="$(realpath "$2")"; shift 2 ;;
    --server) SERVER="$(realpath "$2")"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "$DB" ] || { usage >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -n "$SERVER" ] || SERVER="$ROOT/build/release/server/portal-server"

WORK="$ROOT/build/bench-stats"
mkdir -p "$WORK"
RUN_DB="$WORK/stats.db"
if [ "$KEEP" = 0 ] || [ ! -f "$RUN_DB" ]; then
  rm -f "$RUN_DB" "$RUN_DB-wal" "$RUN_DB-shm"
  cp "$DB" "$RUN_DB"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
START=$(date +%s.%N)
"$SERVER" serve --port "$PORT" --host 127.0.0.1 --db "$RUN_DB" --www "$WORK" \
  --rate-limit-scale 1000000 >/dev/null 2>"$WORK/server.err" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 6000); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
echo "[stats] server ready in $(python3 -c "print(round($(date +%s.%N) - $START, 1))") s (migrations included)"
BASE="http://127.0.0.1:$PORT/api/v1"
TOKEN=$(curl -sf "$BASE/auth/login" -H 'Content-Type: application/json' \
  -d '{"login":"ds01","password":"demo12345"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

TODAY=$(TZ=Asia/Shanghai date +%F)
YEAR_AGO=$(TZ=Asia/Shanghai date -d '365 days ago' +%F)
NOW_ISO=$(date -u +%Y-%m-%dT%H:%M:%SZ)
YEAR_AGO_ISO=$(date -u -d '365 days ago 5 hours ago' +%Y-%m-%dT%H:%M:%SZ)

time_one() {  # url -> "median_ms min_ms" over RUNS requests, and the body's checksum
  local url="$1" times=()
  for _ in $(seq "$RUNS"); do
    times+=("$(curl -s -o "$WORK/body" -w '%{http_code} %{time_total}' "$url" \
      -H "Authorization: Bearer $TOKEN")")
  done
  printf '%s\n' "${times[@]}" | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
bad = [c for c, _ in rows if c != "200"]
ms = sorted(float(t) * 1000 for _, t in rows)
print("%8.1f %8.1f%s" % (ms[len(ms) // 2], ms[0], "  (HTTP %s)" % bad[0] if bad else ""))'
}

printf '%-40s %8s %8s  %s\n' "request" "p50 ms" "min ms" "body sha1"
while IFS='|' read -r name path; do
  read -r P50 MIN REST < <(time_one "$BASE$path")
  printf '%-40s %8s %8s  %s %s\n' "$name" "$P50" "$MIN" "$(sha1sum <"$WORK/body" | cut -c1-12)" "${REST:-}"
done <<EOF
overview, default 30 days|/stats/overview
overview, a year (whole days)|/stats/overview?from=$YEAR_AGO&to=$TODAY
overview, a year (partial ends)|/stats/overview?from=$YEAR_AGO_ISO&to=$NOW_ISO
overview, street s01, a year|/stats/overview?from=$YEAR_AGO&to=$TODAY&scope=street:s01
ranking by street, 30 days|/stats/ranking?dim=street
ranking by street, a year|/stats/ranking?dim=street&from=$YEAR_AGO&to=$TODAY
trend by day, 30 days|/stats/trend?interval=day
trend by month, a year|/stats/trend?interval=month&from=$YEAR_AGO&to=$TODAY
EOF
