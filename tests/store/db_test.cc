// tests/store/db_test.cc
//
// The Db layer on whichever engine VIPCARE_TEST_BACKEND selects: ctest runs
// this binary once per backend, so every test here is also the proof that the
// two engines behave alike (SPEC D1, D2). The tests own their tables
// (dbtest_*) instead of using the migrated schema.
#include "store/db.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_db.h"

namespace vipcare::store {
namespace {

using vipcare::testing::TempDir;
using vipcare::testing::TestBackend;

constexpr int64_t kTwoTo53Plus1 = 9007199254740993;  // not representable as a double
constexpr char kChineseText[] = "张三·钻石会员（上海静安店）🎉";
// Stands in for personal data that must never reach an error message (logs).
constexpr char kSecretPhone[] = "13800138000";

// Child tables first so foreign keys never block a drop.
constexpr char kDropTables[] =
    "DROP TABLE IF EXISTS dbtest_child;"
    "DROP TABLE IF EXISTS dbtest_parent;"
    "DROP TABLE IF EXISTS dbtest_values;"
    "DROP TABLE IF EXISTS dbtest_items;"
    "DROP TABLE IF EXISTS dbtest_odd;";

// Runs `f`, which must throw DbError, and returns the error.
std::optional<DbError> CatchDbError(const std::function<void()>& f) {
  try {
    f();
  } catch (const DbError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a DbError";
  return std::nullopt;
}

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestBackend() == Dialect::kPostgres) {
      const char* url = std::getenv("VIPCARE_TEST_PG_URL");
      ASSERT_TRUE(url != nullptr && *url != '\0')
          << "VIPCARE_TEST_BACKEND=postgres needs VIPCARE_TEST_PG_URL";
      url_ = url;
    } else {
      url_ = temp_.path() + "/db_test.sqlite";
    }
    db_ = OpenDb(url_);
    db_->ExecScript(kDropTables);
  }

  void TearDown() override {
    if (db_ == nullptr) return;
    db_->Rollback();  // a failed test may have left a transaction open
    db_->ExecScript(kDropTables);
  }

  bool IsPostgres() const { return db_->dialect() == Dialect::kPostgres; }

  // The auto-increment primary key, spelled per engine as the migrations do.
  std::string IdColumn() const {
    return IsPostgres() ? "id BIGSERIAL PRIMARY KEY" : "id INTEGER PRIMARY KEY AUTOINCREMENT";
  }

  void CreateItems() {
    db_->ExecScript("CREATE TABLE dbtest_items (" + IdColumn() +
                    ", name TEXT NOT NULL UNIQUE, qty BIGINT NOT NULL DEFAULT 0)");
  }

  int64_t CountItems() { return db_->QueryOne("SELECT COUNT(*) FROM dbtest_items")->Int(0); }

  TempDir temp_;
  std::string url_;
  std::unique_ptr<Db> db_;
};

TEST_F(DbTest, D2_DialectMatchesSelectedBackend) { EXPECT_EQ(db_->dialect(), TestBackend()); }

