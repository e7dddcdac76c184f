// The SQL of the R3 report, shared by SQLite and PostgreSQL.
#include "store/reports/tiers.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vipcare::store::reports {
namespace {

// The members of the scope's home stores, as
// "m.home_store_id IN (the scope's stores)" so that SQLite and PostgreSQL
// read members_report_scope (home_store_id, created_at, status, ..., id;
// migration 6) one range per store, also when the scope is every store,
// never the wide members rows. Parameters: store x2, region x2.
#define VIPCARE_HOME_STORES                                                  \
  "m.home_store_id IN (SELECT s.id FROM stores s WHERE (? = 0 OR s.id = ?) " \
  "AND (? = 0 OR s.region_id = ?)) "

// The open members of the scope, index only. Parameters: store x2, region x2.
constexpr std::string_view kOpenMembers =
    "SELECT COUNT(*) FROM members m "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') AND " VIPCARE_HOME_STORES;

// The open members of the scope on a tier (tier_code <> ''), by tier: the
// few with a loyalty row are grouped, not the whole base. Parameters:
// store x2, region x2.
constexpr std::string_view kTieredMembers =
    "SELECT ml.tier_code, COUNT(*) "
    "FROM members m JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE ml.tier_code <> '' AND m.status NOT IN ('closed', 'merged', 'erased') "
    "AND " VIPCARE_HOME_STORES "GROUP BY ml.tier_code";

// Driven by tier_history (a scan of a narrow table, no index on `at`) with a
// primary-key probe into members, so the home stores keep the
// "(? = 0 OR ...)" form: given an indexed IN, the planner would read every
// member of the scope and probe tier_history for each instead.
// Parameters: since, store x2, region x2, tier flag, tier code.
constexpr std::string_view kTierEventsSince =
    "SELECT h.member_id, m.created_at, COALESCE(ml.tier_code, ''), h.at, h.kind, h.from_tier, "
    "h.to_tier, h.reason "
    "FROM tier_history h JOIN members m ON m.id = h.member_id "
    "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE h.at >= ? AND h.kind IN ('upgrade', 'approved', 'downgrade', 'override', 'merge') "
    "AND h.from_tier <> h.to_tier "
    "AND m.status NOT IN ('closed', 'merged', 'erased') "
    "AND (? = 0 OR m.home_store_id = ?) "
    "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "AND (? = 0 OR COALESCE(ml.tier_code, '') = ?) "
    "ORDER BY h.member_id, h.id";

// A created_at range of members_report_scope per store of the scope.
// Parameters: since, store x2, region x2, tier flag, tier code.
constexpr std::string_view kMembersRegisteredSince =
    "SELECT m.id, m.created_at, COALESCE(ml.tier_code, '') "
    "FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE m.created_at >= ? AND m.status NOT IN ('closed', 'merged', 'erased') "
    "AND " VIPCARE_HOME_STORES "AND (? = 0 OR COALESCE(ml.tier_code, '') = ?)";

#undef VIPCARE_HOME_STORES

// store x2, region x2.
std::vector<Value> StoreParams(const ReportScope& scope) {
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t r = scope.region ? scope.region->value : 0;
  return {s, s, r, r};
}

// The scope's parameters: store x2, region x2, tier flag, tier code ("none"
// is the members without a tier, stored as '').
void AddScope(std::vector<Value>& p, const ReportScope& scope) {
  for (auto& v : StoreParams(scope)) p.push_back(std::move(v));
  const std::string tier = scope.tier && *scope.tier != "none" ? *scope.tier : "";
  p.insert(p.end(), {int64_t(scope.tier ? 1 : 0), tier});
}

}  // namespace

std::vector<TierCount> CurrentTierCounts(ReportRepository& r, const ReportScope& scope) {
  // The tier asked, '' for "none"; every tier when none is asked.
  const std::optional<std::string> only =
      scope.tier ? std::optional<std::string>(*scope.tier != "none" ? *scope.tier : "")
                 : std::nullopt;
  const std::vector<Value> p = StoreParams(scope);
  std::map<std::string, int64_t> tiered;  // by code: '' first, then as the bytes sort
  int64_t on_a_tier = 0;
  for (const auto& row : r.db().Query(kTieredMembers, p)) {
    tiered[row.Text(0)] = row.Int(1);
    on_a_tier += row.Int(1);
  }
  std::vector<TierCount> out;
  if (!only || only->empty()) {
    const auto open = r.db().QueryOne(kOpenMembers, p);
    const int64_t without = (open ? open->Int(0) : 0) - on_a_tier;
    if (without > 0) out.push_back({"", without});
  }
  for (const auto& [code, members] : tiered) {
    if (!only || *only == code) out.push_back({code, members});
  }
  return out;
}

std::vector<TierMover> TierMoversSince(ReportRepository& r, Timestamp since,
                                       const ReportScope& scope) {
  std::vector<Value> p = {ToEpochSeconds(since)};
  AddScope(p, scope);
  // The events come by member (ORDER BY member_id, id): a member's rows are
  // consecutive, so they are gathered as they stream, sorted by member id.
  std::vector<TierMover> with_events;
  r.db().QueryEach(kTierEventsSince, p, [&](const Row& row) {
    if (with_events.empty() || with_events.back().member_id.value != row.Int(0)) {
      TierMover m;
      m.member_id = MemberId(row.Int(0));
      m.created_at = FromEpochSeconds(row.Int(1));
      m.current_tier = row.Text(2);
      with_events.push_back(std::move(m));
    }
    with_events.back().events.push_back(
        {FromEpochSeconds(row.Int(3)), row.Text(4), row.Text(5), row.Text(6), row.Text(7)});
  });
  // The members registered since, in store order: sorted by id, then merged
  // with the members with events (the same member and figures once).
  std::vector<TierMover> registered;
  r.db().QueryEach(kMembersRegisteredSince, p, [&](const Row& row) {
    TierMover m;
    m.member_id = MemberId(row.Int(0));
    m.created_at = FromEpochSeconds(row.Int(1));
    m.current_tier = row.Text(2);
    registered.push_back(std::move(m));
  });
  auto by_id = [](const TierMover& a, const TierMover& b) {
    return a.member_id.value < b.member_id.value;
  };
  std::sort(registered.begin(), registered.end(), by_id);
  std::vector<TierMover> out;
  out.reserve(registered.size() + with_events.size());
  auto e = with_events.begin();
  for (auto& m : registered) {
    while (e != with_events.end() && e->member_id.value < m.member_id.value) {
      out.push_back(std::move(*e++));
    }
    if (e != with_events.end() && e->member_id == m.member_id) continue;  // has events
    out.push_back(std::move(m));
  }
  for (; e != with_events.end(); ++e) out.push_back(std::move(*e));
  return out;
}

}  // namespace vipcare::store::reports
