// src/service/loyalty_jobs.h
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "domain/program.h"
#include "service/care.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

// The loyalty engine's daily schedule (`vipcare run-jobs`, SPEC I1): for one
// company-local day, in this order
//   points_expiry        L4: open lots whose last valid day is before the day
//                        lose what is left (ledger "expire"); a balance is
//                        never pushed below zero by it.
//   rank                 L6: when the program has a rank_percentile rule,
//                        every member with positive 12-month spend is ranked
//                        (1 = top 1%, ties share the better rank, members
//                        without spend are unranked) and those who now
//                        qualify are upgraded as a posting would (immediate,
//                        or queued for the store manager).
//   downgrade_review     L7: each member with a tier goes through
//                        domain::ReviewDowngrade: warned (tier_history
//                        "downgrade_warned" + a "downgrade_warning" notice),
//                        cancelled on re-qualifying or a manager's hold,
//                        lowered ONE level on the announced day (never
//                        without a stored warning), or held. A tier reached
//                        on the day itself is reviewed from the next day; an
//                        expired hold is released ("hold_released").
//   temporary_to_formal  M4: see ConvertIfQualified.
//   expiry_warning       L4: one "points_expiry" notice per member and expiry
//                        day for points expiring within the program's
//                        expiry.warn_days.
//   churn_scores         R5: every open member who ever bought is scored
//                        (service/churn_job.h, domain/churn.h); a score that
//                        rises that day feeds the care rule churn_risk.
//   report_rollups       R4/R6: the report rollups of the two months before
//                        the day's month are built when not ready
//                        (service/report_rollups.h).
// Members whose file is closed, merged or erased are left out of every job
// but the expiry. Each job walks the members in batches (one transaction per
// batch), is idempotent by itself, and is recorded in loyalty_job_runs (job,
// day); a job is claimed before it starts so two instances never run it at
// once (D2). Notices (store::LoyaltyNotice) are what the care engine reads:
//   points_expiry      occasion = expiry day, due_on = run day,
//                      detail {"points", "expires_on"}
//   downgrade_warning  occasion = warning day, due_on = warning day,
//                      detail {"from_tier", "to_tier", "effective_on", "reason"}
//   downgrade          occasion = day applied, due_on = that day,
//                      detail {"from_tier", "to_tier", "reason"}
//   became_formal      occasion = day converted, due_on = that day,
//                      detail {"card_id", "pickup_due", "reason"} (SMS within
//                      a day, pickup reminder call on pickup_due)
// Thread-safe.
class LoyaltyJobs {
 public:
  static constexpr int64_t kBatchSize = 1000;

  // `batch_size` members (or lots) per transaction.
  // With `care`, each day ends with the care engine's job "care_tasks"
  // (Care::GenerateDay: tasks, messages, escalation, sending).
  explicit LoyaltyJobs(Env env, int64_t batch_size = kBatchSize, Care* care = nullptr)
      : env_(env), batch_size_(batch_size), care_(care) {}

  // Runs the day's jobs and answers {"day", "expired_points", "expired_lots",
  // "expiry_notices", "downgrade_warned", "downgrade_applied",
  // "downgrade_cancelled", "held", "holds_expired", "ranked", "upgraded",
  // "approval_queued", "converted", "churn_scored", "churn_high",
  // "churn_changed", "members_skipped", "program_switched", "skipped"}
  // (members_skipped: members left alone because their monthly figures do
  // not add up; program_switched: members put on the company's new program
  // by FinishProgramSwitch, which runs first when a change of the company's
  // program was cut short). A day already run answers its stored summary with
  // "skipped": true and changes nothing; a job finished before an
  // interruption is not run again. Needs program_admin.
  // kUnprocessable on "date" for a day before the last day run (days run in
  // order); kConflict on "date" while another instance runs the same job.
  Result<nlohmann::json> RunDay(const Actor& actor, Date day);

  // Catches up: runs every day after the last day run through `day`, in
  // order, never skipping one (the first run ever runs `day` only). Answers
  // {"from", "to", "days": [RunDay summaries]}; stops at the first error,
  // keeping the days already run.
  Result<nlohmann::json> RunThrough(const Actor& actor, Date day);

 private:
  Env env_;
  int64_t batch_size_;
  Care* care_;
};

// M4 temporary → formal, inside the caller's transaction (call it right after
// a sale posts, with the sale's day): if member `id` is temporary and the
// company program's temporary_to_formal rule holds on `day`, the member
// becomes formal (member history "status" with the reason, audit
// "member_formal"), the active temporary card is replaced by a formal card
// ordered for pickup within 5 days (expiry per the program's card rules,
// member history "card"), and a "became_formal" notice is left for the care
// engine. The threshold's cash-back (seed 002: "您已经获得了咱们XX分返XX元的
// 现金"): with an automatic cash-back rule ("每满XX分返XX元") the vouchers the
// points held allow are issued now; `vouchers` brings the codes the
// converting sale issued and receives them all, and the notice's detail
// lists them for the SMS. A cash-back on request stays the member's choice. Answers true if the member was converted, false if nothing
// was due (not temporary, no purchases, rule not met, or no temporary stage).
// kNotFound on "id" for an unknown member; kConflict if the file changed
// meanwhile. A caller that holds the company's program passes it instead of
// having it read again.
Result<bool> ConvertIfQualified(store::Repository& repo, const Env& env, const Actor& actor,
                                MemberId id, Date day,
                                std::vector<std::string>* vouchers = nullptr,
                                const domain::Program* program = nullptr);

// A fresh random token (32 hex digits) that marks one run's claims and
// builds as its own.
std::string NewRunToken();

}  // namespace vipcare::service
