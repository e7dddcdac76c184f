// The SQL of the report rollups (rollups.h), shared by SQLite and PostgreSQL.
#include "store/reports/rollups.h"

#include <algorithm>

#include "store/bulk_import.h"
#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

constexpr std::string_view kInvalidate =
    "UPDATE report_rollups SET state = 'stale' WHERE month >= ? AND state <> 'stale'";
constexpr std::string_view kStaleBuilds =
    "UPDATE report_rollups SET state = 'stale' WHERE month >= ? AND state = 'building'";
// One member's bucket change into their row of every ready rollup from its
// month on: sales and spend where the window holds the month (up to 11
// months later), the last sale day everywhere. Parameters: member,
// window_end x2, purchases, window_end, spend, last_day, month.
constexpr std::string_view kAddToRollups =
    "INSERT INTO member_rollups (month, member_id, purchases, spend, last_day) "
    "SELECT r.month, ?, CASE WHEN r.month <= ? THEN ? ELSE 0 END, "
    "CASE WHEN r.month <= ? THEN ? ELSE 0 END, ? "
    "FROM report_rollups r WHERE r.month >= ? AND r.state = 'ready' "
    "ON CONFLICT (month, member_id) DO UPDATE SET "
    "purchases = member_rollups.purchases + excluded.purchases, "
    "spend = member_rollups.spend + excluded.spend, "
    "last_day = CASE WHEN member_rollups.last_day IS NULL OR excluded.last_day > "
    "member_rollups.last_day THEN COALESCE(excluded.last_day, member_rollups.last_day) "
    "ELSE member_rollups.last_day END";
constexpr std::string_view kInvalidateEndingAfter =
    "UPDATE report_rollups SET state = 'stale' WHERE ends_at > ? AND state <> 'stale'";
constexpr std::string_view kReadyEndingAt =
    "SELECT month FROM report_rollups WHERE ends_at = ? AND state = 'ready'";
constexpr std::string_view kTiers =
    "SELECT member_id, tier_code FROM member_rollups WHERE month = ? AND tier_code <> ''";
// Today's tiers, and the tier-changing events since an instant in id order
// (as tier_mix reads them: store/reports/tiers.h). Parameters: since.
// Tiers are kept as TierKey(program, code, "") (scope_members.h): a program
// change names the program left (from_program), in which the member's
// earlier tiers are.
constexpr std::string_view kTiersNow =
    "SELECT member_id, tier_code, program_code FROM member_loyalty "
    "WHERE tier_code <> '' OR program_code <> ''";
constexpr std::string_view kTierEventsSince =
    "SELECT member_id, at, from_tier, from_program FROM tier_history WHERE at >= ? "
    "AND kind IN ('upgrade', 'approved', 'downgrade', 'override', 'merge', 'program_change') "
    "AND (from_tier <> to_tier OR from_program IS NOT NULL) ORDER BY id";
constexpr std::string_view kList = "SELECT month, state FROM report_rollups ORDER BY month";
constexpr std::string_view kReady =
    "SELECT 1 FROM report_rollups WHERE month = ? AND state = 'ready'";
constexpr std::string_view kRows =
    "SELECT member_id, purchases, spend, last_day FROM member_rollups WHERE month = ? "
    "ORDER BY member_id";
constexpr std::string_view kDeleteRows = "DELETE FROM member_rollups WHERE month = ?";
constexpr std::string_view kDeleteMark = "DELETE FROM report_rollups WHERE month = ?";
constexpr std::string_view kMarkBuilding =
    "INSERT INTO report_rollups (month, state, token, built_at, ends_at) "
    "VALUES (?, 'building', ?, ?, ?)";
constexpr std::string_view kMarkReady =
    "UPDATE report_rollups SET state = 'ready', members = ? "
    "WHERE month = ? AND token = ? AND state = 'building'";
// Every bucket up to a month, by member then month (the table's key).
// Parameters: through_month.
constexpr std::string_view kBuckets =
    "SELECT member_id, month, purchases, spend, last_day FROM member_months WHERE month <= ? "
    "ORDER BY member_id, month";
// One month's buckets. Parameters: month.
constexpr std::string_view kMonthBuckets =
    "SELECT member_id, purchases, spend, last_day FROM member_months WHERE month = ? "
    "ORDER BY member_id";
constexpr std::string_view kInsertHead =
    "INSERT INTO member_rollups (month, member_id, purchases, spend, last_day, tier_code) VALUES ";
constexpr std::string_view kInsertTuple = "(?, ?, ?, ?, ?, ?)";

}  // namespace

void InvalidateRollupsFrom(Db& db, int64_t month) { db.Exec(kInvalidate, {month}); }

