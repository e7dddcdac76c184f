// The SQL implementation of LoyaltyRepository, shared by SQLite and
// PostgreSQL. Every statement is a named constant with `?` parameters.
#include "store/loyalty_repository.h"

#include <algorithm>

#include "store/loyalty_rows.h"
#include "store/reports/rollups.h"

namespace vipcare::store {
namespace {

using rows::OptDay;
using rows::ReadDay;
using rows::ReadTransaction;

// ---- programs ----
constexpr std::string_view kInsertProgram =
    "INSERT INTO programs (code, version, name, body, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kProgramColumns =
    "SELECT id, code, version, name, body, created_by, created_at FROM programs";
constexpr std::string_view kGetProgramVersion =
    "SELECT id, code, version, name, body, created_by, created_at FROM programs "
    "WHERE code = ? AND version = ?";
constexpr std::string_view kGetProgramNewest =
    "SELECT id, code, version, name, body, created_by, created_at FROM programs "
    "WHERE code = ? ORDER BY version DESC LIMIT 1";
constexpr std::string_view kListPrograms =
    "SELECT id, code, version, name, body, created_by, created_at FROM programs p "
    "WHERE version = (SELECT MAX(version) FROM programs q WHERE q.code = p.code) ORDER BY code";
constexpr std::string_view kMoveTransactions =
    "UPDATE transactions SET member_id = ? WHERE member_id = ?";
constexpr std::string_view kMoveOpenLots =
    "UPDATE points_lots SET member_id = ? WHERE member_id = ? AND remaining > 0";
constexpr std::string_view kMoveUnusedVouchers =
    "UPDATE vouchers SET member_id = ? WHERE member_id = ? AND used_at IS NULL";
constexpr std::string_view kDeleteMonths = "DELETE FROM member_months WHERE member_id = ?";
constexpr std::string_view kSetTransactionResult =
    "UPDATE transactions SET result = ? WHERE id = ?";
constexpr std::string_view kListProgramVersions =
    "SELECT id, code, version, name, '', created_by, created_at FROM programs WHERE code = ? "
    "ORDER BY version DESC";
// The company's program is a setting: it may be chosen before the company's
// name and time zone are filled in.
constexpr std::string_view kCompanyProgram =
    "SELECT value FROM settings WHERE name = 'program_code'";
constexpr std::string_view kSetCompanyProgram =
    "INSERT INTO settings (name, value) VALUES ('program_code', ?) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value";
// A program switch under way is a setting too: "from\nto\nafter\nat\nby".
constexpr std::string_view kProgramSwitch =
    "SELECT value FROM settings WHERE name = 'program_switch'";
constexpr std::string_view kSetProgramSwitch =
    "INSERT INTO settings (name, value) VALUES ('program_switch', ?) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value";
constexpr std::string_view kClearProgramSwitch =
    "DELETE FROM settings WHERE name = 'program_switch'";
constexpr std::string_view kHomeStoreProgram =
    "SELECT s.program_code FROM members m JOIN stores s ON s.id = m.home_store_id "
    "WHERE m.id = ?";
// member_loyalty_tier leads with program_code: this reads only the index
// entries of members on a program of their own.
constexpr std::string_view kProgramsInUse =
    "SELECT DISTINCT program_code FROM member_loyalty WHERE program_code > '' "
    "UNION SELECT program_code FROM stores WHERE program_code > '' ORDER BY 1";
constexpr std::string_view kMembersByOwnProgram =
    "SELECT program_code, COUNT(*) FROM member_loyalty WHERE program_code > '' "
    "GROUP BY program_code ORDER BY program_code";

// ---- the category catalogue ----
#define VIPCARE_CATEGORY_COLUMNS "id, name, active, created_by, created_at, updated_at"
constexpr std::string_view kListCategories =
    "SELECT " VIPCARE_CATEGORY_COLUMNS " FROM categories ORDER BY id";
constexpr std::string_view kGetCategory =
    "SELECT " VIPCARE_CATEGORY_COLUMNS " FROM categories WHERE id = ?";
constexpr std::string_view kFindCategory =
    "SELECT " VIPCARE_CATEGORY_COLUMNS " FROM categories WHERE name = ?";
constexpr std::string_view kInsertCategory =
    "INSERT INTO categories (name, active, created_by, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateCategory =
    "UPDATE categories SET active = ?, updated_at = ? WHERE id = ?";
constexpr std::string_view kHasCategories = "SELECT 1 FROM categories LIMIT 1";
// "store_id IN (every store)" lets both engines range-scan
// transactions_store_day (store_id, local_day) once per store.
constexpr std::string_view kCategoriesSold =
    "SELECT tl.category, COUNT(*) FROM transactions t "
    "JOIN transaction_lines tl ON tl.transaction_id = t.id "
    "WHERE t.store_id IN (SELECT id FROM stores) AND t.local_day >= ? AND t.kind = 'sale' "
    "AND tl.category <> '' GROUP BY tl.category ORDER BY 2 DESC, 1";
#undef VIPCARE_CATEGORY_COLUMNS

CategoryRecord ReadCategory(const Row& r) {
  return {r.Int(0), r.Text(1), r.Int(2) != 0, UserId(r.IsNull(3) ? 0 : r.Int(3)),
          FromEpochSeconds(r.Int(4)), FromEpochSeconds(r.Int(5))};
}

// ---- transactions ----
constexpr std::string_view kInsertTransaction =
    "INSERT INTO transactions (external_id, body_hash, kind, original_id, member_id, store_id, "
    "associate_id, occurred_at, local_day, list_total, paid_total, points, base_points, "
    "bonus_points, payment_method, result, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kInsertLine =
    "INSERT INTO transaction_lines (transaction_id, line_no, original_line_no, sku, category, "
    "brand, quantity, list_price, paid, promo, earn_base, above_list_reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define VIPCARE_TRANSACTION_COLUMNS VIPCARE_TRANSACTION_SELECT
constexpr std::string_view kFindTransaction = VIPCARE_TRANSACTION_COLUMNS "WHERE external_id = ?";
constexpr std::string_view kGetTransaction = VIPCARE_TRANSACTION_COLUMNS "WHERE id = ?";
constexpr std::string_view kMemberTransactions =
    VIPCARE_TRANSACTION_COLUMNS "WHERE member_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kCountMemberTransactions =
    "SELECT COUNT(*) FROM transactions WHERE member_id = ?";
constexpr std::string_view kRefundsOf =
    VIPCARE_TRANSACTION_COLUMNS "WHERE original_id = ? ORDER BY id";
#undef VIPCARE_TRANSACTION_COLUMNS
constexpr std::string_view kLines =
    "SELECT line_no, original_line_no, sku, category, brand, quantity, list_price, paid, promo, "
    "earn_base, above_list_reason FROM transaction_lines WHERE transaction_id = ? ORDER BY line_no";

// ---- state ----
constexpr std::string_view kGetState = VIPCARE_LOYALTY_STATE_SELECT "WHERE member_id = ?";
constexpr std::string_view kInsertState =
    "INSERT INTO member_loyalty (program_code, tier_code, tier_since, points_balance, "
    "growth_lifetime, carry_fen, first_purchase_fen, first_purchase_on, last_purchase_on, "
    "pending_tier, pending_reason, downgrade_warned_on, downgrade_effective_on, hold_until, "
    "hold_reason, rank_percentile, referral_rewarded, pending_since, member_id, version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
constexpr std::string_view kUpdateState =
    "UPDATE member_loyalty SET program_code = ?, tier_code = ?, tier_since = ?, "
    "points_balance = ?, growth_lifetime = ?, carry_fen = ?, first_purchase_fen = ?, "
    "first_purchase_on = ?, last_purchase_on = ?, pending_tier = ?, pending_reason = ?, "
    "downgrade_warned_on = ?, downgrade_effective_on = ?, hold_until = ?, hold_reason = ?, "
    "rank_percentile = ?, referral_rewarded = ?, pending_since = ?, version = version + 1 "
    "WHERE member_id = ? AND version = ?";
// kUpdateState without the indexed columns (program_code, tier_code,
// pending_tier, rank_percentile, pending_since: member_loyalty's four
// indexes), for a save that leaves them as stored. Parameters: StateParams
// without those five.
constexpr std::string_view kUpdateStateUnindexed =
    "UPDATE member_loyalty SET tier_since = ?, "
    "points_balance = ?, growth_lifetime = ?, carry_fen = ?, first_purchase_fen = ?, "
    "first_purchase_on = ?, last_purchase_on = ?, pending_reason = ?, "
    "downgrade_warned_on = ?, downgrade_effective_on = ?, hold_until = ?, hold_reason = ?, "
    "referral_rewarded = ?, version = version + 1 WHERE member_id = ? AND version = ?";

#define VIPCARE_PENDING_WHERE                                                        \
  "FROM member_loyalty l JOIN members m ON m.id = l.member_id "                      \
  "WHERE l.pending_tier <> '' AND (? = 0 OR m.home_store_id = ?) AND (? = 0 OR "    \
  "m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
// The longest-waiting first, in member_loyalty_pending's order (a member
// whose queue time predates migration 13 and could not be found first).
constexpr std::string_view kPendingApprovals =
    "SELECT l.member_id " VIPCARE_PENDING_WHERE
    "ORDER BY l.pending_since NULLS FIRST, l.member_id LIMIT ? OFFSET ?";
constexpr std::string_view kCountPendingApprovals = "SELECT COUNT(*) " VIPCARE_PENDING_WHERE;
#undef VIPCARE_PENDING_WHERE

// ---- monthly buckets ----
constexpr std::string_view kAddToMonth =
    VIPCARE_MONTH_INSERT VIPCARE_MONTH_TUPLE VIPCARE_MONTH_UPSERT;
constexpr std::string_view kListMonths =
    VIPCARE_MONTH_SELECT "WHERE member_id = ? AND month >= ? ORDER BY month";

// ---- lots and ledger ----
constexpr std::string_view kInsertLot =
    "INSERT INTO points_lots (member_id, source, transaction_id, points, remaining, earned_on, "
    "expires_on) VALUES (?, ?, ?, ?, ?, ?, ?)";
// `expires_on IS NULL` sorts never-expiring lots last on both engines.
constexpr std::string_view kOpenLots =
    "SELECT id, member_id, source, transaction_id, points, remaining, earned_on, expires_on "
    "FROM points_lots WHERE member_id = ? AND remaining > 0 "
    "ORDER BY expires_on IS NULL, expires_on, id";
constexpr std::string_view kSetLotRemaining = "UPDATE points_lots SET remaining = ? WHERE id = ?";
constexpr std::string_view kLotsExpiring =
    "SELECT id, member_id, source, transaction_id, points, remaining, earned_on, expires_on "
    "FROM points_lots WHERE remaining > 0 AND expires_on < ? ORDER BY expires_on, id LIMIT ?";
constexpr std::string_view kAppendLedger =
    "INSERT INTO points_ledger (member_id, at, kind, points, balance_after, transaction_id, "
    "redemption_id, reason, approved_by, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kListLedger =
    "SELECT id, member_id, at, kind, points, balance_after, transaction_id, redemption_id, "
    "reason, approved_by, created_by FROM points_ledger WHERE member_id = ? "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kCountLedger = "SELECT COUNT(*) FROM points_ledger WHERE member_id = ?";

// ---- tier history ----
constexpr std::string_view kAppendTierChange =
    "INSERT INTO tier_history (member_id, at, kind, from_tier, to_tier, reason, actor_id, "
    "from_program) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kListTierChanges =
    "SELECT id, member_id, at, kind, from_tier, to_tier, reason, actor_id, from_program "
    "FROM tier_history WHERE member_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kCountTierChanges =
    "SELECT COUNT(*) FROM tier_history WHERE member_id = ?";

ProgramRecord ReadProgram(const Row& r) {
  return {r.Int(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), UserId(r.Int(5)),
          FromEpochSeconds(r.Int(6))};
}

PointsLotRecord ReadLot(const Row& r) {
  return {r.Int(0),          MemberId(r.Int(1)), r.Text(2),
          r.Int(3),          Points(r.Int(4)),   Points(r.Int(5)),
          ReadDay(r, 6).value_or(Date()), ReadDay(r, 7)};
}

std::vector<Value> StateParams(const LoyaltyState& s) {
  std::vector<Value> p;
  p.reserve(20);
  rows::AppendStateParams(p, s);
  return p;
}

class SqlLoyaltyRepository final : public LoyaltyRepository {
 public:
  explicit SqlLoyaltyRepository(Db& db) : db_(db) {}

