#!/usr/bin/env bash
# bench/run.sh: issue 2's speed benchmarks, reported in BENCHMARKS.md.
#
#   1. in-process member lookup at 1,000,000 members (vipcare_bench),
#   2. the same lookup over HTTP (wrk against `vipcare serve`, 4, 16 and 64
#      keep-alive connections),
#   3. `vipcare import members` of a 1,000,000-row CSV,
#   4. loyalty: `vipcare demo` with purchase history (timed), posting one
#      sale and reading tier metrics in-process (vipcare_bench, BM_Loyalty*),
#      and `vipcare import transactions` of a 200,000-row CSV, twice (the
#      second time every transaction is a repeat).
#   5. posting sales over HTTP (wrk with bench/http_post_sale.lua against
#      `vipcare serve` on a fresh copy of a 20,000-member demo database, at 16
#      and 64 connections), checked against the database: every answered
#      request must have stored a new sale (no idempotent repeats counted);
#      then the bare-loop reference (vipcare_bench BM_BareSaleLoop) and the
#      ratio between the two.
#
# Builds nothing: `make bench` builds first (or set BUILD_DIR to a built tree).
# Data goes to $BUILD_DIR/bench-data; the 1M-member demo database, the small
# organisation database and the CSV are made once and reused by later runs
# while the schema, the demo generator and the CSV generator are unchanged
# (a stamp of their sources is kept beside the data; delete the folder to
# start over). Every process this script starts is
# stopped when it ends, whether it succeeds, fails or is interrupted.
#
# Environment (all optional):
#   BUILD_DIR            built tree (default: build)
#   BENCH_MEMBERS        members in the lookup database (default 1000000)
#   BENCH_IMPORT_ROWS    rows in the import CSV (default 1000000)
#   BENCH_WRK_DURATION   length of each wrk run (default 20s)
#   BENCH_SERVER_THREADS `vipcare serve --threads` (default: serve's own, one per CPU, at least 2)
#   BENCH_SKIP           space-separated parts to skip: lookup http import loyalty posting
#   BENCH_LOYALTY_MEMBERS members of the loyalty demo database (default 50000, as `make demo`)
#   BENCH_TX_ROWS        rows in the transactions CSV (default 200000)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BUILD_DIR=$(cd "$BUILD_DIR" 2>/dev/null && pwd || echo "$BUILD_DIR")
VIPCARE=$BUILD_DIR/vipcare
BENCH_BIN=$BUILD_DIR/bench/vipcare_bench
DATA=$BUILD_DIR/bench-data
MEMBERS=${BENCH_MEMBERS:-1000000}
IMPORT_ROWS=${BENCH_IMPORT_ROWS:-1000000}
WRK_DURATION=${BENCH_WRK_DURATION:-20s}
SERVER_THREADS=${BENCH_SERVER_THREADS:-}
SKIP=" ${BENCH_SKIP:-} "
# A fixed "today" keeps the demo data and the import's validation the same on
# every run and every machine.
BENCH_DATE=2026-11-23
DEMO_PASSWORD=vipcare-demo

LOOKUP_DB=$DATA/members-$MEMBERS.db
ORG_DB=$DATA/org.db
IMPORT_CSV=$DATA/members-import-$IMPORT_ROWS.csv
IMPORT_DB=$DATA/import-run.db
KEYS_FILE=$DATA/http-keys.txt
SERVER_LOG=$DATA/serve.log

SERVER_PID=""
CHILD_PID=""  # the command `run` is waiting for
PARTIAL_FILES=()

