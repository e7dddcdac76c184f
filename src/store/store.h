// src/store/store.h
#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "store/db.h"
#include "store/keyring.h"
#include "store/repository.h"
#include "store/sealer.h"

namespace vipcare::store {

// The database as the services see it: a pool of connections and a way to run
// a unit of work in one transaction. Thread-safe.
class Store {
 public:
  // Opens `url` (see OpenDb), migrates it if `migrate`, checks that `keys`
  // hold the key the database's data is indexed with (recording the current
  // key on a database that has none yet), and keeps up to `pool_size`
  // connections. Throws DbError if the database cannot be opened and
  // std::runtime_error if the keys do not fit it.
  static std::unique_ptr<Store> Open(const std::string& url, KeyringPtr keys,
                                     size_t pool_size = 8, bool migrate = true);
  ~Store();

  Dialect dialect() const { return dialect_; }
  const std::string& url() const { return url_; }
  const Keyring& keys() const { return *keys_; }

  // Runs fn(Repository&) -> Result<T> in a write transaction: commits if the
  // result is ok, rolls back on an error result or an exception (rethrown).
  template <class F>
  auto Write(F&& fn) -> std::invoke_result_t<F, Repository&> {
    return Run(true, std::forward<F>(fn));
  }
  // The same in a read transaction (a consistent snapshot); never commits changes.
  template <class F>
  auto Read(F&& fn) -> std::invoke_result_t<F, Repository&> {
    return Run(false, std::forward<F>(fn));
  }

  // A pooled connection, returned to the pool when destroyed.
  class Lease {
   public:
    Lease(Store* s, std::unique_ptr<Db> db) : store_(s), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Db& db() { return *db_; }

   private:
    Store* store_;
    std::unique_ptr<Db> db_;
  };
  Lease Acquire();

  // Write() on a connection the caller already holds (e.g. one it tuned for a
  // bulk load). Same commit and rollback rules.
  template <class F>
  auto WriteOn(Lease& lease, F&& fn) -> std::invoke_result_t<F, Repository&> {
    return RunOn(lease.db(), true, std::forward<F>(fn));
  }

 private:
  Store(std::string url, KeyringPtr keys, uint32_t index_key, size_t pool_size, Dialect dialect);
  // Throws if another process re-keyed the database since it was opened
  // (`vipcare keys rotate`): writing with stale index keys would hide rows.
  void CheckIndexKey(Db& db) const;
  void Release(std::unique_ptr<Db> db);

  template <class F>
  auto Run(bool write, F&& fn) -> std::invoke_result_t<F, Repository&> {
    Lease lease = Acquire();
    return RunOn(lease.db(), write, std::forward<F>(fn));
  }

  template <class F>
  auto RunOn(Db& db, bool write, F&& fn) -> std::invoke_result_t<F, Repository&> {
    auto repo = MakeSqlRepository(db, sealer_);
    db.Begin(write);
    try {
      if (write) CheckIndexKey(db);
      auto result = fn(*repo);
      if (write && result.ok()) {
        db.Commit();
      } else {
        db.Rollback();
      }
      return result;
    } catch (...) {
      try {
        db.Rollback();
      } catch (...) {
        // The connection is broken; the original error is the one to report.
      }
      throw;
    }
  }

  std::string url_;
  KeyringPtr keys_;
  Sealer sealer_;
  size_t pool_size_;
  Dialect dialect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Db>> idle_;
  size_t open_ = 0;
};

}  // namespace vipcare::store
