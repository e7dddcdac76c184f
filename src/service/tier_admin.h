// src/service/tier_admin.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "domain/program.h"
#include "domain/tiers.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

// L7 "a manager may hold or override a tier, with a reason, audited". Each
// call needs member_admin and the member in the actor's scope (P2: a store
// manager their store, a supervisor their region, an admin everyone), runs in
// one transaction, keeps the event in the tier history with its reason and
// writes an audit row. Every answer is the member's tier state:
//   {"member_id", "tier": {"code", "name"} | null, "tier_since": "YYYY-MM-DD" | null,
//    "hold": {"until": "YYYY-MM-DD" | null, "reason"} | null,
//    "downgrade": {"warned_on", "effective_on"} | null,
//    "pending_approval": {"tier": {"code", "name"}, "reason"} | null}
// Errors: kForbidden (role or scope), kNotFound on "id" (no such member),
// kInvalidArgument naming the bad field, kUnprocessable on "member_id" when
// the member has no tier (or no hold to release) or their file is closed;
// kConflict on "member_id" if the tier changed at the same moment. Bad input
// changes nothing. Thread-safe.
class TierAdmin {
 public:
  explicit TierAdmin(Env env) : env_(env) {}

  // Holds the member's current tier: {"until": "YYYY-MM-DD" (today or later)
  // or null/absent = until lifted, "reason": 1-200 characters}. The daily
  // review then never lowers the member while the hold lasts (it reports them
  // as "held"); an announced downgrade is cancelled at once (tier history
  // "downgrade_cancelled"). Tier history "hold", audit "tier_hold". Holding a
  // held tier again replaces the hold.
  Result<nlohmann::json> HoldTier(const Actor& actor, MemberId member, const nlohmann::json& body);

  // Lifts a hold before its end, with the manager's reason (1-200
  // characters, field "reason"). Tier history "hold_released", audit
  // "tier_hold_release". kUnprocessable on "member_id" if there is no hold.
  Result<nlohmann::json> ReleaseHold(const Actor& actor, MemberId member,
                                     const std::string& reason);

  // Sets the member's tier by hand: {"tier": a tier code of the company's
  // program, "reason": 1-200 characters}. Up or down; the tier counts from
  // today, an announced downgrade and a queued approval at or below the new
  // tier are dropped. Tier history "override" (from, to, reason), audit
  // "tier_override". kUnprocessable on "tier" if the member already has it.
  Result<nlohmann::json> OverrideTier(const Actor& actor, MemberId member,
                                      const nlohmann::json& body);

 private:
  Env env_;
};

// What PlaceOnProgram did to the member's tier.
struct Placement {
  bool tier_changed = false;  // their tier is another (or none) now
  bool queued = false;        // an approval was queued for the store manager
};

// The rule of MoveToProgram on a state and metrics already read, inside the
// caller's transaction: `s` (whose program_code already names the program
// the member is on now) moves from `from` (`from_code`: its code, the
// company's too, as tier_history.from_program keeps it) to `to`, with the metrics of
// `to` on `today`. Appends the tier history and changes `s`; the caller
// saves it and writes the audit row.
Result<Placement> PlaceOnProgram(store::LoyaltyRepository& l, store::LoyaltyState& s,
                                 const domain::Program& from, const std::string& from_code,
                                 const domain::Program& to, const domain::Metrics& metrics,
                                 Timestamp now, Date today, UserId actor);

// Puts the member on the program `code` ("" = back to following the
// company's), inside the caller's transaction (L6, issue 5 "a member's
// program is set with PATCH"). The member keeps their tier if the new
// program has its code, else starts on the new ladder from their record (the
// highest tier it grants at once, or none); an upgrade the new ladder grants
// at once is applied and one needing approval is queued. Tier history
// "program_change" (old and new tier, both programs' names), audit
// "member_program". The caller checks `code` names a program and the
// actor's right. False if the member is on that program already.
Result<bool> MoveToProgram(store::Repository& repo, const Env& env, const Actor& actor,
                           MemberId id, const std::string& code, Date today);

}  // namespace vipcare::service
