#!/usr/bin/env bash
# The seed's GET served by the real handler vs. the same bytes precomputed
# (examples/ceiling_server.rs), both measured with wrk on loopback in the same run.
# The two are measured in alternation, ROUNDS times each, and the medians compared, so that
# a noisy neighbour on a shared machine does not hit only one side.
# Both servers run WORKERS worker threads (default: one per core).
# Needs wrk (Debian package `wrk`). Usage: [WORKERS=N] [MOCK_BINARY=FILE] benches/http.sh [SECONDS] [CONNECTIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-20}
CONNECTIONS=${2:-256}
ROUNDS=${3:-3}
WORKERS=${WORKERS:-$(nproc)}
MOCK=127.0.0.1:39921
CEILING=127.0.0.1:39922
WORK=$(mktemp -d)
trap 'kill $PIDS 2>/dev/null || true; rm -rf "$WORK"' EXIT
PIDS=""

cargo build --release --quiet --bin zammad-links-mock --example ceiling_server
source benches/common.sh
"$MOCK_BINARY" --bind "$MOCK" --in-memory --journal-limit 0 --workers "$WORKERS" 2> "$WORK/mock.log" &
PIDS="$PIDS $!"
wait_until_serving "$MOCK" $! "$WORK/mock.log"
target/release/examples/ceiling_server "$CEILING" "$WORKERS" 2> "$WORK/ceiling.log" &
PIDS="$PIDS $!"
wait_until_serving "$CEILING" $! "$WORK/ceiling.log"
# Both answer the same bytes.
cmp <(curl -s -H "$AUTH" "http://$MOCK$URL_PATH") <(curl -s -H "$AUTH" "http://$CEILING$URL_PATH")

rate() {
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -H "$AUTH" "http://$1$URL_PATH" \
    | awk '/Requests\/sec/ {print $2}'
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
: > "$WORK/mock"; : > "$WORK/ceiling"; : > "$WORK/ratio"
for round in $(seq "$ROUNDS"); do
  m=$(rate "$MOCK"); c=$(rate "$CEILING")
  r=$(echo "scale=3; $m / $c" | bc)
  echo "round $round: real handler $m requests/s, precomputed bytes $c requests/s, ratio $r"
  echo "$m" >> "$WORK/mock"; echo "$c" >> "$WORK/ceiling"; echo "$r" >> "$WORK/ratio"
done
mock=$(median < "$WORK/mock")
ceiling=$(median < "$WORK/ceiling")
echo "real handler:      $mock requests/s (median of $ROUNDS)"
echo "precomputed bytes: $ceiling requests/s (median of $ROUNDS)"
echo "ratio of medians:  $(echo "scale=3; $mock / $ceiling" | bc) ($WORKERS workers each)"
# Each round's two runs are back to back, so the median of the rounds' ratios is the figure
# least moved by a neighbour who comes and goes.
echo "median of ratios:  $(median < "$WORK/ratio")"
