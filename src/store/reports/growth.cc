// The SQL of the R1 report, shared by SQLite and PostgreSQL.
#include "store/reports/growth.h"

#include <algorithm>

#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// Months bucketed by one pass of kNewMembers.
constexpr size_t kMonthSlots = 12;

// The members of the scope's home stores, as
// "m.home_store_id IN (the scope's stores)" so that SQLite and PostgreSQL
// read members_report_scope (home_store_id, created_at, ...) one range per
// store, also when the scope is every store. Parameters: store x2, region x2.
#define VIPCARE_HOME_STORES                                                        \
  "m.home_store_id IN (SELECT s.id FROM stores s WHERE (? = 0 OR s.id = ?) "       \
  "AND (? = 0 OR s.region_id = ?)) "

// kNewMembers without and with the tier filter (the member_loyalty join only
// when a tier is asked). Parameters: the 11 instants at which months 1..11 of
// the chunk begin (padded with the chunk's end), formal_by (day), the chunk's
// start and end, store x2, region x2[, tier filter x4]. The CASE gives each member
// the index of the month their created_at falls in; `c` is the member's first
// card (no card with a lower id: an inner join, so a file without a card is
// left out), and the first formal card comes from a probe of
// cards_member_first (member_id, id, kind, issued_on), which also serves the
// first card, so neither reads the cards table.
#define VIPCARE_NEW_MEMBERS_SELECT                                                  \
  "SELECT x.b, x.store_id, x.source, x.joined_as, COUNT(*), SUM(x.referred), "     \
  "SUM(x.converted) "                                                               \
  "FROM (SELECT CASE WHEN m.created_at < ? THEN 0 WHEN m.created_at < ? THEN 1 "    \
  "  WHEN m.created_at < ? THEN 2 WHEN m.created_at < ? THEN 3 "                    \
  "  WHEN m.created_at < ? THEN 4 WHEN m.created_at < ? THEN 5 "                    \
  "  WHEN m.created_at < ? THEN 6 WHEN m.created_at < ? THEN 7 "                    \
  "  WHEN m.created_at < ? THEN 8 WHEN m.created_at < ? THEN 9 "                    \
  "  WHEN m.created_at < ? THEN 10 ELSE 11 END AS b, "                              \
  "  m.home_store_id AS store_id, m.source AS source, "                             \
  "  CASE WHEN m.referrer_id IS NULL THEN 0 ELSE 1 END AS referred, "               \
  "  c.kind AS joined_as, "                                                         \
  "  CASE WHEN c.kind = 'temporary' AND (SELECT f.issued_on FROM cards f "          \
  "    WHERE f.member_id = m.id AND f.kind = 'formal' ORDER BY f.id LIMIT 1) <= ? " \
  "    THEN 1 ELSE 0 END AS converted "                                             \
  "  FROM members m JOIN cards c ON c.member_id = m.id "
#define VIPCARE_NEW_MEMBERS_WHERE                                                   \
  "  WHERE m.created_at >= ? AND m.created_at < ? "                                 \
  "  AND NOT EXISTS (SELECT 1 FROM cards e WHERE e.member_id = m.id AND e.id < c.id) " \
  "  AND " VIPCARE_HOME_STORES
#define VIPCARE_NEW_MEMBERS_GROUP \
  ") x GROUP BY x.b, x.store_id, x.source, x.joined_as ORDER BY 1, 2, 3, 4"

constexpr std::string_view kNewMembers =
    VIPCARE_NEW_MEMBERS_SELECT VIPCARE_NEW_MEMBERS_WHERE VIPCARE_NEW_MEMBERS_GROUP;
constexpr std::string_view kNewMembersOfTier =
    VIPCARE_NEW_MEMBERS_SELECT "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    VIPCARE_NEW_MEMBERS_WHERE "AND " VIPCARE_TIER_FILTER("ml") " " VIPCARE_NEW_MEMBERS_GROUP;

