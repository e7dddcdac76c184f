#include "store/loyalty_jobs_repository.h"

namespace vipcare::store {
namespace {

class SqlLoyaltyJobsRepository final : public LoyaltyJobsRepository {
 public:
  explicit SqlLoyaltyJobsRepository(Db& db) : db_(db) {}

 private:
  Db& db_;
};

}  // namespace

std::unique_ptr<LoyaltyJobsRepository> MakeSqlLoyaltyJobsRepository(Db& db) {
  return std::make_unique<SqlLoyaltyJobsRepository>(db);
}

}  // namespace vipcare::store
