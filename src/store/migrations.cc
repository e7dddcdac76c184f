#include "store/migrations.h"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "store/keys.h"

namespace vipcare::store {
namespace {

// Version 1: organisation, accounts, members, cards, history, audit.
// Times are epoch seconds (BIGINT, UTC); calendar days are 'YYYY-MM-DD' text;
// booleans are 0/1 integers; money is fen. Nested parts of the member file
// (addresses, family, anniversaries, preferences, business) live in the
// `profile` JSON document; fields that are searched or joined are columns.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE company (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL
);
CREATE TABLE regions (
  id {{ID}},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);
CREATE TABLE stores (
  id {{ID}},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  region_id BIGINT NOT NULL REFERENCES regions(id),
  city TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  opened_on TEXT,
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stores_region ON stores(region_id);
CREATE TABLE staff (
  id {{ID}},
  employee_no TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  store_id BIGINT REFERENCES stores(id),
  region_id BIGINT REFERENCES regions(id),
  mobile TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX staff_store ON staff(store_id);
CREATE TABLE users (
  id {{ID}},
  username TEXT NOT NULL UNIQUE,
  staff_id BIGINT REFERENCES staff(id),
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE login_failures (
  id {{ID}},
  username TEXT NOT NULL,
  address TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_address ON login_failures(address, at);
CREATE TABLE members (
  id {{ID}},
  member_no TEXT UNIQUE,
  status TEXT NOT NULL,
  name {{TEXT_C}} NOT NULL,
  gender TEXT NOT NULL,
  birthday TEXT,
  birthday_calendar TEXT NOT NULL DEFAULT 'solar',
  mobile TEXT,
  mobile_valid INTEGER NOT NULL DEFAULT 1,
  occupation TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  referrer_id BIGINT REFERENCES members(id),
  home_store_id BIGINT NOT NULL REFERENCES stores(id),
  associate_id BIGINT REFERENCES staff(id),
  marketing_opt_out INTEGER NOT NULL DEFAULT 0,
  merged_into BIGINT REFERENCES members(id),
  profile TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX members_mobile ON members(mobile) WHERE mobile IS NOT NULL;
CREATE INDEX members_name ON members(name, status);
CREATE INDEX members_store ON members(home_store_id, id);
CREATE INDEX members_associate ON members(associate_id, id);
CREATE INDEX members_referrer ON members(referrer_id);
CREATE TABLE member_tags (
  member_id BIGINT NOT NULL REFERENCES members(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (member_id, tag)
);
CREATE INDEX member_tags_tag ON member_tags(tag);
CREATE TABLE member_history (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  changed_at BIGINT NOT NULL,
  changed_by BIGINT,
  action TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX member_history_member ON member_history(member_id, id);
CREATE TABLE cards (
  id {{ID}},
  card_no TEXT NOT NULL UNIQUE,
  member_id BIGINT NOT NULL REFERENCES members(id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  issued_on TEXT NOT NULL,
  expires_on TEXT NOT NULL,
  pickup_due TEXT,
  replaces BIGINT REFERENCES cards(id),
  updated_at BIGINT NOT NULL
);
CREATE INDEX cards_member ON cards(member_id);
CREATE TABLE destruction_records (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  member_no TEXT NOT NULL,
  erased_at BIGINT NOT NULL,
  erased_by BIGINT,
  reason TEXT NOT NULL,
  fields TEXT NOT NULL
);
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  user_id BIGINT,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  last_id BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
)sql";

// Version 2 (access layer, P4-P8): customer data sealed at rest with blind
// indexes and name-search tokens (the sealing of existing rows is the
// migration's code step, SealVersion1Data), time-limited grants, the device
// allow-list and consent records.
constexpr std::string_view kV2 = R"sql(
DROP INDEX members_name;
DROP INDEX members_mobile;
ALTER TABLE members RENAME COLUMN name TO name_enc;
ALTER TABLE members RENAME COLUMN mobile TO mobile_enc;
ALTER TABLE members RENAME COLUMN profile TO profile_enc;
ALTER TABLE members ADD COLUMN mobile_bidx TEXT;
ALTER TABLE members ADD COLUMN id_bidx TEXT;
CREATE UNIQUE INDEX members_mobile_bidx ON members(mobile_bidx) WHERE mobile_bidx IS NOT NULL;
CREATE INDEX members_id_bidx ON members(id_bidx) WHERE id_bidx IS NOT NULL;
CREATE TABLE member_name_tokens (
  token BIGINT NOT NULL,
  member_id BIGINT NOT NULL REFERENCES members(id),
  PRIMARY KEY (token, member_id)
){{WITHOUT_ROWID}};
CREATE INDEX member_name_tokens_member ON member_name_tokens(member_id);
ALTER TABLE cards RENAME COLUMN card_no TO card_no_enc;
ALTER TABLE cards ADD COLUMN card_no_bidx TEXT;
CREATE UNIQUE INDEX cards_no_bidx ON cards(card_no_bidx);
ALTER TABLE member_history RENAME COLUMN changes TO changes_enc;
CREATE TABLE key_state (
  id INTEGER PRIMARY KEY,
  index_key_id BIGINT NOT NULL,
  key_check TEXT NOT NULL
);
CREATE TABLE grants (
  id {{ID}},
  grantee_id BIGINT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_by BIGINT REFERENCES users(id)
);
CREATE INDEX grants_grantee ON grants(grantee_id, ends_at);
CREATE TABLE grant_members (
  grant_id BIGINT NOT NULL REFERENCES grants(id),
  member_id BIGINT NOT NULL REFERENCES members(id),
  PRIMARY KEY (grant_id, member_id)
);
CREATE INDEX grant_members_member ON grant_members(member_id);
CREATE TABLE devices (
  id {{ID}},
  store_id BIGINT NOT NULL REFERENCES stores(id),
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX devices_store ON devices(store_id, active);
CREATE TABLE consents (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  purpose TEXT NOT NULL,
  granted INTEGER NOT NULL,
  version TEXT NOT NULL,
  channel TEXT NOT NULL,
  at BIGINT NOT NULL,
  recorded_by BIGINT REFERENCES users(id)
);
CREATE INDEX consents_member ON consents(member_id, purpose, id);
)sql";

// Version 3 (loyalty engine, SPEC L1-L9): programs as versioned JSON
// documents, transactions with their lines (idempotent on external_id),
// the points ledger (lots with expiry + signed movements), one loyalty state
// row per member, per-member monthly buckets from which rolling 3/6/12-month
// spend and monthly/quarterly frequency are read without scanning the
// member's history, tier history, gifts, vouchers and redemptions.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE programs (
  id {{ID}},
  code TEXT NOT NULL,
  version BIGINT NOT NULL,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  UNIQUE (code, version)
);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE transactions (
  id {{ID}},
  external_id TEXT NOT NULL UNIQUE,
  body_hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  original_id BIGINT REFERENCES transactions(id),
  member_id BIGINT REFERENCES members(id),
  store_id BIGINT NOT NULL REFERENCES stores(id),
  associate_id BIGINT REFERENCES staff(id),
  occurred_at BIGINT NOT NULL,
  local_day TEXT NOT NULL,
  list_total BIGINT NOT NULL,
  paid_total BIGINT NOT NULL,
  points BIGINT NOT NULL,
  base_points BIGINT NOT NULL DEFAULT 0,
  bonus_points BIGINT NOT NULL DEFAULT 0,
  payment_method TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX transactions_member ON transactions(member_id, occurred_at);
CREATE INDEX transactions_store_day ON transactions(store_id, local_day);
CREATE INDEX transactions_original ON transactions(original_id) WHERE original_id IS NOT NULL;
CREATE TABLE transaction_lines (
  transaction_id BIGINT NOT NULL REFERENCES transactions(id),
  line_no INTEGER NOT NULL,
  original_line_no INTEGER,
  sku TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  brand TEXT NOT NULL DEFAULT '',
  quantity BIGINT NOT NULL,
  list_price BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  promo INTEGER NOT NULL DEFAULT 0,
  earn_base BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (transaction_id, line_no)
){{WITHOUT_ROWID}};
CREATE TABLE member_loyalty (
  member_id BIGINT PRIMARY KEY REFERENCES members(id),
  program_code TEXT NOT NULL,
  tier_code TEXT NOT NULL DEFAULT '',
  tier_since TEXT,
  points_balance BIGINT NOT NULL DEFAULT 0,
  growth_lifetime BIGINT NOT NULL DEFAULT 0,
  carry_fen BIGINT NOT NULL DEFAULT 0,
  first_purchase_fen BIGINT NOT NULL DEFAULT 0,
  first_purchase_on TEXT,
  last_purchase_on TEXT,
  pending_tier TEXT NOT NULL DEFAULT '',
  pending_reason TEXT NOT NULL DEFAULT '',
  downgrade_warned_on TEXT,
  downgrade_effective_on TEXT,
  hold_until TEXT,
  hold_reason TEXT NOT NULL DEFAULT '',
  rank_percentile INTEGER,
  referral_rewarded INTEGER NOT NULL DEFAULT 0,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX member_loyalty_tier ON member_loyalty(program_code, tier_code);
CREATE INDEX member_loyalty_pending ON member_loyalty(pending_tier) WHERE pending_tier <> '';
CREATE TABLE member_months (
  member_id BIGINT NOT NULL REFERENCES members(id),
  month INTEGER NOT NULL,
  spend BIGINT NOT NULL DEFAULT 0,
  purchases INTEGER NOT NULL DEFAULT 0,
  largest BIGINT NOT NULL DEFAULT 0,
  points BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, month)
){{WITHOUT_ROWID}};
CREATE TABLE points_lots (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  source TEXT NOT NULL,
  transaction_id BIGINT REFERENCES transactions(id),
  points BIGINT NOT NULL,
  remaining BIGINT NOT NULL,
  earned_on TEXT NOT NULL,
  expires_on TEXT
);
CREATE INDEX points_lots_open ON points_lots(member_id, expires_on, id) WHERE remaining > 0;
CREATE INDEX points_lots_expiry ON points_lots(expires_on) WHERE remaining > 0;
CREATE TABLE points_ledger (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  points BIGINT NOT NULL,
  balance_after BIGINT NOT NULL,
  transaction_id BIGINT REFERENCES transactions(id),
  redemption_id BIGINT,
  reason TEXT NOT NULL DEFAULT '',
  approved_by BIGINT REFERENCES users(id),
  created_by BIGINT REFERENCES users(id)
);
CREATE INDEX points_ledger_member ON points_ledger(member_id, id);
CREATE TABLE tier_history (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  from_tier TEXT NOT NULL,
  to_tier TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor_id BIGINT REFERENCES users(id)
);
CREATE INDEX tier_history_member ON tier_history(member_id, id);
CREATE TABLE gifts (
  id {{ID}},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  points_price BIGINT NOT NULL,
  stock BIGINT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  CHECK (stock >= 0),
  CHECK (points_price > 0)
);
CREATE TABLE vouchers (
  id {{ID}},
  code TEXT NOT NULL UNIQUE,
  member_id BIGINT REFERENCES members(id),
  value BIGINT NOT NULL,
  min_spend BIGINT NOT NULL DEFAULT 0,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  source TEXT NOT NULL,
  used_at BIGINT,
  used_transaction_id BIGINT REFERENCES transactions(id),
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id)
);
CREATE INDEX vouchers_member ON vouchers(member_id, id);
CREATE TABLE redemptions (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  kind TEXT NOT NULL,
  gift_id BIGINT REFERENCES gifts(id),
  quantity BIGINT NOT NULL DEFAULT 1,
  points BIGINT NOT NULL,
  voucher_id BIGINT REFERENCES vouchers(id),
  store_id BIGINT REFERENCES stores(id),
  at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id)
);
CREATE INDEX redemptions_member ON redemptions(member_id, id);
CREATE TABLE points_adjustments (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  points BIGINT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_by BIGINT REFERENCES users(id),
  requested_at BIGINT NOT NULL,
  decided_by BIGINT REFERENCES users(id),
  decided_at BIGINT,
  decision_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX points_adjustments_status ON points_adjustments(status, id);
CREATE INDEX points_adjustments_member ON points_adjustments(member_id, id);
CREATE TABLE loyalty_job_runs (
  job TEXT NOT NULL,
  day TEXT NOT NULL,
  status TEXT NOT NULL,
  owner TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ran_at BIGINT,
  summary TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (job, day)
);
CREATE INDEX loyalty_job_runs_done ON loyalty_job_runs(job, day) WHERE status = 'done';
CREATE TABLE loyalty_notices (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  kind TEXT NOT NULL,
  occasion TEXT NOT NULL,
  due_on TEXT NOT NULL,
  detail TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (member_id, kind, occasion)
);
CREATE INDEX loyalty_notices_due ON loyalty_notices(kind, due_on, id);
CREATE INDEX member_loyalty_ranked ON member_loyalty(member_id) WHERE rank_percentile IS NOT NULL;
CREATE INDEX member_loyalty_tiered ON member_loyalty(member_id) WHERE tier_code <> '';
)sql";

// Version 4: the care engine (SPEC C1-C6). Rule sets and template sets are
// versioned documents (the newest is in force; none stored = the shipped
// defaults). A task is unique per member and occasion key, which is what
// makes task generation idempotent. Outbox texts and contact summaries are
// sealed like the member file; a message's recipient is resolved from the
// member file when it is sent, never stored.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE care_rule_sets (
  id {{ID}},
  version BIGINT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id)
);
CREATE TABLE message_template_sets (
  id {{ID}},
  version BIGINT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id)
);
CREATE TABLE care_tasks (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  store_id BIGINT REFERENCES stores(id),
  rule_code TEXT NOT NULL,
  occasion TEXT NOT NULL,
  occasion_key TEXT NOT NULL,
  name TEXT NOT NULL,
  occasion_on TEXT NOT NULL,
  due_on TEXT NOT NULL,
  overdue_after TEXT NOT NULL,
  channel TEXT NOT NULL,
  channels TEXT NOT NULL,
  dropped TEXT NOT NULL DEFAULT '',
  action_text TEXT NOT NULL DEFAULT '',
  template_code TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL,
  pool TEXT NOT NULL,
  assignee_id BIGINT REFERENCES staff(id),
  away_assignee_id BIGINT REFERENCES staff(id),
  status TEXT NOT NULL,
  escalated_on TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  completed_at BIGINT,
  completed_by BIGINT REFERENCES users(id),
  contact_id BIGINT,
  UNIQUE (member_id, occasion_key)
);
CREATE INDEX care_tasks_due ON care_tasks(due_on, id);
CREATE INDEX care_tasks_assignee ON care_tasks(assignee_id, status, due_on);
CREATE INDEX care_tasks_store ON care_tasks(store_id, status, due_on);
CREATE INDEX care_tasks_open ON care_tasks(overdue_after, id) WHERE status IN ('open', 'forwarded');
CREATE TABLE care_task_events (
  id {{ID}},
  task_id BIGINT NOT NULL REFERENCES care_tasks(id),
  at BIGINT NOT NULL,
  user_id BIGINT REFERENCES users(id),
  kind TEXT NOT NULL,
  from_staff BIGINT REFERENCES staff(id),
  to_staff BIGINT REFERENCES staff(id),
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX care_task_events_task ON care_task_events(task_id, id);
CREATE TABLE care_contacts (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  task_id BIGINT REFERENCES care_tasks(id),
  at BIGINT NOT NULL,
  day TEXT NOT NULL,
  store_id BIGINT REFERENCES stores(id),
  staff_id BIGINT REFERENCES staff(id),
  user_id BIGINT REFERENCES users(id),
  channel TEXT NOT NULL,
  outcome TEXT NOT NULL,
  summary TEXT,
  satisfaction INTEGER,
  follow_up TEXT,
  follow_up_on TEXT
);
CREATE INDEX care_contacts_member ON care_contacts(member_id, at);
CREATE INDEX care_contacts_store_day ON care_contacts(store_id, day);
CREATE TABLE outbox (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  task_id BIGINT REFERENCES care_tasks(id),
  channel TEXT NOT NULL,
  purpose TEXT NOT NULL,
  template_code TEXT NOT NULL,
  subject TEXT,
  text TEXT,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  not_before BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  sender TEXT NOT NULL DEFAULT '',
  provider_message_id TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX outbox_queued ON outbox(not_before, id) WHERE status = 'queued';
CREATE INDEX outbox_member ON outbox(member_id, created_at);
CREATE TABLE staff_leaves (
  id {{ID}},
  staff_id BIGINT NOT NULL REFERENCES staff(id),
  from_on TEXT NOT NULL,
  to_on TEXT NOT NULL,
  covered_by BIGINT REFERENCES staff(id),
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  ended_at BIGINT
);
CREATE INDEX staff_leaves_staff ON staff_leaves(staff_id, from_on);
CREATE TABLE care_plans (
  store_id BIGINT NOT NULL REFERENCES stores(id),
  month TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT REFERENCES users(id),
  PRIMARY KEY (store_id, month)
);
CREATE TABLE stored_goods (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  store_id BIGINT NOT NULL REFERENCES stores(id),
  description TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  transaction_id BIGINT REFERENCES transactions(id),
  stored_on TEXT NOT NULL,
  pickup_by TEXT,
  collected_on TEXT,
  collected_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id)
);
CREATE INDEX stored_goods_member ON stored_goods(member_id, collected_on);
CREATE INDEX stored_goods_uncollected ON stored_goods(member_id, stored_on) WHERE collected_on IS NULL;
)sql";

// Version 5: churn early warning (SPEC R5). One row per scored member (open
// files with a purchase): the score as of the last "churn_scores" run, its
// level, the key moments (a JSON array of Chinese texts) and their reason
// bits (domain::ChurnReason) so a report counts members per reason in SQL.
// `day` is the day the row last changed and `previous_score` the score before
// that change (NULL: first scored that day), so the care job can tell a score
// that rose that day from one that stands.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE member_churn (
  member_id BIGINT PRIMARY KEY REFERENCES members(id),
  day TEXT NOT NULL,
  score INTEGER NOT NULL CHECK (score >= 0 AND score <= 100),
  level TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
  reason_bits BIGINT NOT NULL DEFAULT 0,
  reasons TEXT NOT NULL DEFAULT '[]',
  previous_score INTEGER
);
)sql";

// Version 6: covering indexes for the analysis reports (SPEC R1, R3, R4, R7,
// R8) at 1M members. A members row is wide (sealed columns, the profile
// document), so a report that counts members reads one of these instead:
// members_report_scope, one range per home store of the scope ("home_store_id
// IN (the scope's stores)"), with created_at for the period (R1, R3), status
// for open files, source and referrer_id (R1); members_report_profile in
// the order R7's age and gender groups are made (birthday, calendar and
// gender of the open files of the scope), so the grouping needs no sort;
// members_report_associate by assigned associate for the staff goals (R8,
// S4). Each ends in id so that PostgreSQL can answer from the index alone as
// well (SQLite keeps the rowid in every index anyway). cards_member_first
// gives a member's first card and first formal card (by id) with their kind
// and issue day without reading cards rows (R1), and cards_kind_issued the
// formal cards issued in a period (R1 conversions).
constexpr std::string_view kV6 = R"sql(
CREATE INDEX members_report_scope ON members(home_store_id, created_at, status, source,
  referrer_id, id);
CREATE INDEX members_report_profile ON members(gender, birthday_calendar, birthday,
  home_store_id, status, created_at, id);
CREATE INDEX members_report_associate ON members(associate_id, status, created_at, birthday,
  occupation, id);
CREATE INDEX cards_member_first ON cards(member_id, id, kind, issued_on);
CREATE INDEX cards_kind_issued ON cards(kind, issued_on, member_id, id);
)sql";