TEST_F(DbTest, D2_RoundTripsInt64TextNullAndDouble) {
  db_->ExecScript(
      "CREATE TABLE dbtest_values (k BIGINT PRIMARY KEY, n BIGINT, t TEXT, "
      "d DOUBLE PRECISION)");
  const std::vector<int64_t> ints = {0, -1, kTwoTo53Plus1, std::numeric_limits<int64_t>::max(),
                                     std::numeric_limits<int64_t>::min()};
  const std::vector<double> doubles = {0.1, 3.141592653589793, -2.5e-300, 1e300, -0.0};
  constexpr char kInsert[] = "INSERT INTO dbtest_values (k, n, t, d) VALUES (?, ?, ?, ?)";
  for (size_t i = 0; i < ints.size(); ++i) {
    EXPECT_EQ(db_->Exec(kInsert, {int64_t(i), ints[i],
                                  std::string(kChineseText) + std::to_string(i), doubles[i]}),
              1);
  }
  db_->Exec(kInsert, {int64_t(100), Value(), Value(), Value()});

  const std::vector<Row> rows = db_->Query("SELECT k, n, t, d FROM dbtest_values ORDER BY k");
  ASSERT_EQ(rows.size(), ints.size() + 1);
  for (size_t i = 0; i < ints.size(); ++i) {
    EXPECT_EQ(rows[i].Int(0), int64_t(i));
    EXPECT_EQ(rows[i].Int(1), ints[i]);
    EXPECT_EQ(rows[i].OptInt(1), ints[i]);
    EXPECT_EQ(rows[i].Text(2), std::string(kChineseText) + std::to_string(i));
    EXPECT_EQ(rows[i].Real(3), doubles[i]);
    EXPECT_FALSE(rows[i].IsNull(1));
  }
  const Row& nulls = rows.back();
  EXPECT_TRUE(nulls.IsNull(1));
  EXPECT_TRUE(nulls.IsNull(2));
  EXPECT_TRUE(nulls.IsNull(3));
  EXPECT_EQ(nulls.Int(1), 0);
  EXPECT_EQ(nulls.OptInt(1), std::nullopt);
  EXPECT_EQ(nulls.Text(2), "");
  EXPECT_EQ(nulls.Real(3), 0.0);

  // Parameters compare exactly too, including above 2^53.
  auto found = db_->QueryOne("SELECT k FROM dbtest_values WHERE n = ?", {kTwoTo53Plus1});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->Int(0), 2);
  found =
      db_->QueryOne("SELECT k FROM dbtest_values WHERE t = ?", {std::string(kChineseText) + "1"});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->Int(0), 1);
}

TEST_F(DbTest, D2_AggregatesAndComparisonsReadAsIntegersOnBothEngines) {
  db_->ExecScript("CREATE TABLE dbtest_values (n BIGINT NOT NULL)");
  db_->Exec("INSERT INTO dbtest_values (n) VALUES (?)", {kTwoTo53Plus1});
  db_->Exec("INSERT INTO dbtest_values (n) VALUES (?)", {int64_t(2)});
  // PostgreSQL's SUM(bigint) is numeric and its comparisons are boolean.
  const Row row = *db_->QueryOne(
      "SELECT SUM(n), COUNT(*), MAX(n) > 5, EXISTS (SELECT 1 FROM dbtest_values WHERE n = 7) "
      "FROM dbtest_values");
  EXPECT_EQ(row.Int(0), kTwoTo53Plus1 + 2);
  EXPECT_EQ(row.Int(1), 2);
  EXPECT_EQ(row.Int(2), 1);
  EXPECT_EQ(row.Int(3), 0);
}

TEST_F(DbTest, RowConvertsNumericText) {
  const Row row({std::string("42"), std::string("-7"), std::string("3.75"), Value(), int64_t(5),
                 2.5, std::string("not a number")});
  EXPECT_EQ(row.Int(0), 42);
  EXPECT_EQ(row.Int(1), -7);
  EXPECT_EQ(row.Int(2), 3);  // truncated like CAST(... AS INTEGER)
  EXPECT_EQ(row.Real(2), 3.75);
  EXPECT_EQ(row.Real(0), 42.0);
  EXPECT_EQ(row.Int(3), 0);
  EXPECT_EQ(row.Text(4), "5");
  EXPECT_EQ(row.Text(5), "2.5");
  EXPECT_EQ(row.Real(4), 5.0);
  EXPECT_EQ(row.Int(5), 2);
  EXPECT_THROW(row.Int(6), DbError);
  EXPECT_THROW(row.Real(6), DbError);
  EXPECT_THROW(row.Int(7), std::out_of_range);
}

