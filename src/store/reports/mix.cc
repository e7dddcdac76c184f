// The SQL of the R7 reports, shared by SQLite and PostgreSQL.
#include "store/reports/mix.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// Transactions are filtered as "store_id IN (the scope's stores) AND local_day
// in the period", never "(? = 0 OR store_id = ?)": that lets SQLite and
// PostgreSQL range-scan transactions_store_day (store_id, local_day) once per
// store of the scope, also when the scope is every store.
//
// The stores of the scope: parameters store x2, region x2.
#define VIPCARE_SCOPE_STORES \
  "(SELECT s.id FROM stores s WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?)) "

// The period's member sale and refund lines of the scope, one row each:
// category, brand, paid, quantity, unit paid price (a refund line's is its
// sale line's), member if a sale (else NULL). Without and with the tier
// filter (member_loyalty is joined only when a tier is asked). They are
// grouped by the caller: distinct buyers per key do not add up, so the
// grouping is one pass in memory instead of a sort per key in SQL.
// Parameters: from, to, store x2, region x2[, tier filter x4].
#define VIPCARE_MIX_SELECT                                                          \
  "SELECT tl.category, tl.brand, tl.paid, tl.quantity, "                            \
  "  CASE WHEN tl.quantity > 0 THEN tl.paid / tl.quantity "                         \
  "       WHEN o.quantity > 0 THEN o.paid / o.quantity ELSE 0 END, "                \
  "  CASE WHEN t.kind = 'sale' THEN t.member_id END "                               \
  "FROM transactions t JOIN transaction_lines tl ON tl.transaction_id = t.id "      \
  "LEFT JOIN transaction_lines o ON o.transaction_id = t.original_id "              \
  "  AND o.line_no = tl.original_line_no "
#define VIPCARE_MIX_WHERE                                                           \
  "WHERE t.member_id IS NOT NULL AND t.local_day >= ? AND t.local_day <= ? "        \
  "AND t.store_id IN " VIPCARE_SCOPE_STORES

constexpr std::string_view kMemberSalesLines = VIPCARE_MIX_SELECT VIPCARE_MIX_WHERE;
constexpr std::string_view kMemberSalesLinesOfTier =
    VIPCARE_MIX_SELECT "LEFT JOIN member_loyalty ml ON ml.member_id = t.member_id "
    VIPCARE_MIX_WHERE "AND " VIPCARE_TIER_FILTER("ml") " ";

// Parameters: from, to, store x2, region x2.
constexpr std::string_view kAllSales =
    "SELECT COALESCE(SUM(t.paid_total), 0) FROM transactions t "
    "WHERE t.local_day >= ? AND t.local_day <= ? AND t.store_id IN " VIPCARE_SCOPE_STORES;

// The open members of the scope registered before an instant, grouped by
// birthday, calendar and gender in the order of members_report_profile
// (gender, birthday_calendar, birthday, home_store_id, status, created_at, id;
// migration 6): both engines read that index alone, and SQLite makes the
// groups as it goes instead of sorting a million rows (measured 0.25 s
// against 1.6 s at 1M members). The home stores keep the "(? = 0 OR ...)"
// form for that reason: "home_store_id IN (...)" would lead SQLite to
// members_report_scope and a sort. A missing birthday is grouped as stored
// (NULL or ''), shown as '' and merged by the caller. Without and with the
// tier filter. Parameters: registered_before, store x2, region x2[, tier filter x4].
#define VIPCARE_MEMBERS_SELECT \
  "SELECT COALESCE(m.birthday, ''), m.birthday_calendar, m.gender, COUNT(*) FROM members m "
#define VIPCARE_MEMBERS_WHERE                                                       \
  "WHERE m.status NOT IN ('closed', 'merged', 'erased') AND m.created_at < ? "      \
  "AND (? = 0 OR m.home_store_id = ?) "                                             \
  "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
#define VIPCARE_MEMBERS_GROUP "GROUP BY m.gender, m.birthday_calendar, m.birthday"

constexpr std::string_view kMembersByProfile =
    VIPCARE_MEMBERS_SELECT VIPCARE_MEMBERS_WHERE VIPCARE_MEMBERS_GROUP;
constexpr std::string_view kMembersByProfileOfTier =
    VIPCARE_MEMBERS_SELECT "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    VIPCARE_MEMBERS_WHERE "AND " VIPCARE_TIER_FILTER("ml") " " VIPCARE_MEMBERS_GROUP;

