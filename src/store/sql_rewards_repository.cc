// The SQL implementation of RewardsRepository, shared by SQLite and
// PostgreSQL. Every statement is a named constant with `?` parameters.
#include "store/rewards_repository.h"

namespace vipcare::store {
namespace {

// ---- gifts ----
constexpr std::string_view kInsertGift =
    "INSERT INTO gifts (code, name, description, points_price, stock, active) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateGift =
    "UPDATE gifts SET code = ?, name = ?, description = ?, points_price = ?, stock = ?, "
    "active = ? WHERE id = ?";
constexpr std::string_view kGetGift =
    "SELECT id, code, name, description, points_price, stock, active FROM gifts WHERE id = ?";
constexpr std::string_view kFindGiftByCode =
    "SELECT id, code, name, description, points_price, stock, active FROM gifts WHERE code = ?";
// `? = 1 OR active = 1`: one statement for "all" and "active only".
constexpr std::string_view kListGifts =
    "SELECT id, code, name, description, points_price, stock, active FROM gifts "
    "WHERE ? = 1 OR active = 1 ORDER BY code LIMIT ? OFFSET ?";
constexpr std::string_view kCountGifts = "SELECT COUNT(*) FROM gifts WHERE ? = 1 OR active = 1";
// The stock check and the decrement are one statement: on PostgreSQL a
// concurrent taker waits for the row lock and re-checks `stock >= ?` on the
// committed row; SQLite runs one writer at a time.
constexpr std::string_view kTakeGiftStock =
    "UPDATE gifts SET stock = stock - ? WHERE id = ? AND stock >= ? AND active = 1";

// ---- vouchers ----
constexpr std::string_view kInsertVoucher =
    "INSERT INTO vouchers (code, member_id, value, min_spend, valid_from, valid_to, source, "
    "used_at, used_transaction_id, created_at, created_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
#define VIPCARE_VOUCHER_COLUMNS                                                             \
  "SELECT id, code, member_id, value, min_spend, valid_from, valid_to, source, used_at, " \
  "used_transaction_id, created_at, created_by FROM vouchers "
constexpr std::string_view kFindVoucherByCode = VIPCARE_VOUCHER_COLUMNS "WHERE code = ?";
constexpr std::string_view kGetVoucher = VIPCARE_VOUCHER_COLUMNS "WHERE id = ?";
constexpr std::string_view kMemberVouchers =
    VIPCARE_VOUCHER_COLUMNS "WHERE member_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
#undef VIPCARE_VOUCHER_COLUMNS
constexpr std::string_view kCountMemberVouchers =
    "SELECT COUNT(*) FROM vouchers WHERE member_id = ?";
// `used_at IS NULL` in the same statement: a voucher presented at two tills
// at once is used by one sale only.
constexpr std::string_view kMarkVoucherUsed =
    "UPDATE vouchers SET used_at = ?, used_transaction_id = ? WHERE id = ? AND used_at IS NULL";

// ---- redemptions ----
constexpr std::string_view kInsertRedemption =
    "INSERT INTO redemptions (member_id, kind, gift_id, quantity, points, voucher_id, store_id, "
    "at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
#define VIPCARE_REDEMPTION_COLUMNS                                                       \
  "SELECT id, member_id, kind, gift_id, quantity, points, voucher_id, store_id, at, " \
  "created_by FROM redemptions "
constexpr std::string_view kGetRedemption = VIPCARE_REDEMPTION_COLUMNS "WHERE id = ?";
constexpr std::string_view kMemberRedemptions =
    VIPCARE_REDEMPTION_COLUMNS "WHERE member_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
#undef VIPCARE_REDEMPTION_COLUMNS
constexpr std::string_view kCountMemberRedemptions =
    "SELECT COUNT(*) FROM redemptions WHERE member_id = ?";

// ---- adjustments ----
constexpr std::string_view kInsertAdjustment =
    "INSERT INTO points_adjustments (member_id, points, reason, status, requested_by, "
    "requested_at, decided_by, decided_at, decision_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id";
constexpr std::string_view kGetAdjustment =
    "SELECT id, member_id, points, reason, status, requested_by, requested_at, decided_by, "
    "decided_at, decision_reason FROM points_adjustments WHERE id = ?";
// Each filter is `(? = 0 OR ...)` with a 0/1 flag, so one statement serves
// every combination and the parameter types are plain on both engines.
#define VIPCARE_ADJUSTMENT_WHERE                                                     \
  "FROM points_adjustments a JOIN members m ON m.id = a.member_id "                 \
  "WHERE (? = 0 OR a.status = ?) AND (? = 0 OR a.member_id = ?) "                   \
  "AND (? = 0 OR m.home_store_id = ?) "                                             \
  "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
constexpr std::string_view kListAdjustments =
    "SELECT a.id, a.member_id, a.points, a.reason, a.status, a.requested_by, a.requested_at, "
    "a.decided_by, a.decided_at, a.decision_reason " VIPCARE_ADJUSTMENT_WHERE
    "ORDER BY a.id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kCountAdjustments = "SELECT COUNT(*) " VIPCARE_ADJUSTMENT_WHERE;
#undef VIPCARE_ADJUSTMENT_WHERE
constexpr std::string_view kDecideAdjustment =
    "UPDATE points_adjustments SET status = ?, decided_by = ?, decided_at = ?, "
    "decision_reason = ? WHERE id = ? AND status = 'pending'";

GiftRecord ReadGift(const Row& r) {
  return {r.Int(0), r.Text(1), r.Text(2), r.Text(3), Points(r.Int(4)), r.Int(5), r.Int(6) != 0};
}

Date ReadDay(const Row& r, size_t i) { return Date::Parse(r.Text(i)).value_or(Date()); }

std::optional<Timestamp> ReadTime(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return FromEpochSeconds(r.Int(i));
}
Value OptTime(const std::optional<Timestamp>& t) {
  return t ? Value(ToEpochSeconds(*t)) : Value();
}

VoucherRecord ReadVoucher(const Row& r) {
  VoucherRecord v;
  v.id = r.Int(0);
  v.code = r.Text(1);
  v.member_id = MemberId(r.Int(2));
  v.value = Fen(r.Int(3));
  v.min_spend = Fen(r.Int(4));
  v.valid_from = ReadDay(r, 5);
  v.valid_to = ReadDay(r, 6);
  v.source = r.Text(7);
  v.used_at = ReadTime(r, 8);
  v.used_transaction_id = r.Int(9);
  v.created_at = FromEpochSeconds(r.Int(10));
  v.created_by = UserId(r.Int(11));
  return v;
}

RedemptionRecord ReadRedemption(const Row& r) {
  return {r.Int(0), MemberId(r.Int(1)), r.Text(2),        r.Int(3),
          r.Int(4), Points(r.Int(5)),   r.Int(6),         StoreId(r.Int(7)),
          FromEpochSeconds(r.Int(8)),   UserId(r.Int(9))};
}

AdjustmentRecord ReadAdjustment(const Row& r) {
  AdjustmentRecord a;
  a.id = r.Int(0);
  a.member_id = MemberId(r.Int(1));
  a.points = Points(r.Int(2));
  a.reason = r.Text(3);
  a.status = r.Text(4);
  a.requested_by = UserId(r.Int(5));
  a.requested_at = FromEpochSeconds(r.Int(6));
  a.decided_by = UserId(r.Int(7));
  a.decided_at = ReadTime(r, 8);
  a.decision_reason = r.Text(9);
  return a;
}

std::vector<Value> AdjustmentFilterParams(const AdjustmentFilter& f) {
  const int64_t member = f.member ? f.member->value : 0;
  const int64_t store = f.store ? f.store->value : 0;
  const int64_t region = f.region ? f.region->value : 0;
  return {int64_t(f.status.empty() ? 0 : 1),
          f.status,
          int64_t(member == 0 ? 0 : 1),
          member,
          int64_t(store == 0 ? 0 : 1),
          store,
          int64_t(region == 0 ? 0 : 1),
          region};
}

class SqlRewardsRepository final : public RewardsRepository {
 public:
  explicit SqlRewardsRepository(Db& db) : db_(db) {}

