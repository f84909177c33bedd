#!/usr/bin/env bash
# Runs one browser test file against a real portal-server:
#   run-e2e.sh <portal-server binary> <document root> <test file under tests/e2e> [tiles]
# Starts the server on a free port with a fresh demo database, waits for /readyz,
# runs the test with PORTAL_URL set, and stops the server again. Exit code 77
# (CTest: skipped) when Chromium or the npm packages are missing.
# With "tiles" the server draws a basemap (serve --tiles) from a tile server on
# 127.0.0.1:$PORTAL_TILE_PORT, which the test itself starts; its attribution is
# $PORTAL_TILE_ATTRIBUTION.
# With "notify" the server posts its notifications to an SMS gateway's webhook on
# 127.0.0.1:$PORTAL_NOTIFY_PORT/sms, which the test itself starts, signed with
# $PORTAL_NOTIFY_SECRET; links in messages open this server.
# With "train" the demo database also holds $PORTAL_E2E_TICKETS (default 2000) historical
# tickets, and the category suggestion is trained from them before the server starts
# (portal-server train), as a district's own tickets would teach it.
set -euo pipefail

if [ $# -ne 3 ] && { [ $# -ne 4 ] || { [ "$4" != tiles ] && [ "$4" != notify ] && [ "$4" != train ]; }; }; then
  echo "usage: $0 <portal-server> <www dir> <test.mjs> [tiles|notify|train]" >&2
  exit 2
fi
SERVER="$1"
WWW="$2"
TEST="$3"
TILES="${4:-}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ] || [ ! -d "$HERE/node_modules/playwright-core" ]; then
  echo "skipped: needs $CHROMIUM and tests/e2e/node_modules (run scripts/setup.sh)" >&2
  exit 77
fi
for f in index.html portal.js portal.wasm portal-glyphs.js portal-tiles.js fonts/cjk-sym.woff2; do
  if [ ! -f "$WWW/$f" ]; then
    echo "document root $WWW lacks $f: build the www target first" >&2
    exit 1
  fi
done

TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

HISTORY=()
if [ "$TILES" = train ]; then HISTORY=(--tickets "${PORTAL_E2E_TICKETS:-2000}"); fi
"$SERVER" seed --db "$TMP/portal.db" --demo "${HISTORY[@]}" >"$TMP/seed.log" 2>&1 || {
  cat "$TMP/seed.log" >&2
  exit 1
}
if [ "$TILES" = train ]; then
  "$SERVER" train --db "$TMP/portal.db" --quiet >"$TMP/train.log" 2>&1 || {
    cat "$TMP/train.log" >&2
    exit 1
  }
  # What it learnt from and how well, in the test's output.
  grep -iE 'top-1|top-3|accuracy|stored' "$TMP/train.log" | sed 's/^/# train: /' || true
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The port can be taken between choosing and binding it: try a few.
# A second port for host pages of the embedding tests: http://127.0.0.1:HOST_PORT may
# frame the portal, http://localhost:HOST_PORT (another origin) may not.
HOST_PORT="$(free_port)"
export PORTAL_HOST_PORT="$HOST_PORT"
BASEMAP=()
if [ "$TILES" = tiles ]; then
  PORTAL_TILE_PORT="$(free_port)"
  PORTAL_TILE_ATTRIBUTION="© 测试底图 Test tiles"
  export PORTAL_TILE_PORT PORTAL_TILE_ATTRIBUTION
  BASEMAP=(--tiles "http://127.0.0.1:$PORTAL_TILE_PORT/{z}/{x}/{y}{r}.png"
    --tiles-attribution "$PORTAL_TILE_ATTRIBUTION")
fi
NOTIFY=()
if [ "$TILES" = notify ]; then
  PORTAL_NOTIFY_PORT="$(free_port)"
  PORTAL_NOTIFY_SECRET="e2e-gateway-secret-$RANDOM$RANDOM"
  export PORTAL_NOTIFY_PORT PORTAL_NOTIFY_SECRET
fi
for attempt in 1 2 3 4 5; do
  PORT="$(free_port)"
  if [ "$TILES" = notify ]; then
    NOTIFY=(--notify-webhook "http://127.0.0.1:$PORTAL_NOTIFY_PORT/sms" --notify-backoff 1
      --public-url "http://127.0.0.1:$PORT")
  fi
  "$SERVER" serve --host 127.0.0.1 --port "$PORT" --db "$TMP/portal.db" --www "$WWW" \
    --frame-ancestors "http://127.0.0.1:$HOST_PORT" "${BASEMAP[@]}" "${NOTIFY[@]}" \
    >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    if curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break 2; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
done
if [ -z "$SERVER_PID" ]; then
  echo "portal-server did not become ready" >&2
  cat "$TMP/server.log" >&2
  exit 1
fi

# Tests that need a server of their own (another document root, a restart) start it.
PORTAL_SERVER_BIN="$(cd "$(dirname "$SERVER")" && pwd)/$(basename "$SERVER")"
PORTAL_WWW="$(cd "$WWW" && pwd)"
export PORTAL_SERVER_BIN PORTAL_WWW
cd "$HERE"
status=0
PORTAL_URL="http://127.0.0.1:$PORT/" node --test --test-reporter=spec "$TEST" || status=$?
if [ $status -ne 0 ]; then
  echo "--- server log ---" >&2
  tail -n 50 "$TMP/server.log" >&2
fi
exit $status
