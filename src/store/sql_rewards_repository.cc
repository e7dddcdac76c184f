#include "store/rewards_repository.h"

namespace vipcare::store {
namespace {

class SqlRewardsRepository final : public RewardsRepository {
 public:
  explicit SqlRewardsRepository(Db& db) : db_(db) {}

 private:
  Db& db_;
};

}  // namespace

std::unique_ptr<RewardsRepository> MakeSqlRewardsRepository(Db& db) {
  return std::make_unique<SqlRewardsRepository>(db);
}

}  // namespace vipcare::store
