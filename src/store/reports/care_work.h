// src/store/reports/care_work.h
#pragma once
// The queries of R8 (care work, staff goals; SPEC C3, S4) over the open read
// transaction of a ReportRepository. One SQL text for SQLite and PostgreSQL.
#include <string>
#include <vector>

#include "core/types.h"
#include "store/report_repository.h"

namespace vipcare::store::reports {

// The care tasks of one store and channel due in one month (R8 care_work),
// counted as the monthly store report counts them (service/care_report.h):
//   planned   every task due in the month
//   done / failed / skipped / pending (open or forwarded)   by status now
//   on_time   done, on or before its overdue_after day (the company-local day
//             of its contact entry; a task done by its messages alone has
//             none and is on time)
//   overdue   pending with overdue_after before `today`, or done after it
struct CareWorkCell {
  std::string month;  // "YYYY-MM" of due_on
  StoreId store_id;   // the member's home store when the task was made; 0 = none
  std::string channel;
  int64_t planned = 0, done = 0, on_time = 0, overdue = 0, failed = 0, skipped = 0, pending = 0;
};

// Tasks due in [from, to], one cell per month, store and channel (ordered so),
// of the stores (and members' tiers) in `scope`.
std::vector<CareWorkCell> CareWorkCells(ReportRepository& r, Date from, Date to, Date today,
                                        const ReportScope& scope);

// One staff member's figures for S4 over a period (see StaffGoalFigures).
struct StaffGoalRow {
  StaffId staff_id;
  std::string name;
  std::string role;  // domain::ToString(Role)
  StoreId store_id;
  bool active = true;
  // Members registered in the period with this staff member as their
  // associate (专属顾问: an associate registering a customer becomes it),
  // prospects and merged duplicates left out.
  int64_t recruited = 0;
  // Live member files assigned to them now, and of those the ones whose
  // birthday and occupation are filled in (the two optional fields the care
  // engine's birthday and occupation-festival care depends on).
  int64_t members = 0;
  int64_t profile_complete = 0;
  // Care tasks assigned to them, due in the period up to `today`, and of
  // those done on time (as CareWorkCell::on_time).
  int64_t tasks_due = 0;
  int64_t tasks_on_time = 0;
  // Sales they made (transactions.associate_id) on days in the period:
  // every sale, the sales to members, and the members' spend net of refunds
  // made in the period (a refund counts for the sale's associate).
  int64_t sales = 0;
  int64_t member_sales = 0;
  Fen member_sales_fen{0};
};

// Every staff member of a store in `scope` (associates, managers; inactive
// ones too), by store and id, with their figures for the local days
// [from, to]; `from_at`/`to_at` are the instants those days begin and end
// (registration times are instants). The tier of `scope` does not apply.
std::vector<StaffGoalRow> StaffGoalRows(ReportRepository& r, Date from, Date to, Timestamp from_at,
                                        Timestamp to_at, Date today, const ReportScope& scope);

}  // namespace vipcare::store::reports
