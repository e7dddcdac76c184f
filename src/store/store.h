// src/store/store.h
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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
//
// Group commit: concurrent Write() calls are run one after another by the
// store's writer thread inside ONE database transaction, each under its own
// savepoint, and committed together; every caller returns only after that
// commit, so an acknowledged write is durable exactly as with a transaction
// of its own. A call whose result is an error (or that throws) is rolled back
// to its savepoint and changes nothing; the others in the group are
// unaffected. Writers therefore never wait on the engine's lock (SQLite's
// busy handler sleeps) and a commit is shared by all the writes that arrived
// while the previous group ran. While the writer runs a group, the callers of
// the next one read and check on their own threads (e.g. Loyalty::ReadSale),
// so the writer does only what must be serial; each caller is woken alone
// when its group has committed, and a WriteThen() caller (the HTTP server's
// postings) does not wait at all: its completion runs after the commit. A
// Write() must not call Write() again (it would wait for itself): that
// throws std::logic_error.
//
// On SQLite the WAL is copied back into the database file (checkpointed) by a
// background thread every kCheckpointInterval instead of by whichever commit
// crosses SQLite's 1000-page mark: commits never wait for a checkpoint's
// writes and fsync, and a page changed by many commits in between is copied once.
// SQLite starts the WAL over only when a write transaction begins with every
// frame copied back, which a writer that never pauses (sustained posting)
// never allows: the WAL would grow by every commit, and writing to its new
// end costs the kernel fresh zeroed pages. So once the WAL holds
// kWalRestartFrames pages, the checkpointer catches up with a few more
// passes and then the writer, between two groups, copies back the little that
// is left itself; its next transaction starts the WAL over.
class Store {
 public:
  // Opens `url` (see OpenDb), migrates it if `migrate`, checks that `keys`
  // hold the key the database's data is indexed with (recording the current
  // key on a database that has none yet), and keeps up to `pool_size`
  // connections. Throws DbError if the database cannot be opened and
  // std::runtime_error if the keys do not fit it.
  static std::unique_ptr<Store> Open(const std::string& url, KeyringPtr keys,
                                     size_t pool_size = 8, bool migrate = true);
  // The most writes one group commits together.
  static constexpr size_t kMaxGroup = 256;
  static constexpr std::chrono::milliseconds kCheckpointInterval{100};
  // The WAL length (pages) at which the writer starts it over: 1 GiB,
  // measured in BENCHMARKS.md ("The WAL under sustained posting").
  static constexpr int64_t kWalRestartFrames = 262144;
  // For tests: a shorter WAL before the writer starts it over.
  void set_wal_restart_frames(int64_t frames) { wal_restart_frames_ = frames; }
  // How many times the writer copied the whole WAL back, so that its next
  // transaction started the WAL over.
  int64_t wal_restarts() const { return wal_restarts_; }
  ~Store();

  Dialect dialect() const { return dialect_; }
  const std::string& url() const { return url_; }
  const Keyring& keys() const { return *keys_; }

  // Runs fn(Repository&) -> Result<T> in a write transaction: commits if the
  // result is ok, rolls back on an error result or an exception (rethrown).
  template <class F>
  auto Write(F&& fn) -> std::invoke_result_t<F, Repository&> {
    using R = std::invoke_result_t<F, Repository&>;
    std::optional<R> out;
    GroupJob job;
    job.run = [&](Repository& repo) {
      out.emplace(fn(repo));
      return out->ok();
    };
    RunInGroup(job);
    if (job.error) std::rethrow_exception(job.error);
    return std::move(*out);
  }
  // Write() without waiting, for a caller that must not block (the HTTP
  // server's few threads): queues fn(Repository&) -> Result<T> for the
  // writer's next group and returns at once. When the group has committed
  // (or failed), `done(get)` runs on the writer thread, where `get()` returns
  // fn's result or rethrows fn's exception or the commit's failure. `done`
  // must be short and must not throw (hand `get` to another thread); the
  // durability is Write()'s.
  template <class F, class Done>
  void WriteThen(F fn, Done done) {
    using R = std::invoke_result_t<F&, Repository&>;
    struct Job final : GroupJob {
      std::optional<R> out;
    };
    auto* job = new Job;
    job->run = [job, fn = std::move(fn)](Repository& repo) mutable {
      job->out.emplace(fn(repo));
      return job->out->ok();
    };
    job->complete = [done = std::move(done)](GroupJob* base) mutable {
      auto shared = std::shared_ptr<Job>(static_cast<Job*>(base));
      done(std::function<R()>([shared]() -> R {
        if (shared->error) std::rethrow_exception(shared->error);
        return std::move(*shared->out);
      }));
    };
    Enqueue(job);
  }
  // The same in a read transaction (a consistent snapshot); never commits changes.
  template <class F>
  auto Read(F&& fn) -> std::invoke_result_t<F, Repository&> {
    return Run(false, std::forward<F>(fn));
  }

