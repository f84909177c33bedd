#!/usr/bin/env bash
# HTTP benchmarks of the real server: builds the release preset, seeds a district with
# history, starts portal-server with --bench and drives it with wrk (keep-alive,
# 64 connections), printing throughput and latency of each route and its ratio to
# the bare JSON echo route measured in the same run. Not a test: it prints figures.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/run.sh [--tickets N] [--seconds S] [--connections C] [--threads T]
                    [--server-threads N] [--server BIN] [--help]
  --tickets N         historical tickets to seed (default 1000000)
  --seconds S         wrk duration per route (default 10)
  --connections C     wrk connections (default 64)
  --threads T         wrk threads (default 2)
  --server-threads N  the server's worker threads (default 128)
  --server BIN        benchmark this portal-server instead of building one (e.g. an
                      older build, for before/after figures on the same database)
  --db FILE           start from this seeded database instead of build/bench/bench-N.db
The database is kept in build/bench/ and reused while N is unchanged; each run works
on a copy of it, so that the tickets one run creates do not weigh on the next.
USAGE
}

SEEDED_DB="" TICKETS=1000000 SECONDS_EACH=10 CONNS=64 WRK_THREADS=2 SERVER_THREADS=128 SERVER=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --tickets) TICKETS="$2"; shift 2 ;;
    --seconds) SECONDS_EACH="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    --threads) WRK_THREADS="$2"; shift 2 ;;
    --server-threads) SERVER_THREADS="$2"; shift 2 ;;
    --server) SERVER="$(realpath "$2")"; shift 2 ;;
    --db) SEEDED_DB="$(realpath "$2")"; shift 2 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v wrk >/dev/null || bash scripts/setup.sh
SEED_SERVER="$ROOT/build/bench-release/server/portal-server"
if [ -z "$SERVER" ] || { [ -z "$SEEDED_DB" ] && [ ! -f "$ROOT/build/bench/bench-$TICKETS.db.done" ]; }; then
  echo "[bench] building (release, no client)"
  cmake -S . -B build/bench-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPORTAL_BUILD_CLIENT=OFF \
    -DPORTAL_BUILD_TESTS=OFF >/dev/null
  cmake --build build/bench-release --target portal_server -j2 >/dev/null
fi
[ -n "$SERVER" ] || SERVER="$SEED_SERVER"

DATA="$ROOT/build/bench"
mkdir -p "$DATA"
DB="${SEEDED_DB:-$DATA/bench-$TICKETS.db}"
if [ -z "$SEEDED_DB" ] && [ ! -f "$DB.done" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "[bench] seeding $TICKETS tickets into $DB"
  START=$(date +%s.%N)
  "$SEED_SERVER" seed --db "$DB" --demo --tickets "$TICKETS" 2>/dev/null
  echo "[bench] seeded in $(python3 -c "print(round($(date +%s.%N) - $START, 1))") s"
  touch "$DB.done"
fi
# A database seeded by an older build is brought to this build's schema once and
# compacted: else every run would begin with the migration, and the first seconds of
# creates would reuse the pages it freed (their p99 was 20-30 ms instead of 9-10).
if [ -z "$SEEDED_DB" ] && [ -x "$SEED_SERVER" ]; then
  MIGRATED=$("$SEED_SERVER" migrate --db "$DB")
  case "$MIGRATED" in
    "applied 0 "*) ;;
    *)
      echo "[bench] $MIGRATED; compacting $DB (VACUUM, about a minute at 1,000,000 tickets)"
      sqlite3 "$DB" "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
      ;;
  esac
fi
# Each run starts from the seeded file as it is.
RUN_DB="$DATA/run.db"
rm -f "$RUN_DB" "$RUN_DB-wal" "$RUN_DB-shm"
cp "$DB" "$RUN_DB"
# The copy on disk before the clock starts: else the first fsync of the database file
# writes out the whole copy, inside the measured runs.
sync "$RUN_DB"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SERVER" serve --port "$PORT" --host 127.0.0.1 --db "$RUN_DB" --www "$DATA" --bench \
  --threads "$SERVER_THREADS" --rate-limit-scale 1000000 >/dev/null 2>"$DATA/server.err" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"