  int64_t InsertProgramVersion(const ProgramRecord& p) override {
    return db_
        .QueryOne(kInsertProgram, {p.code, p.version, p.name, p.body,
                                   NullIfZero(p.created_by.value), ToEpochSeconds(p.created_at)})
        ->Int(0);
  }
  std::optional<ProgramRecord> GetProgram(const std::string& code, int64_t version) override {
    auto r = version > 0 ? db_.QueryOne(kGetProgramVersion, {code, version})
                         : db_.QueryOne(kGetProgramNewest, {code});
    if (!r) return std::nullopt;
    return ReadProgram(*r);
  }
  void MoveLoyalty(MemberId from, MemberId into) override {
    db_.Exec(kMoveTransactions, {into.value, from.value});
    db_.Exec(kMoveOpenLots, {into.value, from.value});
    db_.Exec(kMoveUnusedVouchers, {into.value, from.value});
    const auto months = ListMonths(from, 0);
    for (auto m : months) {
      m.member_id = into;
      AddToMonth(m);
    }
    db_.Exec(kDeleteMonths, {from.value});
    // The merged file's rollup rows go with its buckets: rebuilt by the next run.
    if (!months.empty()) {
      int64_t earliest = months.front().month;
      for (const auto& m : months) earliest = std::min(earliest, m.month);
      reports::InvalidateRollupsFrom(db_, earliest);
    }
  }
  void SetTransactionResult(int64_t id, const std::string& result) override {
    db_.Exec(kSetTransactionResult, {result, id});
  }
  std::vector<ProgramRecord> ListProgramVersions(const std::string& code) override {
    std::vector<ProgramRecord> out;
    for (const auto& r : db_.Query(kListProgramVersions, {code})) out.push_back(ReadProgram(r));
    return out;
  }
  std::vector<ProgramRecord> ListPrograms() override {
    std::vector<ProgramRecord> out;
    for (const auto& r : db_.Query(kListPrograms)) out.push_back(ReadProgram(r));
    return out;
  }
  std::string CompanyProgram() override {
    auto r = db_.QueryOne(kCompanyProgram);
    return r ? r->Text(0) : "";
  }
  void SetCompanyProgram(const std::string& code) override {
    // The report rollups keep the tiers of the members who follow the
    // company's program under its tier codes: another program makes them
    // wrong until they are built again (with the program changes that name
    // the program left).
    if (CompanyProgram() != code) reports::InvalidateRollupsFrom(db_, 0);
    db_.Exec(kSetCompanyProgram, {code});
  }
  std::optional<ProgramSwitch> PendingProgramSwitch() override {
    auto r = db_.QueryOne(kProgramSwitch);
    if (!r) return std::nullopt;
    std::vector<std::string> parts;
    const std::string text = r->Text(0);
    for (size_t from = 0;;) {
      const size_t nl = text.find('\n', from);
      parts.push_back(text.substr(from, nl == std::string::npos ? nl : nl - from));
      if (nl == std::string::npos) break;
      from = nl + 1;
    }
    if (parts.size() != 5) throw DbError(DbError::Kind::kOther, "settings.program_switch is malformed");
    try {
      return ProgramSwitch{parts[0], parts[1], MemberId(std::stoll(parts[2])),
                           FromEpochSeconds(std::stoll(parts[3])), UserId(std::stoll(parts[4]))};
    } catch (const std::logic_error&) {
      throw DbError(DbError::Kind::kOther, "settings.program_switch is malformed");
    }
  }
  void SetPendingProgramSwitch(const ProgramSwitch& s) override {
    db_.Exec(kSetProgramSwitch,
             {s.from_code + '\n' + s.to_code + '\n' + std::to_string(s.after.value) + '\n' +
              std::to_string(ToEpochSeconds(s.at)) + '\n' + std::to_string(s.by.value)});
  }
  void ClearPendingProgramSwitch() override { db_.Exec(kClearProgramSwitch); }
  std::string HomeStoreProgram(MemberId member) override {
    auto r = db_.QueryOne(kHomeStoreProgram, {member.value});
    return r ? r->Text(0) : "";
  }
  std::vector<std::pair<std::string, int64_t>> MembersByOwnProgram() override {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& r : db_.Query(kMembersByOwnProgram)) out.emplace_back(r.Text(0), r.Int(1));
    return out;
  }
  std::vector<std::string> ProgramsInUse() override {
    std::vector<std::string> out;
    for (const auto& r : db_.Query(kProgramsInUse)) out.push_back(r.Text(0));
    return out;
  }

