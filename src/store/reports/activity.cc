// The SQL of the R4 reports, shared by SQLite and PostgreSQL.
#include "store/reports/activity.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace vipcare::store::reports {
namespace {

// A member's last purchase on or before the as-of day (see activity.h), for
// `m` (members) joined with `ml` (member_loyalty). Parameters: day, partial
// (1 when the day is not its month's last), month_start, day_end,
// through_month (the last month wholly on or before the day, yyyymm).
#define VIPCARE_LAST_PURCHASE_AS_OF                                                       \
  "CASE WHEN ml.last_purchase_on IS NULL THEN NULL "                                      \
  "WHEN ml.last_purchase_on <= ? THEN ml.last_purchase_on "                               \
  "ELSE COALESCE((SELECT MAX(t.local_day) FROM transactions t WHERE ? = 1 "               \
  "  AND t.member_id = m.id AND t.occurred_at >= ? AND t.occurred_at < ? "                \
  "  AND t.kind = 'sale'), "                                                              \
  "  (SELECT MAX(mm.last_day) FROM member_months mm WHERE mm.member_id = m.id "           \
  "  AND mm.month <= ?)) END"

// One row per open member of the scope: home store, registered before the
// day ended (0/1), last purchase as of the day. The home stores are
// "home_store_id IN (the scope's stores)" so that both engines read
// members_report_scope (home_store_id, created_at, status, ..., id;
// migration 6) one range per store, never the wide members rows; the rows
// come in store order. Parameters: day_end, the five of
// VIPCARE_LAST_PURCHASE_AS_OF, store x2, region x2, tier x2.
constexpr std::string_view kMembersAsOf =
    "SELECT m.home_store_id, CASE WHEN m.created_at < ? THEN 1 ELSE 0 END, "
    VIPCARE_LAST_PURCHASE_AS_OF " "
    "FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "AND m.home_store_id IN (SELECT s.id FROM stores s "
    "  WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?)) "
    "AND (? = '' OR ml.tier_code = ?)";

// One row per buyer of the window: sales, spend, last purchase as of the day.
// Parameters: whole (1 when the day is its month's last: the window's own
// latest sale day is the answer), the five of VIPCARE_LAST_PURCHASE_AS_OF,
// from_month, to_month, store x2, region x2, tier x2.
constexpr std::string_view kRfmBuyers =
    "SELECT s.f, s.mon, CASE WHEN ? = 1 THEN s.last_day ELSE " VIPCARE_LAST_PURCHASE_AS_OF " END "
    "FROM (SELECT mm.member_id, SUM(mm.purchases) AS f, SUM(mm.spend) AS mon, "
    "        MAX(mm.last_day) AS last_day "
    "      FROM member_months mm WHERE mm.month >= ? AND mm.month <= ? "
    "      GROUP BY mm.member_id HAVING SUM(mm.purchases) > 0) s "
    "JOIN members m ON m.id = s.member_id "
    "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "AND (? = 0 OR m.home_store_id = ?) "
    "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "AND (? = '' OR ml.tier_code = ?)";

#undef VIPCARE_LAST_PURCHASE_AS_OF

int64_t YearMonth(Date d) { return int64_t(d.year()) * 100 + d.month(); }

bool IsMonthsLastDay(Date d) { return d.AddDays(1).month() != d.month(); }

// The parameters of VIPCARE_LAST_PURCHASE_AS_OF.
void AddAsOf(std::vector<Value>& p, const AsOfDay& a) {
  const bool whole = IsMonthsLastDay(a.day);
  const Date month_first = Date::FromYmd(a.day.year(), a.day.month(), 1);
  const int64_t through = whole ? YearMonth(a.day) : YearMonth(month_first.AddDays(-1));
  p.insert(p.end(), {a.day.ToString(), int64_t(whole ? 0 : 1), ToEpochSeconds(a.month_start),
                     ToEpochSeconds(a.day_end), through});
}

struct ScopeParams {
  int64_t store;
  int64_t region;
  std::string tier;
};

ScopeParams Params(const ReportScope& s) {
  return {s.store ? s.store->value : 0, s.region ? s.region->value : 0, s.tier.value_or("")};
}

void AddScope(std::vector<Value>& p, const ReportScope& scope) {
  const ScopeParams s = Params(scope);
  p.insert(p.end(), {s.store, s.store, s.region, s.region, s.tier, s.tier});
}

// The RFM score of each value of `values` (see RfmCells): 1 + 5 * below / n,
// below = how many values are strictly lower.
template <class T>
std::vector<int> Scores(const std::vector<T>& values) {
  std::vector<T> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const int64_t n = int64_t(values.size());
  std::vector<int> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t below = std::lower_bound(sorted.begin(), sorted.end(), values[i]) - sorted.begin();
    out[i] = int(1 + 5 * below / n);
  }
  return out;
}

}  // namespace

