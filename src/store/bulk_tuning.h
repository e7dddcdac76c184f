// src/store/bulk_tuning.h
#pragma once
#include <fmt/format.h>

#include <cstdint>

#include "store/db.h"

namespace vipcare::store {

// Sets the SQLite pragmas for a bulk load on one connection and puts the
// previous values back when destroyed.
class BulkTuning {
 public:
  explicit BulkTuning(store::Db& db) : db_(db) {
    if (db_.dialect() != store::Dialect::kSqlite) return;
    cache_size_ = db_.QueryOne("PRAGMA cache_size")->Int(0);
    temp_store_ = db_.QueryOne("PRAGMA temp_store")->Int(0);
    db_.ExecScript("PRAGMA temp_store=MEMORY; PRAGMA cache_size=-262144;");
    tuned_ = true;
  }
  ~BulkTuning() {
    if (!tuned_) return;
    try {
      // Both values were read from SQLite as integers, never from input.
      db_.ExecScript(
          fmt::format("PRAGMA temp_store={}; PRAGMA cache_size={};", temp_store_, cache_size_));
    } catch (...) {
      // A connection that cannot run a pragma is broken; its next user will
      // see the error. A destructor must not throw.
    }
  }
  BulkTuning(const BulkTuning&) = delete;
  BulkTuning& operator=(const BulkTuning&) = delete;

 private:
  store::Db& db_;
  bool tuned_ = false;
  int64_t cache_size_ = 0;
  int64_t temp_store_ = 0;
};

}  // namespace vipcare::store