  std::vector<CategoryRecord> ListCategories() override {
    std::vector<CategoryRecord> out;
    for (const auto& r : db_.Query(kListCategories)) out.push_back(ReadCategory(r));
    return out;
  }
  std::optional<CategoryRecord> GetCategory(int64_t id) override {
    auto r = db_.QueryOne(kGetCategory, {id});
    if (!r) return std::nullopt;
    return ReadCategory(*r);
  }
  std::optional<CategoryRecord> FindCategory(const std::string& name) override {
    auto r = db_.QueryOne(kFindCategory, {name});
    if (!r) return std::nullopt;
    return ReadCategory(*r);
  }
  void InsertCategory(CategoryRecord& c) override {
    c.id = db_.QueryOne(kInsertCategory, {c.name, int64_t(c.active ? 1 : 0),
                                          NullIfZero(c.created_by.value),
                                          ToEpochSeconds(c.created_at),
                                          ToEpochSeconds(c.updated_at)})
               ->Int(0);
  }
  bool UpdateCategory(const CategoryRecord& c) override {
    return db_.Exec(kUpdateCategory, {int64_t(c.active ? 1 : 0), ToEpochSeconds(c.updated_at),
                                      c.id}) == 1;
  }
  bool HasCategories() override { return db_.QueryOne(kHasCategories).has_value(); }
  std::vector<std::pair<std::string, int64_t>> CategoriesSold(Date from) override {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& r : db_.Query(kCategoriesSold, {from.ToString()})) {
      out.emplace_back(r.Text(0), r.Int(1));
    }
    return out;
  }