TEST_F(DbTest, D2_BindsTwelveParametersInOrder) {
  // More than nine placeholders: $1 must not be confused with $10..$12.
  std::string sql = "SELECT CAST(? AS BIGINT)";
  std::vector<Value> params = {int64_t(1)};
  for (int i = 2; i <= 12; ++i) {
    sql += " * 0 + CAST(? AS BIGINT)";
    params.emplace_back(int64_t(i));
  }
  sql += ", CAST(? AS TEXT)";
  params.emplace_back(std::string("last"));
  const Row row = *db_->QueryOne(sql, params);
  EXPECT_EQ(row.Int(0), 12);
  EXPECT_EQ(row.Text(1), "last");
}

TEST_F(DbTest, D2_WrongParameterCountThrowsAndConnectionStaysUsable) {
  CreateItems();
  constexpr char kInsert[] = "INSERT INTO dbtest_items (name, qty) VALUES (?, ?)";
  const auto too_few = CatchDbError([&] { db_->Exec(kInsert, {std::string("a")}); });
  ASSERT_TRUE(too_few.has_value());
  EXPECT_EQ(too_few->kind(), DbError::Kind::kOther);
  EXPECT_THROW(db_->Exec(kInsert, {std::string("a"), int64_t(1), int64_t(2)}), DbError);
  EXPECT_EQ(db_->Exec(kInsert, {std::string("a"), int64_t(1)}), 1);
  EXPECT_EQ(CountItems(), 1);
}

TEST_F(DbTest, D2_QuestionMarksInLiteralsIdentifiersAndCommentsAreNotPlaceholders) {
  db_->ExecScript("CREATE TABLE dbtest_odd (\"what?\" TEXT, note TEXT, n BIGINT)");
  EXPECT_EQ(db_->Exec("INSERT INTO dbtest_odd (\"what?\", note, n) "
                      "VALUES ('why?', 'it''s ? here', ?) -- trailing ? comment",
                      {int64_t(7)}),
            1);
  const auto row = db_->QueryOne(
      "SELECT \"what?\", note, n FROM dbtest_odd /* ? */ WHERE \"what?\" = 'why?' AND n = ?",
      {int64_t(7)});
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "why?");
  EXPECT_EQ(row->Text(1), "it's ? here");
  EXPECT_EQ(row->Int(2), 7);
}

TEST_F(DbTest, D2_UniqueViolationHasItsOwnKind) {
  CreateItems();
  constexpr char kInsert[] = "INSERT INTO dbtest_items (name, qty) VALUES (?, ?)";
  db_->Exec(kInsert, {std::string(kSecretPhone), int64_t(1)});
  const auto dup = CatchDbError([&] {
    db_->Exec(kInsert, {std::string(kSecretPhone), int64_t(2)});
  });
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->kind(), DbError::Kind::kUniqueViolation);
  EXPECT_EQ(std::string(dup->what()).find(kSecretPhone), std::string::npos) << dup->what();

  // A duplicate primary key is a unique violation too.
  const auto id = db_->QueryOne("SELECT id FROM dbtest_items")->Int(0);
  const auto dup_key = CatchDbError([&] {
    db_->Exec("INSERT INTO dbtest_items (id, name) VALUES (?, ?)", {id, std::string("other")});
  });
  ASSERT_TRUE(dup_key.has_value());
  EXPECT_EQ(dup_key->kind(), DbError::Kind::kUniqueViolation);
  EXPECT_EQ(CountItems(), 1);
}

