#!/usr/bin/env bash
# A big data set end to end (issue 16): a generated fixture file served by the release
# binary on an empty database (the first start), then the same database restarted without
# the file. Prints the file's size, the time until /__mock/health answers, the peak resident
# memory of the first start (VmHWM, over its whole life until then), its resident memory
# once up (VmRSS), the same for the restart, and the ratio of the first start's peak to the
# restart's resident memory (the target: at most 1.5).
# Usage: benches/bigstart.sh [TICKETS] [LINKS]   (default 100000 1000000; 1000000 10000000
# needs about 2.6 GB for the file and 2.1 GB for the database in $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${1:-100000}
LINKS=${2:-1000000}
ADDRESS=127.0.0.1:39941
WORK=$(mktemp -d)
PID=""
trap 'if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin zammad-links-mock
BIN=target/release/zammad-links-mock
source benches/common.sh

started=$(date +%s.%N)
RUST_LOG=warn $BIN generate --tickets "$TICKETS" --links "$LINKS" --out "$WORK/big.json"
generated=$(date +%s.%N)
printf 'generate --tickets %s --links %s: %.1f s, %.0f MB\n' "$TICKETS" "$LINKS" \
  "$(echo "$generated - $started" | bc)" "$(echo "$(stat -c %s "$WORK/big.json") / 1000000" | bc -l)"

# status_mb FIELD: FIELD (VmHWM, VmRSS) of process $PID in MB.
status_mb() {
  awk -v field="$1:" '$1 == field {printf "%.0f", $2 * 1024 / 1000000}' "/proc/$PID/status"
}

# serve NAME ARGS…: starts the binary with ARGS, waits for /__mock/health, prints the time
# it took and the memory figures, stops it gracefully; sets PEAK and RSS (MB).
serve() {
  local name=$1
  shift
  local begin
  begin=$(date +%s.%N)
  $BIN --bind "$ADDRESS" "$@" 2> "$WORK/$name.log" &
  PID=$!
  wait_until_serving "$ADDRESS" "$PID" "$WORK/$name.log"
  local up
  up=$(date +%s.%N)
  PEAK=$(status_mb VmHWM)
  RSS=$(status_mb VmRSS)
  printf '%-12s health after %6.1f s; peak RSS (VmHWM) %5s MB; RSS once up %5s MB\n' \
    "$name" "$(echo "$up - $begin" | bc)" "$PEAK" "$RSS"
  kill -TERM "$PID"
  wait "$PID"
  PID=""
}

serve "first start" --fixtures "$WORK/big.json" --db "$WORK/db"
FIRST_PEAK=$PEAK
printf 'database: %s MB\n' "$(du -sm "$WORK/db" | cut -f1)"
serve "restart" --db "$WORK/db"
printf 'first start peak / restart RSS: %.2f (target: at most 1.5)\n' \
  "$(echo "$FIRST_PEAK / $RSS" | bc -l)"
