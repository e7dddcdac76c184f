// src/service/report_rollups.h
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/result.h"
#include "service/context.h"

namespace vipcare::service {

// The daily job "report_rollups" of `vipcare run-jobs` (SPEC R4, R6;
// store/reports/rollups.h): makes the report rollups of the two months
// before the day's month ready when they are not (so on the 1st the month
// just closed is built, and a month a backdated sale made stale is built
// again), and drops the rows of older months that went stale. A build reads
// the buckets once in a read transaction, writes its rows in batches, and is
// marked ready only if no bucket of its months changed meanwhile; otherwise
// it is left for the next run ("rollups_discarded"). Running a day again
// changes nothing. Thread-safe.
class ReportRollups {
 public:
  static constexpr size_t kRowsPerBatch = 50'000;

  explicit ReportRollups(Env env) : env_(env) {}

  // Adds to `counts`: "rollups_built" (months made ready), "rollup_members"
  // (rows written), "rollups_dropped" (stale months removed),
  // "rollups_discarded" (builds a change overtook). Needs program_admin.
  Status RunDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts);

 private:
  Env env_;
};

}  // namespace vipcare::service
