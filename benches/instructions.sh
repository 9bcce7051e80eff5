#!/usr/bin/env bash
# Instructions per request for the seed's GET: the real handler against the precomputed bytes
# (examples/ceiling_server.rs), each server run under valgrind's callgrind with one worker
# while wrk sends it requests for SECONDS. Instruction counts do not move with a noisy
# neighbour the way requests per second do, so this shows where a change helped even when
# benches/http.sh cannot. Needs valgrind and wrk (Debian packages `valgrind`, `wrk`).
# Usage: [MOCK_BINARY=FILE] benches/instructions.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
ADDRESS=127.0.0.1:39923
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2> /dev/null; rm -rf "$WORK"' EXIT
source benches/common.sh

cargo build --release --quiet --bin zammad-links-mock --example ceiling_server
URL="http://$ADDRESS$URL_PATH"

# measure NAME COMMAND...: runs COMMAND under callgrind and writes its instructions per
# request to $WORK/NAME. (Not in a `$(…)`: the trap must see PID, and errors must stop us.)
measure() {
  local name=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$WORK/out" "$@" 2> "$WORK/valgrind.log" &
  PID=$!
  wait_until_serving "$ADDRESS" "$PID" "$WORK/valgrind.log"
  wrk -t1 -c4 -d3s -H "$AUTH" "$URL" > /dev/null # warm up, then count from zero
  callgrind_control -z "$PID" > /dev/null
  wrk -t1 -c4 -d"${SECONDS_EACH}s" -H "$AUTH" "$URL" > "$WORK/wrk"
  callgrind_control -d "$PID" > /dev/null
  kill "$PID"
  wait "$PID" 2> /dev/null || true
  PID=""
  local requests total
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk")
  total=$(callgrind_annotate "$WORK/out.1" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  rm -f "$WORK"/out*
  echo $((total / requests)) > "$WORK/$name"
}

measure mock "$MOCK_BINARY" --bind "$ADDRESS" --in-memory \
  --journal-limit 0 --workers 1
measure ceiling target/release/examples/ceiling_server "$ADDRESS" 1
mock=$(cat "$WORK/mock")
ceiling=$(cat "$WORK/ceiling")
echo "real handler:      $mock instructions per request"
echo "precomputed bytes: $ceiling instructions per request"
echo "the handler's own: $((mock - ceiling)) instructions per request"
