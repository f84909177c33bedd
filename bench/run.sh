#!/usr/bin/env bash
# HTTP benchmarks of the real server: builds the release preset, seeds a district with
# history, starts portal-server with --bench and drives it with wrk (keep-alive,
# 64 connections), printing throughput and latency of each route and its ratio to
# the bare JSON echo route measured in the same run. Not a test: it prints figures.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/run.sh [--tickets N] [--seconds S] [--connections C] [--threads T] [--help]
  --tickets N      historical tickets to seed (default 100000; the targets speak of 1000000)
  --seconds S      wrk duration per route (default 10)
  --connections C  wrk connections (default 64)
  --threads T      wrk threads (default 2)
The database is kept in build/bench/ and reused while N is unchanged.
USAGE
}

TICKETS=100000 SECONDS_EACH=10 CONNS=64 WRK_THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --tickets) TICKETS="$2"; shift 2 ;;
    --seconds) SECONDS_EACH="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    --threads) WRK_THREADS="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v wrk >/dev/null || bash scripts/setup.sh
echo "[bench] building (release, no client)"
cmake -S . -B build/bench-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPORTAL_BUILD_CLIENT=OFF \
  -DPORTAL_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench-release --target portal_server -j2 >/dev/null
SERVER="$ROOT/build/bench-release/server/portal-server"

DATA="$ROOT/build/bench"
mkdir -p "$DATA"
DB="$DATA/bench-$TICKETS.db"
if [ ! -f "$DB.done" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "[bench] seeding $TICKETS tickets into $DB"
  "$SERVER" seed --db "$DB" --demo --tickets "$TICKETS"
  touch "$DB.done"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SERVER" serve --port "$PORT" --host 127.0.0.1 --db "$DB" --www "$DATA" --bench \
  --rate-limit-scale 1000000 >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"

login() {
  curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"demo12345\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
CITIZEN=$(login cz001)
DISTRICT=$(login ds01)
NUMBER=$(curl -sf "$BASE/api/v1/tickets?scope=all&page_size=1" -H "Authorization: Bearer $DISTRICT" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["number"])')

LUA="$DATA/post.lua"
cat >"$LUA" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_TOKEN") and ("Bearer " .. os.getenv("BENCH_TOKEN")) or nil
wrk.body = os.getenv("BENCH_BODY")
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
GETLUA="$DATA/get.lua"
cat >"$GETLUA" <<'LUA'
wrk.headers["Authorization"] = os.getenv("BENCH_TOKEN") and ("Bearer " .. os.getenv("BENCH_TOKEN")) or nil
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

TICKET_BODY='{"category":"env.noise","description":"夜间施工噪音很大，影响休息","location":{"lat":35.41,"lng":116.58},"contact":{"name":"测试","phone":"13800001234"}}'
run() {  # name script url token body
  BENCH_TOKEN="$4" BENCH_BODY="$5" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" -s "$2" "$3" |
    awk '/^RESULT/ {print $2, $3, $4}'
}

printf '%-22s %12s %10s %10s %8s\n' route "req/s" "p50 ms" "p99 ms" "ratio"
read -r BASE_RPS P50 P99 < <(run echo "$LUA" "$BASE/api/v1/bench/echo" "" '{"ping":"pong"}')
printf '%-22s %12.0f %10.2f %10.2f %8s\n' "echo (baseline)" "$BASE_RPS" "$P50" "$P99" "1.00"
while IFS='|' read -r name script url token body; do
  read -r RPS P50 P99 < <(run "$name" "$script" "$url" "$token" "$body")
  printf '%-22s %12.0f %10.2f %10.2f %8.2f\n' "$name" "$RPS" "$P50" "$P99" \
    "$(python3 -c "print($RPS / $BASE_RPS)")"
done <<ROUTES
ticket create|$LUA|$BASE/api/v1/tickets|$CITIZEN|$TICKET_BODY
ticket detail|$GETLUA|$BASE/api/v1/tickets/$NUMBER|$DISTRICT|
my tickets|$GETLUA|$BASE/api/v1/tickets?scope=mine|$CITIZEN|
ROUTES
RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
echo "server RSS: $((RSS / 1024)) MB (tickets: $TICKETS)"
