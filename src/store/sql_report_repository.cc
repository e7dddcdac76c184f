// The SQL of ReportRepository, shared by SQLite and PostgreSQL.
#include "store/report_repository.h"

namespace vipcare::store {
namespace {

// A refund is stored with a negative paid_total and counts against the
// month it was made in; local_day is the company-local day, so the month is
// its first seven characters.
constexpr std::string_view kSalesByStoreMonth =
    "SELECT substr(t.local_day, 1, 7) AS month, t.store_id, "
    "SUM(t.paid_total), "
    "SUM(CASE WHEN t.member_id IS NULL THEN 0 ELSE t.paid_total END), "
    "SUM(CASE WHEN t.kind = 'sale' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN t.kind = 'sale' AND t.member_id IS NOT NULL THEN 1 ELSE 0 END) "
    "FROM transactions t "
    "WHERE t.local_day >= ? AND t.local_day < ? "
    "AND t.store_id IN (SELECT s.id FROM stores s WHERE (? = 0 OR s.id = ?) "
    "AND (? = 0 OR s.region_id = ?)) "
    "GROUP BY substr(t.local_day, 1, 7), t.store_id ORDER BY 1, 2";

}  // namespace

std::vector<StoreMonthSales> ReportRepository::SalesByStoreMonth(const std::string& from,
                                                                 const std::string& to,
                                                                 const ReportScope& scope) {
  // [from-01, the day after `to`'s month): "YYYY-MM" + "-32" sorts after
  // every day of the month.
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t r = scope.region ? scope.region->value : 0;
  std::vector<StoreMonthSales> out;
  for (const auto& row : db_.Query(kSalesByStoreMonth, {from + "-01", to + "-32", s, s, r, r})) {
    out.push_back({row.Text(0), StoreId(row.Int(1)), Fen(row.Int(2)), Fen(row.Int(3)), row.Int(4),
                   row.Int(5)});
  }
  return out;
}

std::unique_ptr<ReportRepository> MakeSqlReportRepository(Db& db) {
  return std::make_unique<ReportRepository>(db);
}

}  // namespace vipcare::store
