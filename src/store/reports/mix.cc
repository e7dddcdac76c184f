// The SQL of the R7 reports, shared by SQLite and PostgreSQL.
#include "store/reports/mix.h"

#include <algorithm>

namespace vipcare::store::reports {
namespace {

// Transactions are filtered as "store_id IN (the scope's stores) AND local_day
// in the period", never "(? = 0 OR store_id = ?)": that lets SQLite and
// PostgreSQL range-scan transactions_store_day (store_id, local_day) once per
// store of the scope, also when the scope is every store.
//
// The period's member sale and refund lines of the scope grouped by the key
// the first parameter names: "category", "brand", "price_band", or "all"
// (one group, key ''). The unit paid price of a refund line is its sale
// line's; the band of a unit price in fen: < 20000 is "0-199" (yuan).
// Parameters: by, from, to, store x2, region x2, tier flag, tier code.
constexpr std::string_view kMemberSalesMix =
    "SELECT y.k, SUM(y.paid), SUM(y.quantity), COUNT(DISTINCT y.buyer), SUM(y.sale_line) "
    "FROM (SELECT CASE CAST(? AS TEXT) WHEN 'category' THEN x.category "
    "  WHEN 'brand' THEN x.brand "
    "  WHEN 'price_band' THEN CASE WHEN x.unit < 20000 THEN '0-199' "
    "    WHEN x.unit < 50000 THEN '200-499' WHEN x.unit < 100000 THEN '500-999' "
    "    WHEN x.unit < 200000 THEN '1000-1999' WHEN x.unit < 500000 THEN '2000-4999' "
    "    ELSE '5000+' END "
    "  ELSE '' END AS k, "
    "  x.paid, x.quantity, x.buyer, x.sale_line "
    "  FROM (SELECT tl.category, tl.brand, tl.paid, tl.quantity, "
    "    CASE WHEN tl.quantity > 0 THEN tl.paid / tl.quantity "
    "         WHEN o.quantity > 0 THEN o.paid / o.quantity ELSE 0 END AS unit, "
    "    CASE WHEN t.kind = 'sale' THEN t.member_id END AS buyer, "
    "    CASE WHEN t.kind = 'sale' THEN 1 ELSE 0 END AS sale_line "
    "    FROM transactions t JOIN transaction_lines tl ON tl.transaction_id = t.id "
    "    LEFT JOIN transaction_lines o ON o.transaction_id = t.original_id "
    "      AND o.line_no = tl.original_line_no "
    "    LEFT JOIN member_loyalty ml ON ml.member_id = t.member_id "
    "    WHERE t.member_id IS NOT NULL AND t.local_day >= ? AND t.local_day <= ? "
    "    AND t.store_id IN (SELECT s.id FROM stores s "
    "      WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?)) "
    "    AND (? = 0 OR COALESCE(ml.tier_code, '') = ?)) x) y "
    "GROUP BY y.k";

// Parameters: from, to, store x2, region x2.
constexpr std::string_view kAllSales =
    "SELECT COALESCE(SUM(t.paid_total), 0) FROM transactions t "
    "WHERE t.local_day >= ? AND t.local_day <= ? "
    "AND t.store_id IN (SELECT s.id FROM stores s "
    "  WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?))";

// Parameters: registered_before, store x2, region x2, tier flag, tier code.
constexpr std::string_view kMembersByProfile =
    "SELECT COALESCE(m.birthday, ''), m.birthday_calendar, m.gender, COUNT(*) "
    "FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') AND m.created_at < ? "
    "AND (? = 0 OR m.home_store_id = ?) "
    "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "AND (? = 0 OR COALESCE(ml.tier_code, '') = ?) "
    "GROUP BY COALESCE(m.birthday, ''), m.birthday_calendar, m.gender";

// Parameters: from, to, store x2, region x2, tier flag, tier code. The store
// scope is where the sale was made.
constexpr std::string_view kBuyersByProfile =
    "SELECT COALESCE(m.birthday, ''), m.birthday_calendar, m.gender, "
    "COUNT(DISTINCT CASE WHEN t.kind = 'sale' THEN t.member_id END), SUM(t.paid_total) "
    "FROM transactions t JOIN members m ON m.id = t.member_id "
    "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE t.local_day >= ? AND t.local_day <= ? "
    "AND t.store_id IN (SELECT s.id FROM stores s "
    "  WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?)) "
    "AND (? = 0 OR COALESCE(ml.tier_code, '') = ?) "
    "GROUP BY COALESCE(m.birthday, ''), m.birthday_calendar, m.gender";

int64_t StoreParam(const ReportScope& s) { return s.store ? s.store->value : 0; }
int64_t RegionParam(const ReportScope& s) { return s.region ? s.region->value : 0; }

// from, to, store x2, region x2.
std::vector<Value> PeriodStores(Date from, Date to, const ReportScope& scope) {
  const int64_t s = StoreParam(scope), r = RegionParam(scope);
  return {from.ToString(), to.ToString(), s, s, r, r};
}

// `p` with the tier filter's parameters after it: flag, code ("none" = no
// tier, stored as ''). Sized up front, not grown.
std::vector<Value> WithTier(const std::vector<Value>& p, const ReportScope& scope) {
  std::vector<Value> out(p.size() + 2);
  std::copy(p.begin(), p.end(), out.begin());
  out[p.size()] = int64_t(scope.tier ? 1 : 0);
  out[p.size() + 1] = scope.tier && *scope.tier != "none" ? *scope.tier : std::string();
  return out;
}

const char* ByParam(MixBy by) {
  switch (by) {
    case MixBy::kCategory: return "category";
    case MixBy::kBrand: return "brand";
    case MixBy::kPriceBand: return "price_band";
  }
  return "category";
}

// `by` ("all" for the total) and the rest of kMemberSalesMix's parameters.
std::vector<Value> MixParams(const std::string& by, Date from, Date to, const ReportScope& scope) {
  const int64_t s = StoreParam(scope), r = RegionParam(scope);
  return WithTier({by, from.ToString(), to.ToString(), s, s, r, r}, scope);
}

}  // namespace

std::vector<MixRow> MemberSalesMix(ReportRepository& r, MixBy by, Date from, Date to,
                                   const ReportScope& scope) {
  std::vector<MixRow> out;
  for (const auto& row : r.db().Query(kMemberSalesMix, MixParams(ByParam(by), from, to, scope))) {
    out.push_back({row.Text(0), Fen(row.Int(1)), row.Int(2), row.Int(3), row.Int(4)});
  }
  // Sorted here so ties read the same on both engines (byte order of the key).
  std::sort(out.begin(), out.end(), [](const MixRow& a, const MixRow& b) {
    return a.sales != b.sales ? a.sales > b.sales : a.key < b.key;
  });
  return out;
}

MixRow MemberSalesTotal(ReportRepository& r, Date from, Date to, const ReportScope& scope) {
  auto row = r.db().QueryOne(kMemberSalesMix, MixParams("all", from, to, scope));
  if (!row) return {};  // no member sales: no group
  return {"", Fen(row->Int(1)), row->Int(2), row->Int(3), row->Int(4)};
}

Fen AllSales(ReportRepository& r, Date from, Date to, const ReportScope& scope) {
  auto row = r.db().QueryOne(kAllSales, PeriodStores(from, to, scope));
  return Fen(row ? row->Int(0) : 0);
}

std::vector<ProfileGroup> MembersByProfile(ReportRepository& r, Timestamp registered_before,
                                           const ReportScope& scope) {
  const int64_t s = StoreParam(scope), g = RegionParam(scope);
  const auto p = WithTier({ToEpochSeconds(registered_before), s, s, g, g}, scope);
  std::vector<ProfileGroup> out;
  for (const auto& row : r.db().Query(kMembersByProfile, p)) {
    out.push_back({row.Text(0), row.Text(1), row.Text(2), row.Int(3), 0, Fen(0)});
  }
  return out;
}

std::vector<ProfileGroup> BuyersByProfile(ReportRepository& r, Date from, Date to,
                                          const ReportScope& scope) {
  const auto p = WithTier(PeriodStores(from, to, scope), scope);
  std::vector<ProfileGroup> out;
  for (const auto& row : r.db().Query(kBuyersByProfile, p)) {
    out.push_back({row.Text(0), row.Text(1), row.Text(2), 0, row.Int(3), Fen(row.Int(4))});
  }
  return out;
}

}  // namespace vipcare::store::reports
