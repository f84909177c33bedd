#!/usr/bin/env bash
# A repeat visit of the citizen page on a phone network (the profile of
# bench/first-screen.sh: 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency, CPU 4x slower,
# 360x640 at DPR 3), in real Chromium through CDP, N visits of each kind:
#   cold    no service worker, HTTP cache cleared (what a repeat visit costs without either)
#   http    the HTTP cache of one earlier visit, service workers blocked
#   worker  the app shell from the service worker (web/sw.js) after one earlier visit,
#           HTTP cache disabled: every file comes from the worker's cache; the glyphs
#           the earlier visit drew are kept (web/portal-glyphs.js)
#   unkept  as worker, the kept glyphs removed: every glyph drawn by the fonts again
#   bench/repeat-visit.sh [--preset debug] [--runs 5] [--www DIR]
# Prints each visit, the median of each start-up step from the worker (glyphs kept and
# not kept), and the first usable frame of each kind against the target (0.8 s from the
# worker). Starts a portal-server the way the browser tests do. The Wasm client is a
# Release build in every preset.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET=debug
WWW=""
export REPEAT_VISIT_RUNS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) PRESET="$2"; shift 2 ;;
    --runs) REPEAT_VISIT_RUNS="$2"; shift 2 ;;
    --www) WWW="$(cd "$2" && pwd)"; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
SERVER="$ROOT/build/$PRESET/server/portal-server"
[ -x "$SERVER" ] || SERVER="$(find "$ROOT/build/$PRESET" -name portal-server -type f -perm -u+x | head -1)"
exec "$ROOT/tests/e2e/run-e2e.sh" "$SERVER" "${WWW:-$ROOT/build/$PRESET/www}" "$ROOT/bench/repeat_visit.mjs"
