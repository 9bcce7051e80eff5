# Shared by the load scripts in benches/: the seed's GET, its credentials, and waiting for a
# server that was just started. Sourced, not run.

# The mock binary the scripts measure: the release build of this checkout unless MOCK_BINARY
# names another (a build of an older commit, to compare before and after in one session).
MOCK_BINARY=${MOCK_BINARY:-target/release/zammad-links-mock}

# The seed's GET and the seed agent's credentials.
URL_PATH="/api/v1/links?link_object=Ticket&link_object_value=147469"
AUTH="Authorization: Basic $(printf 'test@test.de:test' | base64)"

# wait_until_serving ADDRESS PID LOG: waits until ADDRESS answers /__mock/health; stops the
# script, showing LOG, if the process PID ended first or a minute went by.
wait_until_serving() {
  local address=$1 pid=$2 log=$3
  for _ in $(seq 600); do
    if curl -s -o /dev/null "http://$address/__mock/health"; then
      return 0
    fi
    if ! kill -0 "$pid" 2> /dev/null; then
      echo "the server for $address ended before it served:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "the server for $address did not answer within a minute" >&2
  exit 1
}
