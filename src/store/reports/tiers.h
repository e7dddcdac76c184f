// src/store/reports/tiers.h
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/report_repository.h"

// The queries of SPEC R3 (tier distribution and migration), over
// ReportRepository::db().
//
// Which members: open files (status not closed, merged or erased), by home
// store in `scope`, on the current tier `scope.tier` when given ("none" =
// members without a tier). Their tier now is member_loyalty.tier_code ('' =
// none, also for members without a loyalty row).
//
// A member's tier at an earlier instant is found backwards from today: the
// from_tier of their first tier-changing event at or after that instant, or
// their tier now if there is none since. Tier-changing events are the
// tier_history rows of kind upgrade, approved, downgrade, override and merge
// with from_tier <> to_tier (warnings, queued approvals, rejections, holds
// and cancelled downgrades change nothing). Working backwards keeps the
// past consistent with today's figures even for a tier set without an event.
//
// Indexes and scale (1M members, a few million tier events): the service
// needs (a) the counts by tier now — one pass over members (for any scope:
// the "(? = 0 OR ...)" filters keep one SQL text and so do not use
// members_store) with a primary-key probe into member_loyalty, grouped to a
// handful of rows — and (b) the "movers" since the period began: members
// registered since then and members with a tier-changing event since then,
// with those events. (b) reads tier_history (no index on `at`: one scan of a
// narrow table) and members for created_at (no index: one scan), and returns
// one row per event plus one per new member; every other member keeps
// today's tier through the whole period and is only counted in (a). The
// service then computes the month-end mixes, the matrix and the reasons from
// (a) minus the movers' current tiers plus the movers' tiers at each instant,
// so any period costs three passes (members twice, tier_history once), never
// one query per month.
// Movers are typically a few per cent of the base per month (upgrades happen
// when a sale qualifies, downgrades on the L7 schedule), i.e. some 10^5 rows
// for a year at 1M members.
namespace vipcare::store::reports {

// Open members of the scope by their tier now.
struct TierCount {
  std::string tier_code;  // '' = no tier
  int64_t members = 0;
};
std::vector<TierCount> CurrentTierCounts(ReportRepository& r, const ReportScope& scope);

// One tier-changing event.
struct TierEvent {
  Timestamp at{};
  std::string kind;
  std::string from_tier;
  std::string to_tier;
  std::string reason;
};

// An open member of the scope registered at or after `since`, or with a
// tier-changing event at or after `since` (those events, oldest first).
struct TierMover {
  MemberId member_id;
  Timestamp created_at{};
  std::string current_tier;  // '' = none
  std::vector<TierEvent> events;
};

// The movers since `since`, by member id.
std::vector<TierMover> TierMoversSince(ReportRepository& r, Timestamp since,
                                       const ReportScope& scope);

}  // namespace vipcare::store::reports
