// src/store/reports/activity.h
#pragma once
#include <cstdint>
#include <vector>

#include "core/types.h"
#include "store/report_repository.h"

// The queries of SPEC R4 (activity and RFM), over ReportRepository::db().
//
// Which members: open files only (status not closed, merged or erased), by
// home store in `scope`, on the current tier `scope.tier` when given. A
// member's last purchase on or before the as-of day is
// member_loyalty.last_purchase_on when that is not later than the as-of day
// (always the case when the as-of day is today); otherwise the latest of the
// sales of the as-of day's month up to that day (only when the day is not the
// month's last) and of the monthly buckets' last sale days
// (member_months.last_day) of the months before. A purchase is a sale: a
// refund does not take one back (as in member_loyalty and member_months).
//
// Scale (1M members, 12.8M transactions; BENCHMARKS.md): both read the
// scope's members from members_report_scope alone and every member's tier
// and last purchase from one scan of member_loyalty into arrays by member id.
// ActivityByStore then needs, for a past month's end, one pass over the
// buckets' last sale days (everyone who bought since); RfmCells one pass over
// the window's buckets in key order (~10M rows for 12 months at ~850,000
// buyers a month: most of its ~2.7 s), where the recency as of a month's last
// day is the window's own latest last_day. Neither probes a table per member.
namespace vipcare::store::reports {

// Open members of one home store by their last purchase as of a day.
// A member counts once in `members` and in `never_bought` or in the buckets
// their last purchase falls into: active_90 (bought within the 90 days up to
// and including the as-of day: days since the last purchase < 90),
// dormant_180 (>= 180 days) and dormant_365 (>= 365 days, also counted in
// dormant_180). Members with 90-179 days are in none of the buckets.
struct StoreActivity {
  StoreId store_id;
  int64_t members = 0;
  int64_t active_90 = 0;
  int64_t dormant_180 = 0;
  int64_t dormant_365 = 0;
  int64_t never_bought = 0;
};

// The as-of day of a report and the instants around it, company time.
struct AsOfDay {
  Date day;
  Timestamp month_start;  // the instant the day's month begins
  Timestamp day_end;      // the instant the next day begins
};

// One row per home store with members, by store id. A member counts if
// registered before `as_of.day_end` or with a purchase on or before the day
// (e.g. imported history).
std::vector<StoreActivity> ActivityByStore(ReportRepository& r, const AsOfDay& as_of,
                                           const ReportScope& scope);

// One RFM cell: the buyers with scores (r, f, m), each 1..5, 5 = best.
struct RfmCell {
  int r = 0;
  int f = 0;
  int m = 0;
  int64_t members = 0;
  Fen spend{0};  // their spend over the window, net of refunds
};

// The buyers of the months [from_month, the as-of day's month] (yyyymm; a
// buyer made at least one sale in them) scored by quintile and grouped by
// score, at most 125 rows ordered by (r, f, m):
//   recency   = their last purchase on or before the as-of day (later = better),
//   frequency = sales in the window (more = better),
//   monetary  = spend in the window, net of refunds (more = better).
// A member's score for a measure is 1 + floor(5 * below / n), where n is the
// number of buyers and `below` the number of buyers strictly worse on it:
// equal values share a score (the rank of the first of them), the worst get
// 1, and 5 goes only to values with at least 80 % of buyers strictly below.
std::vector<RfmCell> RfmCells(ReportRepository& r, const AsOfDay& as_of, int64_t from_month,
                              const ReportScope& scope);

}  // namespace vipcare::store::reports
