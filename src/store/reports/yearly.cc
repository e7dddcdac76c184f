// The SQL of R10 (a member's yearly consumption analysis), shared by SQLite
// and PostgreSQL.
#include "store/reports/yearly.h"

namespace vipcare::store::reports {
namespace {

constexpr std::string_view kMemberMonths =
    "SELECT month, spend, purchases, largest, points FROM member_months "
    "WHERE member_id = ? AND month >= ? AND month <= ? ORDER BY month";

// A refund line repeats the category and brand of the line it returns and
// carries a negative paid amount; it counts on its sale's day.
#define VIPCARE_SPEND_BY(col)                                          \
  "SELECT " col                                                        \
  ", SUM(l.paid), SUM(l.quantity) FROM transaction_lines l "           \
  "JOIN transactions t ON t.id = l.transaction_id "                    \
  "LEFT JOIN transactions o ON o.id = t.original_id "                  \
  "WHERE t.member_id = ? AND COALESCE(o.local_day, t.local_day) >= ? " \
  "AND COALESCE(o.local_day, t.local_day) <= ? GROUP BY " col " ORDER BY SUM(l.paid) DESC, " col
constexpr std::string_view kSpendByCategory = VIPCARE_SPEND_BY("l.category");
constexpr std::string_view kSpendByBrand = VIPCARE_SPEND_BY("l.brand");
#undef VIPCARE_SPEND_BY

constexpr std::string_view kLargestSale =
    "SELECT t.id, t.local_day, t.store_id, t.paid_total, "
    "(SELECT COALESCE(SUM(-f.paid_total), 0) FROM transactions f WHERE f.original_id = t.id), "
    "(SELECT COUNT(*) FROM transaction_lines l WHERE l.transaction_id = t.id) "
    "FROM transactions t WHERE t.member_id = ? AND t.kind = 'sale' "
    "AND t.local_day >= ? AND t.local_day <= ? "
    "ORDER BY t.paid_total DESC, t.occurred_at, t.id LIMIT 1";

constexpr std::string_view kPurchaseDays =
    "SELECT COUNT(DISTINCT local_day) FROM transactions "
    "WHERE member_id = ? AND kind = 'sale' AND local_day >= ? AND local_day <= ?";

constexpr std::string_view kLedgerByKind =
    "SELECT kind, SUM(points) FROM points_ledger WHERE member_id = ? AND at >= ? AND at < ? "
    "GROUP BY kind";

constexpr std::string_view kContactsByChannel =
    "SELECT channel, COUNT(*) FROM care_contacts WHERE member_id = ? AND day >= ? AND day <= ? "
    "GROUP BY channel";

constexpr std::string_view kTierChanges =
    "SELECT id, at, kind, from_tier, to_tier, reason, actor_id FROM tier_history "
    "WHERE member_id = ? AND at >= ? AND at < ? ORDER BY at, id";

std::vector<SpendShare> SpendBy(ReportRepository& r, std::string_view sql, MemberId member,
                                Date from, Date to) {
  std::vector<SpendShare> out;
  for (const auto& row : r.db().Query(sql, {member.value, from.ToString(), to.ToString()})) {
    out.push_back({row.Text(0), Fen(row.Int(1)), row.Int(2)});
  }
  return out;
}

}  // namespace

std::vector<MonthBucket> MemberMonths(ReportRepository& r, MemberId member, int64_t from_month,
                                      int64_t to_month) {
  std::vector<MonthBucket> out;
  for (const auto& row : r.db().Query(kMemberMonths, {member.value, from_month, to_month})) {
    out.push_back(
        {member, row.Int(0), Fen(row.Int(1)), row.Int(2), Fen(row.Int(3)), Points(row.Int(4))});
  }
  return out;
}

std::vector<SpendShare> MemberSpendByCategory(ReportRepository& r, MemberId member, Date from,
                                              Date to) {
  return SpendBy(r, kSpendByCategory, member, from, to);
}

std::vector<SpendShare> MemberSpendByBrand(ReportRepository& r, MemberId member, Date from,
                                           Date to) {
  return SpendBy(r, kSpendByBrand, member, from, to);
}

std::optional<LargestSale> MemberLargestSale(ReportRepository& r, MemberId member, Date from,
                                             Date to) {
  auto row = r.db().QueryOne(kLargestSale, {member.value, from.ToString(), to.ToString()});
  if (!row) return std::nullopt;
  LargestSale s;
  s.transaction_id = row->Int(0);
  s.day = Date::Parse(row->Text(1)).value_or(from);
  s.store_id = StoreId(row->Int(2));
  s.paid = Fen(row->Int(3));
  s.refunded = Fen(row->Int(4));
  s.lines = row->Int(5);
  return s;
}

int64_t MemberPurchaseDays(ReportRepository& r, MemberId member, Date from, Date to) {
  auto row = r.db().QueryOne(kPurchaseDays, {member.value, from.ToString(), to.ToString()});
  return row ? row->Int(0) : 0;
}

std::map<std::string, Points> MemberLedgerByKind(ReportRepository& r, MemberId member,
                                                 Timestamp from_at, Timestamp to_at) {
  std::map<std::string, Points> out;
  for (const auto& row : r.db().Query(
           kLedgerByKind, {member.value, ToEpochSeconds(from_at), ToEpochSeconds(to_at)})) {
    out[row.Text(0)] = Points(row.Int(1));
  }
  return out;
}

std::map<std::string, int64_t> MemberContactsByChannel(ReportRepository& r, MemberId member,
                                                       Date from, Date to) {
  std::map<std::string, int64_t> out;
  for (const auto& row :
       r.db().Query(kContactsByChannel, {member.value, from.ToString(), to.ToString()})) {
    out[row.Text(0)] = row.Int(1);
  }
  return out;
}

std::vector<TierChange> MemberTierChanges(ReportRepository& r, MemberId member, Timestamp from_at,
                                          Timestamp to_at) {
  std::vector<TierChange> out;
  for (const auto& row :
       r.db().Query(kTierChanges, {member.value, ToEpochSeconds(from_at), ToEpochSeconds(to_at)})) {
    TierChange c;
    c.id = row.Int(0);
    c.member_id = member;
    c.at = FromEpochSeconds(row.Int(1));
    c.kind = row.Text(2);
    c.from_tier = row.Text(3);
    c.to_tier = row.Text(4);
    c.reason = row.Text(5);
    c.actor = UserId(row.Int(6));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace vipcare::store::reports