TEST_F(DbTest, D2_ForeignKeyViolationHasItsOwnKind) {
  db_->ExecScript("CREATE TABLE dbtest_parent (" + IdColumn() + ", name TEXT)");
  db_->ExecScript("CREATE TABLE dbtest_child (" + IdColumn() +
                  ", parent_id BIGINT NOT NULL REFERENCES dbtest_parent (id), note TEXT)");
  const int64_t parent =
      db_->QueryOne("INSERT INTO dbtest_parent (name) VALUES (?) RETURNING id", {std::string("p")})
          ->Int(0);
  constexpr char kInsertChild[] = "INSERT INTO dbtest_child (parent_id, note) VALUES (?, ?)";
  EXPECT_EQ(db_->Exec(kInsertChild, {parent, std::string("ok")}), 1);

  const auto orphan = CatchDbError([&] {
    db_->Exec(kInsertChild, {parent + 1000, std::string(kSecretPhone)});
  });
  ASSERT_TRUE(orphan.has_value());
  EXPECT_EQ(orphan->kind(), DbError::Kind::kForeignKeyViolation);
  EXPECT_EQ(std::string(orphan->what()).find(kSecretPhone), std::string::npos);

  // Deleting a referenced parent is refused as well (SQLite: foreign_keys=ON).
  const auto referenced =
      CatchDbError([&] { db_->Exec("DELETE FROM dbtest_parent WHERE id = ?", {parent}); });
  ASSERT_TRUE(referenced.has_value());
  EXPECT_EQ(referenced->kind(), DbError::Kind::kForeignKeyViolation);
}

TEST_F(DbTest, ErrorsNeverQuoteParameterValues) {
  db_->ExecScript("CREATE TABLE dbtest_values (t TEXT NOT NULL CHECK (length(t) < 5), n BIGINT)");
  std::vector<std::string> messages;
  auto record = [&](const std::function<void()>& f) {
    if (auto e = CatchDbError(f)) messages.push_back(e->what());
  };
  record([&] {
    db_->Exec("INSERT INTO dbtest_values (t, n) VALUES (?, ?)",
              {std::string(kSecretPhone), Value()});
  });
  record([&] {
    db_->Exec("INSERT INTO dbtest_values (t, n) VALUES (?, ?)", {Value(), int64_t(1)});
  });
  record([&] {
    db_->Query("SELECT no_such_column FROM dbtest_values WHERE t = ?", {std::string(kSecretPhone)});
  });
  if (IsPostgres()) {
    // PostgreSQL quotes bad input in the primary message ("invalid input
    // syntax for type bigint: ..."); SQLite just converts.
    record([&] { db_->Query("SELECT CAST(? AS BIGINT)", {std::string(kSecretPhone) + "x"}); });
  }
  ASSERT_FALSE(messages.empty());
  for (const std::string& m : messages) {
    EXPECT_EQ(m.find(kSecretPhone), std::string::npos) << m;
  }
}

TEST_F(DbTest, BadSqlThrowsAndDoesNotPoisonTheConnection) {
  const auto bad = CatchDbError([&] { db_->Query("SELEC 1"); });
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->kind(), DbError::Kind::kOther);
  EXPECT_THROW(db_->Query("SELEC 1"), DbError);  // not cached as a broken statement
  EXPECT_EQ(db_->QueryOne("SELECT 1")->Int(0), 1);
  EXPECT_EQ(db_->QueryOne("SELECT 1 WHERE 1 = 0"), std::nullopt);
  // A trailing semicolon or comment is still one statement; a second one is refused.
  EXPECT_EQ(db_->QueryOne("SELECT 2; -- done")->Int(0), 2);
  EXPECT_THROW(db_->Query("SELECT 1; SELECT 2"), DbError);
}

TEST_F(DbTest, D2_RollbackDiscardsWrites) {
  CreateItems();
  db_->Begin(true);
  db_->Exec("INSERT INTO dbtest_items (name) VALUES (?)", {std::string("gone")});
  EXPECT_EQ(CountItems(), 1);  // visible inside the transaction
  db_->Rollback();
  EXPECT_EQ(CountItems(), 0);
}

TEST_F(DbTest, D2_RollbackAfterAFailedStatementLeavesNothing) {
  CreateItems();
  db_->Begin(true);
  db_->Exec("INSERT INTO dbtest_items (name) VALUES (?)", {std::string("a")});
  EXPECT_THROW(db_->Exec("INSERT INTO dbtest_items (name) VALUES (?)", {std::string("a")}),
               DbError);
  db_->Rollback();
  EXPECT_EQ(CountItems(), 0);
  // The connection takes new transactions afterwards.
  db_->Begin(false);
  EXPECT_EQ(CountItems(), 0);
  db_->Commit();
}