// Version 7: the analysis reports over 20M transactions (SPEC R4, R5).
// member_months.last_day is the day of the month's last sale, kept by the
// posting and the import with the bucket, so a report as of a past month's
// end (RFM recency, activity) reads a member's last purchase from the buckets
// instead of their transactions; filled here from the stored sales.
// transactions_store_day gains the columns the sales reports (R2, R7, R8,
// S4 staff goals) read, so a month's ~870,000 sales are read from the index
// alone (and the category mix joins their lines without reading the rows:
// 3.1 s -> 0.8 s).
// members_ended lists the few closed, merged and erased files, so the nightly
// jobs walk the open members without reading a members row each.
constexpr std::string_view kV7 = R"sql(
CREATE INDEX members_ended ON members(id) WHERE status IN ('closed', 'merged', 'erased');
DROP INDEX transactions_store_day;
CREATE INDEX transactions_store_day ON transactions(store_id, local_day, kind, member_id,
  paid_total, original_id, associate_id, id);
ALTER TABLE member_months ADD COLUMN last_day TEXT;
UPDATE member_months SET last_day = d.last_day
FROM (SELECT t.member_id,
        CAST(SUBSTR(t.local_day, 1, 4) AS INTEGER) * 100 + CAST(SUBSTR(t.local_day, 6, 2) AS INTEGER)
          AS month,
        MAX(t.local_day) AS last_day
      FROM transactions t WHERE t.kind = 'sale' AND t.member_id IS NOT NULL
      GROUP BY t.member_id,
        CAST(SUBSTR(t.local_day, 1, 4) AS INTEGER) * 100 + CAST(SUBSTR(t.local_day, 6, 2) AS INTEGER)) d
