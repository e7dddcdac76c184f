// The SQL of the R7 reports, shared by SQLite and PostgreSQL.
#include "store/reports/mix.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace vipcare::store::reports {
namespace {

// Transactions are filtered as "store_id IN (the scope's stores) AND local_day
// in the period", never "(? = 0 OR store_id = ?)": that lets SQLite and
// PostgreSQL range-scan transactions_store_day (store_id, local_day) once per
// store of the scope, also when the scope is every store.
//
// The stores of the scope: parameters store x2, region x2.
#define VIPCARE_SCOPE_STORES \
  "(SELECT s.id FROM stores s WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?)) "

// The period's member sale and refund lines of the scope grouped by the key
// the first parameter names: "category", "brand", "price_band", or "all"
// (one group, key ''). The unit paid price of a refund line is its sale
// line's; the band of a unit price in fen: < 20000 is "0-199" (yuan).
// Without and with the tier filter (member_loyalty is joined only when a
// tier is asked). Parameters: by, from, to, store x2, region x2[, tier code].
#define VIPCARE_MIX_SELECT                                                          \
  "SELECT y.k, SUM(y.paid), SUM(y.quantity), COUNT(DISTINCT y.buyer), SUM(y.sale_line) " \
  "FROM (SELECT CASE CAST(? AS TEXT) WHEN 'category' THEN x.category "              \
  "  WHEN 'brand' THEN x.brand "                                                    \
  "  WHEN 'price_band' THEN CASE WHEN x.unit < 20000 THEN '0-199' "                 \
  "    WHEN x.unit < 50000 THEN '200-499' WHEN x.unit < 100000 THEN '500-999' "     \
  "    WHEN x.unit < 200000 THEN '1000-1999' WHEN x.unit < 500000 THEN '2000-4999' " \
  "    ELSE '5000+' END "                                                           \
  "  ELSE '' END AS k, "                                                            \
  "  x.paid, x.quantity, x.buyer, x.sale_line "                                     \
  "  FROM (SELECT tl.category, tl.brand, tl.paid, tl.quantity, "                    \
  "    CASE WHEN tl.quantity > 0 THEN tl.paid / tl.quantity "                       \
  "         WHEN o.quantity > 0 THEN o.paid / o.quantity ELSE 0 END AS unit, "      \
  "    CASE WHEN t.kind = 'sale' THEN t.member_id END AS buyer, "                   \
  "    CASE WHEN t.kind = 'sale' THEN 1 ELSE 0 END AS sale_line "                   \
  "    FROM transactions t JOIN transaction_lines tl ON tl.transaction_id = t.id "  \
  "    LEFT JOIN transaction_lines o ON o.transaction_id = t.original_id "          \
  "      AND o.line_no = tl.original_line_no "
#define VIPCARE_MIX_WHERE                                                           \
  "    WHERE t.member_id IS NOT NULL AND t.local_day >= ? AND t.local_day <= ? "    \
  "    AND t.store_id IN " VIPCARE_SCOPE_STORES
#define VIPCARE_MIX_GROUP ") x) y GROUP BY y.k"

constexpr std::string_view kMemberSalesMix =
    VIPCARE_MIX_SELECT VIPCARE_MIX_WHERE VIPCARE_MIX_GROUP;
constexpr std::string_view kMemberSalesMixOfTier =
    VIPCARE_MIX_SELECT "    LEFT JOIN member_loyalty ml ON ml.member_id = t.member_id "
    VIPCARE_MIX_WHERE "    AND COALESCE(ml.tier_code, '') = ? " VIPCARE_MIX_GROUP;

// Parameters: from, to, store x2, region x2.
constexpr std::string_view kAllSales =
    "SELECT COALESCE(SUM(t.paid_total), 0) FROM transactions t "
    "WHERE t.local_day >= ? AND t.local_day <= ? AND t.store_id IN " VIPCARE_SCOPE_STORES;

// The open members of the scope registered before an instant, grouped by
// birthday, calendar and gender in the order of members_report_profile
// (gender, birthday_calendar, birthday, home_store_id, status, created_at, id;
// migration 6): both engines read that index alone, and SQLite makes the
// groups as it goes instead of sorting a million rows (measured 0.25 s
// against 1.6 s at 1M members). The home stores keep the "(? = 0 OR ...)"
// form for that reason: "home_store_id IN (...)" would lead SQLite to
// members_report_scope and a sort. A missing birthday is grouped as stored
// (NULL or ''), shown as '' and merged by the caller. Without and with the
// tier filter. Parameters: registered_before, store x2, region x2[, tier code].
#define VIPCARE_MEMBERS_SELECT \
  "SELECT COALESCE(m.birthday, ''), m.birthday_calendar, m.gender, COUNT(*) FROM members m "
#define VIPCARE_MEMBERS_WHERE                                                       \
  "WHERE m.status NOT IN ('closed', 'merged', 'erased') AND m.created_at < ? "      \
  "AND (? = 0 OR m.home_store_id = ?) "                                             \
  "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
#define VIPCARE_MEMBERS_GROUP "GROUP BY m.gender, m.birthday_calendar, m.birthday"

constexpr std::string_view kMembersByProfile =
    VIPCARE_MEMBERS_SELECT VIPCARE_MEMBERS_WHERE VIPCARE_MEMBERS_GROUP;
constexpr std::string_view kMembersByProfileOfTier =
    VIPCARE_MEMBERS_SELECT "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    VIPCARE_MEMBERS_WHERE "AND COALESCE(ml.tier_code, '') = ? " VIPCARE_MEMBERS_GROUP;

// The store scope is where the sale was made. Without and with the tier
// filter. Parameters: from, to, store x2, region x2[, tier code].
#define VIPCARE_BUYERS_SELECT                                                       \
  "SELECT COALESCE(m.birthday, ''), m.birthday_calendar, m.gender, "                \
  "COUNT(DISTINCT CASE WHEN t.kind = 'sale' THEN t.member_id END), SUM(t.paid_total) " \
  "FROM transactions t JOIN members m ON m.id = t.member_id "
#define VIPCARE_BUYERS_WHERE                                                        \
  "WHERE t.local_day >= ? AND t.local_day <= ? AND t.store_id IN " VIPCARE_SCOPE_STORES
#define VIPCARE_BUYERS_GROUP "GROUP BY COALESCE(m.birthday, ''), m.birthday_calendar, m.gender"

constexpr std::string_view kBuyersByProfile =
    VIPCARE_BUYERS_SELECT VIPCARE_BUYERS_WHERE VIPCARE_BUYERS_GROUP;
constexpr std::string_view kBuyersByProfileOfTier =
    VIPCARE_BUYERS_SELECT "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    VIPCARE_BUYERS_WHERE "AND COALESCE(ml.tier_code, '') = ? " VIPCARE_BUYERS_GROUP;

#undef VIPCARE_BUYERS_GROUP
#undef VIPCARE_BUYERS_WHERE
#undef VIPCARE_BUYERS_SELECT
#undef VIPCARE_MEMBERS_GROUP
#undef VIPCARE_MEMBERS_WHERE
#undef VIPCARE_MEMBERS_SELECT
#undef VIPCARE_MIX_GROUP
#undef VIPCARE_MIX_WHERE
#undef VIPCARE_MIX_SELECT
#undef VIPCARE_SCOPE_STORES

int64_t StoreParam(const ReportScope& s) { return s.store ? s.store->value : 0; }
int64_t RegionParam(const ReportScope& s) { return s.region ? s.region->value : 0; }

// from, to, store x2, region x2.
std::vector<Value> PeriodStores(Date from, Date to, const ReportScope& scope) {
  const int64_t s = StoreParam(scope), r = RegionParam(scope);
  return {from.ToString(), to.ToString(), s, s, r, r};
}

// Appends the tier filter's parameter when a tier is asked: the code
// ("none" = no tier, stored as ''). Returns whether it did, i.e. whether the
// parameters fit the "...OfTier" SQL text.
bool AddTier(std::vector<Value>& p, const ReportScope& scope) {
  if (!scope.tier) return false;
  p.push_back(*scope.tier != "none" ? *scope.tier : std::string());
  return true;
}

const char* ByParam(MixBy by) {
  switch (by) {
    case MixBy::kCategory: return "category";
    case MixBy::kBrand: return "brand";
    case MixBy::kPriceBand: return "price_band";
  }
  return "category";
}

}  // namespace

