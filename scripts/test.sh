#!/usr/bin/env bash
# Sets up, builds (debug, with the Wasm client) and runs every test through CTest:
# unit.*, api.* (the real server binary) and e2e.* (real Chromium).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/test.sh [--preset debug|asan|release] [-R REGEX] [--help]
Installs what is missing, builds the preset (default debug) and runs ctest.
  --preset P   build preset (asan builds without the Wasm client and e2e tests)
  -R REGEX     run only the tests whose names match
USAGE
}

PRESET=debug
FILTER=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --preset) PRESET="$2"; shift 2 ;;
    -R) FILTER=(-R "$2"); shift 2 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
echo "[test] building ($PRESET)"
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET"
echo "[test] running tests"
ctest --preset "$PRESET" "${FILTER[@]}"
