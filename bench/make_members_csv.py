#!/usr/bin/env python3
"""Writes an N-row members CSV for the import benchmark (issue 2).

The rows look like a retailer's export: Chinese headers and names, unique
valid mainland mobiles, solar and some lunar birthdays, the demo chain's store
codes, and optional columns (associate, status, e-mail, occupation, tags,
notes, card numbers) filled on a share of the rows. Every row is valid, so
`vipcare import members` loads them all.

With --org-db (a database made by `vipcare demo`), the store codes and the
associates come from that database; with --taken, the mobiles and card numbers
it already holds (sealed there, so written out by `vipcare_bench
--write-sealed-keys`) are avoided, so the import cannot clash with it. Standard
library only; the output is a function of --rows and --seed (and those files).

    VIPCARE_BENCH_DB=org.db vipcare_bench --write-sealed-keys org-keys.txt
    bench/make_members_csv.py --rows 1000000 --org-db org.db --taken org-keys.txt --out members.csv
"""

import argparse
import csv
import random
import sqlite3
import sys

# The demo chain's stores (src/service/demo_data.cc), used without --org-db.
DEMO_STORE_CODES = ["SH01", "SH02", "HZ01", "NJ01", "GZ01", "SZ01", "SZ02", "XM01"]

MOBILE_PREFIXES = [
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 145, 147, 150, 151, 152, 153,
    155, 156, 157, 158, 159, 166, 170, 173, 175, 176, 177, 178, 180, 181, 182, 183,
    184, 185, 186, 187, 188, 189, 191, 198, 199,
]
MOBILE_SUFFIXES = 100_000_000
MOBILE_SPACE = len(MOBILE_PREFIXES) * MOBILE_SUFFIXES
# Prime to MOBILE_SPACE (41 * 2^8 * 5^8), so i -> (i * step + offset) mod
# MOBILE_SPACE is a bijection: distinct row numbers give distinct mobiles
# without a lookup set, spread over every prefix.
MOBILE_STEP = 48_271_003
MOBILE_OFFSET = 12_345_677

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华慧巧美琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
GIVEN_MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
OCCUPATIONS = ["教师", "医生", "护士", "警察", "军人", "记者", "engineer", "finance", "", "", "", ""]
SOURCES = ["到店", "转介绍", "活动", "线上", "其他", ""]
TAGS = ["高净值", "老客户", "团购客户", "生日关怀", "新客", "VIP", "亲子", "商务"]
STREETS = ["南京东路", "淮海中路", "延安路", "中山南路", "天河路", "深南大道", "湖滨路", "思明南路"]

HEADER = ["姓名", "手机", "性别", "生日", "历法", "门店编码", "导购工号", "会员类型", "邮箱",
          "职业", "地址", "来源", "标签", "备注", "卡号"]

# The share of rows (per mille) that fill each optional column.
PER_MILLE_BIRTHDAY = 850
PER_MILLE_LUNAR = 80
PER_MILLE_EXCEL_DATE = 200
PER_MILLE_ASSOCIATE = 600
PER_MILLE_FORMAL = 450
PER_MILLE_EMAIL = 150
PER_MILLE_ADDRESS = 300
PER_MILLE_TAGS = 250
PER_MILLE_NOTES = 50
PER_MILLE_CARD_NO = 100

CARD_DIGITS = 16


