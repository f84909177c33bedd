#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: initdb in a new temporary directory,
# a free TCP port on 127.0.0.1 and the unix socket in the same directory, trust
# authentication for the superuser "portal". Durability is off: nothing here outlives
# the test run.
#
#   pg-cluster.sh start STATE   starts a cluster; writes its URL to STATE and its
#                               directory to STATE.dir
#   pg-cluster.sh stop STATE    stops the cluster named by STATE and removes it
#
# initdb refuses to run as root: as root the cluster runs as the user "postgres" (or
# "nobody"), which owns the directory.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
state=${2:-}
if [ "$cmd" = "-h" ] || [ "$cmd" = "--help" ]; then usage; exit 0; fi
if [ -z "$cmd" ] || [ -z "$state" ]; then usage >&2; exit 2; fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
  start)
    [ -x "$BIN/initdb" ] || { echo "pg-cluster: $BIN/initdb not found (apt-get install postgresql)" >&2; exit 1; }
    # A cluster left by an earlier run that was interrupted goes first.
    [ -f "$state.dir" ] && "$0" stop "$state" || true
    OWNER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
      if id postgres >/dev/null 2>&1; then OWNER=postgres; else OWNER=nobody; fi
    fi
    dir=$(mktemp -d /tmp/portal-pg-XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$OWNER" "$dir"
    as_owner "$BIN/initdb" -D "$dir/data" -U portal -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
       -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB" >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "$dir" >"$state.dir"
    echo "postgresql://portal@/postgres?host=$dir&port=$port" >"$state"
    echo "pg-cluster: PostgreSQL on port $port, socket in $dir (owner $OWNER)"
    ;;
  stop)
    [ -f "$state.dir" ] || exit 0
    dir=$(cat "$state.dir")
    OWNER=$(stat -c %U "$dir" 2>/dev/null || id -un)
    if [ -d "$dir/data" ]; then
      as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    rm -f "$state" "$state.dir"
    echo "pg-cluster: stopped and removed $dir"
    ;;
  *) usage >&2; exit 2 ;;
esac