login() {
  curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"demo12345\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
CITIZEN=$(login cz001)
# Creates go to another citizen: the list measured is that of a citizen with 30
# tickets of their own, not with every ticket the create run adds.
CREATOR=$(login cz002)
for _ in $(seq 30); do
  curl -sf -o /dev/null "$BASE/api/v1/tickets" -H "Authorization: Bearer $CITIZEN" \
    -H 'Content-Type: application/json' \
    -d '{"category":"env.noise","description":"楼下餐馆油烟很大","location":{"lat":35.41,"lng":116.58},"contact":{"name":"测试","phone":"13800001234"}}'
done
DISTRICT=$(login ds01)
NUMBER=$(curl -sf "$BASE/api/v1/tickets?scope=all&page_size=1" -H "Authorization: Bearer $DISTRICT" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["number"])')

YEAR_AGO=$(date -u -d '1 year ago' +%Y-%m-%dT%H:%M:%SZ)
LUA="$DATA/post.lua"
cat >"$LUA" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_TOKEN") and ("Bearer " .. os.getenv("BENCH_TOKEN")) or nil
wrk.body = os.getenv("BENCH_BODY")
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout))
end
LUA
GETLUA="$DATA/get.lua"
cat >"$GETLUA" <<'LUA'
wrk.headers["Authorization"] = os.getenv("BENCH_TOKEN") and ("Bearer " .. os.getenv("BENCH_TOKEN")) or nil
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout))
end
LUA

TICKET_BODY='{"category":"env.noise","description":"夜间施工噪音很大，影响休息","location":{"lat":35.41,"lng":116.58},"contact":{"name":"测试","phone":"13800001234"}}'
run() {  # name script url token body
  BENCH_TOKEN="$4" BENCH_BODY="$5" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" -s "$2" "$3" |
    awk '/^RESULT/ {print $2, $3, $4, $5}'
}
one() {  # script url token body -> "status ms" of a single request on an idle server
  local method=GET
  [ "$1" = "$LUA" ] && method=POST
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X "$method" "$2" \
    ${3:+-H "Authorization: Bearer $3"} ${4:+-H 'Content-Type: application/json' -d "$4"} |
    awk '{printf "%s %.1f\n", $1, $2 * 1000}'
}

echo "[bench] $SERVER, $TICKETS tickets, wrk -t$WRK_THREADS -c$CONNS -d${SECONDS_EACH}s, server --threads $SERVER_THREADS"
# "alone": one request on the otherwise idle server (status, ms); "errors": non-2xx and
# socket errors during the wrk run.
printf '%-20s %9s %9s %9s %7s %7s %12s\n' route "req/s" "p50 ms" "p99 ms" ratio errors "alone"
read -r BASE_RPS P50 P99 ERR < <(run echo "$LUA" "$BASE/api/v1/bench/echo" "" '{"ping":"pong"}')
printf '%-20s %9.0f %9.2f %9.2f %7s %7d %12s\n' "echo (baseline)" "$BASE_RPS" "$P50" "$P99" "1.00" \
  "$ERR" "$(one "$LUA" "$BASE/api/v1/bench/echo" "" '{"ping":"pong"}')"
while IFS='|' read -r name script url token body; do
  ALONE=$(one "$script" "$url" "$token" "$body")
  read -r RPS P50 P99 ERR < <(run "$name" "$script" "$url" "$token" "$body")
  printf '%-20s %9.0f %9.2f %9.2f %7.2f %7d %12s\n' "$name" "$RPS" "$P50" "$P99" \
    "$(python3 -c "print($RPS / $BASE_RPS)")" "$ERR" "$ALONE"
done <<ROUTES
ticket create|$LUA|$BASE/api/v1/tickets|$CREATOR|$TICKET_BODY
ticket detail|$GETLUA|$BASE/api/v1/tickets/$NUMBER|$DISTRICT|
my tickets|$GETLUA|$BASE/api/v1/tickets?scope=mine|$CITIZEN|
cockpit overview|$GETLUA|$BASE/api/v1/stats/overview|$DISTRICT|
overview, 1 year|$GETLUA|$BASE/api/v1/stats/overview?from=$YEAR_AGO|$DISTRICT|
ROUTES
RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
HWM=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
MINE=$(curl -sf "$BASE/api/v1/tickets?scope=mine&page_size=1" -H "Authorization: Bearer $CITIZEN" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "server RSS: $((RSS / 1024)) MB now, $((HWM / 1024)) MB peak (tickets: $TICKETS; the citizen's list holds $MINE)"
echo "WAL file: $(($(stat -c %s "$RUN_DB-wal" 2>/dev/null || echo 0) / 1048576)) MB after every run"
