// The SQL of the R4 reports, shared by SQLite and PostgreSQL.
#include "store/reports/activity.h"

#include <string>

namespace vipcare::store::reports {
namespace {

// Parameters: as_of - 89 days, as_of - 180 days, as_of - 365 days, as_of x2,
// store x2, region x2, tier x2, as_of_end. Days are 'YYYY-MM-DD' text, so
// they compare as they sort. The home stores are "home_store_id IN (the
// scope's stores)" so that both engines read members_report_scope
// (home_store_id, created_at, status, ..., id; migration 6) one range per
// store, in store order (no sort for the GROUP BY on SQLite), never the wide
// members rows. member_loyalty stays joined without a tier filter: it holds
// the last purchase.
constexpr std::string_view kActivityByStore =
    "SELECT x.store_id, COUNT(*), "
    "SUM(CASE WHEN x.lp >= ? THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN x.lp <= ? THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN x.lp <= ? THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN x.lp IS NULL THEN 1 ELSE 0 END) "
    "FROM (SELECT m.home_store_id AS store_id, m.created_at, "
    "  CASE WHEN ml.last_purchase_on IS NULL THEN NULL "
    "       WHEN ml.last_purchase_on <= ? THEN ml.last_purchase_on "
    "       ELSE (SELECT MAX(t.local_day) FROM transactions t WHERE t.member_id = m.id "
    "             AND t.kind = 'sale' AND t.local_day <= ?) END AS lp "
    "  FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "  WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "  AND m.home_store_id IN (SELECT s.id FROM stores s "
    "    WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?)) "
    "  AND (? = '' OR ml.tier_code = ?)) x "
    "WHERE x.created_at < ? OR x.lp IS NOT NULL "
    "GROUP BY x.store_id ORDER BY x.store_id";

// Parameters: as_of x2, from_month, to_month, store x2, region x2, tier x2.
// RANK() gives tied values the rank of the first of them; the score is
// 1 + 5 * (rank - 1) / n in integer arithmetic (see RfmCells). A buyer's
// last purchase cannot be missing (they made a sale in the window); '' would
// sort it first, i.e. as the worst recency.
constexpr std::string_view kRfmCells =
    "WITH buyers AS ("
    "  SELECT s.f, s.mon, "
    "    COALESCE(CASE WHEN ml.last_purchase_on <= ? THEN ml.last_purchase_on "
    "      ELSE (SELECT MAX(t.local_day) FROM transactions t WHERE t.member_id = m.id "
    "            AND t.kind = 'sale' AND t.local_day <= ?) END, '') AS lp "
    "  FROM (SELECT mm.member_id, SUM(mm.purchases) AS f, SUM(mm.spend) AS mon "
    "        FROM member_months mm WHERE mm.month >= ? AND mm.month <= ? "
    "        GROUP BY mm.member_id HAVING SUM(mm.purchases) > 0) s "
    "  JOIN members m ON m.id = s.member_id "
    "  LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "  WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "  AND (? = 0 OR m.home_store_id = ?) "
    "  AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "  AND (? = '' OR ml.tier_code = ?)), "
    "ranked AS ("
    "  SELECT mon, "
    "    RANK() OVER (ORDER BY lp) AS rr, "
    "    RANK() OVER (ORDER BY f) AS fr, "
    "    RANK() OVER (ORDER BY mon) AS mr, "
    "    COUNT(*) OVER () AS n "
    "  FROM buyers) "
    "SELECT 1 + 5 * (rr - 1) / n AS r, 1 + 5 * (fr - 1) / n AS f, 1 + 5 * (mr - 1) / n AS m, "
    "COUNT(*), SUM(mon) "
    "FROM ranked GROUP BY 1 + 5 * (rr - 1) / n, 1 + 5 * (fr - 1) / n, 1 + 5 * (mr - 1) / n "
    "ORDER BY 1, 2, 3";

struct ScopeParams {
  int64_t store;
  int64_t region;
  std::string tier;
};

ScopeParams Params(const ReportScope& s) {
  return {s.store ? s.store->value : 0, s.region ? s.region->value : 0, s.tier.value_or("")};
}

}  // namespace

std::vector<StoreActivity> ActivityByStore(ReportRepository& r, Date as_of, Timestamp as_of_end,
                                           const ReportScope& scope) {
  const ScopeParams p = Params(scope);
  const std::string day = as_of.ToString();
  std::vector<StoreActivity> out;
  for (const auto& row : r.db().Query(
           kActivityByStore,
           {as_of.AddDays(-89).ToString(), as_of.AddDays(-180).ToString(),
            as_of.AddDays(-365).ToString(), day, day, p.store, p.store, p.region, p.region, p.tier,
            p.tier, ToEpochSeconds(as_of_end)})) {
    out.push_back({StoreId(row.Int(0)), row.Int(1), row.Int(2), row.Int(3), row.Int(4),
                   row.Int(5)});
  }
  return out;
}

std::vector<RfmCell> RfmCells(ReportRepository& r, Date as_of, int64_t from_month,
                              int64_t to_month, const ReportScope& scope) {
  const ScopeParams p = Params(scope);
  const std::string day = as_of.ToString();
  std::vector<RfmCell> out;
  for (const auto& row : r.db().Query(kRfmCells, {day, day, from_month, to_month, p.store, p.store,
                                                  p.region, p.region, p.tier, p.tier})) {
    out.push_back({int(row.Int(0)), int(row.Int(1)), int(row.Int(2)), row.Int(3),
                   Fen(row.Int(4))});
  }
  return out;
}

}  // namespace vipcare::store::reports
