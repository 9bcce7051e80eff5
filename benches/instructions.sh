#!/usr/bin/env bash
# Instructions per request for the seed's GET: the real handler against the precomputed bytes
# (examples/ceiling_server.rs), each server run under valgrind's callgrind with one worker
# while wrk sends it requests for SECONDS. Instruction counts do not move with a noisy
# neighbour the way requests per second do, so this shows where a change helped even when
# benches/http.sh cannot. Needs valgrind and wrk (Debian packages `valgrind`, `wrk`).
# Usage: benches/instructions.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
ADDRESS=127.0.0.1:39923
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin zammad-links-mock --example ceiling_server
URL="http://$ADDRESS/api/v1/links?link_object=Ticket&link_object_value=147469"
AUTH="Authorization: Basic $(printf 'test@test.de:test' | base64)"

# Prints the instructions per request of the server started by "$@".
per_request() {
  valgrind --tool=callgrind --callgrind-out-file="$WORK/out" "$@" 2> "$WORK/valgrind.log" &
  PID=$!
  until curl -s -o /dev/null "http://$ADDRESS/__mock/health"; do sleep 0.5; done
  wrk -t1 -c4 -d3s -H "$AUTH" "$URL" > /dev/null # warm up, then count from zero
  callgrind_control -z "$PID" > /dev/null 2>&1
  requests=$(wrk -t1 -c4 -d"${SECONDS_EACH}s" -H "$AUTH" "$URL" | awk '/requests in/ {print $1}')
  callgrind_control -d "$PID" > /dev/null 2>&1
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  total=$(callgrind_annotate "$WORK/out.1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  rm -f "$WORK"/out*
  echo $((total / requests))
}

mock=$(per_request target/release/zammad-links-mock --bind "$ADDRESS" --in-memory \
  --journal-limit 0 --workers 1)
ceiling=$(per_request target/release/examples/ceiling_server "$ADDRESS" 1)
echo "real handler:      $mock instructions per request"
echo "precomputed bytes: $ceiling instructions per request"
echo "the handler's own: $((mock - ceiling)) instructions per request"