std::vector<StoreActivity> ActivityByStore(ReportRepository& r, const AsOfDay& as_of,
                                           const ReportScope& scope) {
  std::vector<Value> p = {ToEpochSeconds(as_of.day_end)};
  AddAsOf(p, as_of);
  AddScope(p, scope);
  // Days are 'YYYY-MM-DD' text, so they compare as they sort.
  const std::string active_from = as_of.day.AddDays(-89).ToString();
  const std::string dormant_180 = as_of.day.AddDays(-180).ToString();
  const std::string dormant_365 = as_of.day.AddDays(-365).ToString();
  std::vector<StoreActivity> out;
  r.db().QueryEach(kMembersAsOf, p, [&](const Row& row) {
    const bool registered = row.Int(1) != 0;
    const bool bought = !row.IsNull(2);
    if (!registered && !bought) return;  // joined after the day, no purchase by then
    const StoreId store(row.Int(0));
    if (out.empty() || out.back().store_id != store) out.push_back({store});
    StoreActivity& a = out.back();
    a.members += 1;
    if (!bought) {
      a.never_bought += 1;
      return;
    }
    const std::string last = row.Text(2);
    if (last >= active_from) a.active_90 += 1;
    if (last <= dormant_180) a.dormant_180 += 1;
    if (last <= dormant_365) a.dormant_365 += 1;
  });
  // In store order on both engines (the rows come by store already on
  // SQLite; PostgreSQL may merge the ranges differently).
  std::sort(out.begin(), out.end(), [](const StoreActivity& a, const StoreActivity& b) {
    return a.store_id.value < b.store_id.value;
  });
  // A store whose members came in more than one run is merged.
  std::vector<StoreActivity> merged;
  for (const auto& a : out) {
    if (merged.empty() || merged.back().store_id != a.store_id) {
      merged.push_back(a);
      continue;
    }
    StoreActivity& m = merged.back();
    m.members += a.members;
    m.active_90 += a.active_90;
    m.dormant_180 += a.dormant_180;
    m.dormant_365 += a.dormant_365;
    m.never_bought += a.never_bought;
  }
  return merged;
}

std::vector<RfmCell> RfmCells(ReportRepository& r, const AsOfDay& as_of, int64_t from_month,
                              const ReportScope& scope) {
  std::vector<Value> p = {int64_t(IsMonthsLastDay(as_of.day) ? 1 : 0)};
  AddAsOf(p, as_of);
  p.insert(p.end(), {from_month, YearMonth(as_of.day)});
  AddScope(p, scope);
  std::vector<std::string> recency;
  std::vector<int64_t> frequency, monetary;
  r.db().QueryEach(kRfmBuyers, p, [&](const Row& row) {
    frequency.push_back(row.Int(0));
    monetary.push_back(row.Int(1));
    // A buyer's last purchase cannot be missing (they made a sale in the
    // window); '' would sort it first, i.e. as the worst recency.
    recency.push_back(row.IsNull(2) ? std::string() : row.Text(2));
  });
  const std::vector<int> rs = Scores(recency), fs = Scores(frequency), ms = Scores(monetary);
  std::map<std::tuple<int, int, int>, RfmCell> cells;
  for (size_t i = 0; i < rs.size(); ++i) {
    RfmCell& c = cells[{rs[i], fs[i], ms[i]}];
    c.r = rs[i];
    c.f = fs[i];
    c.m = ms[i];
    c.members += 1;
    c.spend += Fen(monetary[i]);
  }
  std::vector<RfmCell> out;
  out.reserve(cells.size());
  for (auto& [key, c] : cells) out.push_back(c);
  return out;
}

}  // namespace vipcare::store::reports
