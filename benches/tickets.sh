#!/usr/bin/env bash
# The ticket calls of issue 22, in one run on one server (compare within the run: ratios):
#   1. durable link adds and durable ticket creates (with a note article) with 1, 8 and 64
#      concurrent clients, SECONDS each, alternating add/create per client count;
#   2. resident memory per created ticket (the server's RSS before and after SECONDS of
#      creates, counted by the ticket ids);
#   3. deletes of tickets with 10, 100, 1,000 and 10,000 links (each link to its own target
#      id), the time of each delete and the time per link.
# Needs wrk (Debian package `wrk`). Usage: [MOCK_BINARY=FILE] benches/tickets.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
PORT=${PORT:-39872}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
source benches/common.sh
CREDENTIALS=${AUTH#Authorization: } # the header's value, for the Lua scripts

cargo build --release --quiet
"$MOCK_BINARY" --bind "127.0.0.1:$PORT" --db "$WORK/db" --journal-limit 0 2> "$WORK/server.log" &
SERVER=$!
wait_until_serving "127.0.0.1:$PORT" "$SERVER" "$WORK/server.log"
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }

cat > "$WORK/adds.lua" <<LUA
local n = 0
local thread_id = 0
local base = tonumber(os.getenv("TARGET_BASE"))
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  n = n + 1
  local body = '{"link_type":"normal","link_object_target":"Ticket","link_object_target_value":' ..
    (base + tid * 10000000 + n) .. ',"link_object_source":"Ticket","link_object_source_number":"34147471"}'
  return wrk.format("POST", "/api/v1/links/add", {["Authorization"] = "$CREDENTIALS", ["Content-Type"] = "application/json"}, body)
end
done = function(summary) io.write(string.format("non-2xx/3xx answers: %d\n", summary.errors.status)) end
LUA
cat > "$WORK/creates.lua" <<LUA
local body = '{"title":"bench","group_id":1,"customer_id":3,"article":{"body":"created by the bench"}}'
request = function()
  return wrk.format("POST", "/api/v1/tickets", {["Authorization"] = "$CREDENTIALS", ["Content-Type"] = "application/json"}, body)
end
done = function(summary) io.write(string.format("non-2xx/3xx answers: %d\n", summary.errors.status)) end
LUA

rate() { grep -E "Requests/sec" | awk '{print $2}'; }
echo "== durable adds and creates, ${SECONDS_EACH}s each"
printf "%-8s %12s %12s %8s\n" clients adds/s creates/s ratio
for clients in 1 8 64; do
  threads=$(( clients < 2 ? 1 : 2 ))
  adds=$(TARGET_BASE=$(( 200000000 * clients )) wrk -t"$threads" -c"$clients" -d"${SECONDS_EACH}s" -s "$WORK/adds.lua" "$BASE" | tee "$WORK/adds.$clients" | rate)
  creates=$(wrk -t"$threads" -c"$clients" -d"${SECONDS_EACH}s" -s "$WORK/creates.lua" "$BASE" | tee "$WORK/creates.$clients" | rate)
  grep -h "non-2xx" "$WORK/adds.$clients" "$WORK/creates.$clients" | grep -v ": 0$" || true
  printf "%-8s %12s %12s %8.2f\n" "$clients" "$adds" "$creates" "$(echo "$creates / $adds" | bc -l)"
done

echo "== memory per created ticket (creates for ${SECONDS_EACH}s at 8 clients, after a warm-up)"
create_one() {
  curl -s -H "$AUTH" -H 'Content-Type: application/json' \
    -d '{"title":"probe","group_id":1,"customer_id":3,"article":{"body":"b"}}' \
    "$BASE/api/v1/tickets" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2
}
wrk -t2 -c8 -d2s -s "$WORK/creates.lua" "$BASE" > /dev/null
first=$(create_one)
before=$(rss_kb)
wrk -t2 -c8 -d"${SECONDS_EACH}s" -s "$WORK/creates.lua" "$BASE" > /dev/null
after=$(rss_kb)
last=$(create_one)
count=$(( last - first - 1 ))
echo "created: $count, rss before: ${before} kB, after: ${after} kB, per ticket: $(( (after - before) * 1024 / count )) bytes"

echo "== delete of a ticket with N links"
printf "%-8s %12s %14s\n" links "delete ms" "µs per link"
for links in 10 100 1000 10000; do
  ids=$(seq -s, $(( 900000000 + links * 100000 )) $(( 900000000 + links * 100000 + links - 1 )))
  id=$(curl -s -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"title\":\"hub\",\"group_id\":1,\"customer_id\":3,\"article\":{\"body\":\"b\"},\"links\":{\"Ticket\":{\"normal\":[$ids]}}}" \
    "$BASE/api/v1/tickets" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  seconds=$(curl -s -o /dev/null -w '%{time_total}' -X DELETE -H "$AUTH" "$BASE/api/v1/tickets/$id")
  printf "%-8s %12.2f %14.2f\n" "$links" "$(echo "$seconds * 1000" | bc -l)" "$(echo "$seconds * 1000000 / $links" | bc -l)"
done
