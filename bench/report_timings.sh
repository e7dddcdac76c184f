#!/usr/bin/env bash
# bench/report_timings.sh: how long each analysis report (SPEC §6, issue 7)
# takes over HTTP on a given database, as BENCHMARKS.md reports it.
#
#   bench/report_timings.sh DB [MONTH] [FROM TO]
#
# Starts `vipcare serve` on DB (a database made by `vipcare demo`, whose
# accounts have the password "vipcare-demo") on a free loopback port, signs in
# as hq (the whole chain) and store1 (one store), and asks every report of the
# catalogue three times for one month (MONTH, default 2026-10) and for the
# whole period FROM..TO (default 2025-12..2026-11); prints the median of the
# wall times per request, in seconds, with the server's CPU seconds for it in
# brackets, as a Markdown table. The server is
# stopped when the script ends, however it ends.
#
# Environment: VIPCARE (binary, default build/vipcare), RUNS (default 3),
# REPORTS (names to time, space-separated; default every report).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VIPCARE=${VIPCARE:-$ROOT/build/vipcare}
RUNS=${RUNS:-3}
DB=${1:?usage: bench/report_timings.sh DB [MONTH] [FROM TO]}
MONTH=${2:-2026-10}
FROM=${3:-2025-12}
TO=${4:-2026-11}
source "$ROOT/bench/serve.sh"
serve "$DB"
HQ=$(token hq)
STORE=$(token store1)

# The server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
TICKS=$(getconf CLK_TCK)

# The median wall time of RUNS requests, and in brackets the server's CPU
# time for that request (user + system: the figure that does not depend on
# what else the machine runs); fails on an answer other than 200.
timed() {
  local tok=$1 url=$2 times=() before after
  for _ in $(seq "$RUNS"); do
    before=$(cpu_ticks)
    read -r code secs < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
      -H "Authorization: Bearer $tok" "$url")
    after=$(cpu_ticks)
    if [ "$code" != 200 ]; then
      echo "$url answered $code" >&2
      exit 1
    fi
    times+=("$(printf '%.2f (%.2f)' "$secs" "$(awk -v a="$after" -v b="$before" -v t="$TICKS" 'BEGIN { print (a - b) / t }')")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

names=${REPORTS:-$(curl -s -H "Authorization: Bearer $HQ" "$BASE/reports" |
  python3 -c 'import sys, json; print(" ".join(r["name"] for r in json.load(sys.stdin)["items"]))')}
echo "| report | chain, $MONTH | chain, $FROM..$TO | one store, $MONTH | one store, $FROM..$TO |"
echo "|---|---:|---:|---:|---:|"
for name in $names; do
  a=$(timed "$HQ" "$BASE/reports/$name?from=$MONTH&to=$MONTH")
  b=$(timed "$HQ" "$BASE/reports/$name?from=$FROM&to=$TO")
  c=$(timed "$STORE" "$BASE/reports/$name?from=$MONTH&to=$MONTH")
  d=$(timed "$STORE" "$BASE/reports/$name?from=$FROM&to=$TO")
  echo "| \`$name\` | $a | $b | $c | $d |"
done
