// src/service/program_switch.h
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "service/context.h"

namespace vipcare::service {

// After the company chose another program (Programs::Choose), the members
// who follow the company's program (L6: no program of their own) are put on
// the new ladder as a move to a program of their own puts them
// (PlaceOnProgram): a tier the new program has is kept, otherwise the member
// is placed by their record on `today` (the highest tier it grants at once,
// or none; one that needs approval is queued). Each placed member gets a tier
// history "program_change" naming the program left, so the reports keep
// their earlier tiers apart. A follower with no tier and none waiting is
// placed only if the new ladder grants or queues one on their record; the
// others are left untouched (counted in untiered_checked). `batch` members
// per transaction, in id order; the switch's progress is stored with each
// batch (one audit row "program_switch" per batch), so a switch cut short is
// finished by the next call (Programs::Choose, LoyaltyJobs::RunDay). Members
// whose monthly figures do not add up are left as they are
// (members_skipped). Answers {"from", "to", "members", "tier_kept",
// "tier_changed", "approval_queued", "members_skipped", "untiered_checked",
// "finished"} for the work of this call, or null when no switch was under
// way.
Result<nlohmann::json> FinishProgramSwitch(const Env& env, const Actor& actor, Date today,
                                           int64_t batch = 1000);

}  // namespace vipcare::service