# Stops the server this script started: SIGTERM (serve finishes the requests
# in flight, which can take seconds), then SIGKILL after 10 s.
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "+ kill -TERM $SERVER_PID  # vipcare serve"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "vipcare serve did not stop within 10 s; killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  if [[ -n "$CHILD_PID" ]] && kill -0 "$CHILD_PID" 2>/dev/null; then
    echo "stopping pid $CHILD_PID"
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  stop_server
  for f in "${PARTIAL_FILES[@]}"; do
    rm -f "$f" "$f-wal" "$f-shm" "$f-journal"
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section() { printf '\n==== %s ====\n' "$*"; }
# Prints a command, then runs it. It runs in the background while the script
# waits for it, because bash runs a trap only once the foreground command has
# ended: this way a signal stops the script (and the command) at once.
run() {
  run_to "" "$@"
}
# The same with the command's standard output going to file $1 (if not empty).
run_to() {
  local out=$1
  shift
  printf '+'
  printf ' %q' "$@"
  [[ -z "$out" ]] || printf ' > %q' "$out"
  printf '\n'
  if [[ -z "$out" ]]; then
    "$@" &
  else
    "$@" >"$out" &
  fi
  CHILD_PID=$!
  local rc=0
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}
now_ns() { date +%s%N; }
seconds_since() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.2f}')" "$1" "$(now_ns)"; }
skipped() { [[ "$SKIP" == *" $1 "* ]]; }

