#!/usr/bin/env bash
# Sets up, builds (release) and runs the portal with an embedded SQLite database and
# demo data. Ctrl-C stops it.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/run.sh [--port N] [--data DIR] [--help]
Installs what is missing, builds the release preset, seeds demo data into
DIR/portal.db (default data/) on first use, and serves the portal.
  --port N     TCP port (default 8080, or $PORTAL_PORT)
  --data DIR   data directory (default data/, or $PORTAL_DATA)
USAGE
}

PORT="${PORTAL_PORT:-8080}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${PORTAL_DATA:-$ROOT/data}"
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --port) PORT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

cd "$ROOT"
bash scripts/setup.sh
echo "[run] building (release)"
cmake --preset release >/dev/null
cmake --build --preset release

SERVER="$ROOT/build/release/server/portal-server"
mkdir -p "$DATA"
DB="$DATA/portal.db"
if [ ! -f "$DATA/.seeded" ]; then
  echo "[run] seeding demo data into $DB"
  # A year of history to look at and for the category suggestion to learn from, and
  # the demo accounts' own tickets (README: "The demo accounts").
  "$SERVER" seed --db "$DB" --demo --stories --years 1 --tickets 40000
  echo "[run] learning the category suggestion from the seeded tickets"
  "$SERVER" train --db "$DB"
  touch "$DATA/.seeded"
fi

echo "[run] open http://localhost:$PORT/ in a browser (Ctrl-C stops the server)"
exec "$SERVER" serve --port "$PORT" --db "$DB" --www "$ROOT/build/release/www"