std::vector<MixRow> MemberSalesMix(ReportRepository& r, MixBy by, Date from, Date to,
                                   const ReportScope& scope) {
  const int64_t s = StoreParam(scope), g = RegionParam(scope);
  std::vector<Value> p = {std::string(ByParam(by)), from.ToString(), to.ToString(), s, s, g, g};
  const bool tier = AddTier(p, scope);
  std::vector<MixRow> out;
  for (const auto& row : r.db().Query(tier ? kMemberSalesMixOfTier : kMemberSalesMix, p)) {
    out.push_back({row.Text(0), Fen(row.Int(1)), row.Int(2), row.Int(3), row.Int(4)});
  }
  // Sorted here so ties read the same on both engines (byte order of the key).
  std::sort(out.begin(), out.end(), [](const MixRow& a, const MixRow& b) {
    return a.sales != b.sales ? a.sales > b.sales : a.key < b.key;
  });
  return out;
}

MixRow MemberSalesTotal(ReportRepository& r, Date from, Date to, const ReportScope& scope) {
  const int64_t s = StoreParam(scope), g = RegionParam(scope);
  std::vector<Value> p = {std::string("all"), from.ToString(), to.ToString(), s, s, g, g};
  const bool tier = AddTier(p, scope);
  auto row = r.db().QueryOne(tier ? kMemberSalesMixOfTier : kMemberSalesMix, p);
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
  std::vector<Value> p = {ToEpochSeconds(registered_before), s, s, g, g};
  const bool tier = AddTier(p, scope);
  std::vector<ProfileGroup> out;
  // A missing birthday may be stored as NULL or '': one group for both.
  std::map<std::pair<std::string, std::string>, size_t> no_birthday;  // (calendar, gender)
  for (const auto& row : r.db().Query(tier ? kMembersByProfileOfTier : kMembersByProfile, p)) {
    ProfileGroup g{row.Text(0), row.Text(1), row.Text(2), row.Int(3), 0, Fen(0)};
    if (g.birthday.empty()) {
      auto [it, added] = no_birthday.emplace(std::pair(g.calendar, g.gender), out.size());
      if (!added) {
        out[it->second].members += g.members;
        continue;
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<ProfileGroup> BuyersByProfile(ReportRepository& r, Date from, Date to,
                                          const ReportScope& scope) {
  std::vector<Value> p = PeriodStores(from, to, scope);
  const bool tier = AddTier(p, scope);
  std::vector<ProfileGroup> out;
  for (const auto& row : r.db().Query(tier ? kBuyersByProfileOfTier : kBuyersByProfile, p)) {
    out.push_back({row.Text(0), row.Text(1), row.Text(2), 0, row.Int(3), Fen(row.Int(4))});
  }
  return out;
}

}  // namespace vipcare::store::reports
