#!/usr/bin/env bash
# First-load transfer of the citizen page: starts the real server on a document root
# (default build/release/www) and fetches every file the page loads at start, as a
# browser does (Accept-Encoding: gzip, deflate, br), printing the bytes on the wire per
# file, plain and gzip-only for comparison. Not a test: it prints figures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WWW="${1:-$ROOT/build/release/www}"
SERVER="${PORTAL_SERVER:-$(dirname "$WWW")/server/portal-server}"
[ -f "$WWW/index.html" ] || { echo "no document root at $WWW (build it first)" >&2; exit 2; }
TMP=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SERVER" serve --port "$PORT" --host 127.0.0.1 --db "$TMP/t.db" --www "$WWW" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
size() {  # path accept-encoding -> bytes received (body as sent, not decoded)
  curl -s -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $2" "http://127.0.0.1:$PORT/$1"
}
enc() {
  curl -s -o /dev/null -D - -H "Accept-Encoding: $2" "http://127.0.0.1:$PORT/$1" |
    awk 'tolower($1)=="content-encoding:" {gsub("\r",""); print $2}'
}
printf '%-24s %10s %10s %10s %6s\n' file plain gzip browser enc
TP=0 TG=0 TB=0
for f in index.html portal-glyphs.js portal-bridge.js portal.js portal.wasm favicon.svg \
  icon.svg manifest.webmanifest; do
  P=$(size "$f" identity) G=$(size "$f" gzip) B=$(size "$f" "gzip, deflate, br")
  printf '%-24s %10d %10d %10d %6s\n' "$f" "$P" "$G" "$B" "$(enc "$f" "gzip, deflate, br")"
  TP=$((TP + P)) TG=$((TG + G)) TB=$((TB + B))
done
printf '%-24s %10d %10d %10d\n' total "$TP" "$TG" "$TB"
printf 'first-load transfer: %.2f MB as a browser fetches it (target <= 350 KB)\n' \
  "$(python3 -c "print($TB / 1e6)")"
