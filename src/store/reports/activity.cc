// The SQL of the R4 reports, shared by SQLite and PostgreSQL.
#include "store/reports/activity.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/reports/rollups.h"
#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// ActivityByStore and RfmCells read the scope's members and every member's
// last purchase once (scope_members.h) and, for a past day, the buckets' last
// sale days in one pass, instead of a probe into member_loyalty and
// member_months per member.
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

// The window's buckets by member (the table's key order on SQLite; ordered
// for PostgreSQL; `+month` keeps SQLite off member_months_month, whose order
// would need a sort). Parameters: from_month, to_month.
constexpr std::string_view kWindowBuckets =
    "SELECT member_id, purchases, spend, last_day FROM member_months "
    "WHERE +month >= ? AND +month <= ? ORDER BY member_id, month";

int64_t YearMonth(Date d) { return int64_t(d.year()) * 100 + d.month(); }

bool IsMonthsLastDay(Date d) { return d.AddDays(1).month() != d.month(); }

// The as-of day as parameters: day, partial (1 when the day is not its
// month's last), month_start, day_end, through_month (the last month wholly
// on or before the day, yyyymm).
void AddAsOf(std::vector<Value>& p, const AsOfDay& a) {
  const bool whole = IsMonthsLastDay(a.day);
  const Date month_first = Date::FromYmd(a.day.year(), a.day.month(), 1);
  const int64_t through = whole ? YearMonth(a.day) : YearMonth(month_first.AddDays(-1));
  p.insert(p.end(), {a.day.ToString(), int64_t(whole ? 0 : 1), ToEpochSeconds(a.month_start),
                     ToEpochSeconds(a.day_end), through});
}



// The RFM score of each value of `values` (see RfmCells): 1 + 5 * below / n,
// below = how many values are strictly lower.
// One sort of (value, position); an equal run takes the position of its first.
template <class T>
std::vector<int> Scores(const std::vector<T>& values) {
  std::vector<std::pair<T, uint32_t>> sorted(values.size());
  for (size_t i = 0; i < values.size(); ++i) sorted[i] = {values[i], uint32_t(i)};
  std::sort(sorted.begin(), sorted.end());
  const int64_t n = int64_t(values.size());
  std::vector<int> out(values.size());
  int64_t below = 0;
  for (size_t k = 0; k < sorted.size(); ++k) {
    if (k > 0 && sorted[k].first != sorted[k - 1].first) below = int64_t(k);
    out[sorted[k].second] = int(1 + 5 * below / n);
  }
  return out;
}

}  // namespace

