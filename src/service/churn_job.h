// src/service/churn_job.h
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/result.h"
#include "service/context.h"

namespace vipcare::service {

// The daily job "churn_scores" of `vipcare run-jobs` (SPEC R5, I1): scores
// every open member with a purchase (domain::ScoreChurn on the member's
// monthly buckets and loyalty state, never the transactions) as of `day` and
// keeps member_churn in step: a changed score or reason is written with the
// day and the score before it, an unchanged one is left alone, and the rows of
// members no longer scored (closed, merged, erased) are removed. The care job
// that runs after it reads the scores that rose that day
// (store::reports::ChurnAlertsBetween) into MemberFacts::churn_score, so the
// care rule churn_risk makes a task once when a member's score climbs to its
// threshold. Walks the members in batches, one transaction each; running a
// day again changes nothing. Thread-safe.
class ChurnJob {
 public:
  static constexpr int64_t kBatchSize = 1000;

  explicit ChurnJob(Env env, int64_t batch_size = kBatchSize)
      : env_(env), batch_size_(batch_size) {}

  // Scores the members on `day` and adds to `counts`: "churn_scored"
  // (members scored), "churn_high" (of them at high risk), "churn_changed"
  // (rows written because the score or a reason changed). Needs
  // program_admin. A batch that fails rolls back alone; the batches before it
  // stay (a rerun redoes the day).
  Status RunDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts);

 private:
  Env env_;
  int64_t batch_size_;
};

}  // namespace vipcare::service