// The store scope is where the sale was made. Without and with the tier
// filter. Parameters: from, to, store x2, region x2[, tier filter x4].
#define VIPCARE_BUYERS_SELECT                                                       \
  "SELECT COALESCE(m.birthday, ''), m.birthday_calendar, m.gender, "                \
  "COUNT(DISTINCT CASE WHEN t.kind = 'sale' THEN t.member_id END), SUM(t.paid_total) " \
  "FROM transactions t JOIN members m ON m.id = t.member_id "
#define VIPCARE_BUYERS_WHERE                                                        \
  "WHERE t.local_day >= ? AND t.local_day <= ? AND t.store_id IN " VIPCARE_SCOPE_STORES
#define VIPCARE_BUYERS_GROUP "GROUP BY COALESCE(m.birthday, ''), m.birthday_calendar, m.gender"

// The period's member transactions of the scope: member, sale (1/0), paid
// (negative for a refund); read from transactions_store_day alone
// (migration 7 made it covering). Parameters: from, to, store x2, region x2.
constexpr std::string_view kMemberTransactions =
    "SELECT t.member_id, CASE WHEN t.kind = 'sale' THEN 1 ELSE 0 END, t.paid_total "
    "FROM transactions t WHERE t.local_day >= ? AND t.local_day <= ? "
    "AND t.store_id IN " VIPCARE_SCOPE_STORES "AND t.member_id IS NOT NULL";
// Every member file's profile by id, read from members_report_profile
// (migration 6) alone.
constexpr std::string_view kProfiles =
    "SELECT m.id, COALESCE(m.birthday, ''), m.birthday_calendar, m.gender FROM members m";
// With the tier filter (rare): grouped in SQL.
constexpr std::string_view kBuyersByProfileOfTier =
    VIPCARE_BUYERS_SELECT "LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
    VIPCARE_BUYERS_WHERE "AND " VIPCARE_TIER_FILTER("ml") " " VIPCARE_BUYERS_GROUP;

#undef VIPCARE_BUYERS_GROUP
#undef VIPCARE_BUYERS_WHERE
#undef VIPCARE_BUYERS_SELECT
#undef VIPCARE_MEMBERS_GROUP
#undef VIPCARE_MEMBERS_WHERE
#undef VIPCARE_MEMBERS_SELECT
#undef VIPCARE_MIX_WHERE
#undef VIPCARE_MIX_SELECT
#undef VIPCARE_SCOPE_STORES

int64_t StoreParam(const ReportScope& s) { return s.store ? s.store->value : 0; }
int64_t RegionParam(const ReportScope& s) { return s.region ? s.region->value : 0; }

// from, to, store x2, region x2.
std::vector<Value> PeriodStores(Date from, Date to, const ReportScope& scope) {
  const int64_t s = StoreParam(scope), r = RegionParam(scope);
  return {from.ToString(), to.ToString(), s, s, r, r};
}

// Appends the tier filter's four parameters (scope_members.h) when a tier is
// asked. Returns whether it did, i.e. whether the
// parameters fit the "...OfTier" SQL text.
bool AddTier(std::vector<Value>& p, const ReportScope& scope) {
  if (!scope.tier) return false;
  AppendTierFilter(p, scope);
  return true;
}

// The band of a unit paid price in fen (see kPriceBands).
std::string PriceBand(int64_t unit) {
  return unit < 20000    ? "0-199"
         : unit < 50000  ? "200-499"
         : unit < 100000 ? "500-999"
         : unit < 200000 ? "1000-1999"
         : unit < 500000 ? "2000-4999"
                         : "5000+";
}

}  // namespace

