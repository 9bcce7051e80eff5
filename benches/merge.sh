#!/usr/bin/env bash
# Ticket merges (issue 23, spec workflow §6.2): a ticket with 10, 100, 1,000 and 10,000 links
# (each to its own target id) merged into a ticket of its own, REPEAT times per size on one
# durable server: every row is re-pointed to the target keeping its id (no twins); then the
# same with every row a twin of one the target holds (all deleted, each other end touched).
# Prints the fastest and the median merge (curl's time_total, so the durable flush and the
# answer are in it) and the time per link.
# Needs curl and bc. Usage: [MOCK_BINARY=FILE] benches/merge.sh [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-5}
PORT=${PORT:-39873}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
source benches/common.sh

cargo build --release --quiet
"$MOCK_BINARY" --bind "127.0.0.1:$PORT" --db "$WORK/db" --journal-limit 0 2> "$WORK/server.log" &
SERVER=$!
wait_until_serving "127.0.0.1:$PORT" "$SERVER" "$WORK/server.log"

# create_ticket LINK_IDS: a ticket in group 1 linked to the comma-separated ids; its id and
# number, space-separated.
create_ticket() {
  curl -s -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"title\":\"hub\",\"group_id\":1,\"customer_id\":3,\"article\":{\"body\":\"b\"},\"links\":{\"Ticket\":{\"normal\":[$1]}}}" \
    "$BASE/api/v1/tickets" | grep -oE '"(id|number)":"?[0-9]+' | head -2 | grep -oE '[0-9]+$' | paste -sd' '
}

# merge_ms SOURCE TARGET_NUMBER: the merge's time in ms; stops the script unless it succeeded.
merge_ms() {
  local out
  out=$(curl -s -o "$WORK/answer" -w '%{http_code} %{time_total}' -X PUT -H "$AUTH" \
    "$BASE/api/v1/ticket_merge/$1/$2")
  if [ "${out%% *}" != 200 ] || ! grep -q '"result":"success"' "$WORK/answer"; then
    echo "merge $1 into $2 failed: $out $(head -c 300 "$WORK/answer")" >&2
    exit 1
  fi
  echo "${out#* } * 1000" | bc -l
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

run=0
for kind in repointed twins; do
  echo "== merge of a ticket with N links ($kind), $REPEAT merges per size"
  printf "%-8s %12s %12s %14s\n" links "fastest ms" "median ms" "µs per link"
  for links in 10 100 1000 10000; do
    : > "$WORK/times"
    for _ in $(seq "$REPEAT"); do
      run=$(( run + 1 ))
      first=$(( 900000000 + run * 100000 ))
      ids=$(seq -s, "$first" $(( first + links - 1 )))
      read -r source _ <<< "$(create_ticket "$ids")"
      if [ "$kind" = twins ]; then
        read -r _ number <<< "$(create_ticket "$ids")"
      else
        read -r _ number <<< "$(create_ticket "")"
      fi
      merge_ms "$source" "$number" >> "$WORK/times"
    done
    fastest=$(sort -n "$WORK/times" | head -1)
    middle=$(median < "$WORK/times")
    printf "%-8s %12.2f %12.2f %14.2f\n" "$links" "$fastest" "$middle" "$(echo "$middle * 1000 / $links" | bc -l)"
  done
done
