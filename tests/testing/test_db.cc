// tests/testing/test_db.cc
#include "testing/test_db.h"

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "store/migrations.h"

namespace vipcare::testing {
namespace {

constexpr const char* kBackendVar = "VIPCARE_TEST_BACKEND";
constexpr const char* kPgUrlVar = "VIPCARE_TEST_PG_URL";

// Lists the tables a test may have filled: everything in `public` except the
// migration bookkeeping, which must survive so Migrate stays a no-op.
constexpr const char* kListTablesSql =
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
    "AND tablename <> 'schema_migrations' ORDER BY tablename";

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string PgUrlFromEnv() {
  const char* url = std::getenv(kPgUrlVar);
  if (url == nullptr || *url == '\0') {
    // A missing server must fail the suite: a skipped PostgreSQL run would
    // look green while proving nothing about SPEC D2.
    throw std::runtime_error(std::string(kBackendVar) + "=postgres but " + kPgUrlVar +
                             " is not set");
  }
  return url;
}

// Empties every table in one statement; RESTART IDENTITY makes ids start at 1
// again like in a fresh SQLite file, CASCADE covers foreign keys between them.
void TruncateAll(store::Db& db) {
  std::vector<std::string> tables;
  for (const store::Row& row : db.Query(kListTablesSql)) {
    tables.push_back("public." + QuoteIdentifier(row.Text(0)));
  }
  if (tables.empty()) return;
  std::string sql = "TRUNCATE TABLE ";
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += tables[i];
  }
  sql += " RESTART IDENTITY CASCADE";
  db.ExecScript(sql);
}

// Creates a new private folder under $TMPDIR (or /tmp).
std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = (base != nullptr && *base != '\0') ? base : "/tmp";
  pattern += "/vipcare-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return pattern;
}

// Used from destructors, which must not throw; a leftover folder is harmless.
void RemoveQuietly(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

}  // namespace

store::KeyringPtr TestKeys() {
  static const store::KeyringPtr keys = [] {
    auto ring = store::Keyring::Parse(
        "key 1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
    if (!ring.ok()) throw std::runtime_error(ring.error().message);
    return *ring;
  }();
  return keys;
}

store::Dialect TestBackend() {
  const char* backend = std::getenv(kBackendVar);
  const std::string value = backend == nullptr ? "" : backend;
  if (value.empty() || value == "sqlite") return store::Dialect::kSqlite;
  if (value == "postgres" || value == "postgresql") return store::Dialect::kPostgres;
  throw std::runtime_error(std::string(kBackendVar) + " must be sqlite or postgres, not '" + value +
                           "'");
}

TestDatabase::TestDatabase() {
  if (TestBackend() == store::Dialect::kPostgres) {
    url_ = PgUrlFromEnv();
    std::unique_ptr<store::Db> db = store::OpenDb(url_);
    store::Migrate(*db);
    TruncateAll(*db);
    return;
  }
  dir_ = MakeTempDir();
  url_ = dir_ + "/test.db";
  try {
    std::unique_ptr<store::Db> db = store::OpenDb(url_);
    store::Migrate(*db);
  } catch (...) {
    RemoveQuietly(dir_);  // the destructor does not run for a failed constructor
    throw;
  }
}

TestDatabase::~TestDatabase() {
  if (!dir_.empty()) RemoveQuietly(dir_);
}

void TestDatabase::ResetPostgres(const std::string& url) {
  auto db = store::OpenDb(url);
  db->ExecScript("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}

TempDir::TempDir() : path_(MakeTempDir()) {}

TempDir::~TempDir() { RemoveQuietly(path_); }

OlderDatabase::OlderDatabase(int version) {
  if (TestBackend() == store::Dialect::kPostgres) {
    url_ = std::getenv("VIPCARE_TEST_PG_URL");
    TestDatabase::ResetPostgres(url_);
  } else {
    url_ = dir_.path() + "/older.db";
  }
  auto db = store::OpenDb(url_);
  store::SchemaVersion(*db);  // creates schema_migrations
  for (const auto& m : store::AllMigrations()) {
    if (m.version > version) break;
    db->ExecScript(store::RenderForDialect(m.sql, db->dialect()));
    db->Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)",
             {int64_t(m.version), std::string(m.name)});
  }
}

OlderDatabase::~OlderDatabase() {
  if (TestBackend() == store::Dialect::kPostgres) {
    TestDatabase::ResetPostgres(url_);
    auto db = store::OpenDb(url_);
    store::Migrate(*db);
  }
}

}  // namespace vipcare::testing
