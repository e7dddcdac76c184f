// bench/bare_sale_bench.cc
//
// The reference issue 5 measures HTTP posting against: a bare C++ loop over
// SQLite doing the rows one purchase needs — find the member, insert a
// ledger row, update the member, insert an audit row — with one commit per
// purchase (WAL, synchronous=NORMAL), no server, no JSON, no sealing. Run:
//
//   build/bench/vipcare_bench --benchmark_filter=BareSale
//
// and compare its purchases/s with bench/http_post_sale.lua's sales/s.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace vipcare::bench {
namespace {

constexpr int kMembers = 20000;

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

// Owns one prepared statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    Check(sqlite3_prepare_v2(db, sql, -1, &s_, nullptr), db, sql);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() { return s_; }
  void Run() {
    Check(sqlite3_step(s_), db_, "step");
    sqlite3_reset(s_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

void Exec(sqlite3* db, const char* sql) { Check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

void BM_BareSaleLoop(benchmark::State& state) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "vipcare-bare-sale-bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db), db, "open");
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  Exec(db,
       "CREATE TABLE members (id INTEGER PRIMARY KEY, member_no TEXT NOT NULL UNIQUE, "
       "balance INTEGER NOT NULL, spend INTEGER NOT NULL, version INTEGER NOT NULL);"
       "CREATE TABLE ledger (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES "
       "members(id), at INTEGER NOT NULL, points INTEGER NOT NULL, balance_after INTEGER NOT NULL);"
       "CREATE INDEX ledger_member ON ledger(member_id, id);"
       "CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, action TEXT NOT NULL, "
       "entity_id TEXT NOT NULL);");
  Exec(db, "BEGIN");
  {
    Stmt add(db, "INSERT INTO members (id, member_no, balance, spend, version) VALUES (?, ?, 0, 0, 1)");
    for (int i = 1; i <= kMembers; ++i) {
      const std::string no = "M" + std::to_string(1000000 + i);
      sqlite3_bind_int(add.get(), 1, i);
      sqlite3_bind_text(add.get(), 2, no.c_str(), -1, SQLITE_TRANSIENT);
      add.Run();
    }
  }
  Exec(db, "COMMIT");
  {
    Stmt begin(db, "BEGIN IMMEDIATE");
    Stmt commit(db, "COMMIT");
    Stmt find(db, "SELECT balance, version FROM members WHERE id = ?");
    Stmt ledger(db, "INSERT INTO ledger (member_id, at, points, balance_after) VALUES (?, ?, ?, ?)");
    Stmt update(db, "UPDATE members SET balance = ?, spend = spend + ?, version = version + 1 "
                    "WHERE id = ? AND version = ?");
    Stmt audit(db, "INSERT INTO audit (at, action, entity_id) VALUES (?, 'sale_post', ?)");
    int64_t n = 0;
    for (auto _ : state) {
      const int member = int(n * 7919 % kMembers) + 1;
      ++n;
      begin.Run();
      sqlite3_bind_int(find.get(), 1, member);
      Check(sqlite3_step(find.get()), db, "find");
      const int64_t balance = sqlite3_column_int64(find.get(), 0) + 599;
      const int64_t version = sqlite3_column_int64(find.get(), 1);
      sqlite3_reset(find.get());
      sqlite3_bind_int(ledger.get(), 1, member);
      sqlite3_bind_int64(ledger.get(), 2, n);
      sqlite3_bind_int64(ledger.get(), 3, 599);
      sqlite3_bind_int64(ledger.get(), 4, balance);
      ledger.Run();
      sqlite3_bind_int64(update.get(), 1, balance);
      sqlite3_bind_int64(update.get(), 2, 59900);
      sqlite3_bind_int(update.get(), 3, member);
      sqlite3_bind_int64(update.get(), 4, version);
      update.Run();
      sqlite3_bind_int64(audit.get(), 1, n);
      const std::string id = std::to_string(n);
      sqlite3_bind_text(audit.get(), 2, id.c_str(), -1, SQLITE_TRANSIENT);
      audit.Run();
      commit.Run();
    }
    state.counters["purchases_per_s"] = benchmark::Counter(double(n), benchmark::Counter::kIsRate);
  }
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

BENCHMARK(BM_BareSaleLoop)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vipcare::bench
