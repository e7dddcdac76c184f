// The SQL of the R3 report, shared by SQLite and PostgreSQL.
#include "store/reports/tiers.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/reports/rollups.h"
#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// The tier-changing events since an instant, read without a join (the scope
// and the tiers are in memory) and in the table's order (id order), then put
// in member order by a counting sort in memory: ~8x cheaper than reading the
// table in tier_history_member order (0.23 s against 1.98 s for 680,000
// events). Kind and reason only for the events before `details_until`: an
// import of the sales history stamps millions of upgrades on its day, and
// those after the period only take a member back to an earlier tier.
// A program change (L6) moves the member onto another program's ladder; the
// program it left (from_program, NULL before migration 12) tells in which
// program its from_tier and the member's earlier tiers are.
// Parameters: details_until x2, since, before.
constexpr std::string_view kTierEventsSince =
    "SELECT h.member_id, h.at, h.from_tier, h.to_tier, "
    "CASE WHEN h.at < ? THEN h.kind END, CASE WHEN h.at < ? THEN h.reason END, h.from_program "
    "FROM tier_history h "
    "WHERE h.at >= ? AND h.at < ? "
    "AND h.kind IN ('upgrade', 'approved', 'downgrade', 'override', 'merge', 'program_change') "
    "AND (h.from_tier <> h.to_tier OR h.from_program IS NOT NULL)";

}  // namespace

TierPicture TierPictureSince(ReportRepository& r, Timestamp since, Timestamp details_until,
                             const ReportScope& scope) {
  ScopeMembers m = LoadScopeMembers(r.db(), scope, /*with_loyalty=*/true);
  TierPicture out;
  // When `details_until` ends a month with a ready rollup (rollups.h), its
  // tiers then stand for today's, and only the events before it are read.
  int64_t before = std::numeric_limits<int64_t>::max();
  {
    // The rollup's keys name the program of each tier then, which the walk
    // back through the events below starts from.
    std::vector<uint16_t> at_end(m.size(), 0);
    std::vector<uint16_t> program_then = m.program;
    const bool ready = ForEachRollupTier(r.db(), details_until, [&](int64_t id, const std::string& key) {
      if (id <= 0 || id >= int64_t(m.size())) return;
      at_end[size_t(id)] = m.codes.Of(FoldTierKey(key, scope.company_program));
      program_then[size_t(id)] = m.programs.Of(std::string(SplitTierKey(key).program));
    });
    if (ready) {
      m.tier = std::move(at_end);
      m.program = std::move(program_then);
      before = ToEpochSeconds(details_until);
    }
  }

  // Today's counts: '' first, then the codes as their bytes sort.
  std::vector<int64_t> counts(m.codes.size(), 0);
  for (size_t id = 0; id < m.size(); ++id) {
    if (m.store[id] != 0) counts[m.tier[id]] += 1;
  }
  std::map<std::string, int64_t> by_code;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > 0) by_code[m.codes[i]] = counts[i];
  }
  for (const auto& [code, members] : by_code) out.current.push_back({code, members});

  // The movers by id: members with events since (in the scope), and members
  // registered since. Events arrive in id order; a counting sort by member
  // keeps that order within each member.
  std::vector<uint32_t> member_of;
  std::vector<TierEvent> events;
  std::vector<uint16_t> left;  // the program a program change left, else kSameProgram
  const int64_t until = ToEpochSeconds(details_until);
  r.db().QueryEach(kTierEventsSince, {until, until, ToEpochSeconds(since), before}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (!m.In(id)) return;
    member_of.push_back(uint32_t(id));
    events.push_back({FromEpochSeconds(row.Int(1)), row.IsNull(4) ? std::string() : row.Text(4),
                      row.Text(2), row.Text(3), row.IsNull(5) ? std::string() : row.Text(5)});
    left.push_back(row.IsNull(6) ? kSameProgram : m.programs.Of(row.Text(6)));
  });
  // Each event's tiers keyed by the program they were in; an event whose two
  // keys are the same (a program change between programs the reports key
  // alike: from following the company to being put on its code) is left out.
  {
    const EventPrograms programs = ProgramsOfEvents(member_of, left, m.program);
    size_t kept = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      TierEvent& e = events[i];
      e.from_tier = TierKey(m.programs[programs.from[i]], e.from_tier, scope.company_program);
      e.to_tier = TierKey(m.programs[programs.to[i]], e.to_tier, scope.company_program);
      if (e.from_tier == e.to_tier) continue;
      if (kept != i) {
        events[kept] = std::move(e);
        member_of[kept] = member_of[i];
      }
      ++kept;
    }
    events.resize(kept);
    member_of.resize(kept);
  }
  std::vector<uint32_t> first(m.size() + 1, 0);  // member id -> first slot in `order`
  for (uint32_t id : member_of) first[id + 1] += 1;
  for (size_t id = 0; id < m.size(); ++id) first[id + 1] += first[id];
  std::vector<uint32_t> order(events.size());
  {
    std::vector<uint32_t> next(first.begin(), first.end() - 1);
    for (size_t i = 0; i < events.size(); ++i) order[next[member_of[i]]++] = uint32_t(i);
  }
  std::vector<TierMover> with_events;
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t id = member_of[order[k]];
    if (with_events.empty() || with_events.back().member_id.value != int64_t(id)) {
      TierMover t;
      t.member_id = MemberId(int64_t(id));
      t.created_at = FromEpochSeconds(m.created[id]);
      t.current_tier = m.codes[m.tier[id]];
      t.events.reserve(first[id + 1] - first[id]);
      with_events.push_back(std::move(t));
    }
    with_events.back().events.push_back(std::move(events[order[k]]));
  }
  const int64_t since_s = ToEpochSeconds(since);
  auto e = with_events.begin();
  for (size_t id = 1; id < m.size(); ++id) {
    if (e != with_events.end() && e->member_id.value == int64_t(id)) {
      out.movers.push_back(std::move(*e++));
      continue;
    }
    if (m.store[id] == 0 || m.created[id] < since_s) continue;
    TierMover t;
    t.member_id = MemberId(int64_t(id));
    t.created_at = FromEpochSeconds(m.created[id]);
    t.current_tier = m.codes[m.tier[id]];
    out.movers.push_back(std::move(t));
  }
  return out;
}

}  // namespace vipcare::store::reports
