# bench/serve.sh: sourced by the HTTP bench scripts (not run by itself).
#
#   source "$ROOT/bench/serve.sh"; serve "$DB"; T=$(token admin)
#
# serve DB starts `vipcare serve` ($VIPCARE) on DB on a free loopback port,
# sets PORT, BASE (…/api/v1) and SERVER, waits until it answers, and stops
# it when the script ends, however it ends (with the files named in
# CLEANUP). token USER signs in with the demo password "vipcare-demo".
serve() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  BASE=http://127.0.0.1:$PORT/api/v1
  SERVE_LOG=$(mktemp)
  "$VIPCARE" --db "$1" serve --port "$PORT" >"$SERVE_LOG" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$SERVE_LOG" ${CLEANUP:-}' EXIT
  for _ in $(seq 300); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && return 0
    sleep 0.1
  done
  echo "vipcare serve did not answer on port $PORT:" >&2
  cat "$SERVE_LOG" >&2
  return 1
}

token() {
  curl -s -X POST "$BASE/auth/login" -d "{\"username\":\"$1\",\"password\":\"vipcare-demo\"}" |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}
