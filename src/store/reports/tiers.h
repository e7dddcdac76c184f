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
// When the period ends with a closed month whose report rollup is ready
// (rollups.h), the members' tiers at its end come from the rollup and stand
// for "now" below, and only the events before that end are read.
//
// A member's tier at an earlier instant is found backwards from today: the
// from_tier of their first tier-changing event at or after that instant, or
// their tier now if there is none since. Tier-changing events are the
// tier_history rows of kind upgrade, approved, downgrade, override and merge
// with from_tier <> to_tier (warnings, queued approvals, rejections, holds
// and cancelled downgrades change nothing). Working backwards keeps the
// past consistent with today's figures even for a tier set without an event.
//
// Indexes and scale (1M members, 20M transactions, ~700,000 tier events
// since the period began — an import of the sales history raises most of the
// base on the day it runs): the scope's members are read once from
// members_report_scope alone and every member's tier from one scan of
// member_loyalty, into arrays by member id; the tier-changing events since
// the period began are then one scan of tier_history with no join, filtered
// in memory. The service computes the month-end mixes, the matrix and the
// reasons from today's counts minus the movers' current tiers plus the
// movers' tiers at each instant, so any period costs three passes, never one
// query per month and never a probe into the wide members rows.
namespace vipcare::store::reports {

// Open members of the scope by their tier now.
struct TierCount {
  std::string tier_code;  // '' = no tier
  int64_t members = 0;
};

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

// The open members of the scope by their tier now ('' first when any, then
// the codes as their bytes sort), and the movers since `since`, by member id.
// The kind and reason of an event at or after `details_until` are left empty
// (only the period's own events are told; later ones serve to go back from
// today's tiers).
struct TierPicture {
  std::vector<TierCount> current;
  std::vector<TierMover> movers;
};
TierPicture TierPictureSince(ReportRepository& r, Timestamp since, Timestamp details_until,
                             const ReportScope& scope);

}  // namespace vipcare::store::reports
