// src/store/reports/growth.h
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/report_repository.h"

// The queries of SPEC R1 (member growth), over ReportRepository::db().
//
// How a member joined is read from the cards table, not from the member's
// status: status changes with the lifecycle (an erased file's status is
// "erased", a merged one "merged") and the status history is sealed, but
// cards are never deleted and a file gets its first card when it becomes a
// member (registration as temporary or formal, M3; a bulk import issues one
// per file). So:
//   joined as     the kind of the member's first card (lowest id):
//                 "temporary" or "formal"; a file without a card (a prospect,
//                 M2) has not joined and is not counted;
//   registered    members.created_at, bucketed into company-local months by
//                 the instants the caller passes (so the time zone is exact,
//                 also across daylight saving);
//   converted     M4: the first formal card (lowest id) of a member whose first
//                 card was temporary; its issued_on (a company-local day) is
//                 the conversion day. Both M4 paths order that card
//                 (service/loyalty_jobs.h ConvertIfQualified after a sale, and
//                 Members::IssueCard when staff order it by hand); a status
//                 changed to formal by hand without ordering a card, or a
//                 merge that leaves the survivor formal, is not a conversion
//                 here;
//   referred      members.referrer_id set. Erasure keeps store, source and
//                 dates but drops the referrer, so an erased member no longer
//                 counts as referred.
// Erased and merged files are counted like any other: they were new members
// in the month they registered (and converted when they did).
// Store and region apply to the member's home store (members.home_store_id,
// today's value); scope.tier to the member's current tier (member_loyalty),
// "none" meaning members without one.
//
// Indexes and scale (1M members): members has no index on created_at, so
// NewMembersByMonth reads the whole table once per 12 months of the period
// (also for one store: the "(? = 0 OR home_store_id = ?)" form that keeps one
// SQL text for every scope cannot use members_store), bucketing each member
// into its month with the CASE over the bounds in that same pass, and
// probes cards_member twice for each member registered in the period; rows
// back are at most months x stores x sources x 2. ConversionsByMonth reads
// the cards table (no index on kind or issued_on; about one card per member
// plus replacements, narrower rows than members) and probes cards_member and
// the members primary key only for the formal cards issued in the period.
// At 1M members that is one pass over members and one over cards: well
// under a second on PostgreSQL, a few seconds on SQLite. An index
// members(created_at) would make the first a range scan; it is not needed.
namespace vipcare::store::reports {

// New members of one month, home store, source and way of joining.
struct NewMemberGroup {
  size_t month = 0;        // index into the months of the period
  StoreId store_id;        // home store
  std::string source;      // members.source: walk_in, referral, event, online, import, other
  std::string joined_as;   // "temporary" or "formal"
  int64_t members = 0;
  int64_t referred = 0;    // of them with a referrer
  int64_t formal_by = 0;   // of them joined as temporary and converted on or before `formal_by`
};

// Members registered in [bounds.front(), bounds.back()): month i of the
// period is [bounds[i], bounds[i+1]) (the instants the company-local months
// begin; bounds.size() = months + 1, at least 2). Ordered by month, store,
// source, joined_as; empty groups are left out. `formal_by` is the last day
// counted for NewMemberGroup::formal_by.
std::vector<NewMemberGroup> NewMembersByMonth(ReportRepository& r,
                                              const std::vector<Timestamp>& bounds,
                                              Date formal_by, const ReportScope& scope);

// Conversions temporary -> formal of one month ("YYYY-MM" of the day the
// formal card was issued) and home store.
struct ConversionGroup {
  std::string month;
  StoreId store_id;
  int64_t members = 0;
};

// Conversions on the days [from, to], ordered by month and store.
std::vector<ConversionGroup> ConversionsByMonth(ReportRepository& r, Date from, Date to,
                                                const ReportScope& scope);

}  // namespace vipcare::store::reports