  int64_t InsertTransaction(TransactionRecord& t) override {
    t.id = db_.InsertId(kInsertTransaction,
                        {t.external_id, t.body_hash, t.kind, NullIfZero(t.original_id),
                         NullIfZero(t.member_id.value), t.store_id.value,
                         NullIfZero(t.associate_id.value), ToEpochSeconds(t.occurred_at),
                         t.local_day.ToString(), t.list_total.value, t.paid_total.value,
                         t.points.value, t.base_points.value, t.bonus_points.value,
                         t.payment_method, t.result,
                         NullIfZero(t.created_by.value), ToEpochSeconds(t.created_at)});
    for (const auto& l : t.lines) {
      db_.Exec(kInsertLine, {t.id, l.line_no, NullIfZero(l.original_line_no), l.sku, l.category,
                             l.brand, l.quantity, l.list_price.value, l.paid.value,
                             int64_t(l.promo), l.earn_base.value, l.above_list_reason});
    }
    return t.id;
  }
  std::optional<TransactionRecord> FindTransaction(const std::string& external_id) override {
    return WithLines(db_.QueryOne(kFindTransaction, {external_id}));
  }
  std::optional<TransactionRecord> GetTransaction(int64_t id) override {
    return WithLines(db_.QueryOne(kGetTransaction, {id}));
  }
  PageOf<TransactionRecord> ListMemberTransactions(MemberId member, Page page) override {
    PageOf<TransactionRecord> out;
    for (const auto& r : db_.Query(kMemberTransactions, {member.value, page.limit, page.offset})) {
      out.items.push_back(ReadTransaction(r));
    }
    out.total = db_.QueryOne(kCountMemberTransactions, {member.value})->Int(0);
    return out;
  }
  std::vector<TransactionRecord> ListRefundsOf(int64_t original_id) override {
    std::vector<TransactionRecord> out;
    for (const auto& r : db_.Query(kRefundsOf, {original_id})) {
      out.push_back(ReadTransaction(r));
      LoadLines(out.back());
    }
    return out;
  }

