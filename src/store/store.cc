#include "store/store.h"

#include <stdexcept>
#include <utility>

#include "core/thread_priority.h"
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

Store::~Store() {
  {
    std::lock_guard lock(group_mu_);
    writer_stopping_ = true;
  }
  writer_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(checkpoint_mu_);
    stopping_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

namespace {
// Checkpoints are the background thread's (see Store); the last connection
// to close still checkpoints the whole WAL, as SQLite always does.
constexpr std::string_view kNoAutoCheckpoint = "PRAGMA wal_autocheckpoint=0";
constexpr std::string_view kPassiveCheckpoint = "PRAGMA wal_checkpoint(PASSIVE)";
constexpr std::string_view kRestartCheckpoint = "PRAGMA wal_checkpoint(RESTART)";
// Catching up before the writer's final pass: at most this many more passes,
// stopping at the first that takes less than kShortPass.
constexpr int kCatchUpPasses = 4;
constexpr auto kShortPass = std::chrono::milliseconds(3);
// The writer's page cache on SQLite (negative: KiB), against SQLite's default
// of 2 MiB: the pages postings touch at random (members' loyalty rows,
// monthly buckets, index entries) then stay in it between groups instead of
// being read again from the WAL. Not larger: at every commit SQLite walks the
// cache's whole hash table now and then, which at 64 MiB took 9 % of the
// writer's time (BENCHMARKS.md).
constexpr std::string_view kWriterCache = "PRAGMA cache_size=-16384";
}  // namespace

std::unique_ptr<Db> Store::OpenPooled() {
  auto db = OpenDb(url_);
  if (dialect_ == Dialect::kSqlite) db->ExecScript(kNoAutoCheckpoint);
  return db;
}

void Store::CatchUpWal(Lease& lease) {
  if (dialect_ != Dialect::kSqlite) return;
  // Not while the background checkpointer runs: it would answer "busy" (the
  // first column 1) for as long as that checkpoint takes. A reader still
  // using the WAL is waited for briefly.
  std::lock_guard running(checkpoint_run_mu_);
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto rows = lease.db().Query(kRestartCheckpoint);
    if (rows.empty() || rows[0].Int(0) == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Store::StartCheckpointer() {
  if (dialect_ != Dialect::kSqlite) return;
  checkpointer_ = std::thread(&Store::CheckpointLoop, this, OpenDb(url_));
}

void Store::CheckpointLoop(std::unique_ptr<Db> db) {
  SetThisThreadNice(kBackgroundNice);
  std::unique_lock lock(checkpoint_mu_);
  while (!stopping_) {
    checkpoint_cv_.wait_for(lock, kCheckpointInterval, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    try {
      // PASSIVE never blocks writers or readers; frames still needed by a
      // reader wait for the next round.
      std::lock_guard running(checkpoint_run_mu_);
      auto rows = db->Query(kPassiveCheckpoint);
      if (!rows.empty() && rows[0].Int(1) >= wal_restart_frames_) {
        // Each pass copies what the writer committed during the one before;
        // the writer's own pass then has little left to copy and sync.
        for (int pass = 0; pass < kCatchUpPasses; ++pass) {
          const auto start = std::chrono::steady_clock::now();
          db->Query(kPassiveCheckpoint);
          if (std::chrono::steady_clock::now() - start < kShortPass) break;
        }
        wal_restart_wanted_ = true;
      }
    } catch (const std::exception&) {
      // A busy or failed checkpoint is retried next round; the WAL keeps
      // every committed write meanwhile.
    }
    lock.lock();
  }
}

std::unique_ptr<Store> Store::Open(const std::string& url, KeyringPtr keys, size_t pool_size,
                                   bool migrate) {
  if (!keys) throw std::invalid_argument("Store::Open needs the data keys");
  auto first = OpenDb(url);
  if (migrate) Migrate(*first, keys.get());
  if (first->dialect() == Dialect::kSqlite) first->ExecScript(kNoAutoCheckpoint);
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
  s->StartCheckpointer();
  s->writer_ = std::thread(&Store::WriterLoop, s.get());
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
        return Lease(this, OpenPooled());
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

namespace {

// Set on the writer thread: a Write() from inside a Write() would wait for
// the group it is part of.
thread_local bool leading_group = false;

constexpr std::string_view kSavepoint = "SAVEPOINT vipcare_write";
constexpr std::string_view kReleaseSavepoint = "RELEASE SAVEPOINT vipcare_write";
constexpr std::string_view kRollbackToSavepoint = "ROLLBACK TO SAVEPOINT vipcare_write";

}  // namespace

size_t Store::WaitingWrites() {
  std::lock_guard lock(group_mu_);
  return waiting_.size();
}

void Store::RunInGroup(GroupJob& job) {
  if (leading_group) {
    throw std::logic_error("Store::Write called from inside a Store::Write");
  }
  std::unique_lock lock(group_mu_);
  waiting_.push_back(&job);
  if (waiting_.size() == 1) writer_cv_.notify_one();
  job.finished.wait(lock, [&] { return job.done; });
}

void Store::Settle() {
  // Groups run in queue order and complete their WriteThen() jobs before
  // waking the waiting callers, so an empty write queued now returns after
  // all of them.
  (void)Write([](Repository&) -> Status { return Error::Invalid("", "nothing to write"); });
}

void Store::Enqueue(GroupJob* job) {
  std::lock_guard lock(group_mu_);
  waiting_.push_back(job);
  if (waiting_.size() == 1) writer_cv_.notify_one();
}

void Store::WriterLoop() {
  leading_group = true;
  std::unique_lock lock(group_mu_);
  for (;;) {
    writer_cv_.wait(lock, [&] { return writer_stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) {  // stopping, and nothing left to write
      writer_db_.reset();
      return;
    }
    // The next group: everything queued so far, in arrival order.
    std::vector<GroupJob*> group;
    while (!waiting_.empty() && group.size() < kMaxGroup) {
      group.push_back(waiting_.front());
      waiting_.pop_front();
    }
    lock.unlock();
    try {
      LeadGroup(group);
    } catch (...) {
      // LeadGroup reports failures through the jobs; this is a last resort
      // (e.g. no connection could be opened) so no caller waits forever.
      for (auto* j : group) {
        if (!j->error) j->error = std::current_exception();
      }
    }
    // WriteThen() jobs are handed their results first, outside the lock:
    // their completions pass them on to other threads (and delete the jobs).
    std::vector<GroupJob*> waiting_callers;
    waiting_callers.reserve(group.size());
    for (auto* j : group) {
      if (!j->complete) {
        waiting_callers.push_back(j);
        continue;
      }
      try {
        j->complete(j);
      } catch (...) {
        // A completion must not throw; the writer must keep writing.
      }
    }
    if (wal_restart_wanted_) RestartWal();
    lock.lock();
    // Signalled under the lock: a caller may return (and its job go away)
    // as soon as it sees `done`.
    for (auto* j : waiting_callers) {
      j->done = true;
      j->finished.notify_one();
    }
  }
}

void Store::RestartWal() {
  // Not while the checkpointer runs a pass: the flag stays set and the writer
  // tries again after its next group, when that pass has left less to copy.
  std::unique_lock running(checkpoint_run_mu_, std::try_to_lock);
  if (!running) return;
  wal_restart_wanted_ = false;
  try {
    // With no commit in between, this copies back every frame but those a
    // reader still needs; the next group's transaction then starts the WAL
    // over (or, if a reader was in the way, the checkpointer asks again).
    auto rows = WriterDb().Query(kPassiveCheckpoint);
    if (!rows.empty() && rows[0].Int(1) == rows[0].Int(2)) ++wal_restarts_;
  } catch (const std::exception&) {
    // Retried when the checkpointer next finds the WAL long.
  }
}

Db& Store::WriterDb() {
  if (!writer_db_) {
    auto db = OpenPooled();
    if (dialect_ == Dialect::kSqlite) db->ExecScript(kWriterCache);
    writer_db_ = std::move(db);
  }
  return *writer_db_;
}

void Store::LeadGroup(const std::vector<GroupJob*>& group) {
  Db& db = WriterDb();
  auto repo = MakeSqlRepository(db, sealer_);
  db.Begin(true);
  try {
    CheckIndexKey(db);
  } catch (...) {
    db.Rollback();
    throw;
  }
  // A lone write needs no savepoint: the transaction is its own.
  const bool savepoints = group.size() > 1;
  std::vector<GroupJob*> kept;
  kept.reserve(group.size());
  try {
    for (auto* job : group) {
      if (savepoints) db.Exec(kSavepoint);
      bool ok = false;
      try {
        ok = job->run(*repo);
      } catch (...) {
        job->error = std::current_exception();
      }
      if (!savepoints) {
        if (ok) kept.push_back(job);
        continue;
      }
      if (ok) {
        try {
          db.Exec(kReleaseSavepoint);
          kept.push_back(job);
          continue;
        } catch (...) {
          // PostgreSQL refuses to release a savepoint whose work failed.
          job->error = std::current_exception();
        }
      }
      db.Exec(kRollbackToSavepoint);
      db.Exec(kReleaseSavepoint);
    }
  } catch (...) {
    // The transaction itself is broken (savepoint handling failed): nothing
    // of this group may be acknowledged.
    auto broken = std::current_exception();
    try {
      db.Rollback();
    } catch (...) {
    }
    for (auto* job : group) {
      if (!job->error) job->error = broken;
    }
    return;
  }
  if (kept.empty()) {
    db.Rollback();
    return;
  }
  try {
    db.Commit();
  } catch (...) {
    auto failed = std::current_exception();
    try {
      db.Rollback();
    } catch (...) {
    }
    for (auto* job : kept) job->error = failed;
  }
}

}  // namespace vipcare::store
