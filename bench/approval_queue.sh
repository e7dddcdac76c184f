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
OUT=$(mktemp)
CLEANUP=$OUT
source "$ROOT/bench/serve.sh"
serve "$DB"
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
