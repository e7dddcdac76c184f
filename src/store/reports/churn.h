// src/store/reports/churn.h
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"
#include "domain/tiers.h"
#include "store/report_repository.h"

// The churn early warning's tables (SPEC R5, migration 5 `member_churn`):
// what the daily job "churn_scores" reads and writes, what the care job reads,
// and the aggregates of the report `churn_risk`. Every function runs in the
// transaction of the Repository that handed out `r` (one SQL text for SQLite
// and PostgreSQL); failures of the database throw DbError. Not thread-safe.
namespace vipcare::store::reports {

// A member the job scores: an open file (not closed, merged or erased) with
// a purchase.
struct ChurnCandidate {
  MemberId id;
  Date last_purchase_on;
  bool downgrade_pending = false;  // L7: a downgrade announced, not applied or cancelled
};

// Up to `limit` candidates with an id above `after`, in id order.
std::vector<ChurnCandidate> ChurnCandidatesAfter(ReportRepository& r, MemberId after,
                                                 int64_t limit);

// One monthly bucket of one member.
struct ChurnMonth {
  MemberId member;
  domain::MonthlyBucket bucket;  // spend, purchases (largest and points left at 0)
};

// The buckets of members first..last (inclusive) from month `from_month`
// (yyyymm) on, in member and month order.
std::vector<ChurnMonth> ChurnMonthsBetween(ReportRepository& r, MemberId first, MemberId last,
                                           int64_t from_month);

// A member's stored score (a row of member_churn).
struct StoredChurn {
  MemberId member_id;
  Date day;  // the day the row last changed
  int score = 0;
  std::string level;  // domain::ChurnLevelCode
  uint32_t reason_bits = 0;
  std::string reasons;                // JSON array of the key moments' texts
  std::optional<int> previous_score;  // before `day`'s change; nullopt: first scored then
  bool operator==(const StoredChurn&) const = default;
};

// Stored scores of members after..last: ids above `after` up to `last`
// inclusive, in id order.
std::vector<StoredChurn> ChurnScoresBetween(ReportRepository& r, MemberId after, MemberId last);
std::optional<StoredChurn> GetChurnScore(ReportRepository& r, MemberId member);
// Inserts or replaces the rows (by member), 64 per statement.
void SaveChurnScores(ReportRepository& r, const std::vector<StoredChurn>& rows);
// Removes the rows of `members`; answers how many there were.
int64_t DeleteChurnScores(ReportRepository& r, const std::vector<MemberId>& members);
// Removes the rows of every member with an id above `after`.
int64_t DeleteChurnScoresAfter(ReportRepository& r, MemberId after);

// For the care job: members first..last whose score changed on `day` to a
// higher one (or was first given that day), with that score and its key
// moments (what the churn_risk task tells the associate), in member order.
struct ChurnAlert {
  MemberId member;
  int score = 0;
  std::string reasons;  // JSON array of the key moments' texts, most points first
};
std::vector<ChurnAlert> ChurnAlertsBetween(ReportRepository& r, MemberId first, MemberId last,
                                           Date day);

// ---- the report churn_risk (aggregates of the scored members in `scope`) ----

// The report's counts in one pass over the scored members of the scope
// (store, region, tier code): members per home store x tier code ("" = no
// tier) x combination of reasons (domain::ChurnReason bits) x level. A few
// thousand cells at most, from which the three views below are summed.
struct ChurnCell {
  StoreId store;
  std::string tier_code;
  uint32_t reason_bits = 0;
  std::string level;
  int64_t members = 0;
};
std::vector<ChurnCell> ChurnCells(ReportRepository& r, const ReportScope& scope);

// Scored members by level, per home store (store order).
struct ChurnStoreCounts {
  StoreId store;
  int64_t scored = 0, high = 0, medium = 0, low = 0;
};
std::vector<ChurnStoreCounts> ChurnByStore(const std::vector<ChurnCell>& cells);

// Scored members on one tier code ("" = no tier) by level, by tier code.
struct ChurnTierCounts {
  std::string tier_code;
  int64_t high = 0, medium = 0, low = 0;
};
std::vector<ChurnTierCounts> ChurnByTier(const std::vector<ChurnCell>& cells);

// Scored members by their combination of reasons and level: few rows, from
// which the service counts members per reason.
struct ChurnReasonMix {
  uint32_t reason_bits = 0;
  std::string level;
  int64_t members = 0;
};
std::vector<ChurnReasonMix> ChurnReasonMixes(const std::vector<ChurnCell>& cells);

}  // namespace vipcare::store::reports