machine() {
  echo "date:        $(date -Is)"
  echo "host:        $(uname -srm)"
  echo "cpus:        $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
  echo "memory:      $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "load:        $(uptime | sed 's/.*load average/load average/')"
  echo "sqlite:      $(pkg-config --modversion sqlite3 2>/dev/null || echo '?') ($(ldd "$VIPCARE" | awk '/libsqlite3/ {print $3}'))"
  if [[ -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    echo "build type:  $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")"
  fi
  echo "disk:        $(df -h "$DATA" | awk 'NR==2 {print $1, $2, "size,", $4, "free"}')"
}

need() {
  if [[ ! -x "$1" ]]; then
    echo "bench/run.sh: $1 is missing; run \`make bench\` (or \`make build\`) first" >&2
    exit 1
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts `vipcare serve` on database $1 on a free port and signs in as the
# demo admin: sets SERVER_PID, BASE and TOKEN (stop_server stops it).
start_server() {
  local db=$1 port
  port=$(free_port)
  local threads=()
  [[ -n $SERVER_THREADS ]] && threads=(--threads "$SERVER_THREADS")
  echo "+ $VIPCARE --db $db serve --host 127.0.0.1 --port $port ${threads[*]} > $SERVER_LOG 2>&1 &"
  "$VIPCARE" --db "$db" serve --host 127.0.0.1 --port "$port" "${threads[@]}" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  BASE=http://127.0.0.1:$port
  for _ in $(seq 100); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "vipcare serve exited:" >&2; cat "$SERVER_LOG" >&2; exit 1; }
    sleep 0.1
  done
  echo "+ curl -X POST $BASE/api/v1/auth/login -d '{\"username\":\"admin\",\"password\":\"...\"}'"
  TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$DEMO_PASSWORD\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
}

# Creates $1 with the demo chain and $2 members, unless it exists already.
# Built under a temporary name so an interrupted run never leaves a half
# database that a later run would take for a finished one.
make_demo_db() {
  local db=$1 members=$2
  if [[ -f "$db" ]]; then
    echo "reusing $db"
    return
  fi
  local tmp=$db.partial
  rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp.key"
  PARTIAL_FILES+=("$tmp" "$tmp.key")
  # `init` creates the data key file beside the database (P5).
  run "$VIPCARE" --db "$tmp" init
  local t0
  t0=$(now_ns)
  run "$VIPCARE" --db "$tmp" demo --members "$members" --date "$BENCH_DATE"
  echo "demo database with $members members made in $(seconds_since "$t0") s"
  [[ -f "$tmp-wal" ]] && { echo "$tmp-wal was left behind; vipcare demo did not close cleanly" >&2; exit 1; }
  mv "$tmp.key" "$db.key"
  mv "$tmp" "$db"
}

# ------------------------------------------------------------------ setup
need "$VIPCARE"
mkdir -p "$DATA"
# The cached data is only as good as the code that made it: an edited
# migration or demo generator makes the databases stale.
STAMP=$(cat "$ROOT/src/store/migrations.cc" "$ROOT/src/service/demo_data.cc" \
  "$ROOT/bench/make_members_csv.py" | sha256sum | cut -c1-16)
if [[ "$(cat "$DATA/stamp" 2>/dev/null)" != "$STAMP" ]]; then
  if compgen -G "$DATA/*.db" >/dev/null || compgen -G "$DATA/*.csv" >/dev/null; then
    echo "schema or generators changed since the cached data was made; remaking it"
  fi
  rm -f "$DATA"/*.db "$DATA"/*.db-wal "$DATA"/*.db-shm "$DATA"/*.csv
  echo "$STAMP" >"$DATA/stamp"
fi
section "machine"
machine

section "data"
make_demo_db "$LOOKUP_DB" "$MEMBERS"
ls -lh "$LOOKUP_DB"

# ------------------------------------------------------------------ 1. in-process lookup
if ! skipped lookup; then
  need "$BENCH_BIN"
  section "in-process lookup at $MEMBERS members (SQLite)"
  echo "load before: $(uptime | sed 's/.*load average/load average/')"
  echo "+ export VIPCARE_BENCH_DB=$LOOKUP_DB"
  export VIPCARE_BENCH_DB=$LOOKUP_DB
  # The lookup benchmarks only: the loyalty and bare-loop ones are parts 4 and 5.
  run "$BENCH_BIN" --benchmark_filter='^BM_(Baseline|Search|Layer)' \
    --benchmark_counters_tabular=true \
    --benchmark_out="$DATA/lookup.json" --benchmark_out_format=json
fi

# ------------------------------------------------------------------ 2. HTTP lookup
if ! skipped http; then
  section "HTTP lookup at $MEMBERS members (wrk against vipcare serve)"
  if ! command -v wrk >/dev/null; then
    echo "wrk is not installed; installing the Debian package"
    if [[ $(id -u) -eq 0 ]]; then run apt-get install -y wrk; else run sudo apt-get install -y wrk; fi
  fi
  # The keys the till sends: card numbers and mobiles of live members. They
  # are sealed in the database, so vipcare's own code reads them.
  need "$BENCH_BIN"
  VIPCARE_BENCH_DB=$LOOKUP_DB run "$BENCH_BIN" --write-http-keys "$KEYS_FILE"

  start_server "$LOOKUP_DB"
  # One request by hand: the token works and a key finds its member.
  FIRST_KEY=$(head -n1 "$KEYS_FILE")
  TOTAL=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/members?q=$FIRST_KEY" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
  if [[ "$TOTAL" != 1 ]]; then
    echo "GET /api/v1/members?q=<card> answered total=$TOTAL, expected 1" >&2
    exit 1
  fi
  export VIPCARE_BENCH_TOKEN=$TOKEN VIPCARE_BENCH_KEYS=$KEYS_FILE
  for connections in 4 16 64; do
    echo
    echo "load before: $(uptime | sed 's/.*load average/load average/')"
    run_to "$DATA/wrk-c$connections.txt" \
      wrk --latency -t2 -c"$connections" -d"$WRK_DURATION" -s "$ROOT/bench/http_lookup.lua" "$BASE"
    cat "$DATA/wrk-c$connections.txt"
    if grep -q 'Non-2xx' "$DATA/wrk-c$connections.txt"; then
      echo "WARNING: some answers were not 200; see $SERVER_LOG" >&2
    fi
  done
  unset VIPCARE_BENCH_TOKEN
  stop_server
fi

# ------------------------------------------------------------------ 3. import
if ! skipped import; then
  section "vipcare import members, $IMPORT_ROWS rows (SQLite)"
  # The demo organisation (stores, staff, accounts) and one member: the
  # smallest database `vipcare demo` makes.
  make_demo_db "$ORG_DB" 1
  if [[ -f "$IMPORT_CSV" ]]; then
    echo "reusing $IMPORT_CSV"
  else
    PARTIAL_FILES+=("$IMPORT_CSV.partial")
    t0=$(now_ns)
    need "$BENCH_BIN"
    VIPCARE_BENCH_DB=$ORG_DB run "$BENCH_BIN" --write-sealed-keys "$DATA/org-keys.txt"
    run python3 "$ROOT/bench/make_members_csv.py" --rows "$IMPORT_ROWS" --org-db "$ORG_DB" \
      --taken "$DATA/org-keys.txt" --out "$IMPORT_CSV.partial"
    mv "$IMPORT_CSV.partial" "$IMPORT_CSV"
    echo "CSV written in $(seconds_since "$t0") s"
  fi
  ls -lh "$IMPORT_CSV"
  # A fresh copy of the organisation database for every run.
  PARTIAL_FILES+=("$IMPORT_DB" "$IMPORT_DB.key")
  rm -f "$IMPORT_DB" "$IMPORT_DB-wal" "$IMPORT_DB-shm"
  run cp "$ORG_DB" "$IMPORT_DB"
  run cp "$ORG_DB.key" "$IMPORT_DB.key"
  sync
  echo "load before: $(uptime | sed 's/.*load average/load average/')"
  t0=$(now_ns)
  run "$VIPCARE" --db "$IMPORT_DB" import members "$IMPORT_CSV" --date "$BENCH_DATE"
  t1=$(now_ns)
  python3 - "$t0" "$t1" "$IMPORT_ROWS" <<'PY' | tee "$DATA/import.txt"
import sys
t0, t1, rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = (t1 - t0) / 1e9
print(f"import: {rows} rows in {s:.2f} s = {rows / s:,.0f} rows/s (whole command, file read to commit)")
PY
  LOADED=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM members").fetchone()[0])' "$IMPORT_DB")
  echo "members in the database after the import: $LOADED (1 demo member + $IMPORT_ROWS imported)"
  ls -lh "$IMPORT_DB"
fi

# ------------------------------------------------------------------ 4. loyalty
# Remade on every run: making the demo database is itself measured (it posts
# the members' purchase history through the loyalty service).
LOYALTY_MEMBERS=${BENCH_LOYALTY_MEMBERS:-50000}
TX_ROWS=${BENCH_TX_ROWS:-200000}
if ! skipped loyalty; then
  need "$BENCH_BIN"
  section "loyalty at $LOYALTY_MEMBERS members with purchase history (SQLite)"
  LOYALTY_DB=$DATA/loyalty-$LOYALTY_MEMBERS.db
  LOYALTY_RUN_DB=$DATA/loyalty-run.db
  TX_CSV=$DATA/transactions-$TX_ROWS.csv
  TX_DB=$DATA/transactions-import-run.db
  for f in "$LOYALTY_DB" "$LOYALTY_RUN_DB" "$TX_DB"; do
    PARTIAL_FILES+=("$f" "$f.key")
    rm -f "$f" "$f-wal" "$f-shm" "$f.key"
  done
  PARTIAL_FILES+=("$TX_CSV")
  run "$VIPCARE" --db "$LOYALTY_DB" init
  echo "load before: $(uptime | sed 's/.*load average/load average/')"
  t0=$(now_ns)
  run "$VIPCARE" --db "$LOYALTY_DB" demo --members "$LOYALTY_MEMBERS" --date "$BENCH_DATE"
  echo "demo: $LOYALTY_MEMBERS members with purchase history in $(seconds_since "$t0") s (init not counted)" |
    tee "$DATA/loyalty-demo.txt"
  python3 - "$LOYALTY_DB" <<'PY' | tee -a "$DATA/loyalty-demo.txt"
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
q = lambda sql: db.execute(sql).fetchone()[0]
sales = q("SELECT COUNT(*) FROM transactions WHERE kind = 'sale'")
refunds = q("SELECT COUNT(*) FROM transactions WHERE kind = 'refund'")
buyers = q("SELECT COUNT(*) FROM member_loyalty")
waiting = q("SELECT COUNT(*) FROM member_loyalty WHERE pending_tier <> ''")
print(f"demo: {sales} sales, {refunds} refunds, {buyers} members with sales, "
      f"{waiting} tiers waiting for approval")
tiers = db.execute("SELECT tier_code, COUNT(*) FROM member_loyalty GROUP BY 1 ORDER BY 2 DESC").fetchall()
print("demo tiers: " + ", ".join(f"{t or '(none)'} {n}" for t, n in tiers))
PY
  ls -lh "$LOYALTY_DB"

  # In-process: the posting benchmarks add sales, so they run on a copy.
  run cp "$LOYALTY_DB" "$LOYALTY_RUN_DB"
  run cp "$LOYALTY_DB.key" "$LOYALTY_RUN_DB.key"
  echo "load before: $(uptime | sed 's/.*load average/load average/')"
  echo "+ export VIPCARE_BENCH_LOYALTY_DB=$LOYALTY_RUN_DB"
  VIPCARE_BENCH_LOYALTY_DB=$LOYALTY_RUN_DB run "$BENCH_BIN" --benchmark_filter='^BM_Loyalty' \
    --benchmark_counters_tabular=true \
    --benchmark_out="$DATA/loyalty.json" --benchmark_out_format=json

  # Import: a 200,000-row till export for the demo's members, into a fresh
  # copy of the demo database; then the same file again (all repeats).
  run python3 "$ROOT/bench/make_transactions_csv.py" --rows "$TX_ROWS" --org-db "$LOYALTY_DB" \
    --date "$BENCH_DATE" --out "$TX_CSV"
  ls -lh "$TX_CSV"
  run cp "$LOYALTY_DB" "$TX_DB"
  run cp "$LOYALTY_DB.key" "$TX_DB.key"
  sync
  : >"$DATA/transactions-import.txt"
  for pass in first again; do
    echo "load before: $(uptime | sed 's/.*load average/load average/')"
    t0=$(now_ns)
    run "$VIPCARE" --db "$TX_DB" import transactions "$TX_CSV"
    t1=$(now_ns)
    python3 - "$t0" "$t1" "$TX_ROWS" "$pass" <<'PY' | tee -a "$DATA/transactions-import.txt"
import sys
t0, t1, rows, name = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = (t1 - t0) / 1e9
print(f"import transactions ({name}): {rows} rows in {s:.2f} s = {rows / s:,.0f} rows/s (whole command)")
PY
  done
fi

# ------------------------------------------------------------------ 5. posting over HTTP
POST_MEMBERS=20000
if ! skipped posting; then
  need "$BENCH_BIN"
  section "posting sales over HTTP at $POST_MEMBERS members (wrk against vipcare serve, SQLite)"
  command -v wrk >/dev/null || {
    if [[ $(id -u) -eq 0 ]]; then run apt-get install -y wrk; else run sudo apt-get install -y wrk; fi
  }
  POST_DB=$DATA/posting-$POST_MEMBERS.db
  POST_RUN_DB=$DATA/posting-run.db
  make_demo_db "$POST_DB" "$POST_MEMBERS"
  : >"$DATA/posting.txt"
  for connections in 16 64; do
    # A fresh copy per run: each run adds ~100,000 sales.
    PARTIAL_FILES+=("$POST_RUN_DB" "$POST_RUN_DB.key")
    rm -f "$POST_RUN_DB" "$POST_RUN_DB-wal" "$POST_RUN_DB-shm"
    run cp "$POST_DB" "$POST_RUN_DB"
    run cp "$POST_DB.key" "$POST_RUN_DB.key"
    start_server "$POST_RUN_DB"
    TAG=c$connections-$(date +%s)
    echo "load before: $(uptime | sed 's/.*load average/load average/')"
    CPU0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    VIPCARE_BENCH_TOKEN=$TOKEN VIPCARE_BENCH_MEMBERS=$POST_MEMBERS VIPCARE_BENCH_RUN=$TAG \
      run_to "$DATA/wrk-post-c$connections.txt" \
      wrk --latency -t2 -c"$connections" -d"$WRK_DURATION" -s "$ROOT/bench/http_post_sale.lua" "$BASE"
    # The server's CPU, and its busiest thread's (the writer's), while wrk ran.
    CPU1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    WRITER=$(for t in /proc/"$SERVER_PID"/task/*/stat; do awk '{print $14 + $15}' "$t"; done | sort -n | tail -1)
    stop_server
    cat "$DATA/wrk-post-c$connections.txt"
    python3 - "$POST_RUN_DB" "$TAG" "$DATA/wrk-post-c$connections.txt" "$connections" \
      "$((CPU1 - CPU0))" "$WRITER" "$(getconf CLK_TCK)" <<'PY' | tee -a "$DATA/posting.txt"