// kConversions without and with the tier filter. Parameters: from, to
// (days), store x2, region x2[, tier filter x4]. The formal card counted is the
// member's first one, and only when their first card was temporary. The
// period's formal cards are a range of cards_kind_issued (kind, issued_on,
// member_id, id); the checks probe cards_member_first, the home store the
// members primary key.
#define VIPCARE_CONVERSIONS_FROM                                                    \
  "SELECT substr(f.issued_on, 1, 7), m.home_store_id, COUNT(*) "                    \
  "FROM cards f JOIN members m ON m.id = f.member_id "
#define VIPCARE_CONVERSIONS_WHERE                                                   \
  "WHERE f.kind = 'formal' AND f.issued_on >= ? AND f.issued_on <= ? "              \
  "AND NOT EXISTS (SELECT 1 FROM cards e WHERE e.member_id = f.member_id "          \
  "  AND e.kind = 'formal' AND e.id < f.id) "                                       \
  "AND (SELECT c.kind FROM cards c WHERE c.member_id = f.member_id ORDER BY c.id LIMIT 1) " \
  "  = 'temporary' "                                                                \
  "AND " VIPCARE_HOME_STORES
#define VIPCARE_CONVERSIONS_GROUP \
  "GROUP BY substr(f.issued_on, 1, 7), m.home_store_id ORDER BY 1, 2"

constexpr std::string_view kConversions =
    VIPCARE_CONVERSIONS_FROM VIPCARE_CONVERSIONS_WHERE VIPCARE_CONVERSIONS_GROUP;
constexpr std::string_view kConversionsOfTier =
    VIPCARE_CONVERSIONS_FROM "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    VIPCARE_CONVERSIONS_WHERE "AND " VIPCARE_TIER_FILTER("ml") " " VIPCARE_CONVERSIONS_GROUP;

#undef VIPCARE_CONVERSIONS_GROUP
#undef VIPCARE_CONVERSIONS_WHERE
#undef VIPCARE_CONVERSIONS_FROM
#undef VIPCARE_NEW_MEMBERS_GROUP
#undef VIPCARE_NEW_MEMBERS_WHERE
#undef VIPCARE_NEW_MEMBERS_SELECT
#undef VIPCARE_HOME_STORES

// Appends the scope's parameters: store x2, region x2, and the tier filter's
// four (scope_members.h) when a tier is asked.
// Returns whether a tier is asked, i.e. which SQL text the parameters fit.
bool AddScope(std::vector<Value>& p, const ReportScope& scope) {
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t r = scope.region ? scope.region->value : 0;
  p.insert(p.end(), {s, s, r, r});
  if (!scope.tier) return false;
  AppendTierFilter(p, scope);
  return true;
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
    // The 11 bounds of months 1..11, formal_by, start, end, the scope's.
    std::vector<Value> p;
    p.reserve(kMonthSlots + 3 + 5);
    for (size_t i = 1; i < kMonthSlots; ++i) {
      p.push_back(ToEpochSeconds(bounds[std::min(first + i, last)]));
    }
    p.push_back(formal_by.ToString());
    p.push_back(ToEpochSeconds(bounds[first]));
    p.push_back(ToEpochSeconds(bounds[last]));
    const bool tier = AddScope(p, scope);
    for (const auto& row : r.db().Query(tier ? kNewMembersOfTier : kNewMembers, p)) {
      out.push_back({first + size_t(row.Int(0)), StoreId(row.Int(1)), row.Text(2), row.Text(3),
                     row.Int(4), row.Int(5), row.Int(6)});
    }
  }
  return out;
}

std::vector<ConversionGroup> ConversionsByMonth(ReportRepository& r, Date from, Date to,
                                                const ReportScope& scope) {
  std::vector<Value> p = {from.ToString(), to.ToString()};
  const bool tier = AddScope(p, scope);
  std::vector<ConversionGroup> out;
  for (const auto& row : r.db().Query(tier ? kConversionsOfTier : kConversions, p)) {
    out.push_back({row.Text(0), StoreId(row.Int(1)), row.Int(2)});
  }
  return out;
}

}  // namespace vipcare::store::reports