TEST_F(DbTest, D2_CommitKeepsWritesForOtherConnections) {
  CreateItems();
  db_->Begin(true);
  db_->Exec("INSERT INTO dbtest_items (name, qty) VALUES (?, ?)",
            {std::string("kept"), int64_t(3)});
  db_->Commit();
  std::unique_ptr<Db> other = OpenDb(url_);
  const auto row = other->QueryOne("SELECT name, qty FROM dbtest_items");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "kept");
  EXPECT_EQ(row->Int(1), 3);
}

TEST_F(DbTest, D2_StatementCacheServesAThousandExecutions) {
  CreateItems();
  constexpr int kRows = 1000;
  constexpr char kInsert[] = "INSERT INTO dbtest_items (name, qty) VALUES (?, ?)";
  db_->Begin(true);
  for (int i = 0; i < kRows; ++i) {
    ASSERT_EQ(db_->Exec(kInsert, {"item-" + std::to_string(i), int64_t(i)}), 1);
  }
  db_->Commit();
  // The same cached SELECT with different parameters each time.
  for (int i = 0; i < kRows; i += 97) {
    const auto row =
        db_->QueryOne("SELECT qty FROM dbtest_items WHERE name = ?", {"item-" + std::to_string(i)});
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->Int(0), i);
  }
  EXPECT_EQ(CountItems(), kRows);
  EXPECT_EQ(db_->QueryOne("SELECT SUM(qty) FROM dbtest_items")->Int(0),
            int64_t(kRows) * (kRows - 1) / 2);
  EXPECT_EQ(db_->Exec("UPDATE dbtest_items SET qty = qty + 1 WHERE qty < ?", {int64_t(10)}), 10);
  EXPECT_EQ(db_->Exec("DELETE FROM dbtest_items WHERE qty > ?", {int64_t(kRows)}), 0);
}

TEST_F(DbTest, D2_ExecReturnsZeroForStatementsThatChangeNoRows) {
  CreateItems();
  db_->Exec("INSERT INTO dbtest_items (name) VALUES (?)", {std::string("a")});
  EXPECT_EQ(db_->Exec("CREATE TABLE dbtest_values (n BIGINT)"), 0);
  EXPECT_EQ(db_->Exec("UPDATE dbtest_items SET qty = 1 WHERE name = ?", {std::string("zz")}), 0);
}

TEST_F(DbTest, D2_InsertReturningGivesTheNewId) {
  CreateItems();
  constexpr char kInsert[] = "INSERT INTO dbtest_items (name, qty) VALUES (?, ?) RETURNING id";
  const auto first = db_->QueryOne(kInsert, {std::string("first"), int64_t(1)});
  const auto second = db_->QueryOne(kInsert, {std::string("second"), int64_t(2)});
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(first->Int(0), 0);
  EXPECT_EQ(second->Int(0), first->Int(0) + 1);
  const auto row = db_->QueryOne("SELECT name FROM dbtest_items WHERE id = ?", {second->Int(0)});
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "second");
}

TEST_F(DbTest, D2_InsertIdGivesTheNewIdInsideAndOutsideTransactions) {
  CreateItems();
  constexpr char kInsert[] = "INSERT INTO dbtest_items (name, qty) VALUES (?, ?)";
  const int64_t first = db_->InsertId(kInsert, {std::string("first"), int64_t(1)});
  db_->Begin(true);
  // A statement in between that changes rows of another kind does not move the answer.
  db_->Exec("UPDATE dbtest_items SET qty = qty + 1 WHERE id = ?", {first});
  const int64_t second = db_->InsertId(kInsert, {std::string("second"), int64_t(2)});
  db_->Commit();
  EXPECT_GT(first, 0);
  EXPECT_EQ(second, first + 1);
  EXPECT_EQ(db_->QueryOne("SELECT name FROM dbtest_items WHERE id = ?", {second})->Text(0),
            "second");
  // A refused insert throws and gives no id.
  EXPECT_THROW(db_->InsertId(kInsert, {std::string("third")}), DbError);
  EXPECT_EQ(db_->QueryOne("SELECT COUNT(*) FROM dbtest_items")->Int(0), 2);
}

