// src/service/care_report.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "service/context.h"

namespace vipcare::service {

// The monthly store visit report (《客户回访情况月报表》, SPEC C3, R8), the
// store manager's plan for the next month, and the regional summary.
//
// What one cell of the report counts, over the care tasks of the store (the
// member's home store when the task was made) due in the month:
//   planned   every task due in the month
//   done / failed / skipped / pending   by the task's status now
//   on_time   done on or before its overdue_after day (company-local day of
//             completion; tasks done by their messages alone count on time)
//   overdue   still pending after its overdue_after day (as of today), or
//             done after it
//   on_time_rate_bp   on_time / planned in basis points (half up); null
//             when nothing was planned
// The totals add visited_members (members with a done task in the month)
// and points_growth (what they earned in the month: member_months.points).
// Rows by channel (the task's channel) and by tier (the member's tier now,
// named by the company's program; "" = no tier).
//
// Scope (P2, P9): a store manager their own store, a supervisor the stores
// of their region, an admin and an HQ analyst every store (the report holds
// aggregates only, no member). Thread-safe.
class CareReports {
 public:
  explicit CareReports(Env env) : env_(env) {}

  // The report of `store` for `month` ("YYYY-MM"; the current month gives
  // the figures so far, "complete": false). `store` may be 0 for a store
  // manager (their own store). Answers {"store": {id, code, name,
  // region_id}, "month", "from", "to", "as_of", "complete", "totals",
  // "by_channel": [...], "by_tier": [...], "plan": {month, text|null},
  // "next_plan": {month, text|null}}.
  // kInvalidArgument on month or store_id, kNotFound on store_id,
  // kForbidden outside the actor's scope, kUnprocessable on month for a
  // month that has not begun.
  Result<nlohmann::json> MonthlyReport(const Actor& actor, StoreId store, const std::string& month);

  // Saves the store's visit plan for `month` {"text"} (the store manager of
  // the store, a supervisor of its region, an admin), replacing an earlier
  // one. Answers {"store_id", "month", "text"}. kInvalidArgument on text,
  // month or store_id; kNotFound on store_id; kForbidden outside scope;
  // kUnprocessable on month for a month already over. Audited
  // ("care_plan_save").
  Result<nlohmann::json> PutPlan(const Actor& actor, StoreId store, const std::string& month,
                                 const nlohmann::json& body);

  // One row per store of `region` with the report's totals for `month`, and
  // whether the store manager has written the plan for the month after
  // ("next_plan_written"), plus the region's totals. Ready from the 1st of
  // the following month: kUnprocessable on month ("the month has not
  // ended") before that. A supervisor their own region, an admin or analyst
  // any; store managers see their own store's report instead (kForbidden).
  // kInvalidArgument on month or region_id, kNotFound on region_id.
  Result<nlohmann::json> RegionalSummary(const Actor& actor, RegionId region,
                                         const std::string& month);

  // Longest plan text, in bytes.
  static constexpr size_t kMaxPlanText = 8000;

 private:
  Env env_;
};

}  // namespace vipcare::service
