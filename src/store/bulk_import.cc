// Set-based statements for bulk loads of sales (bulk_import.h). Every
// statement is a named constant with `?` parameters; a statement over many
// keys or rows repeats its tuple, in chunks whose sizes are powers of two (or
// the maximum), so each connection prepares only a handful of texts.
#include "store/bulk_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "domain/member_json.h"
#include "store/loyalty_rows.h"
#include "store/reports/rollups.h"

namespace vipcare::store::bulk {
namespace {

using rows::OptDay;
using rows::ReadDay;
using rows::ReadLoyaltyState;
using rows::ReadTransaction;

// Keys per IN list and rows per INSERT, and the parameters of one statement:
// far below SQLite's 32,766 and PostgreSQL's 65,535.
constexpr size_t kMaxKeys = 512;
constexpr size_t kMaxRows = 256;
constexpr size_t kMaxParams = 8192;

// ---- reads ----
constexpr std::string_view kFindPosted =
    "SELECT external_id, id, body_hash, kind, member_id FROM transactions WHERE external_id IN ";
constexpr std::string_view kTransactionsByExternalId =
    VIPCARE_TRANSACTION_SELECT "WHERE external_id IN ";
constexpr std::string_view kRefundsOf = VIPCARE_TRANSACTION_SELECT "WHERE original_id IN ";
constexpr std::string_view kRefundsOrder = " ORDER BY id";
constexpr std::string_view kLinesOf =
    "SELECT transaction_id, line_no, original_line_no, sku, category, brand, quantity, "
    "list_price, paid, promo, earn_base, above_list_reason FROM transaction_lines "
    "WHERE transaction_id IN ";
constexpr std::string_view kMembersByNo =
    "SELECT id, member_no, status, birthday, birthday_calendar, referrer_id, home_store_id "
    "FROM members WHERE member_no IN ";
constexpr std::string_view kMembersById =
    "SELECT id, member_no, status, birthday, birthday_calendar, referrer_id, home_store_id "
    "FROM members WHERE id IN ";
constexpr std::string_view kStates = VIPCARE_LOYALTY_STATE_SELECT "WHERE member_id IN ";
constexpr std::string_view kMonths = VIPCARE_MONTH_SELECT "WHERE month >= ? AND member_id IN ";
constexpr std::string_view kCardsOf =
    "SELECT id, member_id, kind, status FROM cards WHERE member_id IN ";
constexpr std::string_view kCardsOrder = " ORDER BY id";

// ---- ids ----
// SQLite keeps AUTOINCREMENT's high-water mark in sqlite_sequence; an id at
// or below it is never handed out again, so both are considered.
// The tables ReserveIds numbers, with the statements that do it (made once:
// statements are cached by their text). SQLite: the largest id used, or
// AUTOINCREMENT's last if larger; PostgreSQL: the table's sequence.
struct IdSource {
  std::string table;
  std::string sqlite_max;
  std::string pg_next;
};
const std::vector<IdSource>& IdSources() {
  static const std::vector<IdSource> kSources = [] {
    std::vector<IdSource> out;
    for (std::string_view t : {"transactions", "points_lots", "vouchers", "redemptions"}) {
      out.push_back({std::string(t),
                     fmt::format("SELECT MAX(COALESCE((SELECT MAX(id) FROM {0}), 0), "
                                 "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{0}'), 0))",
                                 t),
                     fmt::format("SELECT nextval('{}_id_seq') FROM generate_series(1, ?)", t)});
    }
    return out;
  }();
  return kSources;
}
constexpr std::string_view kVoucherCodesIn = "SELECT code FROM vouchers WHERE code IN ";

// ---- writes ----
constexpr std::string_view kInsertTransactions =
    "INSERT INTO transactions (id, external_id, body_hash, kind, original_id, member_id, store_id, "
    "associate_id, occurred_at, local_day, list_total, paid_total, points, base_points, "
    "bonus_points, payment_method, result, created_by, created_at) VALUES ";
constexpr std::string_view kTransactionRow =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kTransactionWidth = 19;
constexpr std::string_view kInsertLines =
    "INSERT INTO transaction_lines (transaction_id, line_no, original_line_no, sku, category, "
    "brand, quantity, list_price, paid, promo, earn_base, above_list_reason) VALUES ";
constexpr std::string_view kLineRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kLineWidth = 12;
constexpr std::string_view kInsertLots =
    "INSERT INTO points_lots (id, member_id, source, transaction_id, points, remaining, "
    "earned_on, expires_on) VALUES ";
constexpr std::string_view kLotRow = "(?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kLotWidth = 8;
constexpr std::string_view kInsertLedger =
    "INSERT INTO points_ledger (member_id, at, kind, points, balance_after, transaction_id, "
    "redemption_id, reason, approved_by, created_by) VALUES ";
constexpr std::string_view kLedgerRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kLedgerWidth = 10;
constexpr std::string_view kInsertVouchers =
    "INSERT INTO vouchers (id, code, member_id, value, min_spend, valid_from, valid_to, source, "
    "used_at, used_transaction_id, created_at, created_by) VALUES ";
constexpr std::string_view kVoucherRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kVoucherWidth = 12;
constexpr std::string_view kInsertRedemptions =
    "INSERT INTO redemptions (id, member_id, kind, gift_id, quantity, points, voucher_id, "
    "store_id, at, created_by) VALUES ";
constexpr std::string_view kRedemptionRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kRedemptionWidth = 10;
constexpr std::string_view kInsertTierChanges =
    "INSERT INTO tier_history (member_id, at, kind, from_tier, to_tier, reason, actor_id) "
    "VALUES ";
constexpr std::string_view kTierRow = "(?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kTierWidth = 7;
// The same upsert as LoyaltyRepository::AddToMonth, many rows at once.
constexpr std::string_view kAddToMonths = VIPCARE_MONTH_INSERT;
constexpr std::string_view kMonthRow = VIPCARE_MONTH_TUPLE;
constexpr std::string_view kAddToMonthsTail = VIPCARE_MONTH_UPSERT;
constexpr std::string_view kStateColumns =
    "INSERT INTO member_loyalty (program_code, tier_code, tier_since, points_balance, "
    "growth_lifetime, carry_fen, first_purchase_fen, first_purchase_on, last_purchase_on, "
    "pending_tier, pending_reason, downgrade_warned_on, downgrade_effective_on, hold_until, "
    "hold_reason, rank_percentile, referral_rewarded, pending_since, member_id, version) VALUES ";
constexpr std::string_view kNewStateRow =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
constexpr size_t kNewStateWidth = 19;
// Existing states: the row given carries the version the caller read; the
// update happens only where the stored version is still that one.
constexpr std::string_view kStateRow =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kStateWidth = 20;
constexpr std::string_view kUpdateStatesTail =
    " ON CONFLICT (member_id) DO UPDATE SET program_code = excluded.program_code, "
    "tier_code = excluded.tier_code, tier_since = excluded.tier_since, "
    "points_balance = excluded.points_balance, growth_lifetime = excluded.growth_lifetime, "
    "carry_fen = excluded.carry_fen, first_purchase_fen = excluded.first_purchase_fen, "
    "first_purchase_on = excluded.first_purchase_on, last_purchase_on = excluded.last_purchase_on, "
    "pending_tier = excluded.pending_tier, pending_reason = excluded.pending_reason, "
    "downgrade_warned_on = excluded.downgrade_warned_on, "
    "downgrade_effective_on = excluded.downgrade_effective_on, hold_until = excluded.hold_until, "
    "hold_reason = excluded.hold_reason, rank_percentile = excluded.rank_percentile, "
    "referral_rewarded = excluded.referral_rewarded, pending_since = excluded.pending_since, "
    "version = member_loyalty.version + 1 "
    "WHERE member_loyalty.version = excluded.version";
// Existing states whose tier columns did not change: only the figures are
// set, so the indexes on tier and pending tier are not rewritten.
constexpr std::string_view kFigureColumns =
    "INSERT INTO member_loyalty (program_code, points_balance, growth_lifetime, carry_fen, "
    "first_purchase_fen, first_purchase_on, last_purchase_on, referral_rewarded, member_id, "
    "version) VALUES ";
constexpr std::string_view kFigureRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kFigureWidth = 10;
constexpr std::string_view kUpdateFiguresTail =
    " ON CONFLICT (member_id) DO UPDATE SET points_balance = excluded.points_balance, "
    "growth_lifetime = excluded.growth_lifetime, carry_fen = excluded.carry_fen, "
    "first_purchase_fen = excluded.first_purchase_fen, "
    "first_purchase_on = excluded.first_purchase_on, last_purchase_on = excluded.last_purchase_on, "
    "referral_rewarded = excluded.referral_rewarded, version = member_loyalty.version + 1 "
    "WHERE member_loyalty.version = excluded.version";
constexpr std::string_view kSetLotRemaining = "UPDATE points_lots SET remaining = ? WHERE id = ?";
constexpr std::string_view kMarkFormal =
    "UPDATE members SET status = 'formal', updated_at = ?, version = version + 1 "
    "WHERE id = ? AND status = 'temporary'";
constexpr std::string_view kMarkCardReplaced =
    "UPDATE cards SET status = 'replaced', updated_at = ? WHERE id = ?";

// The texts of repeated statements, built once per thread.
const std::string& Repeated(std::string_view head, std::string_view tuple, size_t count,
                            std::string_view tail) {
  // Keyed by the constants' addresses: every text passed is a named constant.
  thread_local std::map<std::tuple<const char*, const char*, const char*, size_t>, std::string>
      cache;
  auto key = std::make_tuple(head.data(), tuple.data(), tail.data(), count);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::string sql(head);
  sql.reserve(head.size() + count * (tuple.size() + 2) + tail.size());
  for (size_t i = 0; i < count; ++i) {
    if (i) sql += ", ";
    sql += tuple;
  }
  sql += tail;
  return cache.emplace(key, std::move(sql)).first->second;
}

// "(?, ?, ..., ?)" with `count` placeholders, then `tail`.
const std::string& InList(std::string_view head, size_t count, std::string_view tail) {
  thread_local std::map<std::tuple<const char*, const char*, size_t>, std::string> cache;
  auto key = std::make_tuple(head.data(), tail.data(), count);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::string sql(head);
  sql += '(';
  for (size_t i = 0; i < count; ++i) sql += i ? ", ?" : "?";
  sql += ')';
  sql += tail;
  return cache.emplace(key, std::move(sql)).first->second;
}

// Calls fn(start, count) over [0, n) in chunks of `max`, the rest in powers of two.
template <class Fn>
void ForChunks(size_t n, size_t max, Fn&& fn) {
  for (size_t start = 0; start < n;) {
    const size_t left = n - start;
    const size_t count = left >= max ? max : std::bit_floor(left);
    fn(start, count);
    start += count;
  }
}

// Runs `head (?, ...) tail` over `keys`; `row(r)` is called for each result row.
template <class Key, class RowFn>
void QueryIn(Db& db, std::string_view head, std::string_view tail, const std::vector<Key>& keys,
             const std::vector<Value>& before, RowFn&& row) {
  std::vector<Value> params;
  ForChunks(keys.size(), kMaxKeys, [&](size_t start, size_t count) {
    params.assign(before.begin(), before.end());
    for (size_t i = start; i < start + count; ++i) params.emplace_back(keys[i]);
    for (const auto& r : db.Query(InList(head, count, tail), params)) row(r);
  });
}

// Inserts `n` rows, as many per statement as fit; `row(i, params)` appends
// row i's `width` values. Answers the rows the statements changed.
template <class RowFn>
int64_t InsertRows(Db& db, std::string_view head, std::string_view tuple, size_t width,
                   std::string_view tail, size_t n, RowFn&& row) {
  std::vector<Value> params;
  const size_t per_statement = std::min(kMaxRows, kMaxParams / width);
  params.reserve(per_statement * width);
  int64_t changed = 0;
  ForChunks(n, per_statement, [&](size_t start, size_t count) {
    params.clear();
    for (size_t i = start; i < start + count; ++i) row(i, params);
    changed += db.Exec(Repeated(head, tuple, count, tail), params);
  });
  return changed;
}


// Fills the lines of `rows` (one query per chunk of transactions).
void LoadLines(Db& db, std::vector<TransactionRecord>& rows) {
  if (rows.empty()) return;
  std::unordered_map<int64_t, size_t> index;
  std::vector<int64_t> ids;
  for (size_t i = 0; i < rows.size(); ++i) {
    index.emplace(rows[i].id, i);
    ids.push_back(rows[i].id);
  }
  QueryIn(db, kLinesOf, "", ids, {}, [&](const Row& r) {
    TransactionLine l{r.Int(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6),
                      Fen(r.Int(7)), Fen(r.Int(8)), r.Int(9) != 0, Fen(r.Int(10)), r.Text(11)};
    rows[index.at(r.Int(0))].lines.push_back(std::move(l));
  });
  for (auto& t : rows) {
    std::sort(t.lines.begin(), t.lines.end(),
              [](const TransactionLine& a, const TransactionLine& b) { return a.line_no < b.line_no; });
  }
}

MemberFacts ReadFacts(const Row& r) {
  MemberFacts f;
  f.id = MemberId(r.Int(0));
  f.member_no = r.Text(1);
  f.status = domain::ParseMemberStatus(r.Text(2)).value_or(domain::MemberStatus::kTemporary);
  if (!r.IsNull(3)) {
    const auto cal = domain::ParseCalendar(r.Text(4)).value_or(domain::Calendar::kSolar);
    std::string text = r.Text(3);
    const bool leap = !text.empty() && text.back() == 'L';
    if (leap) text.pop_back();
    f.birthday = domain::ParseCalendarDate(text, cal);
    if (f.birthday) f.birthday->leap_month = leap;
  }
  f.referrer_id = MemberId(r.Int(5));
  f.home_store_id = StoreId(r.Int(6));
  return f;
}


}  // namespace

int64_t InsertMany(Db& db, std::string_view head, std::string_view tuple, size_t width,
                   std::string_view tail, size_t n,
                   const std::function<void(size_t, std::vector<Value>&)>& row) {
  return InsertRows(db, head, tuple, width, tail, n, row);
}

std::vector<PostedRef> FindPosted(Db& db, const std::vector<std::string>& external_ids) {
  std::vector<PostedRef> out;
  QueryIn(db, kFindPosted, "", external_ids, {}, [&](const Row& r) {
    out.push_back({r.Text(0), r.Int(1), r.Text(2), r.Text(3), MemberId(r.Int(4))});
  });
  return out;
}

std::vector<TransactionRecord> TransactionsByExternalId(
    Db& db, const std::vector<std::string>& external_ids) {
  std::vector<TransactionRecord> out;
  QueryIn(db, kTransactionsByExternalId, "", external_ids, {},
          [&](const Row& r) { out.push_back(ReadTransaction(r)); });
  LoadLines(db, out);
  return out;
}

std::vector<TransactionRecord> RefundsOf(Db& db, const std::vector<int64_t>& sale_ids) {
  std::vector<TransactionRecord> out;
  QueryIn(db, kRefundsOf, kRefundsOrder, sale_ids, {},
          [&](const Row& r) { out.push_back(ReadTransaction(r)); });
  std::sort(out.begin(), out.end(),
            [](const TransactionRecord& a, const TransactionRecord& b) { return a.id < b.id; });
  LoadLines(db, out);
  return out;
}

std::vector<MemberFacts> MembersByNo(Db& db, const std::vector<std::string>& member_nos) {
  std::vector<MemberFacts> out;
  QueryIn(db, kMembersByNo, "", member_nos, {}, [&](const Row& r) { out.push_back(ReadFacts(r)); });
  return out;
}

std::vector<MemberFacts> MembersById(Db& db, const std::vector<int64_t>& ids) {
  std::vector<MemberFacts> out;
  QueryIn(db, kMembersById, "", ids, {}, [&](const Row& r) { out.push_back(ReadFacts(r)); });
  return out;
}

std::vector<LoyaltyState> LoyaltyStates(Db& db, const std::vector<int64_t>& member_ids) {
  std::vector<LoyaltyState> out;
  out.reserve(member_ids.size());
  QueryIn(db, kStates, "", member_ids, {}, [&](const Row& r) {
    out.push_back(ReadLoyaltyState(r));
  });
  return out;
}

std::vector<MonthBucket> Months(Db& db, const std::vector<int64_t>& member_ids,
                                int64_t from_month) {
  std::vector<MonthBucket> out;
  QueryIn(db, kMonths, "", member_ids, {Value(from_month)}, [&](const Row& r) {
    out.push_back(rows::ReadMonthBucket(r));
  });
  return out;
}

std::vector<int64_t> ReserveIds(Db& db, std::string_view table, size_t n) {
  std::vector<int64_t> ids;
  if (n == 0) return ids;
  const IdSource* source = nullptr;
  for (const auto& s : IdSources()) {
    if (s.table == table) source = &s;
  }
  if (source == nullptr) {
    throw DbError(DbError::Kind::kOther, "bulk::ReserveIds: no ids for table " + std::string(table));
  }
  ids.reserve(n);
  if (db.dialect() == Dialect::kSqlite) {
    const int64_t max = db.QueryOne(source->sqlite_max)->Int(0);
    for (size_t i = 0; i < n; ++i) ids.push_back(max + 1 + int64_t(i));
    return ids;
  }
  for (const auto& r : db.Query(source->pg_next, {int64_t(n)})) ids.push_back(r.Int(0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

void InsertTransactions(Db& db, std::vector<TransactionRecord>& rows) {
  InsertRows(db, kInsertTransactions, kTransactionRow, kTransactionWidth, "", rows.size(),
             [&](size_t i, std::vector<Value>& p) {
               TransactionRecord& t = rows[i];
               p.emplace_back(t.id);
               p.emplace_back(std::move(t.external_id));
               p.emplace_back(std::move(t.body_hash));
               p.emplace_back(std::move(t.kind));
               p.push_back(NullIfZero(t.original_id));
               p.push_back(NullIfZero(t.member_id.value));
               p.emplace_back(t.store_id.value);
               p.push_back(NullIfZero(t.associate_id.value));
               p.emplace_back(ToEpochSeconds(t.occurred_at));
               p.emplace_back(t.local_day.ToString());
               p.emplace_back(t.list_total.value);
               p.emplace_back(t.paid_total.value);
               p.emplace_back(t.points.value);
               p.emplace_back(t.base_points.value);
               p.emplace_back(t.bonus_points.value);
               p.emplace_back(std::move(t.payment_method));
               p.emplace_back(std::move(t.result));
               p.push_back(NullIfZero(t.created_by.value));
               p.emplace_back(ToEpochSeconds(t.created_at));
             });
  // The lines, flattened: (transaction, line) pairs.
  std::vector<std::pair<size_t, size_t>> lines;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].lines.size(); ++j) lines.emplace_back(i, j);
  }
  InsertRows(db, kInsertLines, kLineRow, kLineWidth, "", lines.size(),
             [&](size_t k, std::vector<Value>& p) {
               const int64_t id = rows[lines[k].first].id;
               TransactionLine& l = rows[lines[k].first].lines[lines[k].second];
               p.emplace_back(id);
               p.emplace_back(l.line_no);
               p.push_back(NullIfZero(l.original_line_no));
               p.emplace_back(std::move(l.sku));
               p.emplace_back(std::move(l.category));
               p.emplace_back(std::move(l.brand));
               p.emplace_back(l.quantity);
               p.emplace_back(l.list_price.value);
               p.emplace_back(l.paid.value);
               p.emplace_back(int64_t(l.promo));
               p.emplace_back(l.earn_base.value);
               p.emplace_back(std::move(l.above_list_reason));
             });
}

void InsertLots(Db& db, std::vector<PointsLotRecord>& lots) {
  InsertRows(db, kInsertLots, kLotRow, kLotWidth, "", lots.size(),
             [&](size_t i, std::vector<Value>& p) {
               PointsLotRecord& l = lots[i];
               p.emplace_back(l.id);
               p.emplace_back(l.member_id.value);
               p.emplace_back(std::move(l.source));
               p.push_back(NullIfZero(l.transaction_id));
               p.emplace_back(l.points.value);
               p.emplace_back(l.remaining.value);
               p.emplace_back(l.earned_on.ToString());
               p.push_back(OptDay(l.expires_on));
             });
}

void InsertVouchers(Db& db, std::vector<VoucherRecord>& vouchers) {
  InsertRows(db, kInsertVouchers, kVoucherRow, kVoucherWidth, "", vouchers.size(),
             [&](size_t i, std::vector<Value>& p) {
               VoucherRecord& v = vouchers[i];
               p.emplace_back(v.id);
               p.emplace_back(std::move(v.code));
               p.push_back(NullIfZero(v.member_id.value));
               p.emplace_back(v.value.value);
               p.emplace_back(v.min_spend.value);
               p.emplace_back(v.valid_from.ToString());
               p.emplace_back(v.valid_to.ToString());
               p.emplace_back(std::move(v.source));
               p.push_back(v.used_at ? Value(ToEpochSeconds(*v.used_at)) : Value());
               p.push_back(NullIfZero(v.used_transaction_id));
               p.emplace_back(ToEpochSeconds(v.created_at));
               p.push_back(NullIfZero(v.created_by.value));
             });
}

void InsertRedemptions(Db& db, const std::vector<RedemptionRecord>& rows) {
  InsertRows(db, kInsertRedemptions, kRedemptionRow, kRedemptionWidth, "", rows.size(),
             [&](size_t i, std::vector<Value>& p) {
               const RedemptionRecord& r = rows[i];
               p.emplace_back(r.id);
               p.emplace_back(r.member_id.value);
               p.emplace_back(r.kind);
               p.push_back(NullIfZero(r.gift_id));
               p.emplace_back(r.quantity);
               p.emplace_back(r.points.value);
               p.push_back(NullIfZero(r.voucher_id));
               p.push_back(NullIfZero(r.store_id.value));
               p.emplace_back(ToEpochSeconds(r.at));
               p.push_back(NullIfZero(r.created_by.value));
             });
}

std::vector<std::string> TakenVoucherCodes(Db& db, const std::vector<std::string>& codes) {
  std::vector<std::string> taken;
  QueryIn(db, kVoucherCodesIn, "", codes, {}, [&](const Row& r) { taken.push_back(r.Text(0)); });
  return taken;
}

void InsertLedger(Db& db, std::vector<LedgerEntry>& entries) {
  InsertRows(db, kInsertLedger, kLedgerRow, kLedgerWidth, "", entries.size(),
             [&](size_t i, std::vector<Value>& p) {
               LedgerEntry& e = entries[i];
               p.emplace_back(e.member_id.value);
               p.emplace_back(ToEpochSeconds(e.at));
               p.emplace_back(std::move(e.kind));
               p.emplace_back(e.points.value);
               p.emplace_back(e.balance_after.value);
               p.push_back(NullIfZero(e.transaction_id));
               p.push_back(NullIfZero(e.redemption_id));
               p.emplace_back(std::move(e.reason));
               p.push_back(NullIfZero(e.approved_by.value));
               p.push_back(NullIfZero(e.created_by.value));
             });
}

void InsertTierChanges(Db& db, std::vector<TierChange>& changes) {
  if (changes.empty()) return;
  Timestamp earliest = changes.front().at;
  for (const auto& c : changes) earliest = std::min(earliest, c.at);
  reports::InvalidateRollupsEndingAfter(db, earliest);
  InsertRows(db, kInsertTierChanges, kTierRow, kTierWidth, "", changes.size(),
             [&](size_t i, std::vector<Value>& p) {
               TierChange& c = changes[i];
               p.emplace_back(c.member_id.value);
               p.emplace_back(ToEpochSeconds(c.at));
               p.emplace_back(std::move(c.kind));
               p.emplace_back(std::move(c.from_tier));
               p.emplace_back(std::move(c.to_tier));
               p.emplace_back(std::move(c.reason));
               p.push_back(NullIfZero(c.actor.value));
             });
}

void AddToMonths(Db& db, const std::vector<MonthBucket>& deltas) {
  if (deltas.empty()) return;
  int64_t earliest = deltas.front().month;
  for (const auto& d : deltas) earliest = std::min(earliest, d.month);
  reports::InvalidateRollupsFrom(db, earliest);
  InsertRows(db, kAddToMonths, kMonthRow, rows::kMonthWidth, kAddToMonthsTail, deltas.size(),
             [&](size_t i, std::vector<Value>& p) { rows::AddMonthParams(p, deltas[i]); });
}

bool SaveLoyaltyStates(Db& db, std::vector<LoyaltyState>& states,
                       const std::vector<bool>& balance_only) {
  std::vector<size_t> fresh, stored, figures;
  for (size_t i = 0; i < states.size(); ++i) {
    if (states[i].version == 0) {
      fresh.push_back(i);
    } else {
      (i < balance_only.size() && balance_only[i] ? figures : stored).push_back(i);
    }
  }
  InsertRows(db, kStateColumns, kNewStateRow, kNewStateWidth, "", fresh.size(),
             [&](size_t i, std::vector<Value>& p) { rows::AppendStateParams(p, states[fresh[i]]); });
  int64_t updated =
      InsertRows(db, kStateColumns, kStateRow, kStateWidth, kUpdateStatesTail, stored.size(),
                 [&](size_t i, std::vector<Value>& p) {
                   rows::AppendStateParams(p, states[stored[i]]);
                   p.emplace_back(states[stored[i]].version);
                 });
  updated += InsertRows(db, kFigureColumns, kFigureRow, kFigureWidth, kUpdateFiguresTail,
                        figures.size(), [&](size_t i, std::vector<Value>& p) {
                          const LoyaltyState& s = states[figures[i]];
                          p.emplace_back(s.program_code);
                          p.emplace_back(s.points_balance.value);
                          p.emplace_back(s.growth_lifetime.value);
                          p.emplace_back(s.carry_fen.value);
                          p.emplace_back(s.first_purchase.value);
                          p.push_back(OptDay(s.first_purchase_on));
                          p.push_back(OptDay(s.last_purchase_on));
                          p.emplace_back(int64_t(s.referral_rewarded ? 1 : 0));
                          p.emplace_back(s.member_id.value);
                          p.emplace_back(s.version);
                        });
  if (updated != int64_t(stored.size() + figures.size())) return false;
  for (auto& s : states) ++s.version;
  return true;
}

void SetLotsRemaining(Db& db, const std::vector<std::pair<int64_t, Points>>& lots) {
  for (const auto& [id, remaining] : lots) db.Exec(kSetLotRemaining, {remaining.value, id});
}

std::vector<CardRef> CardsOf(Db& db, const std::vector<int64_t>& member_ids) {
  std::vector<CardRef> out;
  QueryIn(db, kCardsOf, kCardsOrder, member_ids, {}, [&](const Row& r) {
    out.push_back({CardId(r.Int(0)), MemberId(r.Int(1)),
                   domain::ParseCardKind(r.Text(2)).value_or(domain::CardKind::kTemporary),
                   domain::ParseCardStatus(r.Text(3)).value_or(domain::CardStatus::kExpired)});
  });
  std::sort(out.begin(), out.end(), [](const CardRef& a, const CardRef& b) { return a.id < b.id; });
  return out;
}

bool MarkFormal(Db& db, MemberId member, Timestamp now) {
  return db.Exec(kMarkFormal, {ToEpochSeconds(now), member.value}) == 1;
}

void MarkCardReplaced(Db& db, CardId card, Timestamp now) {
  db.Exec(kMarkCardReplaced, {ToEpochSeconds(now), card.value});
}

ForeignKeyChecksOff::ForeignKeyChecksOff(Db& db) : db_(db) {
  if (db_.dialect() != Dialect::kSqlite) return;
  auto on = db_.QueryOne("PRAGMA foreign_keys");
  if (!on || on->Int(0) == 0) return;
  db_.ExecScript("PRAGMA foreign_keys=OFF");
  off_ = true;
}

ForeignKeyChecksOff::~ForeignKeyChecksOff() {
  if (!off_) return;
  try {
    db_.ExecScript("PRAGMA foreign_keys=ON");
  } catch (...) {
    // A connection that cannot run a pragma is broken; its next user sees it.
  }
}

}  // namespace vipcare::store::bulk

