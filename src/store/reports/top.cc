// The SQL of the R6 report, shared by SQLite and PostgreSQL.
#include "store/reports/top.h"

#include <algorithm>

namespace vipcare::store::reports {
namespace {

// Parameters: from_month, to_month, previous_from, previous_to (the two
// windows, which may overlap), the lowest and highest month of both, store x2,
// region x2, tier x2, limit x6. ROW_NUMBER() over every member of the scope:
// members with positive spend sort first, so the first `limit` of them are
// the rows numbered 1..limit with spend > 0.
constexpr std::string_view kTopMembers =
    "WITH s AS ("
    "  SELECT mm.member_id, "
    "    SUM(CASE WHEN mm.month >= ? AND mm.month <= ? THEN mm.spend ELSE 0 END) AS cur, "
    "    SUM(CASE WHEN mm.month >= ? AND mm.month <= ? THEN mm.spend ELSE 0 END) AS prev "
    "  FROM member_months mm JOIN members m ON m.id = mm.member_id "
    "  LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "  WHERE mm.month >= ? AND mm.month <= ? "
    "  AND m.status NOT IN ('closed', 'merged', 'erased') "
    "  AND (? = 0 OR m.home_store_id = ?) "
    "  AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "  AND (? = '' OR ml.tier_code = ?) "
    "  GROUP BY mm.member_id), "
    "ranked AS ("
    "  SELECT member_id, cur, prev, "
    "    ROW_NUMBER() OVER (ORDER BY cur DESC, member_id) AS cr, "
    "    ROW_NUMBER() OVER (ORDER BY prev DESC, member_id) AS pr "
    "  FROM s) "
    "SELECT r.member_id, m.member_no, m.home_store_id, COALESCE(ml.tier_code, ''), r.cur, r.prev, "
    "  CASE WHEN r.cur > 0 AND r.cr <= ? THEN r.cr END, "
    "  CASE WHEN r.prev > 0 AND r.pr <= ? THEN r.pr END "
    "FROM ranked r JOIN members m ON m.id = r.member_id "
    "LEFT JOIN member_loyalty ml ON ml.member_id = r.member_id "
    "WHERE (r.cur > 0 AND r.cr <= ?) OR (r.prev > 0 AND r.pr <= ?) "
    "ORDER BY CASE WHEN r.cur > 0 AND r.cr <= ? THEN r.cr ELSE ? + r.pr END";

}  // namespace

std::vector<TopMember> TopMembersBySpend(ReportRepository& r, int64_t from_month,
                                         int64_t to_month, int64_t previous_from,
                                         int64_t previous_to, int64_t limit,
                                         const ReportScope& scope) {
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t g = scope.region ? scope.region->value : 0;
  const std::string tier = scope.tier.value_or("");
  const int64_t lowest = std::min(from_month, previous_from);
  const int64_t highest = std::max(to_month, previous_to);
  std::vector<TopMember> out;
  for (const auto& row :
       r.db().Query(kTopMembers, {from_month, to_month, previous_from, previous_to, lowest,
                                  highest, s, s, g, g, tier, tier, limit, limit, limit, limit,
                                  limit, limit})) {
    TopMember t;
    t.member_id = MemberId(row.Int(0));
    t.member_no = row.Text(1);
    t.home_store_id = StoreId(row.Int(2));
    t.tier_code = row.Text(3);
    t.spend = Fen(row.Int(4));
    t.previous_spend = Fen(row.Int(5));
    t.rank = row.OptInt(6);
    t.previous_rank = row.OptInt(7);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace vipcare::store::reports