import re, sqlite3, sys
db, tag, wrk_file, conns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
server_ticks, writer_ticks, hz = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
text = open(wrk_file).read()
answered = int(re.search(r"(\d+) requests in", text).group(1))
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
stored = sqlite3.connect(db).execute(
    "SELECT COUNT(*) FROM transactions WHERE external_id LIKE ?", (f"BENCH-{tag}-%",)).fetchone()[0]
print(f"posting -c{conns}: {rate:,.0f} sales/s, p50 {lat.get('50')}, p99 {lat.get('99')}; "
      f"{answered} answered, {stored} stored; server CPU {server_ticks / hz * 1e6 / answered:.0f} µs "
      f"per sale, writer thread {writer_ticks / hz * 1e6 / answered:.0f} µs (whole run)")
# Every answer must be a new sale: requests still in flight when wrk stops
# are stored but not counted, at most one per connection.
if not answered <= stored <= answered + conns:
    sys.exit(f"posting -c{conns}: {answered} answers but {stored} new sales stored: "
             "the load did not post one new sale per request")
PY
  done
  rm -f "$POST_RUN_DB" "$POST_RUN_DB-wal" "$POST_RUN_DB-shm" "$POST_RUN_DB.key"
  # The reference: the same four rows per purchase in a bare C++ loop.
  run "$BENCH_BIN" --benchmark_filter=BareSale --benchmark_repetitions=3 \
    --benchmark_out="$DATA/bare.json" --benchmark_out_format=json
  python3 - "$DATA/bare.json" "$DATA/posting.txt" <<'PY' | tee -a "$DATA/posting.txt"