  int64_t InsertGift(GiftRecord& g) override {
    g.id = db_.QueryOne(kInsertGift, {g.code, g.name, g.description, g.points_price.value,
                                      g.stock, int64_t(g.active ? 1 : 0)})
               ->Int(0);
    return g.id;
  }
  bool UpdateGift(const GiftRecord& g) override {
    return db_.Exec(kUpdateGift, {g.code, g.name, g.description, g.points_price.value, g.stock,
                                  int64_t(g.active ? 1 : 0), g.id}) == 1;
  }
  std::optional<GiftRecord> GetGift(int64_t id) override {
    auto r = db_.QueryOne(kGetGift, {id});
    if (!r) return std::nullopt;
    return ReadGift(*r);
  }
  std::optional<GiftRecord> FindGiftByCode(const std::string& code) override {
    auto r = db_.QueryOne(kFindGiftByCode, {code});
    if (!r) return std::nullopt;
    return ReadGift(*r);
  }
  PageOf<GiftRecord> ListGifts(bool include_inactive, Page page) override {
    const int64_t all = include_inactive ? 1 : 0;
    PageOf<GiftRecord> out;
    for (const auto& r : db_.Query(kListGifts, {all, page.limit, page.offset})) {
      out.items.push_back(ReadGift(r));
    }
    out.total = db_.QueryOne(kCountGifts, {all})->Int(0);
    return out;
  }
  bool TakeGiftStock(int64_t gift_id, int64_t quantity) override {
    return db_.Exec(kTakeGiftStock, {quantity, gift_id, quantity}) == 1;
  }

