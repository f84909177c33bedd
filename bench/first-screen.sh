#!/usr/bin/env bash
# The first screen of the citizen page on a phone network (Lighthouse's mobile profile:
# 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency, CPU 4x slower, cache disabled, 360x640
# at DPR 3), in real Chromium through CDP, over N cold loads:
#   bench/first-screen.sh [--preset debug] [--runs 5] [--www DIR]
# Prints each load, the median time of each start-up step, the bytes of each file on the
# wire, and the first usable frame and first-load transfer against their targets
# (2.5 s, 350 KB). Starts a portal-server the way the browser tests do. The Wasm client
# is a Release build in every preset.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET=debug
WWW=""
SERVER=""
export FIRST_SCREEN_RUNS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) PRESET="$2"; shift 2 ;;
    --runs) FIRST_SCREEN_RUNS="$2"; shift 2 ;;
    --www) WWW="$(cd "$2" && pwd)"; shift 2 ;;
    --server) SERVER="$2"; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; echo "  --server BIN  another portal-server (e.g. an older build)"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
if [ -z "$SERVER" ]; then
  SERVER="$ROOT/build/$PRESET/server/portal-server"
  [ -x "$SERVER" ] || SERVER="$(find "$ROOT/build/$PRESET" -name portal-server -type f -perm -u+x | head -1)"
fi
exec "$ROOT/tests/e2e/run-e2e.sh" "$SERVER" "${WWW:-$ROOT/build/$PRESET/www}" "$ROOT/bench/first_screen.mjs"