TEST_F(DbTest, D1_ConcurrentWriterWaitsInsteadOfFailing) {
  CreateItems();
  constexpr auto kHold = std::chrono::milliseconds(200);
  std::unique_ptr<Db> first = OpenDb(url_);
  std::unique_ptr<Db> second = OpenDb(url_);
  std::promise<void> holding;
  std::future<void> holding_started = holding.get_future();

  std::thread writer([&] {
    first->Begin(true);
    first->Exec("INSERT INTO dbtest_items (name) VALUES (?)", {std::string("first")});
    holding.set_value();
    std::this_thread::sleep_for(kHold);
    first->Commit();
  });
  holding_started.wait();
  const auto start = std::chrono::steady_clock::now();
  // On SQLite this waits for the write lock (busy timeout) instead of
  // failing with SQLITE_BUSY; on PostgreSQL writers to other rows never wait.
  EXPECT_NO_THROW({
    second->Begin(true);
    second->Exec("INSERT INTO dbtest_items (name) VALUES (?)", {std::string("second")});
    second->Commit();
  });
  const auto waited = std::chrono::steady_clock::now() - start;
  writer.join();
  if (!IsPostgres()) {
    EXPECT_GE(waited, kHold / 2);
  }
  EXPECT_EQ(CountItems(), 2);
}

TEST_F(DbTest, D2_ExecScriptRunsSeveralStatements) {
  db_->ExecScript(
      "CREATE TABLE dbtest_values (n BIGINT);"
      "INSERT INTO dbtest_values (n) VALUES (1);"
      "INSERT INTO dbtest_values (n) VALUES (2);");
  EXPECT_EQ(db_->QueryOne("SELECT SUM(n) FROM dbtest_values")->Int(0), 3);
  EXPECT_THROW(db_->ExecScript("INSERT INTO no_such_table VALUES (1);"), DbError);
}

TEST(OpenDbTest, RecognisesPostgresUrls) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://vipcare@127.0.0.1:5432/vipcare"));
  EXPECT_TRUE(IsPostgresUrl("postgres://u@h/db"));
  EXPECT_FALSE(IsPostgresUrl("/var/lib/vipcare/vipcare.db"));
  EXPECT_FALSE(IsPostgresUrl("vipcare.db"));
  EXPECT_FALSE(IsPostgresUrl("postgresql:/no-slashes"));
}

TEST(OpenDbTest, FailedPostgresConnectionHidesThePassword) {
  // Port 1 refuses at once; no server is needed.
  const auto e = CatchDbError([] { OpenDb("postgresql://vipcare:Sup3rSecretPw@127.0.0.1:1/x"); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), DbError::Kind::kOther);
  EXPECT_EQ(std::string(e->what()).find("Sup3rSecretPw"), std::string::npos) << e->what();
  EXPECT_NE(std::string(e->what()).find("127.0.0.1"), std::string::npos) << e->what();
}

TEST(OpenDbTest, UnopenableSqlitePathThrows) {
  EXPECT_THROW(OpenDb("/nonexistent-dir-for-vipcare-tests/sub/x.db"), DbError);
}

TEST(OpenDbTest, D1_SqliteFileUsesWalAndForeignKeys) {
  TempDir dir;
  std::unique_ptr<Db> db = OpenDb(dir.path() + "/wal.db");
  EXPECT_EQ(db->dialect(), Dialect::kSqlite);
  EXPECT_EQ(db->QueryOne("PRAGMA journal_mode")->Text(0), "wal");
  EXPECT_EQ(db->QueryOne("PRAGMA foreign_keys")->Int(0), 1);
  EXPECT_EQ(db->QueryOne("PRAGMA busy_timeout")->Int(0), 10000);
}

