// src/store/reports/rollups.h
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"
#include "store/db.h"

// Report rollups (migration 8): every member's 12-month figures and tier as
// of a closed month's end, so that RFM, activity (SPEC R4), top-N (R6) and
// tier mix (R3) for a month read about one row per member who ever bought
// instead of a pass over the buckets of twelve months (~10M rows at 1M
// members, 20M transactions) or every tier event since.
//
// Kept up to date like this:
// - `vipcare run-jobs` (job report_rollups, service/report_rollups.h) builds
//   the two months before the day's month when they are not ready: it marks
//   the month 'building' with a token, computes the figures from the buckets
//   in one read, writes them, and marks the month 'ready' only if its mark
//   is still the one it wrote.
// - A posting, refund or member merge changes one member's bucket of a
//   month X (LoyaltyRepository::AddToMonth) and, in the same transaction,
//   that member's row of every ready rollup from X on (AddToRollups): sales
//   and spend for the rollups whose window holds X, the last sale day for
//   all. Postings dated in the current month (no rollup after it) cost one
//   statement that finds nothing. The same change marks a build in progress
//   'stale', so a build never misses a sale posted while it reads.
// - A bulk import marks the rollups of its earliest month and every later
//   one 'stale' (InvalidateRollupsFrom); the next run builds the last two
//   again and drops older stale ones.
// - A report uses a rollup only inside its read transaction when its month
//   is 'ready', and otherwise reads the buckets as before; the answers are
//   the same either way.
namespace vipcare::store::reports {

// One member's figures as of the end of `month`.
struct MemberRollup {
  int64_t member_id = 0;
  int64_t purchases = 0;  // sales in the 12 calendar months ending with `month`
  int64_t spend = 0;      // paid net of refunds (fen) in those months
  std::string last_day;   // last sale day on or before the month's end; "" none
  // Tier at the month's end as TierKey(program, code, "") (scope_members.h:
  // "program:code" for a member on a program of their own); "" none.
  std::string tier_code;
};

// Marks every rollup of `month` and later unusable: call in the transaction
// that changes buckets of `month` (yyyymm) and later wholesale.
void InvalidateRollupsFrom(Db& db, int64_t month);
// Marks every rollup whose month ends after `at` unusable: call in the
// transaction that records a tier event at `at` (a tier event is stamped when
// it is written, so this finds nothing unless a clock ran behind).
void InvalidateRollupsEndingAfter(Db& db, Timestamp at);

// Adds a change to one member's bucket of `month` (sales, spend, and the
// bucket's last sale day, "" for none) to their rows of the ready rollups
// from `month` on, and marks builds in progress from `month` on 'stale':
// call in the transaction that changes the bucket.
void AddToRollups(Db& db, int64_t member_id, int64_t month, int64_t purchases, int64_t spend,
                  const std::string& last_day);

// True if the rollup of `month` is ready to read.
bool RollupReady(Db& db, int64_t month);

// yyyymm plus `n` months (n may be negative).
int64_t ShiftMonth(int64_t month, int n);

// One member's figures over a 12-month window, from the rollups.
struct WindowFigures {
  int64_t member_id = 0;
  int64_t purchases = 0;
  int64_t spend = 0;
  int32_t last = 0;  // last sale day (yyyymmdd, 0 none) by the window's end
};
// Every member's figures over the 12 months [from_month, to_month], in
// member id order (members with a bucket up to to_month, some with nothing
// in the window), or nullopt when the rollups cannot give them: read from
// the rollup of to_month when ready, else from the rollup of the month
// before (ready) less the buckets of the month it has and the window has
// not, plus the buckets of to_month (the current month: ~1/12 of the rows).
std::optional<std::vector<WindowFigures>> WindowFromRollups(Db& db, int64_t from_month,
                                                            int64_t to_month);

// Calls fn(member_id, tier key as kept: FoldTierKey it) for every member of
// the ready rollup whose month ends at `ends_at` (members without a row had
// no tier then); false,
// calling nothing, when there is none.
bool ForEachRollupTier(Db& db, Timestamp ends_at,
                       const std::function<void(int64_t, const std::string&)>& fn);

// Calls fn(member_id, purchases, spend, last_day as yyyymmdd or 0) for every
// member of a ready rollup, in member id order.
void ForEachRollup(Db& db, int64_t month,
                   const std::function<void(int64_t, int64_t, int64_t, int32_t)>& fn);

// Every rollup month with its state: 'building', 'ready' or 'stale'.
std::vector<std::pair<int64_t, std::string>> ListRollups(Db& db);

// Removes a month's rollup, rows and mark.
void DropRollup(Db& db, int64_t month);

// Starts a build of `month`, which ends at `ends_at`: drops what there was
// and marks it 'building' with `token`.
void BeginRollup(Db& db, int64_t month, const std::string& token, Timestamp now,
                 Timestamp ends_at);

// The figures of `months` (ending at `ends_at`) from the buckets, one pass
// over member_months up to the latest of them, and the tiers at their ends
// from today's tiers and the tier events since the earliest end: result[i]
// belongs to months[i], by member id.
std::vector<std::vector<MemberRollup>> ComputeRollups(Db& db, const std::vector<int64_t>& months,
                                                      const std::vector<Timestamp>& ends_at);

// Adds rows of a build of `month`.
void InsertRollups(Db& db, int64_t month, const std::vector<MemberRollup>& rows, size_t from,
                   size_t count);

// Marks the build of `month` ready if it is still the one begun with
// `token` (no bucket of the month or before changed since); answers whether
// it did.
bool FinishRollup(Db& db, int64_t month, const std::string& token, int64_t members);

}  // namespace vipcare::store::reports
