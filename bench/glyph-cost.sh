#!/usr/bin/env bash
# The cost of a new glyph and of growing the glyph texture, in real Chromium:
#   bench/glyph-cost.sh [--preset debug]
# Types 3,000 distinct characters into the citizen form on a DPR 3 phone and prints the
# time per glyph and the slowest frame after each 200 (bench/glyph_cost.mjs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET=debug
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) PRESET="$2"; shift 2 ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
SERVER="$ROOT/build/$PRESET/server/portal-server"
exec "$ROOT/tests/e2e/run-e2e.sh" "$SERVER" "$ROOT/build/$PRESET/www" "$ROOT/bench/glyph_cost.mjs"
