#!/usr/bin/env bash
# bench/import_run.sh: issue 5's import figures (`vipcare import transactions`
# >= 200,000 rows/s) and the nightly tier review over 1,000,000 members that
# all hold a tier. Results go to BENCHMARKS.md by hand.
#
#   1. a 50,000-member demo database (`vipcare demo --members 50000 --date
#      2026-11-27`, with its purchase history),
#   2. a 1,000,000-row till export for its members (bench/make_transactions_csv.py),
#   3. `vipcare import transactions` of it on a copy of the database, timed,
#      then the same file again (every transaction a repeat), timed,
#   4. with BENCH_TIER_REVIEW=1: a 1,000,000-member demo database, one sale for
#      every member imported (so every member holds a tier: amounts give 普卡,
#      银卡, 金卡 and 钻石卡, days spread over the 13 months before the demo's
#      date so the review has members to warn), then `vipcare run-jobs` for
#      tomorrow twice on copies: with the day's other jobs marked done (the
#      tier review alone), and the whole schedule (each job's seconds are
#      read from loyalty_job_runs).
#
# The load average (uptime) is printed before and after each timed step: the
# machine is shared, and the figures mean little without it. Builds nothing
# (`make bench` or cmake --build first). Data goes to $DATA (default
# $BUILD_DIR/bench-data/import) and is made once, then reused.
#
# Environment (all optional):
#   BUILD_DIR          built tree (default: build)
#   DATA               where the databases and CSV files go
#   BENCH_IMPORT_ROWS  rows of the import CSV (default 1000000)
#   BENCH_TIER_REVIEW  1 to run step 4 (~10 minutes: demo 3, import 2.5, schedule 3;
#                      about 8 GB of disk for the copies)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
VIPCARE=$(cd "$BUILD_DIR" && pwd)/vipcare
DATA=${DATA:-$BUILD_DIR/bench-data/import}
ROWS=${BENCH_IMPORT_ROWS:-1000000}
DATE=2026-11-27
mkdir -p "$DATA"

step() { echo; echo "== $*"; }
load() { echo "+ uptime: $(uptime)"; }
timed() {
  load
  echo "+ $*"
  /usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB peak" "$@"
  load
}
copy_db() {  # copy_db FROM TO (a SQLite file and its key; the WAL folded in first)
  sqlite3 "$1" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  rm -f "$2" "$2-wal" "$2-shm"
  cp "$1" "$2"
  cp "$1.key" "$2.key"
}

# ---- 1-3: the import
BASE=$DATA/demo-50000.db
if [[ ! -f $BASE ]]; then
  step "demo database, 50,000 members"
  "$VIPCARE" --db "$BASE" init
  "$VIPCARE" --db "$BASE" demo --members 50000 --date "$DATE" >/dev/null
fi
CSV=$DATA/transactions-$ROWS.csv
if [[ ! -f $CSV ]]; then
  step "till export, $ROWS rows"
  python3 "$ROOT/bench/make_transactions_csv.py" --rows "$ROWS" --org-db "$BASE" --date "$DATE" \
    --out "$CSV"
fi
RUN=$DATA/import-run.db
copy_db "$BASE" "$RUN"
step "import transactions, first time"
timed "$VIPCARE" --db "$RUN" import transactions "$CSV"
step "import transactions, same file again (every transaction a repeat)"
timed "$VIPCARE" --db "$RUN" import transactions "$CSV"

[[ ${BENCH_TIER_REVIEW:-0} == 1 ]] || exit 0

# ---- 4: the nightly tier review over 1,000,000 members with a tier
BIG=$DATA/demo-1000000.db
if [[ ! -f $BIG ]]; then
  step "demo database, 1,000,000 members"
  "$VIPCARE" --db "$BIG" init
  timed "$VIPCARE" --db "$BIG" demo --members 1000000 --date "$DATE" >/dev/null
fi
EVERY=$DATA/every-member.csv
if [[ ! -f $EVERY ]]; then
  step "one sale for every member"
  python3 - "$BIG" "$EVERY" "$DATE" <<'PY'
import csv, datetime, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
codes = dict(db.execute("SELECT id, code FROM stores"))
end = datetime.date.fromisoformat(sys.argv[3])
# 60 % 普卡 (first purchase >= 500), 20 % 银卡, 10 % 金卡, 10 % 钻石卡 (by the
# department-store preset), on a day 0-389 days before the demo's date.
amounts = [800, 800, 800, 800, 800, 800, 3600, 3600, 6000, 22000]
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["external_id", "member_no", "store_code", "occurred_at", "sku", "category",
                "list_price", "paid"])
    for mid, no, store in db.execute("SELECT id, member_no, home_store_id FROM members "
                                     "WHERE status IN ('prospect', 'temporary', 'formal', "
                                     "'suspended') ORDER BY id"):
        day = end - datetime.timedelta(days=mid * 7919 % 390)
        yuan = amounts[mid % 10]
        w.writerow([f"TIER-{mid:07d}", no, codes[store], f"{day} 15:00", "NZ-1", "女装",
                    f"{yuan}.00", f"{yuan}.00"])
PY
fi
TIERED=$DATA/tiered-1000000.db
if [[ ! -f $TIERED ]]; then
  copy_db "$BIG" "$TIERED.tmp"
  step "import one sale for every member"
  timed "$VIPCARE" --db "$TIERED.tmp" import transactions "$EVERY"
  sqlite3 "$TIERED.tmp" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  mv "$TIERED.tmp" "$TIERED"; mv "$TIERED.tmp.key" "$TIERED.key"
  rm -f "$TIERED.tmp-wal" "$TIERED.tmp-shm"
fi
sqlite3 "$TIERED" "SELECT 'tier ' || CASE tier_code WHEN '' THEN '(none)' ELSE tier_code END, COUNT(*)
                   FROM member_loyalty GROUP BY tier_code"
# The import upgraded every member today (by the system clock), and a tier
# reached on the review day is first reviewed the next day: the review runs
# for tomorrow (--allow-future). The other jobs of the day are marked done
# beforehand, so the time is the tier review's (rank and downgrade_review;
# the department-store preset has no rank rule, so rank finds nothing to do).
REVIEW_DAY=$(date -u -d tomorrow +%F)
REVIEW=$DATA/review-run.db
copy_db "$TIERED" "$REVIEW"
for job in points_expiry temporary_to_formal expiry_warning churn_scores staff_leaves care_tasks; do
  sqlite3 "$REVIEW" "INSERT INTO loyalty_job_runs (job, day, status, owner, started_at, ran_at, summary)
                     VALUES ('$job', '$REVIEW_DAY', 'done', 'bench', 0, 0, '{}')"
done
step "run-jobs, tier review only, $REVIEW_DAY"
timed "$VIPCARE" --db "$REVIEW" run-jobs --date "$REVIEW_DAY" --allow-future
copy_db "$TIERED" "$REVIEW"
step "run-jobs, the whole daily schedule, $REVIEW_DAY"
timed "$VIPCARE" --db "$REVIEW" run-jobs --date "$REVIEW_DAY" --allow-future
sqlite3 "$REVIEW" "SELECT job, ran_at - started_at AS seconds, summary FROM loyalty_job_runs
                   ORDER BY started_at"