WHERE member_months.member_id = d.member_id AND member_months.month = d.month;
)sql";

// Version 8: the 12-month figures of every member as of a closed month's end
// (SPEC R4 RFM and activity, R6 top-N), built by `run-jobs` (job
// report_rollups) so those reports read ~1 row per member who ever bought
// instead of ~12 bucket rows each. member_rollups(month, member) holds the
// sales and spend of the 12 calendar months ending with `month` and the last
// sale day on or before its end, and their tier at its end (ends_at, the
// instant the next month begins in company time), for every member with a
// bucket up to it or a tier then.
// report_rollups says which months are usable: a build writes 'building',
// its rows, then 'ready' only if its mark is untouched. A posting or refund
// adds its bucket change to the member's rows of the ready rollups from its
// month on; a bulk import or a merge marks them 'stale' instead
// (store/reports/rollups.h), so a report never reads a rollup older than
// the buckets, and reads the buckets until the next run rebuilds it.
// member_months_month gives one month's buckets from the index alone: the
// current month's, which RFM and top-N add to last month's rollup.
// loyalty_job_runs.heartbeat_at takes the running job's heartbeat, which
// used to overwrite started_at (so a finished job's ran_at - started_at is
// how long it ran).
constexpr std::string_view kV8 = R"sql(
ALTER TABLE loyalty_job_runs ADD COLUMN heartbeat_at BIGINT;
CREATE TABLE report_rollups (
  month INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  token TEXT NOT NULL,
  built_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  members BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE member_rollups (
  month INTEGER NOT NULL,
  member_id BIGINT NOT NULL,
  purchases BIGINT NOT NULL,
  spend BIGINT NOT NULL,
  last_day TEXT,
  tier_code TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (month, member_id)
){{WITHOUT_ROWID}};
CREATE INDEX member_months_month ON member_months(month, member_id, purchases, spend, last_day);
)sql";

