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
// (always the case when the as-of day is today); otherwise the latest sale
// on or before it in `transactions`. A purchase is a sale: a refund does not
// take one back (as in member_loyalty and member_months).
//
// Scale (1M members): ActivityByStore reads the members of the scope once
// (members_store index for a store, the table otherwise) with a primary-key
// probe into member_loyalty each, and groups them into one row per store; the
// transactions fallback is a transactions_member index probe (repeated for
// each of the up to five places the outer query tests the day, as SQLite
// inlines it) for each member who bought after the as-of day only: nothing
// when the as-of day is today, a few probes per such member for a past one. RfmCells reads member_months for the 12 months (the table is keyed
// by member then month, so it is a scan of the whole table: at most 24M rows
// at 1M members with two years of buckets), sorts the buyers three times
// for the ranks and returns at most 125 rows. No query returns a row per
// member.
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

// One row per home store with members, by store id. A member counts if
// registered before `as_of_end` (the instant the day after `as_of` begins,
// company time) or with a purchase on or before `as_of` (e.g. imported
// history).
std::vector<StoreActivity> ActivityByStore(ReportRepository& r, Date as_of, Timestamp as_of_end,
                                           const ReportScope& scope);

// One RFM cell: the buyers with scores (r, f, m), each 1..5, 5 = best.
struct RfmCell {
  int r = 0;
  int f = 0;
  int m = 0;
  int64_t members = 0;
  Fen spend{0};  // their spend over the window, net of refunds
};

// The buyers of the months [from_month, to_month] (yyyymm; a buyer made at
// least one sale in them) scored by quintile and grouped by score, at most
// 125 rows ordered by (r, f, m):
//   recency   = their last purchase on or before `as_of` (later = better),
//   frequency = sales in the window (more = better),
//   monetary  = spend in the window, net of refunds (more = better).
// A member's score for a measure is 1 + floor(5 * below / n), where n is the
// number of buyers and `below` the number of buyers strictly worse on it:
// equal values share a score (the rank of the first of them), the worst get
// 1, and 5 goes only to values with at least 80 % of buyers strictly below.
std::vector<RfmCell> RfmCells(ReportRepository& r, Date as_of, int64_t from_month,
                              int64_t to_month, const ReportScope& scope);

}  // namespace vipcare::store::reports
