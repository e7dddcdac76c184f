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
source "$ROOT/bench/serve.sh"
serve "$DB"
TOKEN=$(token admin)
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
HZ=$(getconf CLK_TCK)
BEFORE=$(cpu)
ANSWER=$(curl -s -w '\n%{http_code} %{time_total}' -X POST -H "Authorization: Bearer $TOKEN" \
  "$BASE/programs/$PROGRAM/choose")
AFTER=$(cpu)
STATUS=$(tail -1 <<<"$ANSWER")
echo "status and wall seconds: $STATUS; server CPU: $(python3 -c "print(round(($AFTER - $BEFORE) / $HZ, 2))") s"
head -n -1 <<<"$ANSWER" | python3 -c 'import sys, json; print(json.dumps(json.load(sys.stdin)["switch"], ensure_ascii=False))'
