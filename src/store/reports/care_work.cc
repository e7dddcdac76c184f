// The SQL of R8 (care work, staff goals), shared by SQLite and PostgreSQL.
#include "store/reports/care_work.h"

#include <algorithm>
#include <map>

#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// A done task is on time when its contact entry's company-local day is on or
// before its overdue_after day; a task done by its messages alone has no
// contact entry and was done when it was made, ahead of its due day.
#define VIPCARE_ON_TIME "t.status = 'done' AND (c.day IS NULL OR c.day <= t.overdue_after)"

// The stores of a ReportScope, through `s` (a store id column):
// parameters store, store, region, region.
#define VIPCARE_STORE_SCOPE(s) \
  "(? = 0 OR " s " = ?) AND (? = 0 OR " s " IN (SELECT id FROM stores WHERE region_id = ?))"

constexpr std::string_view kCareWorkCells =
    "SELECT substr(t.due_on, 1, 7), COALESCE(t.store_id, 0), t.channel, COUNT(*), "
    "SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN " VIPCARE_ON_TIME " THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN (t.status IN ('open', 'forwarded') AND t.overdue_after < ?) "
    "OR (t.status = 'done' AND c.day > t.overdue_after) THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN t.status = 'failed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN t.status = 'skipped' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN t.status IN ('open', 'forwarded') THEN 1 ELSE 0 END) "
    "FROM care_tasks t LEFT JOIN care_contacts c ON c.id = t.contact_id "
    "WHERE t.due_on >= ? AND t.due_on <= ? AND " VIPCARE_STORE_SCOPE("t.store_id") " "
    "AND (? = 0 OR t.member_id IN (SELECT ml.member_id FROM member_loyalty ml WHERE "
    VIPCARE_TIER_FILTER("ml") ")) "
    "GROUP BY substr(t.due_on, 1, 7), COALESCE(t.store_id, 0), t.channel ORDER BY 1, 2, 3";

constexpr std::string_view kStaffInScope =
    "SELECT s.id, s.name, s.role, s.store_id, s.active FROM staff s "
    "WHERE s.store_id IS NOT NULL AND " VIPCARE_STORE_SCOPE("s.store_id") " "
    "ORDER BY s.store_id, s.id";

// The members assigned to a staff member of a store in scope, as
// "associate_id IN (those staff)" so that both engines read
// members_report_associate (associate_id, status, created_at, birthday,
// occupation; migration 6) one range per staff member, never the wide
// members rows. Parameters: store x2, region x2.
#define VIPCARE_SCOPE_ASSOCIATES \
  "m.associate_id IN (SELECT s.id FROM staff s WHERE " VIPCARE_STORE_SCOPE("s.store_id") ") "

constexpr std::string_view kRecruited =
    "SELECT m.associate_id, COUNT(*) FROM members m "
    "WHERE m.created_at >= ? AND m.created_at < ? AND m.status NOT IN ('prospect', 'merged') "
    "AND " VIPCARE_SCOPE_ASSOCIATES "GROUP BY m.associate_id";

constexpr std::string_view kProfiles =
    "SELECT m.associate_id, COUNT(*), "
    "SUM(CASE WHEN m.birthday IS NOT NULL AND m.birthday <> '' AND m.occupation <> '' "
    "THEN 1 ELSE 0 END) "
    "FROM members m "
    "WHERE m.status NOT IN ('merged', 'erased') AND " VIPCARE_SCOPE_ASSOCIATES
    "GROUP BY m.associate_id";

constexpr std::string_view kTasks =
    "SELECT t.assignee_id, COUNT(*), SUM(CASE WHEN " VIPCARE_ON_TIME " THEN 1 ELSE 0 END) "
    "FROM care_tasks t JOIN staff s ON s.id = t.assignee_id "
    "LEFT JOIN care_contacts c ON c.id = t.contact_id "
    "WHERE t.due_on >= ? AND t.due_on <= ? AND " VIPCARE_STORE_SCOPE("s.store_id") " "
    "GROUP BY t.assignee_id";

