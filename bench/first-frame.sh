#!/usr/bin/env bash
# Time to the first interactive frame of the citizen page in real Chromium (headless,
# SwiftShader WebGL), over N cold loads each in a fresh browser context:
#   bench/first-frame.sh [--preset debug] [--runs 10] [--warmup 1] [--device phone|desktop]
#                        [--www DIR]   (another document root, e.g. a copy of an older build)
# Prints each load, then median and p90 of the first frame and of every start-up step
# (HTML, portal.js, wasm instantiated, WebGL context, font fetched, first frame drawn).
# Starts a portal-server on a free port the way the browser tests do (tests/e2e/run-e2e.sh)
# and runs bench/first_frame.mjs against it. The Wasm client is a Release build in every
# preset. On a shared machine run it under `nice -n 19` and compare figures taken alike.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET=debug
WWW=""
export FIRST_FRAME_RUNS=10 FIRST_FRAME_WARMUP=1 FIRST_FRAME_DEVICE=phone
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) PRESET="$2"; shift 2 ;;
    --runs) FIRST_FRAME_RUNS="$2"; shift 2 ;;
    --warmup) FIRST_FRAME_WARMUP="$2"; shift 2 ;;
    --device) FIRST_FRAME_DEVICE="$2"; shift 2 ;;
    --www) WWW="$(cd "$2" && pwd)"; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
SERVER="$ROOT/build/$PRESET/server/portal-server"
[ -x "$SERVER" ] || SERVER="$(find "$ROOT/build/$PRESET" -name portal-server -type f -perm -u+x | head -1)"
exec "$ROOT/tests/e2e/run-e2e.sh" "$SERVER" "${WWW:-$ROOT/build/$PRESET/www}" "$ROOT/bench/first_frame.mjs"
