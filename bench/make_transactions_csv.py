#!/usr/bin/env python3
"""Writes an N-row sales CSV for the transaction import benchmark (SPEC L1).

The rows look like a till's export for `vipcare import transactions`: one row
per sale line, the lines of a sale on consecutive rows, 85 % of the sales to a
member of the given database (by member number), the rest without a member,
the associates of each store, categories, brands, list prices and paid
amounts in yuan with two decimals, some promotion lines, and about one sale in
fifty followed later in the file by a partial refund of its first line.
Sales are spread over the --days (default 90) days before --date, in time order.

The members, stores and staff come from --org-db, a SQLite database made by
`vipcare demo` (the member numbers, store codes and employee numbers are not
sealed). Every row is valid, so the import posts every transaction. Standard
library only; the output is a function of --rows, --seed and the database.

    bench/make_transactions_csv.py --rows 200000 --org-db demo.db --out sales.csv
"""

import argparse
import csv
import datetime
import heapq
import random
import sqlite3
import sys

HEADER = ["external_id", "kind", "original_external_id", "member_no", "store_code",
          "associate_no", "occurred_at", "sku", "category", "brand", "quantity",
          "list_price", "paid", "promo", "payment_method", "line_no"]

# category: (sku prefix, brands, lowest and highest list price in yuan)
CATALOG = {
    "女装": ("NZ", ["云裳", "雅韵", "锦澜"], 199, 1999),
    "男装": ("MZ", ["北辰", "朴木", "远山"], 299, 2599),
    "鞋履": ("XL", ["步云", "简素", "行者"], 299, 1599),
    "美妆": ("MC", ["花颜", "水澜", "玉容"], 99, 980),
    "配饰": ("PS", ["拾光", "玲珑", "月白"], 59, 999),
    "家居": ("JJ", ["青禾", "栖木", "暖居"], 39, 1299),
}
CATEGORIES = list(CATALOG)
PAYMENTS = ["wechat", "alipay", "unionpay", "cash"]
PER_MILLE_MEMBER = 850
PER_MILLE_REFUND = 20
PER_MILLE_PROMO = 50
DAYS = 90


def yuan(fen):
    return f"{fen // 100}.{fen % 100:02d}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--org-db", required=True, help="a database made by `vipcare demo`")
    ap.add_argument("--out", required=True)
    ap.add_argument("--date", default="2026-11-23", help="the day after the last sale")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--days", type=int, default=DAYS,
                    help="days before --date the sales are spread over (default 90)")
    args = ap.parse_args()

    db = sqlite3.connect(f"file:{args.org_db}?mode=ro", uri=True)
    stores = {sid: code for sid, code in db.execute("SELECT id, code FROM stores ORDER BY id")}
    if not stores:
        sys.exit("the database has no stores; make it with `vipcare demo`")
    associates = {sid: [] for sid in stores}
    for no, sid in db.execute(
            "SELECT employee_no, store_id FROM staff WHERE role = 'associate' ORDER BY id"):
        associates[sid].append(no)
    members = [(no, sid) for no, sid in db.execute(
        "SELECT member_no, home_store_id FROM members "
        "WHERE status IN ('temporary', 'formal', 'suspended') ORDER BY id")]
    if not members:
        sys.exit("the database has no members to sell to")
    store_ids = sorted(stores)

    rng = random.Random(args.seed)
    end = datetime.datetime.fromisoformat(args.date)
    days = args.days
    start = end - datetime.timedelta(days=days)

    def time_at(row):
        # Row `row` of the file falls on day row * days / N, in opening hours 10:00-22:00.
        day, part = divmod(row * days, args.rows)
        seconds = 10 * 3600 + 12 * 3600 * part // args.rows
        return (start + datetime.timedelta(days=day, seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")

    # The sales' times, in order; a sale has 1-3 lines (1.6 on average).
    rows = 0
    pending_refunds = []  # heap of (due row count, sale number, row)
    sale_no = 0
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        while rows < args.rows:
            sale_no += 1
            if rng.randrange(1000) < PER_MILLE_MEMBER:
                member_no, sid = members[rng.randrange(len(members))]
            else:
                member_no, sid = "", store_ids[rng.randrange(len(store_ids))]
            code = stores[sid]
            team = associates.get(sid) or [""]
            associate = team[rng.randrange(len(team))] if rng.randrange(10) < 8 else ""
            ext = f"IMP-{code}-{sale_no:07d}"
            when = time_at(rows)
            payment = PAYMENTS[rng.randrange(len(PAYMENTS))]
            n_lines = rng.choices([1, 2, 3], weights=[55, 32, 13])[0]
            first_paid = 0
            for k in range(n_lines):
                category = CATEGORIES[rng.randrange(len(CATEGORIES))]
                prefix, brands, lo, hi = CATALOG[category]
                list_fen = (min(rng.randint(lo, hi), rng.randint(lo, hi)) // 10 * 10 + 9) * 100
                qty = 2 if rng.randrange(10) == 0 else 1
                promo = rng.randrange(1000) < PER_MILLE_PROMO
                paid = list_fen * qty * rng.choice([100, 100, 95, 90, 80]) // 100
                if promo:
                    paid = list_fen * qty * 70 // 100
                if k == 0:
                    first_paid = paid
                head = [ext, "sale", "", member_no, code, associate, when] if k == 0 else \
                       [ext, "", "", "", "", "", ""]
                w.writerow(head + [f"{prefix}-{rng.randint(1000, 9999)}", category,
                                   brands[rng.randrange(3)], qty, yuan(list_fen), yuan(paid),
                                   "1" if promo else "0", payment if k == 0 else "", ""])
                rows += 1
            if rng.randrange(1000) < PER_MILLE_REFUND and first_paid >= 200:
                refund_paid = first_paid // 2 // 100 * 100
                heapq.heappush(pending_refunds, (
                    rows + rng.randint(50, 5000), sale_no,
                    [f"{ext}-R", "refund", ext, "", code, "", None, "", "", "", "", "",
                     yuan(refund_paid), "", "", "1"]))
            while pending_refunds and pending_refunds[0][0] <= rows and rows < args.rows:
                _, _, row = heapq.heappop(pending_refunds)
                row[6] = time_at(rows)
                w.writerow(row)
                rows += 1
    print(f"{rows} rows, {sale_no} sales written to {args.out}")


if __name__ == "__main__":
    main()