// ---- the nightly tier review ----
namespace vipcare::store::bulk {
namespace {

// Served by the UNIQUE (member_id, kind, occasion) index.
constexpr std::string_view kNoticesOf =
    "SELECT member_id, occasion, detail FROM loyalty_notices WHERE kind = ? AND member_id IN ";
constexpr std::string_view kStatesBetween =
    VIPCARE_LOYALTY_STATE_SELECT "WHERE member_id >= ? AND member_id <= ? ORDER BY member_id";
constexpr std::string_view kMonthsBetween = VIPCARE_MONTH_SELECT
    "WHERE member_id >= ? AND member_id <= ? AND month >= ? ORDER BY member_id, month";

}  // namespace

std::vector<NoticeRef> NoticesOf(Db& db, const std::string& kind,
                                 const std::vector<int64_t>& member_ids) {
  std::vector<NoticeRef> out;
  QueryIn(db, kNoticesOf, "", member_ids, {Value(kind)}, [&](const Row& r) {
    out.push_back({MemberId(r.Int(0)), r.Text(1), r.Text(2)});
  });
  return out;
}

void LoyaltyStatesBetween(Db& db, MemberId first, MemberId last, std::vector<LoyaltyState>& out) {
  db.QueryEach(kStatesBetween, {first.value, last.value},
               [&](const Row& r) { out.push_back(ReadLoyaltyState(r)); });
}

void MonthsBetween(Db& db, MemberId first, MemberId last, int64_t from_month,
                   std::vector<MonthBucket>& out) {
  db.QueryEach(kMonthsBetween, {first.value, last.value, from_month},
               [&](const Row& r) { out.push_back(rows::ReadMonthBucket(r)); });
}

}  // namespace vipcare::store::bulk
