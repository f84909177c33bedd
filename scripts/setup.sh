#!/usr/bin/env bash
# Installs everything the portal needs on Debian 12: Debian packages, the Dear ImGui
# sources (from the `imgui` source package, unpacked outside the tree) and the pinned
# npm packages of the browser tests. Safe to run again: it skips what is already there.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/setup.sh [--help]
Installs the Debian and npm packages the portal needs and unpacks the Dear ImGui
sources into $PORTAL_CACHE (default ~/.cache/portal). Idempotent.
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PORTAL_CACHE:-$HOME/.cache/portal}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl dpkg-dev
  emscripten
  libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libsodium-dev
  libpq-dev postgresql libboost-dev libstb-dev libwebp-dev libgtest-dev
  libgoogle-perftools-dev
  clang libclang-rt-14-dev
  fonts-noto-cjk fonts-noto-color-emoji python3-fonttools python3-brotli
  chromium nodejs npm wrk nginx-light libxml2-utils brotli iproute2
)

log() { printf '[setup] %s\n' "$*"; }

missing=()
for p in "${PACKAGES[@]}"; do
  # npm is optional when nodejs already ships it (NodeSource builds do).
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# deb-src is needed for the imgui source package.
SRC_LIST=/etc/apt/sources.list.d/portal-deb-src.sources
need_update=0
if [ ! -f "$SRC_LIST" ]; then
  log "enabling deb-src for bookworm"
  $SUDO tee "$SRC_LIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  need_update=1
fi

if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
  log "apt-get update"
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Dear ImGui sources, outside the source tree.
if [ ! -f "$CACHE/imgui/imgui.cpp" ]; then
  log "fetching the imgui source package into $CACHE"
  mkdir -p "$CACHE/src"
  (cd "$CACHE/src" && apt-get source -qq imgui >/dev/null)
  dir=$(find "$CACHE/src" -maxdepth 1 -type d -name 'imgui-*' | head -1)
  [ -n "$dir" ] || { echo "imgui source package not unpacked" >&2; exit 1; }
  rm -rf "$CACHE/imgui"
  cp -r "$dir" "$CACHE/imgui"
fi


# npm packages of the browser tests and of the OpenAPI check (tests/api), pinned in
# tests/e2e/package-lock.json. Installed again whenever one is missing or differs from
# the lock file (a package added since the last run), not only on the first run.
if ! (cd "$ROOT/tests/e2e" && npm ls --all >/dev/null 2>&1); then
  log "installing npm packages for the browser tests and the OpenAPI check"
  (cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi

log "ready"