// A sale line paid above its list price × quantity (engraving, tailoring,
// gift wrap) keeps the till's reason, which the posting requires then.
constexpr std::string_view kV9 = R"sql(
ALTER TABLE transaction_lines ADD COLUMN above_list_reason TEXT NOT NULL DEFAULT '';
)sql";

// Programs per member and per store (L6, issue 5): a store may run a default
// program of its own ('' = the company's), and a member's loyalty record names
// the program they were put on, '' while they follow the company's program.
// Until now every record followed the company's program; the code it held
// was only the last one it was evaluated by.
constexpr std::string_view kV10 = R"sql(
ALTER TABLE stores ADD COLUMN program_code TEXT NOT NULL DEFAULT '';
UPDATE member_loyalty SET program_code = '' WHERE program_code <> '';
)sql";

// The company's category catalogue (商品类别, issue 5 "unknown SKUs'
// categories"): while it lists any category, a sale line, a quote line, an
// imported row and a program's category rule must name one of its categories
// (a line may leave its category blank). Names are kept as the lines write
// them; a category is switched off, never renamed or removed, so the lines
// and reports that name it keep their meaning.
constexpr std::string_view kV11 = R"sql(
CREATE TABLE categories (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  active INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
)sql";

// Reports tell programs' tiers apart (R3-R7): programs may share tier codes
// (普卡 `normal` of the department store and of premium goods), so a report
// keys a member's tier by their program, and a program change (L6) records
// the program the member left, for their tiers before it. Older program
// changes keep NULL (their earlier tiers read under the member's program
// now). The month-end tiers of the report rollups are rebuilt with the
// programs (the next `run-jobs`; until then reports read the buckets).
constexpr std::string_view kV12 = R"sql(
ALTER TABLE tier_history ADD COLUMN from_program TEXT;
UPDATE report_rollups SET state = 'stale' WHERE state <> 'stale';
)sql";