// A refund carries no associate of its own: it counts for the sale's.
// The scope is the associate's store, not the till's (they may sell
// elsewhere), so the period's transactions are read at every store:
// "store_id IN (SELECT id FROM stores)" holds for every transaction (a
// foreign key) and lets both engines range-scan transactions_store_day
// (store_id, local_day) once per store instead of reading the whole table.
constexpr std::string_view kSales =
    "SELECT s.id, SUM(CASE WHEN t.kind = 'sale' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN t.kind = 'sale' AND t.member_id IS NOT NULL THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN t.member_id IS NOT NULL THEN t.paid_total ELSE 0 END) "
    "FROM transactions t LEFT JOIN transactions o ON o.id = t.original_id "
    "JOIN staff s ON s.id = COALESCE(t.associate_id, o.associate_id) "
    "WHERE t.store_id IN (SELECT id FROM stores) AND t.local_day >= ? AND t.local_day <= ? "
    "AND " VIPCARE_STORE_SCOPE("s.store_id") " GROUP BY s.id";

#undef VIPCARE_SCOPE_ASSOCIATES
#undef VIPCARE_STORE_SCOPE
#undef VIPCARE_ON_TIME

std::vector<Value> ScopeParams(const ReportScope& scope) {
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t r = scope.region ? scope.region->value : 0;
  return {s, s, r, r};
}

// `head` followed by the scope's store and region parameters.
std::vector<Value> With(std::vector<Value> head, const ReportScope& scope) {
  for (auto& v : ScopeParams(scope)) head.push_back(std::move(v));
  return head;
}

}  // namespace

std::vector<CareWorkCell> CareWorkCells(ReportRepository& r, Date from, Date to, Date today,
                                        const ReportScope& scope) {
  std::vector<Value> params = With({today.ToString(), from.ToString(), to.ToString()}, scope);
  AppendOptionalTierFilter(params, scope);
  std::vector<CareWorkCell> out;
  for (const auto& row : r.db().Query(kCareWorkCells, params)) {
    CareWorkCell c;
    c.month = row.Text(0);
    c.store_id = StoreId(row.Int(1));
    c.channel = row.Text(2);
    c.planned = row.Int(3);
    c.done = row.Int(4);
    c.on_time = row.Int(5);
    c.overdue = row.Int(6);
    c.failed = row.Int(7);
    c.skipped = row.Int(8);
    c.pending = row.Int(9);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<StaffGoalRow> StaffGoalRows(ReportRepository& r, Date from, Date to, Timestamp from_at,
                                        Timestamp to_at, Date today, const ReportScope& scope) {
  std::vector<StaffGoalRow> out;
  std::map<int64_t, size_t> index;
  for (const auto& row : r.db().Query(kStaffInScope, ScopeParams(scope))) {
    StaffGoalRow g;
    g.staff_id = StaffId(row.Int(0));
    g.name = row.Text(1);
    g.role = row.Text(2);
    g.store_id = StoreId(row.Int(3));
    g.active = row.Int(4) != 0;
    index[g.staff_id.value] = out.size();
    out.push_back(std::move(g));
  }
  // Figures of staff outside the list (no store any more) are dropped.
  auto at = [&](int64_t staff) -> StaffGoalRow* {
    auto it = index.find(staff);
    return it == index.end() ? nullptr : &out[it->second];
  };
  for (const auto& row :
       r.db().Query(kRecruited, With({ToEpochSeconds(from_at), ToEpochSeconds(to_at)}, scope))) {
    if (auto* g = at(row.Int(0))) g->recruited = row.Int(1);
  }
  for (const auto& row : r.db().Query(kProfiles, ScopeParams(scope))) {
    if (auto* g = at(row.Int(0))) {
      g->members = row.Int(1);
      g->profile_complete = row.Int(2);
    }
  }
  // Tasks whose due day has not come yet are not counted against anyone.
  const Date tasks_to = std::min(to, today);
  if (from <= tasks_to) {
    for (const auto& row :
         r.db().Query(kTasks, With({from.ToString(), tasks_to.ToString()}, scope))) {
      if (auto* g = at(row.Int(0))) {
        g->tasks_due = row.Int(1);
        g->tasks_on_time = row.Int(2);
      }
    }
  }
  for (const auto& row : r.db().Query(kSales, With({from.ToString(), to.ToString()}, scope))) {
    if (auto* g = at(row.Int(0))) {
      g->sales = row.Int(1);
      g->member_sales = row.Int(2);
      g->member_sales_fen = Fen(row.Int(3));
    }
  }
  return out;
}

}  // namespace vipcare::store::reports
