// Group commit of concurrent writes (SPEC D1: nothing acknowledged is lost;
// I5/issue 5: posting speed). The same tests on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <stdexcept>
#include <thread>

#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::store {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Store::Open(db_.url(), vipcare::testing::TestKeys(), 8); }

  // Writes one region named `code` and answers `outcome` ("ok", "error",
  // "throw", "duplicate": inserts `code` twice).
  Status WriteRegion(const std::string& code, const std::string& outcome) {
    return store_->Write([&](Repository& repo) -> Status {
      repo.InsertRegion({RegionId(), code, "片区 " + code});
      if (outcome == "error") return Error::Invalid("code", "refused after writing");
      if (outcome == "throw") throw std::runtime_error("broken after writing");
      if (outcome == "duplicate") repo.InsertRegion({RegionId(), code, "again"});
      return OkStatus();
    });
  }

  std::set<std::string> RegionCodes() {
    std::set<std::string> out;
    auto st = store_->Read([&](Repository& repo) -> Status {
      for (const auto& r : repo.ListRegions()) out.insert(r.code);
      return OkStatus();
    });
    EXPECT_TRUE(st.ok());
    return out;
  }

  // Holds the group that is running until `release` is set, so the writes
  // started meanwhile queue up and run together as the next group.
  std::future<Status> HoldGroup(std::atomic<bool>& entered, std::atomic<bool>& release) {
    return std::async(std::launch::async, [&] {
      return store_->Write([&](Repository& repo) -> Status {
        repo.InsertRegion({RegionId(), "HOLD", "holder"});
        entered = true;
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return OkStatus();
      });
    });
  }

  void WaitForQueued(size_t n) {
    for (int i = 0; i < 5000 && store_->WaitingWrites() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(store_->WaitingWrites(), n);
  }

  vipcare::testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
};

TEST_F(GroupCommitTest, D1_EveryAcknowledgedConcurrentWriteIsKept) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> acknowledged{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (WriteRegion("R" + std::to_string(t) + "-" + std::to_string(i), "ok").ok()) {
          ++acknowledged;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kEach);
  EXPECT_EQ(RegionCodes().size(), size_t(kThreads * kEach));
}

TEST_F(GroupCommitTest, D1_AFailedWriteInAGroupChangesNothingAndTheOthersAreKept) {
  std::atomic<bool> entered{false}, release{false};
  auto holder = HoldGroup(entered, release);
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  auto ok1 = std::async(std::launch::async, [&] { return WriteRegion("OK1", "ok"); });
  WaitForQueued(1);
  auto refused = std::async(std::launch::async, [&] { return WriteRegion("ERR", "error"); });
  WaitForQueued(2);
  auto thrown = std::async(std::launch::async, [&] { return WriteRegion("THROW", "throw"); });
  WaitForQueued(3);
  auto duplicate = std::async(std::launch::async, [&] { return WriteRegion("DUP", "duplicate"); });
  WaitForQueued(4);
  auto ok2 = std::async(std::launch::async, [&] { return WriteRegion("OK2", "ok"); });
  WaitForQueued(5);
  release = true;

  EXPECT_TRUE(holder.get().ok());
  EXPECT_TRUE(ok1.get().ok());
  auto err = refused.get();
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().field, "code");
  EXPECT_THROW(thrown.get(), std::runtime_error);
  try {
    (void)duplicate.get();
    ADD_FAILURE() << "a duplicate key must be reported";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::kUniqueViolation);
  }
  EXPECT_TRUE(ok2.get().ok());
  // The writes after the failed ones ran in the same transaction and are kept;
  // the failed ones left nothing behind.
  EXPECT_EQ(RegionCodes(), (std::set<std::string>{"HOLD", "OK1", "OK2"}));
}

TEST_F(GroupCommitTest, D1_AWriteSeesTheWritesQueuedBeforeItInItsGroup) {
  std::atomic<bool> entered{false}, release{false};
  auto holder = HoldGroup(entered, release);
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto first = std::async(std::launch::async, [&] { return WriteRegion("FIRST", "ok"); });
  WaitForQueued(1);
  // Inserting the same code again in the same group is a duplicate: the
  // second write runs after the first, exactly as in separate transactions.
  auto second = std::async(std::launch::async, [&] { return WriteRegion("FIRST", "ok"); });
  WaitForQueued(2);
  release = true;
  EXPECT_TRUE(holder.get().ok());
  EXPECT_TRUE(first.get().ok());
  EXPECT_THROW((void)second.get(), DbError);
  EXPECT_EQ(RegionCodes(), (std::set<std::string>{"HOLD", "FIRST"}));
}

