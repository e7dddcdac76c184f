#!/usr/bin/env bash
# bench/program_switch.sh: how long choosing another company program takes
# over HTTP when every follower with a tier is placed on the new ladder
# (L6, POST /api/v1/programs/{code}/choose), as BENCHMARKS.md reports it.
#
#   bench/program_switch.sh DB [PROGRAM]
#
# Starts `vipcare serve` on DB (a database made by `vipcare demo`, whose
# accounts have the password "vipcare-demo"; it is changed: use a copy) on a
# free loopback port, signs in as admin, chooses PROGRAM (default
# premium-goods) once and prints the wall time of the request, the server's
# CPU seconds for it and the answer's "switch". The server is stopped when
# the script ends, however it ends.
#
# Environment: VIPCARE (binary, default build/vipcare).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VIPCARE=${VIPCARE:-$ROOT/build/vipcare}
DB=${1:?usage: bench/program_switch.sh DB [PROGRAM]}
PROGRAM=${2:-premium-goods}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT/api/v1
LOG=$(mktemp)

"$VIPCARE" --db "$DB" serve --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 300); do
  curl -s -o /dev/null "$BASE/reports" && break
  sleep 0.1
done
TOKEN=$(curl -s -X POST "$BASE/auth/login" -d '{"username":"admin","password":"vipcare-demo"}' |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
HZ=$(getconf CLK_TCK)
BEFORE=$(cpu)
ANSWER=$(curl -s -w '\n%{http_code} %{time_total}' -X POST -H "Authorization: Bearer $TOKEN" \
  "$BASE/programs/$PROGRAM/choose")
AFTER=$(cpu)
STATUS=$(tail -1 <<<"$ANSWER")
echo "status and wall seconds: $STATUS; server CPU: $(python3 -c "print(round(($AFTER - $BEFORE) / $HZ, 2))") s"
head -n -1 <<<"$ANSWER" | python3 -c 'import sys, json; print(json.dumps(json.load(sys.stdin)["switch"], ensure_ascii=False))'
