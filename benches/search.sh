#!/usr/bin/env bash
# The ticket search (issue 23) over generated data sets of 10,000 and 100,000 tickets with
# ARTICLES article records each (subjects and bodies to search): a search by one ticket's full
# number, as the default agent (every ticket in scope), next to GET /api/v1/tickets/:id of
# the same ticket in the same run, one client each (wrk -c1), alternating ROUNDS times; the
# medians and their ratio. A search reads every ticket in scope (the SQL fallback has no
# index either), so the ratio grows with the tickets: it must grow linearly, not faster.
# Needs wrk (Debian package `wrk`).
# Usage: [MOCK_BINARY=FILE] benches/search.sh [SECONDS] [ROUNDS] [ARTICLES] [SIZES…]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-5}
ROUNDS=${2:-3}
ARTICLES=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
SIZES=${*:-10000 100000}
ADDRESS=127.0.0.1:39951
WORK=$(mktemp -d)
PID=""
trap 'if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin zammad-links-mock
source benches/common.sh

rate() {
  wrk -t1 -c1 -d"${SECONDS_EACH}s" -H "$AUTH" "http://$ADDRESS$1" | awk '/Requests\/sec/ {print $2}'
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

printf '%-9s %9s %14s %14s %10s %12s\n' tickets articles "show req/s" "search req/s" ratio "search ms"
for tickets in $SIZES; do
  RUST_LOG=warn "$MOCK_BINARY" generate --tickets "$tickets" --links "$tickets" \
    --articles "$ARTICLES" --out "$WORK/data.json"
  "$MOCK_BINARY" --bind "$ADDRESS" --fixtures "$WORK/data.json" --db "$WORK/db.$tickets" \
    --journal-limit 0 2> "$WORK/server.log" &
  PID=$!
  wait_until_serving "$ADDRESS" "$PID" "$WORK/server.log"
  id=$(( tickets / 2 ))
  number=$(( 10000 + id )) # generated numbers are 10000 + id
  show="/api/v1/tickets/$id"
  search="/api/v1/tickets/search?query=$number"
  # The search finds the ticket (and any whose number or text contains the digits).
  curl -s -H "$AUTH" "http://$ADDRESS$search" | grep -q "\"tickets\":\[[0-9,]*$id" ||
    { echo "the search for $number did not find ticket $id" >&2; exit 1; }
  : > "$WORK/show"; : > "$WORK/search"
  for _ in $(seq "$ROUNDS"); do
    rate "$show" >> "$WORK/show"
    rate "$search" >> "$WORK/search"
  done
  s=$(median < "$WORK/show"); q=$(median < "$WORK/search")
  printf '%-9s %9s %14s %14s %10.0f %12.2f\n' "$tickets" "$ARTICLES" "$s" "$q" \
    "$(echo "$s / $q" | bc -l)" "$(echo "1000 / $q" | bc -l)"
  kill -TERM "$PID"
  wait "$PID" || true
  PID=""
  rm -rf "$WORK/db.$tickets" "$WORK/data.json"
done