// The upgrade approval queue (L6) lists the longest-waiting member first:
// member_loyalty.pending_since is when the waiting tier was queued (the
// member's latest approval_queued event, set with pending_tier and NULL while
// none waits), and member_loyalty_pending walks the waiting members in that
// order. A waiting member whose queue event cannot be found keeps NULL and is
// listed first (queued before this version).
constexpr std::string_view kV13 = R"sql(
ALTER TABLE member_loyalty ADD COLUMN pending_since BIGINT;
UPDATE member_loyalty SET pending_since = (
  SELECT MAX(h.at) FROM tier_history h
  WHERE h.member_id = member_loyalty.member_id AND h.kind = 'approval_queued')
WHERE pending_tier <> '';
DROP INDEX member_loyalty_pending;
CREATE INDEX member_loyalty_pending ON member_loyalty(pending_since{{NULLS_FIRST}}, member_id)
  WHERE pending_tier <> '';
)sql";

// Migration 2's code step: the rows a version-1 database holds in plaintext
// are sealed with the key file's current key. Without a key only an empty
// database can move on (the key is then recorded when a server first opens it).
void SealVersion1Data(Db& db, const Keyring* ring) {
  if (ring != nullptr) {
    ResealAll(db, *ring, /*plaintext=*/true);
    return;
  }
  auto rows = db.QueryOne(
      "SELECT (SELECT COUNT(*) FROM members) + (SELECT COUNT(*) FROM cards) + "
      "(SELECT COUNT(*) FROM member_history)");
  if (rows && rows->Int(0) > 0) {
    throw std::runtime_error(
        "schema version 2 seals the customer data already stored: run `vipcare init` with the "
        "key file (--key-file or VIPCARE_KEY_FILE)");
  }
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> kAll = {
      {1, "organisation, accounts, members, cards, history, audit", kV1, nullptr},
      {2, "sealed customer data, grants, devices, consents", kV2, SealVersion1Data},
      {3, "loyalty: programs, transactions, points ledger, monthly buckets, tiers, gifts", kV3,
       nullptr},
      {4, "care engine: rules, tasks, contacts, outbox, leaves, monthly plans", kV4, nullptr},
      {5, "churn early warning: member churn scores", kV5, nullptr},
      {6, "report indexes: members by home store, profile and associate; first cards", kV6,
       nullptr},
      {7, "reports over many sales: last sale day of each monthly bucket, covering store-day index", kV7, nullptr},
      {8, "report rollups: members' 12-month figures as of closed months; job heartbeats", kV8,
       nullptr},
      {9, "a sale line's reason for a price above list", kV9, nullptr},
      {10, "programs per member and per store", kV10, nullptr},
      {11, "the category catalogue", kV11, nullptr},
      {12, "reports key tiers by program: a program change's former program", kV12, nullptr},
      {13, "the upgrade approval queue in the order members were queued", kV13, nullptr},
  };
  return kAll;
}