import json, re, sys
doc = json.load(open(sys.argv[1]))
mean = next(b for b in doc["benchmarks"] if b["name"].endswith("_mean"))
bare = 1e6 / mean["real_time"]
print(f"bare loop: {bare:,.0f} purchases/s (mean of 3)")
for line in open(sys.argv[2]):
    m = re.match(r"posting -c(\d+): ([\d,]+) sales/s", line)
    if m:
        print(f"ratio at {m.group(1)} connections: {float(m.group(2).replace(',', '')) / bare:.2f}")
PY
fi

section "summary"
# Only the parts that ran this time; the files are from this run.
[[ -f "$DATA/lookup.json" ]] && ! skipped lookup && python3 - "$DATA/lookup.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print(f"{'in-process (µs)':44} {'mean':>9} {'p50':>9} {'p99':>9} {'max':>9}")
for b in doc["benchmarks"]:
    if b.get("error_occurred"):
        print(f"{b['name']:44} error: {b.get('error_message')}")
        continue
    name = b["name"].split("/")[0].removeprefix("BM_")
    print(f"{name:44} {b['real_time']:9.1f} {b['p50_us']:9.1f} {b['p99_us']:9.1f} {b['max_us']:9.1f}")
PY
if ! skipped http; then
  for connections in 4 16 64; do
    f=$DATA/wrk-c$connections.txt
    [[ -f "$f" ]] || continue
    echo "HTTP -c$connections: $(awk '/Requests\/sec/ {r = $2} /^ +50%/ {p50 = $2} /^ +90%/ {p90 = $2}
      /^ +99%/ {p99 = $2} END {printf "%s req/s, p50 %s, p90 %s, p99 %s", r, p50, p90, p99}' "$f")"
  done
fi
if ! skipped import && [[ -f "$DATA/import.txt" ]]; then cat "$DATA/import.txt"; fi
if ! skipped loyalty && [[ -f "$DATA/loyalty.json" ]]; then
  cat "$DATA/loyalty-demo.txt"
  python3 - "$DATA/loyalty.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print(f"{'loyalty, in-process (µs)':44} {'mean':>9} {'p50':>9} {'p99':>9} {'max':>9}")
for b in doc["benchmarks"]:
    name = b["name"].split("/")[0].removeprefix("BM_")
    if b.get("error_occurred"):
        print(f"{name:44} error: {b.get('error_message')}")
        continue
    print(f"{name:44} {b['real_time']:9.1f} {b['p50_us']:9.1f} {b['p99_us']:9.1f} {b['max_us']:9.1f}")
PY
  cat "$DATA/transactions-import.txt"
fi
if ! skipped posting && [[ -f "$DATA/posting.txt" ]]; then cat "$DATA/posting.txt"; fi
echo "load after: $(uptime | sed 's/.*load average/load average/')"