void InvalidateRollupsEndingAfter(Db& db, Timestamp at) {
  db.Exec(kInvalidateEndingAfter, {ToEpochSeconds(at)});
}

bool ForEachRollupTier(Db& db, Timestamp ends_at,
                       const std::function<void(int64_t, const std::string&)>& fn) {
  auto month = db.QueryOne(kReadyEndingAt, {ToEpochSeconds(ends_at)});
  if (!month) return false;
  db.QueryEach(kTiers, {month->Int(0)}, [&](const Row& row) { fn(row.Int(0), row.Text(1)); });
  return true;
}

void AddToRollups(Db& db, int64_t member_id, int64_t month, int64_t purchases, int64_t spend,
                  const std::string& last_day) {
  db.Exec(kStaleBuilds, {month});
  const int64_t window_end = ShiftMonth(month, 11);
  db.Exec(kAddToRollups, {member_id, window_end, purchases, window_end, spend,
                          last_day.empty() ? Value() : Value(last_day), month});
}

bool RollupReady(Db& db, int64_t month) { return db.QueryOne(kReady, {month}).has_value(); }

int64_t ShiftMonth(int64_t month, int n) {
  const int64_t index = month / 100 * 12 + (month % 100 - 1) + n;
  return index / 12 * 100 + index % 12 + 1;
}

std::optional<std::vector<WindowFigures>> WindowFromRollups(Db& db, int64_t from_month,
                                                            int64_t to_month) {
  if (from_month != ShiftMonth(to_month, -11)) return std::nullopt;
  std::vector<WindowFigures> out;
  auto read_rollup = [&](int64_t month) {
    ForEachRollup(db, month, [&](int64_t id, int64_t purchases, int64_t spend, int32_t last) {
      out.push_back({id, purchases, spend, last});
    });
  };
  if (RollupReady(db, to_month)) {
    read_rollup(to_month);
    return out;
  }
  const int64_t before = ShiftMonth(to_month, -1);
  if (!RollupReady(db, before)) return std::nullopt;
  read_rollup(before);
  // The month that left the window, then the month that joined it: each
  // merged into `out` by member id (both in member order).
  auto merge = [&](int64_t month, int sign) {
    std::vector<WindowFigures> bucket;
    db.QueryEach(kMonthBuckets, {month}, [&](const Row& row) {
      bucket.push_back({row.Int(0), row.Int(1), row.Int(2), DayNumber(row, 3)});
    });
    std::vector<WindowFigures> merged;
    merged.reserve(out.size() + bucket.size());
    size_t a = 0, b = 0;
    while (a < out.size() || b < bucket.size()) {
      if (b == bucket.size() || (a < out.size() && out[a].member_id < bucket[b].member_id)) {
        merged.push_back(out[a++]);
        continue;
      }
      WindowFigures f = bucket[b++];
      f.purchases *= sign;
      f.spend *= sign;
      if (sign < 0) f.last = 0;  // a month before the window's last sale day
      if (a < out.size() && out[a].member_id == f.member_id) {
        const WindowFigures& r = out[a++];
        f.purchases += r.purchases;
        f.spend += r.spend;
        f.last = std::max(f.last, r.last);
      }
      merged.push_back(f);
    }
    out = std::move(merged);
  };
  merge(ShiftMonth(before, -11), -1);
  merge(to_month, +1);
  return out;
}

void ForEachRollup(Db& db, int64_t month,
                   const std::function<void(int64_t, int64_t, int64_t, int32_t)>& fn) {
  db.QueryEach(kRows, {month}, [&](const Row& row) {
    fn(row.Int(0), row.Int(1), row.Int(2), DayNumber(row, 3));
  });
}

std::vector<std::pair<int64_t, std::string>> ListRollups(Db& db) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& row : db.Query(kList)) out.emplace_back(row.Int(0), row.Text(1));
  return out;
}

void DropRollup(Db& db, int64_t month) {
  db.Exec(kDeleteRows, {month});
  db.Exec(kDeleteMark, {month});
}

void BeginRollup(Db& db, int64_t month, const std::string& token, Timestamp now,
                 Timestamp ends_at) {
  DropRollup(db, month);
  db.Exec(kMarkBuilding, {month, token, ToEpochSeconds(now), ToEpochSeconds(ends_at)});
}

