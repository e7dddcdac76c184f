// The SQL of R9 (campaigns), shared by SQLite and PostgreSQL.
#include "store/reports/campaigns.h"

#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// A refund is stored with a negative paid_total and counts on the day it was
// made, as in R2; it is not a purchase and makes nobody a buyer.
constexpr std::string_view kMemberSalesBetween =
    "SELECT COUNT(DISTINCT CASE WHEN t.kind = 'sale' THEN t.member_id END), "
    "SUM(CASE WHEN t.kind = 'sale' THEN 1 ELSE 0 END), COALESCE(SUM(t.paid_total), 0) "
    "FROM transactions t WHERE t.member_id IS NOT NULL "
    "AND t.local_day >= ? AND t.local_day <= ? "
    "AND (? = 0 OR t.store_id = ?) "
    "AND (? = 0 OR t.store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "AND (? = 0 OR t.member_id IN (SELECT ml.member_id FROM member_loyalty ml WHERE "
    VIPCARE_TIER_FILTER("ml") "))";

}  // namespace

MemberSalesWindow MemberSalesBetween(ReportRepository& r, Date from, Date to,
                                     const ReportScope& scope) {
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t g = scope.region ? scope.region->value : 0;
  std::vector<Value> p = {from.ToString(), to.ToString(), s, s, g, g};
  AppendOptionalTierFilter(p, scope);
  MemberSalesWindow out;
  auto row = r.db().QueryOne(kMemberSalesBetween, p);
  if (row) {
    out.buyers = row->Int(0);
    out.sales = row->Int(1);
    out.sales_fen = Fen(row->Int(2));
  }
  return out;
}

}  // namespace vipcare::store::reports