namespace {

// Replaces the last purchase of each member marked in `later` (who bought
// after the as-of day) with their last purchase as of it (0 = none by then):
// for a month's last day from one pass over the buckets (many members:
// everyone who bought since), otherwise one member at a time (today, with
// sales dated after it: a few).
void LastAsOf(Db& db, const AsOfDay& as_of, const std::vector<uint8_t>& later,
              std::vector<int32_t>& last) {
  std::vector<Value> p;
  AddAsOf(p, as_of);
  const int64_t through = std::get<int64_t>(p[4]);
  for (size_t id = 0; id < later.size(); ++id) {
    if (later[id]) last[id] = 0;
  }
  if (IsMonthsLastDay(as_of.day) && RollupReady(db, through)) {
    ForEachRollup(db, through, [&](int64_t id, int64_t, int64_t, int32_t last_day) {
      if (id <= 0 || id >= int64_t(later.size()) || !later[size_t(id)]) return;
      last[size_t(id)] = last_day;
    });
    return;
  }
  if (IsMonthsLastDay(as_of.day)) {
    db.QueryEach(kBucketLastDays, {through}, [&](const Row& row) {
      const int64_t id = row.Int(0);
      if (id <= 0 || id >= int64_t(later.size()) || !later[size_t(id)]) return;
      last[size_t(id)] = std::max(last[size_t(id)], DayNumber(row, 1));
    });
    return;
  }
  for (size_t id = 0; id < later.size(); ++id) {
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

}  // namespace

std::vector<StoreActivity> ActivityByStore(ReportRepository& r, const AsOfDay& as_of,
                                           const ReportScope& scope) {
  ScopeMembers a = LoadScopeMembers(r.db(), scope, /*with_loyalty=*/true);
  const size_t size = a.size();
  const int32_t day = DayNumber(as_of.day);
  std::vector<uint8_t> later(size, 0);
  bool any_later = false;
  for (size_t id = 0; id < size; ++id) {
    if (a.store[id] != 0 && a.last[id] > day) later[id] = 1, any_later = true;
  }
  if (any_later) LastAsOf(r.db(), as_of, later, a.last);

  const int64_t day_end = ToEpochSeconds(as_of.day_end);
  const int32_t active_from = DayNumber(as_of.day.AddDays(-89));
  const int32_t dormant_180 = DayNumber(as_of.day.AddDays(-180));
  const int32_t dormant_365 = DayNumber(as_of.day.AddDays(-365));
  std::map<int64_t, StoreActivity> by_store;
  for (size_t id = 0; id < size; ++id) {
    if (a.store[id] == 0) continue;
    const int32_t lp = a.last[id];
    if (a.created[id] >= day_end && lp == 0) continue;  // joined after the day, no purchase by then
    StoreActivity& s = by_store[a.store[id]];
    s.store_id = StoreId(a.store[id]);
    s.members += 1;
    if (lp == 0) {
      s.never_bought += 1;
      continue;
    }
    if (lp >= active_from) s.active_90 += 1;
    if (lp <= dormant_180) s.dormant_180 += 1;
    if (lp <= dormant_365) s.dormant_365 += 1;
  }
  std::vector<StoreActivity> out;
  for (auto& [store, s] : by_store) out.push_back(s);
  return out;
}

std::vector<RfmCell> RfmCells(ReportRepository& r, const AsOfDay& as_of, int64_t from_month,
                              const ReportScope& scope) {
  const bool whole = IsMonthsLastDay(as_of.day);
  // As of a month's last day the window itself gives the last purchase.
  ScopeMembers a = LoadScopeMembers(r.db(), scope, /*with_loyalty=*/!whole);
  const size_t size = a.size();
  const int32_t day = DayNumber(as_of.day);
  // The buyers of the window: sales, spend and latest sale day, summed as
  // the buckets stream in member order.
  struct Buyer {
    int64_t id;
    int64_t f;
    int64_t mon;
    int32_t last;
  };
  std::vector<Buyer> buyers;
  int64_t current = 0;
  Buyer acc{};
  auto flush = [&] {
    if (current > 0 && current < int64_t(size) && a.store[size_t(current)] != 0 && acc.f > 0) {
      buyers.push_back(acc);
    }
  };
  const int64_t to_month = YearMonth(as_of.day);
  if (auto window = WindowFromRollups(r.db(), from_month, to_month)) {
    // The window's figures per member from the rollups (rollups.h).
    for (const WindowFigures& w : *window) {
      current = w.member_id;
      acc = {w.member_id, w.purchases, w.spend, w.last};
      flush();
    }
  } else {
    r.db().QueryEach(kWindowBuckets, {from_month, to_month}, [&](const Row& row) {
      const int64_t id = row.Int(0);
      if (id != current) {
        flush();
        current = id;
        acc = {id, 0, 0, 0};
      }
      acc.f += row.Int(1);
      acc.mon += row.Int(2);
      acc.last = std::max(acc.last, DayNumber(row, 3));
    });
    flush();
  }
  if (!whole) {
    // As of today: member_loyalty's last purchase, unless a sale is dated
    // after today.
    std::vector<uint8_t> later(size, 0);
    bool any_later = false;
    for (Buyer& b : buyers) {
      if (a.last[size_t(b.id)] > day) later[size_t(b.id)] = 1, any_later = true;
    }
    if (any_later) LastAsOf(r.db(), as_of, later, a.last);
    for (Buyer& b : buyers) b.last = a.last[size_t(b.id)];
  }
  std::vector<int32_t> recency;
  std::vector<int64_t> frequency, monetary;
  for (const Buyer& b : buyers) {
    recency.push_back(b.last);
    frequency.push_back(b.f);
    monetary.push_back(b.mon);
  }
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
