#!/usr/bin/env bash
# bench/approval_queue.sh: how long a page of the upgrade approval queue
# (L6, GET /api/v1/tier-approvals, the longest-waiting first) takes over HTTP,
# as BENCHMARKS.md reports it.
#
#   bench/approval_queue.sh DB
#
# Starts `vipcare serve` on DB (a database made by `vipcare demo`, whose
# accounts have the password "vipcare-demo") on a free loopback port, signs
# in as admin (the whole company's queue) and store1 (one store's), and
# prints the wall time of a few pages for each with the queue's total and
# the first and last row's queue time. The server is stopped when the
# script ends, however it ends.
#
# Environment: VIPCARE (binary, default build/vipcare).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VIPCARE=${VIPCARE:-$ROOT/build/vipcare}
DB=${1:?usage: bench/approval_queue.sh DB}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT/api/v1
LOG=$(mktemp)
OUT=$(mktemp)

"$VIPCARE" --db "$DB" serve --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LOG" "$OUT"' EXIT
for _ in $(seq 300); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.1
done
token() {
  curl -s -X POST "$BASE/auth/login" -d "{\"username\":\"$1\",\"password\":\"vipcare-demo\"}" |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}
for user in admin store1; do
  TOKEN=$(token "$user")
  for query in "limit=20" "limit=20" "limit=20" "limit=20&offset=500" "limit=200&offset=100000"; do
    TIME=$(curl -s -o "$OUT" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" \
      "$BASE/tier-approvals?$query")
    python3 - "$user" "$query" "$TIME" "$OUT" <<'PY'
import json, sys
user, query, time, path = sys.argv[1:5]
page = json.load(open(path))
items = page.get("items", [])
ends = f"{items[0]['queued_at']} .. {items[-1]['queued_at']}" if items else "no rows"
print(f"{user:7} {query:24} status and seconds: {time}  total {page.get('total')}  {ends}")
PY
  done
done
