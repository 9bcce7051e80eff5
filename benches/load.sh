#!/usr/bin/env bash
# Load run for zammad-links-mock (issue "Nothing lost, nothing crashes").
#   1. 256 connections, mixed reads and writes (90% the seed's GET, 10% durable adds), for
#      DURATION seconds; prints errors and the server's resident memory every 10 s.
#   2. Durable adds per second with 1, 8 and 64 concurrent clients, 10 s each.
# Needs wrk (Debian package `wrk`). Usage: [MOCK_BINARY=FILE] benches/load.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60}
PORT=${PORT:-39871}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
source benches/common.sh
CREDENTIALS=${AUTH#Authorization: } # the header's value, for the Lua scripts

cargo build --release --quiet
"$MOCK_BINARY" --bind "127.0.0.1:$PORT" --db "$WORK/db" --journal-limit 0 2> "$WORK/server.log" &
SERVER=$!
wait_until_serving "127.0.0.1:$PORT" "$SERVER" "$WORK/server.log"

cat > "$WORK/mixed.lua" <<LUA
local n = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  n = n + 1
  if n % 10 == 0 then
    local target = 100000000 + tid * 10000000 + n
    local body = '{"link_type":"normal","link_object_target":"Ticket","link_object_target_value":' .. target ..
      ',"link_object_source":"Ticket","link_object_source_number":"34147470"}'
    return wrk.format("POST", "/api/v1/links/add", {["Authorization"] = "$CREDENTIALS", ["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", "$URL_PATH", {["Authorization"] = "$CREDENTIALS"})
end
done = function(summary) io.write(string.format("non-2xx/3xx answers: %d\n", summary.errors.status)) end
LUA

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$SERVER/status"; }
cat > "$WORK/reads.lua" <<LUA
request = function()
  return wrk.format("GET", "$URL_PATH", {["Authorization"] = "$CREDENTIALS"})
end
done = function(summary) io.write(string.format("non-2xx/3xx answers: %d\n", summary.errors.status)) end
LUA
echo "== reads only: 256 connections, the seed's GET, 20s"
echo "rss before: $(rss)"
wrk -t2 -c256 -d10s -s "$WORK/reads.lua" "$BASE" | grep -E "Requests/sec|non-2xx|Socket errors"
echo "rss after 10s: $(rss)"
wrk -t2 -c256 -d10s -s "$WORK/reads.lua" "$BASE" | grep -E "Requests/sec|non-2xx|Socket errors"
echo "rss after 20s: $(rss)"

echo "== mixed: 256 connections, 90% GET / 10% durable add, ${DURATION}s"
echo "rss before: $(rss)"
( for _ in $(seq 1 $((DURATION / 10))); do sleep 10; echo "rss: $(rss)"; done ) &
SAMPLER=$!
wrk -t2 -c256 -d"${DURATION}s" --latency -s "$WORK/mixed.lua" "$BASE"
wait "$SAMPLER" || true
echo "rss after: $(rss)"
echo "links now: $(curl -s "$BASE/__mock/fixtures" | grep -o '"link_type"' | wc -l)"

for clients in 1 8 64; do
  threads=$(( clients < 2 ? 1 : 2 ))
  # Each run links its own fresh targets, so no add is a duplicate.
  cat > "$WORK/adds.lua" <<LUA
local n = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  n = n + 1
  local target = $(( 200000000 * clients )) + tid * 10000000 + n
  local body = '{"link_type":"normal","link_object_target":"Ticket","link_object_target_value":' .. target ..
    ',"link_object_source":"Ticket","link_object_source_number":"34147471"}'
  return wrk.format("POST", "/api/v1/links/add", {["Authorization"] = "$CREDENTIALS", ["Content-Type"] = "application/json"}, body)
end
done = function(summary) io.write(string.format("non-2xx/3xx answers: %d\n", summary.errors.status)) end
LUA
  echo "== durable adds, $clients concurrent clients, 10s"
  wrk -t"$threads" -c"$clients" -d10s -s "$WORK/adds.lua" "$BASE" | grep -E "Requests/sec|non-2xx|Latency|Socket errors"
done