MemberMix MemberSalesMix(ReportRepository& r, MixBy by, Date from, Date to,
                         const ReportScope& scope) {
  std::vector<Value> p = PeriodStores(from, to, scope);
  const bool tier = AddTier(p, scope);
  // The buyers of a key are collected with repeats and counted once at the
  // end (sort + unique): cheaper than a hash set per key at ~1M lines.
  struct Acc {
    MixRow row;
    std::vector<int64_t> buyers;
  };
  std::unordered_map<std::string, Acc> groups;
  Acc total;
  r.db().QueryEach(tier ? kMemberSalesLinesOfTier : kMemberSalesLines, p, [&](const Row& row) {
    std::string key = by == MixBy::kCategory ? row.Text(0)
                      : by == MixBy::kBrand  ? row.Text(1)
                                             : PriceBand(row.Int(4));
    Acc& g = groups[key];
    const Fen paid(row.Int(2));
    const bool sale = !row.IsNull(5);
    for (Acc* a : {&g, &total}) {
      a->row.sales += paid;
      a->row.quantity += row.Int(3);
      if (sale) {
        a->row.lines += 1;
        a->buyers.push_back(row.Int(5));
      }
    }
  });
  auto distinct = [](std::vector<int64_t>& ids) {
    std::sort(ids.begin(), ids.end());
    return int64_t(std::unique(ids.begin(), ids.end()) - ids.begin());
  };
  MemberMix out;
  for (auto& [key, g] : groups) {
    g.row.key = key;
    g.row.members = distinct(g.buyers);
    out.groups.push_back(std::move(g.row));
  }
  total.row.members = distinct(total.buyers);
  out.total = std::move(total.row);
  // Sorted here so ties read the same on both engines (byte order of the key).
  std::sort(out.groups.begin(), out.groups.end(), [](const MixRow& a, const MixRow& b) {
    return a.sales != b.sales ? a.sales > b.sales : a.key < b.key;
  });
  return out;
}

Fen AllSales(ReportRepository& r, Date from, Date to, const ReportScope& scope) {
  auto row = r.db().QueryOne(kAllSales, PeriodStores(from, to, scope));
  return Fen(row ? row->Int(0) : 0);
}

std::vector<ProfileGroup> MembersByProfile(ReportRepository& r, Timestamp registered_before,
                                           const ReportScope& scope) {
  const int64_t s = StoreParam(scope), g = RegionParam(scope);
  std::vector<Value> p = {ToEpochSeconds(registered_before), s, s, g, g};
  const bool tier = AddTier(p, scope);
  std::vector<ProfileGroup> out;
  // A missing birthday may be stored as NULL or '': one group for both.
  std::map<std::pair<std::string, std::string>, size_t> no_birthday;  // (calendar, gender)
  for (const auto& row : r.db().Query(tier ? kMembersByProfileOfTier : kMembersByProfile, p)) {
    ProfileGroup g{row.Text(0), row.Text(1), row.Text(2), row.Int(3), 0, Fen(0)};
    if (g.birthday.empty()) {
      auto [it, added] = no_birthday.emplace(std::pair(g.calendar, g.gender), out.size());
      if (!added) {
        out[it->second].members += g.members;
        continue;
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<ProfileGroup> BuyersByProfile(ReportRepository& r, Date from, Date to,
                                          const ReportScope& scope) {
  std::vector<Value> p = PeriodStores(from, to, scope);
  std::vector<ProfileGroup> out;
  if (AddTier(p, scope)) {
    for (const auto& row : r.db().Query(kBuyersByProfileOfTier, p)) {
      out.push_back({row.Text(0), row.Text(1), row.Text(2), 0, row.Int(3), Fen(row.Int(4))});
    }
    return out;
  }
  // The period's members, then every file's profile once: two scans of
  // narrow indexes instead of a probe into the wide members rows per sale.
  // Both kept in arrays by member id.
  const size_t size = size_t(LargestMemberId(r.db())) + 1;
  std::vector<int64_t> paid(size, 0);
  std::vector<uint8_t> seen(size, 0);  // 1 = a member transaction, 2 = a sale
  r.db().QueryEach(kMemberTransactions, p, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size)) return;
    paid[size_t(id)] += row.Int(2);
    seen[size_t(id)] = std::max<uint8_t>(seen[size_t(id)], row.Int(1) != 0 ? 2 : 1);
  });
  // The profiles come grouped (members_report_profile order on SQLite): the
  // group is looked up only when the key changes.
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  std::tuple<std::string, std::string, std::string> key;
  size_t group = SIZE_MAX;
  r.db().QueryEach(kProfiles, {}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size) || seen[size_t(id)] == 0) return;
    std::tuple<std::string, std::string, std::string> k{row.Text(1), row.Text(2), row.Text(3)};
    if (group == SIZE_MAX || k != key) {
      auto [at, added] = index.try_emplace(k, out.size());
      if (added) out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), 0, 0, Fen(0)});
      group = at->second;
      key = std::move(k);
    }
    ProfileGroup& g = out[group];
    g.buyers += seen[size_t(id)] == 2 ? 1 : 0;
    g.sales += Fen(paid[size_t(id)]);
  });
  return out;
}

}  // namespace vipcare::store::reports