def luhn_check_digit(digits):
    """The Luhn check digit for `digits` (the card number without it)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def load_taken(path):
    """The mobiles and card numbers the database already holds, from the file
    `vipcare_bench --write-sealed-keys` writes (both are sealed in the
    database: only vipcare's code can read them)."""
    mobiles, cards = set(), set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            kind, _, value = line.strip().partition(" ")
            if kind == "mobile":
                mobiles.add(value)
            elif kind == "card":
                cards.add(value)
    return mobiles, cards


def load_org(path):
    """Store codes and active associates by store code."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        stores = [r[0] for r in db.execute(
            "SELECT code FROM stores WHERE active = 1 ORDER BY id")]
        staff = {}
        for employee_no, code in db.execute(
                "SELECT s.employee_no, st.code FROM staff s JOIN stores st ON st.id = s.store_id "
                "WHERE s.active = 1 ORDER BY s.id"):
            staff.setdefault(code, []).append(employee_no)
    finally:
        db.close()
    if not stores:
        sys.exit(f"{path}: the database has no stores (make it with `vipcare demo`)")
    return stores, staff


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, required=True, help="number of data rows")
    p.add_argument("--out", required=True, help="output CSV path ('-' for stdout)")
    p.add_argument("--org-db", help="SQLite database of the demo chain to import into")
    p.add_argument("--taken", help="mobiles and card numbers the database holds "
                   "(written by `vipcare_bench --write-sealed-keys`)")
    p.add_argument("--seed", type=int, default=20261123)
    args = p.parse_args()
    if args.rows < 0 or args.rows > MOBILE_SPACE // 2:
        sys.exit("--rows is out of range")

    stores, staff, taken_mobiles, taken_cards = DEMO_STORE_CODES, {}, set(), set()
    if args.org_db:
        stores, staff = load_org(args.org_db)
    if args.taken:
        taken_mobiles, taken_cards = load_taken(args.taken)

    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)

    card_seen = set(taken_cards)
    row_index = 0  # index into the mobile bijection; skips mobiles already taken
    rows = []
    for _ in range(args.rows):
        while True:
            v = (row_index * MOBILE_STEP + MOBILE_OFFSET) % MOBILE_SPACE
            row_index += 1
            mobile = "%d%08d" % (MOBILE_PREFIXES[v // MOBILE_SUFFIXES], v % MOBILE_SUFFIXES)
            if mobile not in taken_mobiles:
                break

        female = rng.random() < 0.55
        given = GIVEN_FEMALE if female else GIVEN_MALE
        name = rng.choice(SURNAMES) + rng.choice(given)
        if rng.random() < 0.7:
            name += rng.choice(given)
        gender = "女" if female else "男"

        birthday = calendar = ""
        if rng.randrange(1000) < PER_MILLE_BIRTHDAY:
            year = rng.randint(1950, 2005)
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)  # a real day in every month, solar or lunar
            if rng.randrange(1000) < PER_MILLE_LUNAR:
                calendar = "农历"
            if rng.randrange(1000) < PER_MILLE_EXCEL_DATE:
                birthday = f"{year}/{month}/{day}"
            else:
                birthday = f"{year:04d}-{month:02d}-{day:02d}"

        store = stores[rng.randrange(len(stores))]
        associate = ""
        if staff.get(store) and rng.randrange(1000) < PER_MILLE_ASSOCIATE:
            associate = rng.choice(staff[store])
        status = "正式" if rng.randrange(1000) < PER_MILLE_FORMAL else "临时"
        email = f"m{mobile[-8:]}@example.com" if rng.randrange(1000) < PER_MILLE_EMAIL else ""
        occupation = rng.choice(OCCUPATIONS)
        address = ""
        if rng.randrange(1000) < PER_MILLE_ADDRESS:
            address = f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.randint(1, 30)}楼"
        source = rng.choice(SOURCES)
        tags = ""
        if rng.randrange(1000) < PER_MILLE_TAGS:
            tags = ";".join(rng.sample(TAGS, rng.randint(1, 2)))
        notes = "偏好周末到店，电话联系前先发短信" if rng.randrange(1000) < PER_MILLE_NOTES else ""
        card_no = ""
        if rng.randrange(1000) < PER_MILLE_CARD_NO:
            while True:
                body = "8" + "".join(rng.choices("0123456789", k=CARD_DIGITS - 2))
                card_no = body + luhn_check_digit(body)
                if card_no not in card_seen:
                    card_seen.add(card_no)
                    break

        rows.append([name, mobile, gender, birthday, calendar, store, associate, status, email,
                     occupation, address, source, tags, notes, card_no])
        if len(rows) == 10_000:
            writer.writerows(rows)
            rows.clear()
    writer.writerows(rows)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
