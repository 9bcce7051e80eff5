#!/usr/bin/env bash
# Capture speed against the mock: `capture --all` of a generated data set served by the
# release binary, at concurrency 1, 4 and 16 in one run, ROUNDS times each in alternation
# (so that a noisy neighbour does not hit only one setting). Prints tickets per second from
# capture's own summary line, and the median of the rounds per concurrency.
# Usage: benches/capture.sh [TICKETS] [LINKS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${1:-5000}
LINKS=${2:-25000}
ROUNDS=${3:-3}
MOCK=127.0.0.1:39931
WORK=$(mktemp -d)
trap 'kill $PIDS 2>/dev/null || true; rm -rf "$WORK"' EXIT
PIDS=""

cargo build --release --quiet --bin zammad-links-mock
BIN=target/release/zammad-links-mock
source benches/common.sh
$BIN generate --tickets "$TICKETS" --links "$LINKS" --out "$WORK/set.json" 2> /dev/null
$BIN --bind "$MOCK" --fixtures "$WORK/set.json" --in-memory --journal-limit 0 2> "$WORK/mock.log" &
PIDS="$PIDS $!"
wait_until_serving "$MOCK" $! "$WORK/mock.log"

# capture_rate N: tickets per second of one `capture --all` with N requests in flight.
capture_rate() {
  RUST_LOG=warn $BIN capture --url "http://$MOCK" --token zammad-links-mock-token-user-3 \
    --all --concurrency "$1" --out "$WORK/captured.json" 2> "$WORK/capture.log" > /dev/null
  # "captured T tickets, L links, U users in S s (…)": fields 2 and 9.
  awk '/^captured/ {printf "%.0f\n", $2 / $9}' "$WORK/capture.log"
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "capture --all of $TICKETS tickets and $LINKS links, $(nproc) cores"
for concurrency in 1 4 16; do : > "$WORK/rate-$concurrency"; done
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  for concurrency in 1 4 16; do
    rate=$(capture_rate "$concurrency")
    echo "$rate" >> "$WORK/rate-$concurrency"
    line="$line concurrency $concurrency: $rate tickets/s;"
  done
  echo "$line"
done
for concurrency in 1 4 16; do
  echo "concurrency $concurrency: $(median < "$WORK/rate-$concurrency") tickets/s (median of $ROUNDS)"
done
tail -n 1 "$WORK/capture.log"
