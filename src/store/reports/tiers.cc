// The SQL of the R3 report, shared by SQLite and PostgreSQL.
#include "store/reports/tiers.h"

#include <map>

namespace vipcare::store::reports {
namespace {

// Parameters: store x2, region x2, tier flag, tier code.
constexpr std::string_view kCurrentTierCounts =
    "SELECT COALESCE(ml.tier_code, ''), COUNT(*) "
    "FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "AND (? = 0 OR m.home_store_id = ?) "
    "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "AND (? = 0 OR COALESCE(ml.tier_code, '') = ?) "
    "GROUP BY COALESCE(ml.tier_code, '')";

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

// Parameters: since, store x2, region x2, tier flag, tier code.
constexpr std::string_view kMembersRegisteredSince =
    "SELECT m.id, m.created_at, COALESCE(ml.tier_code, '') "
    "FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE m.created_at >= ? AND m.status NOT IN ('closed', 'merged', 'erased') "
    "AND (? = 0 OR m.home_store_id = ?) "
    "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "AND (? = 0 OR COALESCE(ml.tier_code, '') = ?)";

// The scope's parameters: store x2, region x2, tier flag, tier code ("none"
// is the members without a tier, stored as '').
void AddScope(std::vector<Value>& p, const ReportScope& scope) {
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t r = scope.region ? scope.region->value : 0;
  const std::string tier = scope.tier && *scope.tier != "none" ? *scope.tier : "";
  p.insert(p.end(), {s, s, r, r, int64_t(scope.tier ? 1 : 0), tier});
}

}  // namespace

std::vector<TierCount> CurrentTierCounts(ReportRepository& r, const ReportScope& scope) {
  std::vector<Value> p;
  AddScope(p, scope);
  std::vector<TierCount> out;
  for (const auto& row : r.db().Query(kCurrentTierCounts, p)) {
    out.push_back({row.Text(0), row.Int(1)});
  }
  return out;
}

std::vector<TierMover> TierMoversSince(ReportRepository& r, Timestamp since,
                                       const ReportScope& scope) {
  std::vector<Value> p = {ToEpochSeconds(since)};
  AddScope(p, scope);
  std::map<int64_t, TierMover> movers;
  for (const auto& row : r.db().Query(kTierEventsSince, p)) {
    TierMover& m = movers[row.Int(0)];
    m.member_id = MemberId(row.Int(0));
    m.created_at = FromEpochSeconds(row.Int(1));
    m.current_tier = row.Text(2);
    m.events.push_back(
        {FromEpochSeconds(row.Int(3)), row.Text(4), row.Text(5), row.Text(6), row.Text(7)});
  }
  for (const auto& row : r.db().Query(kMembersRegisteredSince, p)) {
    TierMover& m = movers[row.Int(0)];
    m.member_id = MemberId(row.Int(0));
    m.created_at = FromEpochSeconds(row.Int(1));
    m.current_tier = row.Text(2);
  }
  std::vector<TierMover> out;
  out.reserve(movers.size());
  for (auto& [id, m] : movers) out.push_back(std::move(m));
  return out;
}

}  // namespace vipcare::store::reports