TEST_F(GroupCommitTest, D1_WritesThatDoNotWaitAreAnsweredAfterTheirGroupCommits) {
  std::atomic<bool> entered{false}, release{false};
  auto holder = HoldGroup(entered, release);
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Queued from this one thread without blocking it: a blocking Write()
  // here would wait for the held group.
  std::mutex mu;
  std::map<std::string, std::string> answers;  // code -> "ok" / error field / exception
  std::set<std::string> visible_when_answered;  // committed: another connection reads them
  auto then = [&](const std::string& code, const std::string& outcome) {
    store_->WriteThen(
        [this, code, outcome](Repository& repo) -> Status {
          repo.InsertRegion({RegionId(), code, "片区 " + code});
          if (outcome == "error") return Error::Invalid("code", "refused after writing");
          if (outcome == "throw") throw std::runtime_error("broken after writing");
          return OkStatus();
        },
        [&, code](std::function<Status()> get) {
          std::string answer;
          try {
            auto st = get();
            answer = st.ok() ? "ok" : st.error().field;
          } catch (const std::runtime_error& e) {
            answer = e.what();
          }
          const bool visible = RegionCodes().count(code) > 0;
          std::lock_guard lock(mu);
          answers[code] = answer;
          if (visible) visible_when_answered.insert(code);
        });
  };
  then("A1", "ok");
  then("A2", "error");
  then("A3", "throw");
  then("A4", "ok");
  WaitForQueued(4);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(answers.empty()) << "answered before the group ran";
  }
  release = true;
  EXPECT_TRUE(holder.get().ok());
  // Settle returns after every write queued before it, answers included.
  store_->Settle();
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(answers, (std::map<std::string, std::string>{
                           {"A1", "ok"}, {"A2", "code"}, {"A3", "broken after writing"}, {"A4", "ok"}}));
  }
  EXPECT_EQ(visible_when_answered, (std::set<std::string>{"A1", "A4"}));
  EXPECT_EQ(RegionCodes(), (std::set<std::string>{"HOLD", "A1", "A4"}));
}

TEST_F(GroupCommitTest, D1_TheWalIsStartedOverWhileWritesNeverPause) {
  if (store_->dialect() != Dialect::kSqlite) GTEST_SKIP() << "the WAL is SQLite's";
  store_->set_wal_restart_frames(256);  // 1 MB
  const std::string filler(500, 'x');
  constexpr int kChains = 8, kRestarts = 1, kMostWrites = 300000;
  std::atomic<int> queued{0}, kept{0}, answered{0}, in_flight{0};
  std::atomic<bool> enough{false};
  std::promise<void> finished;
  // Each answer queues the next write from the writer's own thread before
  // the writer looks for more work, so it never waits for a write until it
  // has copied the WAL back kRestarts times (or kMostWrites were made).
  std::function<void()> queue_next = [&] {
    if (enough || store_->wal_restarts() >= kRestarts || queued >= kMostWrites) {
      enough = true;
      if (--in_flight == 0) finished.set_value();
      return;
    }
    const int n = queued++;
    store_->WriteThen(
        [&, n](Repository& repo) -> Status {
          repo.InsertRegion({RegionId(), "W" + std::to_string(n), filler});
          return OkStatus();
        },
        [&](std::function<Status()> get) {
          if (get().ok()) ++kept;
          ++answered;
          queue_next();
        });
  };
  in_flight = kChains;
  for (int c = 0; c < kChains; ++c) queue_next();
  finished.get_future().wait();
  ASSERT_GE(store_->wal_restarts(), kRestarts)
      << "the WAL was never copied back whole in " << queued << " writes";
  EXPECT_EQ(kept.load(), queued.load());
  EXPECT_EQ(answered.load(), queued.load());
  EXPECT_EQ(RegionCodes().size(), size_t(queued.load()));
  // The file keeps the longest the WAL has been; a WAL started over is now
  // much shorter than that (frames of 24 + 4096 bytes after a 32-byte header).
  const auto file_frames = int64_t((std::filesystem::file_size(db_.url() + "-wal") - 32) / 4120);
  auto other = db_.Connect();
  const int64_t wal_frames = other->Query("PRAGMA wal_checkpoint(PASSIVE)").at(0).Int(1);
  EXPECT_LT(wal_frames * 4, file_frames) << "the WAL kept growing: it was never started over";
}

// The writer keeps its own connection (and on SQLite its page cache) from one
// group to the next; a write made meanwhile by another process (here another
// Store on the same database: `vipcare run-jobs` or an import beside the
// server) must still be seen by its next group, not hidden by that cache.
TEST_F(GroupCommitTest, D1_TheWriterSeesWhatAnotherProcessWroteBetweenItsGroups) {
  ASSERT_TRUE(WriteRegion("A", "ok").ok());
  {
    auto other = Store::Open(db_.url(), vipcare::testing::TestKeys(), 2);
    auto st = other->Write([](Repository& repo) -> Status {
      repo.InsertRegion({RegionId(), "B", "片区 B"});
      return OkStatus();
    });
    ASSERT_TRUE(st.ok());
  }
  std::set<std::string> seen;
  auto st = store_->Write([&](Repository& repo) -> Status {
    for (const auto& r : repo.ListRegions()) seen.insert(r.code);
    repo.InsertRegion({RegionId(), "C", "片区 C"});
    return OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(seen, (std::set<std::string>{"A", "B"}));
  EXPECT_EQ(RegionCodes(), (std::set<std::string>{"A", "B", "C"}));
}

TEST_F(GroupCommitTest, AWriteInsideAWriteIsRefusedInsteadOfWaitingForItself) {
  auto outer = [&] {
    return store_->Write([&](Repository& repo) -> Status {
      repo.InsertRegion({RegionId(), "OUTER", "outer"});
      return WriteRegion("INNER", "ok");
    });
  };
  EXPECT_THROW((void)outer(), std::logic_error);
  EXPECT_TRUE(RegionCodes().empty());
  // The store still works afterwards.
  EXPECT_TRUE(WriteRegion("AFTER", "ok").ok());
  EXPECT_EQ(RegionCodes(), (std::set<std::string>{"AFTER"}));
}

}  // namespace
}  // namespace vipcare::store
