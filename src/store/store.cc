#include "store/store.h"

#include "store/migrations.h"

namespace vipcare::store {

Store::Store(std::string url, size_t pool_size, Dialect dialect)
    : url_(std::move(url)), pool_size_(pool_size == 0 ? 1 : pool_size), dialect_(dialect) {}

Store::~Store() = default;

std::unique_ptr<Store> Store::Open(const std::string& url, size_t pool_size, bool migrate) {
  auto first = OpenDb(url);
  if (migrate) Migrate(*first);
  std::unique_ptr<Store> s(new Store(url, pool_size, first->dialect()));
  s->open_ = 1;
  s->idle_.push_back(std::move(first));
  return s;
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