  // Returns once every write queued before the call (Write() and
  // WriteThen()) has finished, completions included.
  void Settle();

  // Write() calls queued behind the group that is running now (for
  // monitoring and tests).
  size_t WaitingWrites();

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

  // On SQLite, copies the whole WAL into the database and starts it over
  // (waiting for readers), on `lease`'s connection. A bulk writer that never
  // pauses calls it between its transactions: the background checkpointer
  // cannot catch up with such a writer, and the WAL would grow by every
  // transaction of the load (22 GB for 2 million imported sales). It waits
  // for a background checkpoint in progress (one of a 400 MB batch takes
  // seconds) rather than giving up and letting the WAL grow. Nothing on
  // PostgreSQL.
  void CatchUpWal(Lease& lease);

 private:
  // One Write() waiting for its group. `run` stores the result and says
  // whether to keep the changes; `error` is what the caller rethrows (the
  // function's exception, or the failure of the group's commit).
  // A WriteThen() job has `complete` instead: the writer calls it once the
  // group has finished, and it owns (deletes) the job.
  struct GroupJob {
    std::function<bool(Repository&)> run;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable finished;  // signalled (under group_mu_) when done
    std::function<void(GroupJob*)> complete;
  };
  // Queues `job` and returns once a group that ran it has finished.
  void RunInGroup(GroupJob& job);
  // Queues a WriteThen() job and returns at once.
  void Enqueue(GroupJob* job);
  // The writer thread: runs the queued writes, group after group.
  void WriterLoop();
  // Runs `group` in one transaction on the writer's connection and commits it.
  void LeadGroup(const std::vector<GroupJob*>& group);
  // The writer thread's own connection, opened on first use. It is not
  // pooled: on SQLite its page cache stays valid from one group to the next,
  // as no other connection writes in between, while a pooled connection's
  // cache is dropped whenever another connection has written since its last
  // use.
  Db& WriterDb();

  Store(std::string url, KeyringPtr keys, uint32_t index_key, size_t pool_size, Dialect dialect);
  // Throws if another process re-keyed the database since it was opened
  // (`vipcare keys rotate`): writing with stale index keys would hide rows.
  void CheckIndexKey(Db& db) const;
  void Release(std::unique_ptr<Db> db);
  // A new connection of the pool (on SQLite without automatic checkpoints).
  std::unique_ptr<Db> OpenPooled();
  void StartCheckpointer();
  void CheckpointLoop(std::unique_ptr<Db> db);
  // The writer's final checkpoint before it starts the WAL over.
  void RestartWal();

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

  std::mutex group_mu_;
  std::condition_variable writer_cv_;  // work queued, or stopping
  std::deque<GroupJob*> waiting_;
  bool writer_stopping_ = false;
  std::thread writer_;
  std::unique_ptr<Db> writer_db_;  // the writer thread's only

  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  // Held while a checkpoint runs: the background one, or CatchUpWal's, which
  // then waits for the background one to finish instead of giving up.
  std::mutex checkpoint_run_mu_;
  bool stopping_ = false;
  std::thread checkpointer_;
  std::atomic<int64_t> wal_restart_frames_{kWalRestartFrames};
  // Set by the checkpointer once the WAL is wal_restart_frames_ long and
  // nearly all copied back; cleared by the writer's RestartWal().
  std::atomic<bool> wal_restart_wanted_{false};
  std::atomic<int64_t> wal_restarts_{0};
};

}  // namespace vipcare::store
