// The SQL of the R4 reports, shared by SQLite and PostgreSQL.
#include "store/reports/activity.h"

#include <algorithm>
#include <map>
#include <optional>
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

// ActivityByStore reads the scope's members, every member's tier and last
// purchase, and (for a past day) the buckets' last sale days, each in one
// pass into arrays by member id, instead of a probe into member_loyalty and
// member_months per member. The home stores are "home_store_id IN (the
// scope's stores)" so that both engines read members_report_scope
// (home_store_id, created_at, status, ..., id; migration 6) alone.
// Parameters: store x2, region x2.
constexpr std::string_view kScopeMembers =
    "SELECT m.id, m.home_store_id, m.created_at FROM members m "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "AND m.home_store_id IN (SELECT s.id FROM stores s "
    "  WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?))";
constexpr std::string_view kLargestMemberId = "SELECT COALESCE(MAX(id), 0) FROM members";
constexpr std::string_view kLoyalty =
    "SELECT member_id, tier_code, last_purchase_on FROM member_loyalty";
// Every bucket's last sale day up to a month, in the table's order.
// Parameters: through_month.
constexpr std::string_view kBucketLastDays =
    "SELECT member_id, last_day FROM member_months WHERE month <= ? AND last_day IS NOT NULL";
// One member's last sale of a month up to a day (the as-of day's own month
// when the day is not its last). Parameters: member, month_start, day_end.
constexpr std::string_view kLastSaleBetween =
    "SELECT MAX(t.local_day) FROM transactions t WHERE t.member_id = ? "
    "AND t.occurred_at >= ? AND t.occurred_at < ? AND t.kind = 'sale'";
// One member's last bucket sale day up to a month. Parameters: member, month.
constexpr std::string_view kLastBucketDay =
    "SELECT MAX(mm.last_day) FROM member_months mm WHERE mm.member_id = ? AND mm.month <= ?";

// 'YYYY-MM-DD' as yyyymmdd (0 for NULL or ''), which compares as the text does.
int32_t DayNumber(const Row& r, size_t i) {
  if (r.IsNull(i)) return 0;
  const std::string t = r.Text(i);
  if (t.size() < 10) return 0;
  return int32_t(std::stoi(t.substr(0, 4)) * 10000 + std::stoi(t.substr(5, 2)) * 100 +
                 std::stoi(t.substr(8, 2)));
}
int32_t DayNumber(Date d) { return int32_t(d.year() * 10000 + int(d.month()) * 100 + int(d.day())); }

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
  Db& db = r.db();
  const size_t size = size_t(db.QueryOne(kLargestMemberId)->Int(0)) + 1;
  // Tier and last purchase by member ('' and none without a loyalty row).
  const std::optional<std::string> only =
      scope.tier ? std::optional<std::string>(*scope.tier != "none" ? *scope.tier : "")
                 : std::nullopt;
  std::vector<int32_t> last(size, 0);
  std::vector<uint8_t> on_tier(size, !only || only->empty() ? 1 : 0);
  db.QueryEach(kLoyalty, {}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size)) return;
    last[size_t(id)] = DayNumber(row, 2);
    on_tier[size_t(id)] = !only || row.Text(1) == *only;
  });
  // The scope's members; those who bought after the day need their last
  // purchase as of it.
  struct Member {
    int64_t id;
    int64_t store;
    bool registered;  // before the day ended
  };
  std::vector<Member> members;
  const int32_t day = DayNumber(as_of.day);
  const int64_t day_end = ToEpochSeconds(as_of.day_end);
  std::vector<uint8_t> later(size, 0);
  size_t later_count = 0;
  const ScopeParams sp = Params(scope);
  db.QueryEach(kScopeMembers, {sp.store, sp.store, sp.region, sp.region}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size) || !on_tier[size_t(id)]) return;
    members.push_back({id, row.Int(1), row.Int(2) < day_end});
    if (last[size_t(id)] > day) {
      later[size_t(id)] = 1;
      ++later_count;
    }
  });
  if (later_count > 0) {
    const bool whole = IsMonthsLastDay(as_of.day);
    std::vector<Value> p;
    AddAsOf(p, as_of);
    const int64_t through = std::get<int64_t>(p[4]);
    for (size_t id = 0; id < size; ++id) {
      if (later[id]) last[id] = 0;  // found again below, or no purchase by the day
    }
    if (whole) {
      // Many members (everyone who bought since): one pass over the buckets.
      db.QueryEach(kBucketLastDays, {through}, [&](const Row& row) {
        const int64_t id = row.Int(0);
        if (id <= 0 || id >= int64_t(size) || !later[size_t(id)]) return;
        last[size_t(id)] = std::max(last[size_t(id)], DayNumber(row, 1));
      });
    } else {
      // Today, with sales dated after it: a few members, one by one.
      for (size_t id = 0; id < size; ++id) {
        if (!later[id]) continue;
        auto sale = db.QueryOne(kLastSaleBetween, {int64_t(id), p[2], p[3]});
        int32_t found = sale ? DayNumber(*sale, 0) : 0;
        if (found == 0) {
          auto bucket = db.QueryOne(kLastBucketDay, {int64_t(id), through});
          found = bucket ? DayNumber(*bucket, 0) : 0;
        }
        last[id] = found;
      }
    }
  }

  const int32_t active_from = DayNumber(as_of.day.AddDays(-89));
  const int32_t dormant_180 = DayNumber(as_of.day.AddDays(-180));
  const int32_t dormant_365 = DayNumber(as_of.day.AddDays(-365));
  std::map<int64_t, StoreActivity> by_store;
  for (const Member& m : members) {
    const int32_t lp = last[size_t(m.id)];
    if (!m.registered && lp == 0) continue;  // joined after the day, no purchase by then
    StoreActivity& a = by_store[m.store];
    a.store_id = StoreId(m.store);
    a.members += 1;
    if (lp == 0) {
      a.never_bought += 1;
      continue;
    }
    if (lp >= active_from) a.active_90 += 1;
    if (lp <= dormant_180) a.dormant_180 += 1;
    if (lp <= dormant_365) a.dormant_365 += 1;
  }
  std::vector<StoreActivity> out;
  for (auto& [store, a] : by_store) out.push_back(a);
  return out;
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