// The WAL-batching VFS (store/wal_batching_vfs.h) hands a transaction's
// frames on at its commit, in pieces: a 12 MB transaction (more than the
// 4 MB it keeps back at a time, and than the 128 KB one write may carry) is
// read back whole by another connection, and again after both are closed.
TEST(SqliteWalTest, D1_ALargeTransactionIsReadBackWholeByAnotherConnection) {
  if (TestBackend() != Dialect::kSqlite) GTEST_SKIP() << "SQLite's files only";
  TempDir dir;
  const std::string path = dir.path() + "/big.db";
  auto writer = OpenDb(path);
  auto reader = OpenDb(path);
  writer->ExecScript("CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  constexpr int kRows = 3000;
  writer->Begin(true);
  for (int i = 0; i < kRows; ++i) {
    writer->Exec("INSERT INTO big (id, body) VALUES (?, ?)",
                 {int64_t{i}, std::string(4000, static_cast<char>('a' + i % 26))});
  }
  writer->Commit();
  const char* kCheck =
      "SELECT COUNT(*), SUM(LENGTH(body)), SUM(id * (UNICODE(body) - 96)) FROM big";
  int64_t expected_mix = 0;
  for (int i = 0; i < kRows; ++i) expected_mix += int64_t{i} * (1 + i % 26);
  for (Db* db : {reader.get(), writer.get()}) {
    auto row = db->QueryOne(kCheck);
    EXPECT_EQ(row->Int(0), kRows);
    EXPECT_EQ(row->Int(1), int64_t{kRows} * 4000);
    EXPECT_EQ(row->Int(2), expected_mix);
  }
  writer.reset();
  reader.reset();
  auto again = OpenDb(path);
  EXPECT_EQ(again->QueryOne(kCheck)->Int(2), expected_mix);
  EXPECT_EQ(again->QueryOne("PRAGMA integrity_check")->Text(0), "ok");
}

// A write the file system refuses (here: the file size limit, RLIMIT_FSIZE,
// as a full disk would) fails the commit with an error and changes nothing;
// the database stays whole. Run in a child process, which alone gets the limit.
TEST(SqliteWalTest, D1_AFailedWalWriteFailsTheCommitAndChangesNothing) {
  if (TestBackend() != Dialect::kSqlite) GTEST_SKIP() << "SQLite's files only";
  TempDir dir;
  const std::string path = dir.path() + "/full.db";
  {
    auto db = OpenDb(path);
    db->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    db->Exec("INSERT INTO t (id, body) VALUES (1, 'kept')");
  }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 0;
    try {
      auto db = OpenDb(path);
      struct stat st {};
      if (stat((path + "-wal").c_str(), &st) != 0) _exit(4);
      signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
      const rlimit limit{static_cast<rlim_t>(st.st_size) + 65536,
                         static_cast<rlim_t>(st.st_size) + 65536};
      if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(5);
      db->Begin(true);
      for (int i = 2; i < 200; ++i) {
        db->Exec("INSERT INTO t (id, body) VALUES (?, ?)", {int64_t{i}, std::string(4000, 'x')});
      }
      try {
        db->Commit();
        code = 2;  // the commit claimed success
      } catch (const DbError&) {
        db->Rollback();
      }
    } catch (...) {
      code = 3;
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  ASSERT_EQ(WEXITSTATUS(status), 0) << "2: the commit succeeded; 3: failed elsewhere";
  auto db = OpenDb(path);
  EXPECT_EQ(db->QueryOne("SELECT COUNT(*), MAX(body) FROM t")->Int(0), 1);
  EXPECT_EQ(db->QueryOne("PRAGMA integrity_check")->Text(0), "ok");
  db->Exec("INSERT INTO t (id, body) VALUES (2, 'after')");
  EXPECT_EQ(db->QueryOne("SELECT COUNT(*) FROM t")->Int(0), 2);
}

}  // namespace
}  // namespace vipcare::store