  std::optional<LoyaltyState> GetLoyaltyState(MemberId member) override {
    auto r = db_.QueryOne(kGetState, {member.value});
    if (!r) return std::nullopt;
    return rows::ReadLoyaltyState(*r);
  }
  bool SaveLoyaltyState(LoyaltyState& s) override {
    auto p = StateParams(s);
    std::string key = rows::IndexKeyOf(s);
    if (s.version == 0) {
      db_.Exec(kInsertState, p);
      s.version = 1;
      s.stored_index_key = std::move(key);
      return true;
    }
    p.push_back(s.version);
    if (key == s.stored_index_key) {
      // rows::AppendStateParams' order: program 0, tier 1, pending 9, rank 15, since 17.
      for (size_t i : {17, 15, 9, 1, 0}) p.erase(p.begin() + ptrdiff_t(i));
      if (db_.Exec(kUpdateStateUnindexed, p) != 1) return false;
    } else {
      if (db_.Exec(kUpdateState, p) != 1) return false;
      s.stored_index_key = std::move(key);
    }
    ++s.version;
    return true;
  }

  PageOf<LoyaltyState> ListPendingApprovals(std::optional<StoreId> store,
                                            std::optional<RegionId> region,
                                            Page page) override {
    const int64_t s = store ? store->value : 0;
    const int64_t r = region ? region->value : 0;
    PageOf<LoyaltyState> out;
    for (const auto& row : db_.Query(kPendingApprovals, {s, s, r, r, page.limit, page.offset})) {
      if (auto state = GetLoyaltyState(MemberId(row.Int(0)))) out.items.push_back(std::move(*state));
    }
    out.total = db_.QueryOne(kCountPendingApprovals, {s, s, r, r})->Int(0);
    return out;
  }

