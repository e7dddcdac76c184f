// src/store/rewards_repository.h
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/db.h"
#include "store/page.h"

namespace vipcare::store {

// Persistence of redemption (SPEC L5) and points adjustments (L2): the gift
// catalogue with its stock, vouchers, redemptions and adjustment requests.
// Inside the transaction of the Repository that hands it out
// (Repository::rewards()). Same failure rules as Repository. Not thread-safe.
class RewardsRepository {
 public:
  virtual ~RewardsRepository() = default;
};

// The SQL implementation over `db` (SQLite and PostgreSQL alike).
std::unique_ptr<RewardsRepository> MakeSqlRewardsRepository(Db& db);

}  // namespace vipcare::store
