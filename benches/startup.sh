#!/usr/bin/env bash
# The static binary of the container image (issue 25): its size, and its start-up time — from
# the spawn to the first 200 of GET /__mock/health — in memory, on a first start with an
# empty database folder (the data set is loaded into it, as in a new container), and on a
# restart from that folder. One run each; the default data set, RUST_LOG=warn.
# Usage: benches/startup.sh   (needs python3 for the timing loop)
set -euo pipefail
cd "$(dirname "$0")/.."
TRIPLE=x86_64-unknown-linux-gnu
BIN=${MOCK_BINARY:-target/$TRIPLE/release/zammad-links-mock}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${MOCK_BINARY:-}" ]; then
  # The command README.md documents for the static binary.
  RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --quiet --target "$TRIPLE"
fi
printf 'binary: %s\n  size %.1f MB (%s bytes); ldd: %s\n' "$BIN" \
  "$(echo "$(stat -c %s "$BIN") / 1000000" | bc -l)" "$(stat -c %s "$BIN")" \
  "$(ldd "$BIN" 2>&1 | tr -d '\t')"

# start_ms LABEL ARGS…: starts the binary with ARGS on a free port and prints the
# milliseconds until /__mock/health first answers 200, then stops it with SIGTERM. The loop
# is python's so that polling costs no process start (curl's would be a few ms each).
start_ms() {
  local label=$1
  shift
  python3 - "$BIN" "$label" "$@" <<'EOF'
import os, signal, socket, subprocess, sys, time
binary, label, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
request = b"GET /__mock/health HTTP/1.0\r\nHost: x\r\n\r\n"
env = dict(os.environ, RUST_LOG="warn")
started = time.monotonic()
child = subprocess.Popen([binary, "--bind", f"127.0.0.1:{port}", *args], env=env,
                         stderr=subprocess.DEVNULL)
while True:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
            c.sendall(request)
            if c.recv(64).split(b" ")[1:2] == [b"200"]:
                break
    except OSError:
        if child.poll() is not None:
            sys.exit(f"{label}: the binary ended with {child.returncode}")
        time.sleep(0.0005)
elapsed = (time.monotonic() - started) * 1000
child.send_signal(signal.SIGTERM)
child.wait(timeout=30)
print(f"  {label}: {elapsed:.1f} ms to the first answer of /__mock/health")
EOF
}

start_ms "in memory" --in-memory
start_ms "first start, empty database folder" --db "$WORK/db"
start_ms "restart from that folder" --db "$WORK/db"
