#!/usr/bin/env bash
# Frame time of the grid map while panning, at the district view and zoomed in, in real Chromium:
#   bench/map-frames.sh [preset]      (default: debug; the Wasm client is optimised in both)
# Starts a portal-server on a free port the way the browser tests do and runs
# bench/map_frames.mjs against it; prints one line per device and zoom.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-debug}"
SERVER="$ROOT/build/$PRESET/server/portal-server"
[ -x "$SERVER" ] || SERVER="$(find "$ROOT/build/$PRESET" -name portal-server -type f -perm -u+x | head -1)"
exec "$ROOT/tests/e2e/run-e2e.sh" "$SERVER" "$ROOT/build/$PRESET/www" "$ROOT/bench/map_frames.mjs"
