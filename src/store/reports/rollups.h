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

// Report rollups (migration 8): every member's 12-month figures as of a
// closed month's end, so that RFM, activity (SPEC R4) and top-N (R6) for a
// month read about one row per member who ever bought instead of a pass over
// the buckets of twelve months (~10M rows at 1M members, 20M transactions).
//
// Kept up to date like this:
// - `vipcare run-jobs` (job report_rollups, service/report_rollups.h) builds
//   the two months before the day's month when they are not ready: it marks
//   the month 'building' with a token, computes the figures from the buckets
//   in one read, writes them, and marks the month 'ready' only if its row is
//   still the one it wrote.
// - Every change to a bucket (a sale or refund posted or imported, a merge)
//   marks the rollups of the bucket's month and every later one 'stale'
//   (InvalidateRollupsFrom) in the same transaction, so a sale dated in a
//   closed month, or one arriving while a build runs, makes that month
//   unusable until the next run rebuilds it (the last two closed months) or
//   drops it (older ones).
// - A report uses a rollup only inside its read transaction when its month
//   is 'ready' (RollupReady), and otherwise reads the buckets as before; the
//   answers are the same either way.
namespace vipcare::store::reports {

// One member's figures as of the end of `month`.
struct MemberRollup {
  int64_t member_id = 0;
  int64_t purchases = 0;  // sales in the 12 calendar months ending with `month`
  int64_t spend = 0;      // paid net of refunds (fen) in those months
  std::string last_day;   // last sale day on or before the month's end; "" none
};

// Marks every rollup of `month` and later unusable: call in the transaction
// that changes a bucket of `month` (yyyymm).
void InvalidateRollupsFrom(Db& db, int64_t month);

// True if the rollup of `month` is ready to read.
bool RollupReady(Db& db, int64_t month);
// True if the months [from_month, to_month] are a rollup's 12-month window
// and that rollup is ready.
bool RollupCovers(Db& db, int64_t from_month, int64_t to_month);

// yyyymm plus `n` months (n may be negative).
int64_t ShiftMonth(int64_t month, int n);

// Calls fn(member_id, purchases, spend, last_day as yyyymmdd or 0) for every
// member of a ready rollup, in member id order.
void ForEachRollup(Db& db, int64_t month,
                   const std::function<void(int64_t, int64_t, int64_t, int32_t)>& fn);

// Every rollup month with its state: 'building', 'ready' or 'stale'.
std::vector<std::pair<int64_t, std::string>> ListRollups(Db& db);

// Removes a month's rollup, rows and mark.
void DropRollup(Db& db, int64_t month);

// Starts a build of `month`: drops what there was and marks it 'building'
// with `token`.
void BeginRollup(Db& db, int64_t month, const std::string& token, Timestamp now);

// The figures of `months` from the buckets, one pass over member_months up
// to the latest of them: result[i] belongs to months[i], by member id.
std::vector<std::vector<MemberRollup>> ComputeRollups(Db& db, const std::vector<int64_t>& months);

// Adds rows of a build of `month`.
void InsertRollups(Db& db, int64_t month, const std::vector<MemberRollup>& rows, size_t from,
                   size_t count);

// Marks the build of `month` ready if it is still the one begun with
// `token` (no bucket of the month or before changed since); answers whether
// it did.
bool FinishRollup(Db& db, int64_t month, const std::string& token, int64_t members);

}  // namespace vipcare::store::reports