  void AddToMonth(const MonthBucket& d) override {
    std::vector<Value> p;
    rows::AddMonthParams(p, d);
    db_.Exec(kAddToMonth, p);
    reports::AddToRollups(db_, d.member_id.value, d.month, d.purchases, d.spend.value,
                          d.last_day ? d.last_day->ToString() : std::string());
  }
  std::vector<MonthBucket> ListMonths(MemberId member, int64_t from_month) override {
    std::vector<MonthBucket> out;
    for (const auto& r : db_.Query(kListMonths, {member.value, from_month})) {
      out.push_back(rows::ReadMonthBucket(r));
    }
    return out;
  }

  int64_t InsertLot(const PointsLotRecord& l) override {
    return db_.InsertId(kInsertLot, {l.member_id.value, l.source, NullIfZero(l.transaction_id),
                                     l.points.value, l.remaining.value, l.earned_on.ToString(),
                                     OptDay(l.expires_on)});
  }
  std::vector<PointsLotRecord> ListOpenLots(MemberId member) override {
    std::vector<PointsLotRecord> out;
    for (const auto& r : db_.Query(kOpenLots, {member.value})) out.push_back(ReadLot(r));
    return out;
  }
  void SetLotRemaining(int64_t lot_id, Points remaining) override {
    db_.Exec(kSetLotRemaining, {remaining.value, lot_id});
  }
  std::vector<PointsLotRecord> LotsExpiringBefore(Date day, int64_t limit) override {
    std::vector<PointsLotRecord> out;
    for (const auto& r : db_.Query(kLotsExpiring, {day.ToString(), limit})) {
      out.push_back(ReadLot(r));
    }
    return out;
  }
  int64_t AppendLedger(const LedgerEntry& e) override {
    return db_.InsertId(kAppendLedger,
                        {e.member_id.value, ToEpochSeconds(e.at), e.kind, e.points.value,
                         e.balance_after.value, NullIfZero(e.transaction_id),
                         NullIfZero(e.redemption_id), e.reason, NullIfZero(e.approved_by.value),
                         NullIfZero(e.created_by.value)});
  }
  PageOf<LedgerEntry> ListLedger(MemberId member, Page page) override {
    PageOf<LedgerEntry> out;
    for (const auto& r : db_.Query(kListLedger, {member.value, page.limit, page.offset})) {
      out.items.push_back({r.Int(0), MemberId(r.Int(1)), FromEpochSeconds(r.Int(2)), r.Text(3),
                           Points(r.Int(4)), Points(r.Int(5)), r.Int(6), r.Int(7), r.Text(8),
                           UserId(r.Int(9)), UserId(r.Int(10))});
    }
    out.total = db_.QueryOne(kCountLedger, {member.value})->Int(0);
    return out;
  }

