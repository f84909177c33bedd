#!/usr/bin/env bash
# Builds the libFuzzer target with clang++ and runs it for a bounded time on a copy of
# the seed corpus. Exits non-zero when the fuzzer finds a crash or a broken invariant
# (the input is kept in <build-dir>/artifacts/), and 77 when clang++ or the libFuzzer
# runtime is missing (CTest: SKIP_RETURN_CODE 77).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/fuzz/run-fuzz.sh [BUILD_DIR] [SECONDS]
  BUILD_DIR  where to build and run (default: build/fuzz under the repository)
  SECONDS    how long to fuzz (default 30)
Environment:
  FUZZ_MERGE=1   afterwards, merge the inputs that add coverage into tests/fuzz/corpus/
  FUZZ_ARGS=...  extra libFuzzer flags, e.g. FUZZ_ARGS="-jobs=2 -workers=2"
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${1:-$ROOT/build/fuzz}"
SECONDS_TO_RUN="${2:-30}"
mkdir -p "$BUILD"
BUILD="$(cd "$BUILD" && pwd)"

log() { printf '[fuzz] %s\n' "$*"; }

CXX_BIN="$(command -v clang++ || command -v clang++-14 || true)"
if [ -z "$CXX_BIN" ]; then
  log "clang++ not found: install clang and libclang-rt-14-dev (scripts/setup.sh)"
  exit 77
fi
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
  "$CXX_BIN" -x c++ -fsanitize=fuzzer - -o "$BUILD/.probe" >/dev/null 2>&1; then
  log "$CXX_BIN cannot link libFuzzer: install libclang-rt-14-dev (scripts/setup.sh)"
  exit 77
fi
rm -f "$BUILD/.probe"

log "building with $CXX_BIN into $BUILD"
cmake -S "$HERE" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX_BIN" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/configure.log" 2>&1 || {
  cat "$BUILD/configure.log" >&2
  exit 1
}
cmake --build "$BUILD" -j2

# A fresh copy each run, so the repository corpus only changes when asked (FUZZ_MERGE=1).
WORK="$BUILD/corpus-run"
rm -rf "$WORK"
mkdir -p "$WORK" "$BUILD/artifacts"
cp "$HERE"/corpus/* "$WORK"/

log "fuzzing for ${SECONDS_TO_RUN}s"
# Crashes exit 3, timeouts 4 (libFuzzer's own defaults, 77 and 70, would mix with skips).
status=0
# shellcheck disable=SC2086
"$BUILD/fuzz_request" "$WORK" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -error_exitcode=3 -timeout_exitcode=4 -print_final_stats=1 \
  -artifact_prefix="$BUILD/artifacts/" ${FUZZ_ARGS:-} || status=$?
if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status); the input is in $BUILD/artifacts/"
  exit "$status"
fi

if [ "${FUZZ_MERGE:-0}" = 1 ]; then
  log "merging new coverage into tests/fuzz/corpus/"
  "$BUILD/fuzz_request" -merge=1 -max_len=65536 "$HERE/corpus" "$WORK"
fi
log "no crash in ${SECONDS_TO_RUN}s"
