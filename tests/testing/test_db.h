// tests/testing/test_db.h
#pragma once
#include <memory>
#include <string>

#include "store/db.h"
#include "store/keyring.h"

namespace vipcare::testing {

// The backend a suite runs on: VIPCARE_TEST_BACKEND=sqlite (default) or
// postgres (then VIPCARE_TEST_PG_URL must name a reachable server; the tests
// fail, never skip, if it does not).
store::Dialect TestBackend();

// The data keys every test database is sealed with (fixed, so PostgreSQL
// runs that share one database across suites agree on them).
store::KeyringPtr TestKeys();

// A database URL for one test with the schema migrated and every table empty:
// a new SQLite file in a temporary folder, or the shared PostgreSQL test
// database with all tables truncated. The SQLite file is removed by the destructor.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& url() const { return url_; }
  // Drops every table of the PostgreSQL database at `url` (for tests that
  // migrate a database themselves, e.g. through `vipcare init`).
  static void ResetPostgres(const std::string& url);
  std::unique_ptr<store::Db> Connect() const { return store::OpenDb(url_); }

 private:
  std::string url_;
  std::string dir_;  // SQLite only
};

// A fresh empty folder under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A database URL at schema version `version`, as that release left it, for
// tests of the later migrations' data steps: a SQLite file in a temporary
// folder, or the shared PostgreSQL test database emptied (and left migrated
// and empty again by the destructor, as the other suites expect it).
class OlderDatabase {
 public:
  explicit OlderDatabase(int version);
  ~OlderDatabase();
  OlderDatabase(const OlderDatabase&) = delete;
  OlderDatabase& operator=(const OlderDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  TempDir dir_;
  std::string url_;
};

}  // namespace vipcare::testing