  int64_t InsertVoucher(VoucherRecord& v) override {
    v.id = db_.QueryOne(kInsertVoucher,
                        {v.code, NullIfZero(v.member_id.value), v.value.value, v.min_spend.value,
                         v.valid_from.ToString(), v.valid_to.ToString(), v.source,
                         OptTime(v.used_at), NullIfZero(v.used_transaction_id),
                         ToEpochSeconds(v.created_at), NullIfZero(v.created_by.value)})
               ->Int(0);
    return v.id;
  }
  std::optional<VoucherRecord> FindVoucherByCode(const std::string& code) override {
    auto r = db_.QueryOne(kFindVoucherByCode, {code});
    if (!r) return std::nullopt;
    return ReadVoucher(*r);
  }
  std::optional<VoucherRecord> GetVoucher(int64_t id) override {
    auto r = db_.QueryOne(kGetVoucher, {id});
    if (!r) return std::nullopt;
    return ReadVoucher(*r);
  }
  PageOf<VoucherRecord> ListMemberVouchers(MemberId member, Page page) override {
    PageOf<VoucherRecord> out;
    for (const auto& r : db_.Query(kMemberVouchers, {member.value, page.limit, page.offset})) {
      out.items.push_back(ReadVoucher(r));
    }
    out.total = db_.QueryOne(kCountMemberVouchers, {member.value})->Int(0);
    return out;
  }
  bool MarkVoucherUsed(int64_t voucher_id, Timestamp at, int64_t transaction_id) override {
    return db_.Exec(kMarkVoucherUsed,
                    {ToEpochSeconds(at), NullIfZero(transaction_id), voucher_id}) == 1;
  }

  int64_t InsertRedemption(RedemptionRecord& r) override {
    r.id = db_.QueryOne(kInsertRedemption,
                        {r.member_id.value, r.kind, NullIfZero(r.gift_id), r.quantity,
                         r.points.value, NullIfZero(r.voucher_id), NullIfZero(r.store_id.value),
                         ToEpochSeconds(r.at), NullIfZero(r.created_by.value)})
               ->Int(0);
    return r.id;
  }
  std::optional<RedemptionRecord> GetRedemption(int64_t id) override {
    auto r = db_.QueryOne(kGetRedemption, {id});
    if (!r) return std::nullopt;
    return ReadRedemption(*r);
  }
  PageOf<RedemptionRecord> ListMemberRedemptions(MemberId member, Page page) override {
    PageOf<RedemptionRecord> out;
    for (const auto& r : db_.Query(kMemberRedemptions, {member.value, page.limit, page.offset})) {
      out.items.push_back(ReadRedemption(r));
    }
    out.total = db_.QueryOne(kCountMemberRedemptions, {member.value})->Int(0);
    return out;
  }

  int64_t InsertAdjustment(AdjustmentRecord& a) override {
    a.id = db_.QueryOne(kInsertAdjustment,
                        {a.member_id.value, a.points.value, a.reason, a.status,
                         NullIfZero(a.requested_by.value), ToEpochSeconds(a.requested_at),
                         NullIfZero(a.decided_by.value), OptTime(a.decided_at),
                         a.decision_reason})
               ->Int(0);
    return a.id;
  }
  std::optional<AdjustmentRecord> GetAdjustment(int64_t id) override {
    auto r = db_.QueryOne(kGetAdjustment, {id});
    if (!r) return std::nullopt;
    return ReadAdjustment(*r);
  }
  PageOf<AdjustmentRecord> ListAdjustments(const AdjustmentFilter& f, Page page) override {
    std::vector<Value> params = AdjustmentFilterParams(f);
    PageOf<AdjustmentRecord> out;
    out.total = db_.QueryOne(kCountAdjustments, params)->Int(0);
    params.push_back(page.limit);
    params.push_back(page.offset);
    for (const auto& r : db_.Query(kListAdjustments, params)) {
      out.items.push_back(ReadAdjustment(r));
    }
    return out;
  }
  bool DecideAdjustment(const AdjustmentRecord& a) override {
    return db_.Exec(kDecideAdjustment, {a.status, NullIfZero(a.decided_by.value),
                                        OptTime(a.decided_at), a.decision_reason, a.id}) == 1;
  }

 private:
  Db& db_;
};

}  // namespace

std::unique_ptr<RewardsRepository> MakeSqlRewardsRepository(Db& db) {
  return std::make_unique<SqlRewardsRepository>(db);
}

}  // namespace vipcare::store
