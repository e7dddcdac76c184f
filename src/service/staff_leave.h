// src/service/staff_leave.h
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "service/context.h"
#include "store/page.h"

namespace vipcare::service {

// Leave handover (请假交接, SPEC C2): while a staff member is on leave their
// pending care tasks are worked by the person covering (the store manager
// unless someone else is named) and come back when the leave ends. New tasks
// of someone on leave go straight to the cover (Care::GenerateDay reads the
// active leaves). A handed-over task keeps who it came from
// (care_tasks.away_assignee_id) and gets a "handed_over" event; a returned
// one a "returned" event.
//
// Who may register and end a leave (P2): a store manager for the associates
// of their store, a regional supervisor for the associates and store
// managers of their region, an admin for anyone. Thread-safe.
class StaffLeaves {
 public:
  explicit StaffLeaves(Env env) : env_(env) {}

  // Registers a leave {"staff_id", "from", "to" (YYYY-MM-DD, from <= to, to
  // not before today, at most kMaxDays days), "covered_by" (optional staff
  // id; default the active store manager of the staff member's store)}. If
  // `from` is today or earlier the leave starts at once: every pending task
  // assigned to the staff member moves to the cover. Answers the leave (see
  // List) with "tasks_handed_over".
  // kInvalidArgument naming staff_id, from, to or covered_by (also: no store
  // manager to default to, the cover is the staff member); kForbidden if the
  // staff member is outside the actor's reach; kUnprocessable on covered_by
  // for a cover outside that reach, inactive, or on leave in the period;
  // kConflict on "from" if the staff member already has a leave that
  // overlaps. Audited ("leave_start").
  Result<nlohmann::json> Start(const Actor& actor, const nlohmann::json& body);

  // Ends leave `leave_id` now (early return, or a cancellation before it
  // started): the staff member's handed-over tasks that are still pending
  // come back to them, except those escalated as overdue meanwhile (those
  // stay with the store manager). Answers the leave with "tasks_returned".
  // kNotFound on id, kForbidden outside the actor's reach, kConflict on id
  // if the leave has already ended. Audited ("leave_end").
  Result<nlohmann::json> End(const Actor& actor, int64_t leave_id);

  // The leaves within the actor's reach, latest first: {"items": [{"id",
  // "staff_id", "staff_name", "store_id", "from", "to", "covered_by",
  // "covered_by_name", "status" (scheduled, active, ended), "created_at",
  // "ended_at"}], "total"}. Filters: staff_id, store_id, status. Each bad
  // value, and any other key, names its field.
  Result<nlohmann::json> List(const Actor& actor, const std::map<std::string, std::string>& q,
                              store::Page page);

  // The daily job (run by `vipcare run-jobs` before the care job): ends the
  // leaves whose last day is before `day` (tasks back, as End), then hands
  // the pending tasks of everyone on leave on `day` over to their cover (a
  // leave starting that day, and anything assigned to someone on leave since).
  // Idempotent. Adds to `counts`: leaves_started (leaves whose first day is
  // `day` and that were registered before it), leaves_ended,
  // tasks_handed_over, tasks_returned. Needs program_admin, like the other
  // jobs.
  Status RunDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts);

  // The longest leave one registration may cover.
  static constexpr int kMaxDays = 366;

 private:
  Env env_;
};

}  // namespace vipcare::service
