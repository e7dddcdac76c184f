// The SQL of the R1 report, shared by SQLite and PostgreSQL.
#include "store/reports/growth.h"

#include <algorithm>

namespace vipcare::store::reports {
namespace {

// Months bucketed by one pass of kNewMembers.
constexpr size_t kMonthSlots = 12;

// Parameters: formal_by (day), the 11 instants at which months 1..11 of the
// chunk begin (padded with the chunk's end), the chunk's start and end,
// store x2, region x2, tier flag, tier code. The CASE gives each member the
// index of the month their created_at falls in; the first card and the
// first formal card come from cards_member probes.
constexpr std::string_view kNewMembers =
    "SELECT x.b, x.store_id, x.source, x.joined_as, COUNT(*), SUM(x.referred), "
    "SUM(CASE WHEN x.joined_as = 'temporary' AND x.formal_on <= ? THEN 1 ELSE 0 END) "
    "FROM (SELECT CASE WHEN m.created_at < ? THEN 0 WHEN m.created_at < ? THEN 1 "
    "  WHEN m.created_at < ? THEN 2 WHEN m.created_at < ? THEN 3 WHEN m.created_at < ? THEN 4 "
    "  WHEN m.created_at < ? THEN 5 WHEN m.created_at < ? THEN 6 WHEN m.created_at < ? THEN 7 "
    "  WHEN m.created_at < ? THEN 8 WHEN m.created_at < ? THEN 9 WHEN m.created_at < ? THEN 10 "
    "  ELSE 11 END AS b, "
    "  m.home_store_id AS store_id, m.source AS source, "
    "  CASE WHEN m.referrer_id IS NULL THEN 0 ELSE 1 END AS referred, "
    "  (SELECT c.kind FROM cards c WHERE c.member_id = m.id ORDER BY c.id LIMIT 1) AS joined_as, "
    "  (SELECT f.issued_on FROM cards f WHERE f.member_id = m.id AND f.kind = 'formal' "
    "   ORDER BY f.id LIMIT 1) AS formal_on "
    "  FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "  WHERE m.created_at >= ? AND m.created_at < ? "
    "  AND (? = 0 OR m.home_store_id = ?) "
    "  AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "  AND (? = 0 OR COALESCE(ml.tier_code, '') = ?)) x "
    "WHERE x.joined_as IS NOT NULL "
    "GROUP BY x.b, x.store_id, x.source, x.joined_as ORDER BY 1, 2, 3, 4";

// Parameters: from, to (days), store x2, region x2, tier flag, tier code.
// The formal card counted is the member's first one, and only when their
// first card was temporary.
constexpr std::string_view kConversions =
    "SELECT substr(f.issued_on, 1, 7), m.home_store_id, COUNT(*) "
    "FROM cards f JOIN members m ON m.id = f.member_id "
    "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    "WHERE f.kind = 'formal' AND f.issued_on >= ? AND f.issued_on <= ? "
    "AND NOT EXISTS (SELECT 1 FROM cards e WHERE e.member_id = f.member_id "
    "  AND e.kind = 'formal' AND e.id < f.id) "
    "AND (SELECT c.kind FROM cards c WHERE c.member_id = f.member_id ORDER BY c.id LIMIT 1) "
    "  = 'temporary' "
    "AND (? = 0 OR m.home_store_id = ?) "
    "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
    "AND (? = 0 OR COALESCE(ml.tier_code, '') = ?) "
    "GROUP BY substr(f.issued_on, 1, 7), m.home_store_id ORDER BY 1, 2";

// Sets p[at..at+5] to the scope's parameters: store x2, region x2, tier
// flag, tier code ("none" is the members without a tier, stored as '').
void SetScope(std::vector<Value>& p, size_t at, const ReportScope& scope) {
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t r = scope.region ? scope.region->value : 0;
  p[at] = s;
  p[at + 1] = s;
  p[at + 2] = r;
  p[at + 3] = r;
  p[at + 4] = int64_t(scope.tier ? 1 : 0);
  p[at + 5] = scope.tier && *scope.tier != "none" ? *scope.tier : std::string();
}

}  // namespace

std::vector<NewMemberGroup> NewMembersByMonth(ReportRepository& r,
                                              const std::vector<Timestamp>& bounds,
                                              Date formal_by, const ReportScope& scope) {
  std::vector<NewMemberGroup> out;
  if (bounds.size() < 2) return out;
  const size_t months = bounds.size() - 1;
  for (size_t first = 0; first < months; first += kMonthSlots) {
    const size_t last = std::min(months, first + kMonthSlots);  // one past the chunk
    // formal_by, the 11 bounds of months 1..11, start, end, the scope's 6.
    std::vector<Value> p(1 + (kMonthSlots - 1) + 2 + 6);
    p[0] = formal_by.ToString();
    for (size_t i = 1; i < kMonthSlots; ++i) {
      p[i] = ToEpochSeconds(bounds[std::min(first + i, last)]);
    }
    p[kMonthSlots] = ToEpochSeconds(bounds[first]);
    p[kMonthSlots + 1] = ToEpochSeconds(bounds[last]);
    SetScope(p, kMonthSlots + 2, scope);
    for (const auto& row : r.db().Query(kNewMembers, p)) {
      out.push_back({first + size_t(row.Int(0)), StoreId(row.Int(1)), row.Text(2), row.Text(3),
                     row.Int(4), row.Int(5), row.Int(6)});
    }
  }
  return out;
}

std::vector<ConversionGroup> ConversionsByMonth(ReportRepository& r, Date from, Date to,
                                                const ReportScope& scope) {
  std::vector<Value> p(8);
  p[0] = from.ToString();
  p[1] = to.ToString();
  SetScope(p, 2, scope);
  std::vector<ConversionGroup> out;
  for (const auto& row : r.db().Query(kConversions, p)) {
    out.push_back({row.Text(0), StoreId(row.Int(1)), row.Int(2)});
  }
  return out;
}

}  // namespace vipcare::store::reports