std::vector<std::vector<MemberRollup>> ComputeRollups(Db& db, const std::vector<int64_t>& months,
                                                      const std::vector<Timestamp>& ends_at) {
  std::vector<std::vector<MemberRollup>> out(months.size());
  if (months.empty()) return out;
  // Each month's tiers at its end, by member id: today's tier, or the from
  // tier of the member's first tier-changing event at or after the end.
  const size_t size = size_t(LargestMemberId(db)) + 1;
  TierCodes codes;     // tier keys
  TierCodes programs;  // program codes
  std::vector<uint16_t> now(size, 0);
  std::vector<uint16_t> program_now(size, 0);
  db.QueryEach(kTiersNow, {}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size)) return;
    now[size_t(id)] = codes.Of(TierKey(row.Text(2), row.Text(1), ""));
    program_now[size_t(id)] = programs.Of(row.Text(2));
  });
  std::vector<std::vector<uint16_t>> tiers(months.size(), now);
  std::vector<std::vector<bool>> fixed(months.size(), std::vector<bool>(size, false));
  const Timestamp earliest = *std::min_element(ends_at.begin(), ends_at.end());
  struct Event {
    Timestamp at;
    std::string from_tier;
  };
  std::vector<uint32_t> member_of;
  std::vector<Event> events;
  std::vector<uint16_t> left;
  db.QueryEach(kTierEventsSince, {ToEpochSeconds(earliest)}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size)) return;
    member_of.push_back(uint32_t(id));
    events.push_back({FromEpochSeconds(row.Int(1)), row.Text(2)});
    left.push_back(row.IsNull(3) ? kSameProgram : programs.Of(row.Text(3)));
  });
  const EventPrograms of = ProgramsOfEvents(member_of, left, std::move(program_now));
  for (size_t k = 0; k < events.size(); ++k) {
    const size_t id = member_of[k];
    for (size_t i = 0; i < months.size(); ++i) {
      if (events[k].at < ends_at[i] || fixed[i][id]) continue;
      tiers[i][id] = codes.Of(TierKey(programs[of.from[k]], events[k].from_tier, ""));
      fixed[i][id] = true;
    }
  }

  const int64_t through = *std::max_element(months.begin(), months.end());
  std::vector<int64_t> first(months.size());
  for (size_t i = 0; i < months.size(); ++i) first[i] = ShiftMonth(months[i], -11);
  // One member's figures for each month while their buckets stream in; the
  // members with a tier and no bucket are added between them.
  std::vector<MemberRollup> acc(months.size());
  std::vector<bool> seen(months.size(), false);
  int64_t current = 0;
  size_t next_tiered = 1;  // members below this id are written
  auto tier_only_before = [&](int64_t id) {
    for (; next_tiered < size && int64_t(next_tiered) < id; ++next_tiered) {
      for (size_t i = 0; i < months.size(); ++i) {
        const uint16_t t = tiers[i][next_tiered];
        if (t != 0) out[i].push_back({int64_t(next_tiered), 0, 0, "", codes[t]});
      }
    }
  };
  auto flush = [&] {
    if (current > 0) {
      tier_only_before(current);
      for (size_t i = 0; i < months.size(); ++i) {
        const uint16_t t = current < int64_t(size) ? tiers[i][size_t(current)] : 0;
        if (seen[i] || t != 0) {
          acc[i].member_id = current;
          acc[i].tier_code = codes[t];
          out[i].push_back(std::move(acc[i]));
        }
      }
      next_tiered = size_t(current) + 1;
    }
    for (size_t i = 0; i < months.size(); ++i) {
      acc[i] = MemberRollup{};
      seen[i] = false;
    }
  };
  db.QueryEach(kBuckets, {through}, [&](const Row& row) {
    const int64_t id = row.Int(0), month = row.Int(1);
    if (id != current) {
      flush();
      current = id;
    }
    const std::string last = row.IsNull(4) ? std::string() : row.Text(4);
    for (size_t i = 0; i < months.size(); ++i) {
      if (month > months[i]) continue;
      MemberRollup& r = acc[i];
      seen[i] = true;
      if (month >= first[i]) {
        r.purchases += row.Int(2);
        r.spend += row.Int(3);
      }
      if (last > r.last_day) r.last_day = last;
    }
  });
  flush();
  tier_only_before(int64_t(size));
  return out;
}

void InsertRollups(Db& db, int64_t month, const std::vector<MemberRollup>& rows, size_t from,
                   size_t count) {
  const size_t end = std::min(rows.size(), from + count);
  if (from >= end) return;
  bulk::InsertMany(db, kInsertHead, kInsertTuple, 6, "", end - from,
                   [&](size_t i, std::vector<Value>& p) {
                     const MemberRollup& r = rows[from + i];
                     p.insert(p.end(), {month, r.member_id, r.purchases, r.spend,
                                        r.last_day.empty() ? Value() : Value(r.last_day),
                                        r.tier_code});
                   });
}

bool FinishRollup(Db& db, int64_t month, const std::string& token, int64_t members) {
  return db.Exec(kMarkReady, {members, month, token}) == 1;
}

}  // namespace vipcare::store::reports