  void AppendTierChange(const TierChange& c) override {
    db_.Exec(kAppendTierChange, {c.member_id.value, ToEpochSeconds(c.at), c.kind, c.from_tier,
                                 c.to_tier, c.reason, NullIfZero(c.actor.value),
                                 c.from_program ? Value(*c.from_program) : Value()});
    // A program change moves the member's tier to another program's even
    // when the code stays: the rollups' month-end tiers name the program.
    if (c.from_tier != c.to_tier || c.from_program) {
      reports::InvalidateRollupsEndingAfter(db_, c.at);
    }
  }
  PageOf<TierChange> ListTierChanges(MemberId member, Page page) override {
    PageOf<TierChange> out;
    for (const auto& r : db_.Query(kListTierChanges, {member.value, page.limit, page.offset})) {
      out.items.push_back({r.Int(0), MemberId(r.Int(1)), FromEpochSeconds(r.Int(2)), r.Text(3),
                           r.Text(4), r.Text(5), r.Text(6), UserId(r.Int(7)),
                           r.IsNull(8) ? std::nullopt : std::optional<std::string>(r.Text(8))});
    }
    out.total = db_.QueryOne(kCountTierChanges, {member.value})->Int(0);
    return out;
  }

 private:
  std::optional<TransactionRecord> WithLines(const std::optional<Row>& r) {
    if (!r) return std::nullopt;
    TransactionRecord t = ReadTransaction(*r);
    LoadLines(t);
    return t;
  }
  void LoadLines(TransactionRecord& t) {
    for (const auto& r : db_.Query(kLines, {t.id})) {
      t.lines.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5),
                         Fen(r.Int(6)), Fen(r.Int(7)), r.Int(8) != 0, Fen(r.Int(9)), r.Text(10)});
    }
  }

  Db& db_;
};

}  // namespace

std::unique_ptr<LoyaltyRepository> MakeSqlLoyaltyRepository(Db& db) {
  return std::make_unique<SqlLoyaltyRepository>(db);
}

}  // namespace vipcare::store
