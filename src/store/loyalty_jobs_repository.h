// src/store/loyalty_jobs_repository.h
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/db.h"
#include "store/page.h"

namespace vipcare::store {

// Persistence of the loyalty engine's daily schedule (SPEC L4, L6, L7,
// `vipcare run-jobs`): which job ran for which day, the notices it left for
// the care engine (points about to expire, announced downgrades), and the
// member batches it walks. Inside the transaction of the Repository that
// hands it out (Repository::loyalty_jobs()). Not thread-safe.
class LoyaltyJobsRepository {
 public:
  virtual ~LoyaltyJobsRepository() = default;
};

// The SQL implementation over `db` (SQLite and PostgreSQL alike).
std::unique_ptr<LoyaltyJobsRepository> MakeSqlLoyaltyJobsRepository(Db& db);

}  // namespace vipcare::store