std::string RenderForDialect(std::string_view sql, Dialect d) {
  const bool pg = d == Dialect::kPostgres;
  const std::pair<std::string_view, std::string_view> tokens[] = {
      {"{{ID}}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"},
      {"{{TEXT_C}}", pg ? "TEXT COLLATE \"C\"" : "TEXT"},
      {"{{BIGINT}}", "BIGINT"},
      {"{{WITHOUT_ROWID}}", pg ? "" : " WITHOUT ROWID"},
      // SQLite's indexes sort NULL first and take no NULLS clause.
      {"{{NULLS_FIRST}}", pg ? " NULLS FIRST" : ""},
  };
  std::string out(sql);
  for (const auto& [token, replacement] : tokens) {
    for (size_t pos = out.find(token); pos != std::string::npos;
         pos = out.find(token, pos + replacement.size())) {
      out.replace(pos, token.size(), replacement);
    }
  }
  return out;
}

int SchemaVersion(Db& db) {
  db.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  auto row = db.QueryOne("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return row ? int(row->Int(0)) : 0;
}

int Migrate(Db& db, const Keyring* ring) {
  int current = SchemaVersion(db);
  for (const auto& m : AllMigrations()) {
    if (m.version <= current) continue;
    db.Begin(true);
    try {
      if (db.dialect() == Dialect::kPostgres) {
        db.Exec("LOCK TABLE schema_migrations IN EXCLUSIVE MODE");
      }
      // Another process may have migrated while we waited for the write lock.
      auto row = db.QueryOne("SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
                             {int64_t(m.version)});
      if (row && row->Int(0) > 0) {
        db.Rollback();
        continue;
      }
      db.ExecScript(RenderForDialect(m.sql, db.dialect()));
      if (m.after != nullptr) m.after(db, ring);
      db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
              {int64_t(m.version), std::string(m.name),
               int64_t(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count())});
      db.Commit();
    } catch (...) {
      db.Rollback();
      throw;
    }
    current = m.version;
  }
  return current;
}

}  // namespace vipcare::store
