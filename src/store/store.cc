#include "store/store.h"

#include <stdexcept>

#include "store/keys.h"
#include "store/migrations.h"

namespace vipcare::store {

Store::Store(std::string url, KeyringPtr keys, uint32_t index_key, size_t pool_size,
             Dialect dialect)
    : url_(std::move(url)),
      keys_(std::move(keys)),
      sealer_(*keys_, index_key),
      pool_size_(pool_size == 0 ? 1 : pool_size),
      dialect_(dialect) {}

Store::~Store() = default;

std::unique_ptr<Store> Store::Open(const std::string& url, KeyringPtr keys, size_t pool_size,
                                   bool migrate) {
  if (!keys) throw std::invalid_argument("Store::Open needs the data keys");
  auto first = OpenDb(url);
  if (migrate) Migrate(*first, keys.get());
  first->Begin(true);
  uint32_t index_key = 0;
  try {
    index_key = ClaimOrCheckIndexKey(*first, *keys);
    first->Commit();
  } catch (...) {
    first->Rollback();
    throw;
  }
  std::unique_ptr<Store> s(
      new Store(url, std::move(keys), index_key, pool_size, first->dialect()));
  s->open_ = 1;
  s->idle_.push_back(std::move(first));
  return s;
}

void Store::CheckIndexKey(Db& db) const {
  auto recorded = RecordedIndexKey(db);
  if (recorded && *recorded != sealer_.index_key()) {
    throw std::runtime_error("the data keys were rotated since this process started; restart it "
                             "with the new key file");
  }
}

Store::Lease::~Lease() {
  if (db_) store_->Release(std::move(db_));
}

Store::Lease Store::Acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
    if (open_ < pool_size_) {
      ++open_;
      lock.unlock();
      try {
        return Lease(this, OpenDb(url_));
      } catch (...) {
        std::lock_guard relock(mu_);
        --open_;
        throw;
      }
    }
    cv_.wait(lock);
  }
}

void Store::Release(std::unique_ptr<Db> db) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
  }
  cv_.notify_one();
}

}  // namespace vipcare::store
