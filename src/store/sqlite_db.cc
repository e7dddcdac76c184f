// src/store/sqlite_db.cc
//
// The SQLite backend (SPEC D1): one file in WAL mode, foreign keys enforced,
// writers queue on a 10 s busy timeout instead of failing at once.
#include <sqlite3.h>

#include <functional>
#include <string>
#include <unordered_map>

#include "store/db.h"
#include "store/wal_batching_vfs.h"

namespace vipcare::store {
namespace {

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view sql) const { return std::hash<std::string_view>()(sql); }
};

constexpr int kBusyTimeoutMs = 10'000;
// Long enough to recognise a statement in a log line, short enough that a
// migration script does not flood it.
constexpr size_t kSqlExcerptChars = 160;

std::string SqlExcerpt(std::string_view sql) {
  if (sql.size() <= kSqlExcerptChars) return std::string(sql);
  return std::string(sql.substr(0, kSqlExcerptChars)) + "...";
}

DbError::Kind KindOf(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return DbError::Kind::kUniqueViolation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return DbError::Kind::kForeignKeyViolation;
    default:
      break;
  }
  if ((extended_code & 0xff) == SQLITE_BUSY) return DbError::Kind::kSerialization;
  return DbError::Kind::kOther;
}

// The message carries SQLite's own text (which names tables and columns, never
// values) and the statement text (constant, with `?` placeholders); parameter
// values are never included because they may be personal data.
[[noreturn]] void ThrowSqlite(sqlite3* db, int code, std::string_view sql) {
  std::string msg = "sqlite: ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  // The connection's extended code is the precise one even when an older API
  // path handed back only the primary code.
  if (db != nullptr) code = sqlite3_extended_errcode(db);
  msg += " (code " + std::to_string(code) + ")";
  if (!sql.empty()) msg += " in: " + SqlExcerpt(sql);
  throw DbError(KindOf(code), msg);
}

// Returns a cached statement to a reusable state however the use ends, so a
// half-stepped statement never keeps a read transaction (and the WAL) pinned.
class StatementReset {
 public:
  explicit StatementReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// One SQLite connection with its statement cache. Not thread-safe: one thread
// at a time, like every Db.
class SqliteDb final : public Db {
 public:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  ~SqliteDb() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }

  int64_t Exec(std::string_view sql, const std::vector<Value>& params) override {
    sqlite3_stmt* stmt = Prepare(sql);
    StatementReset reset(stmt);
    Bind(stmt, sql, params);
    // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE even
    // after a DDL statement; the total counter tells whether this one changed
    // anything at all.
    const int64_t total_before = sqlite3_total_changes64(db_);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) ThrowSqlite(db_, rc, sql);
    if (sqlite3_total_changes64(db_) == total_before) return 0;
    return sqlite3_changes64(db_);
  }

  int64_t InsertId(std::string_view sql, const std::vector<Value>& params) override {
    Exec(sql, params);
    return sqlite3_last_insert_rowid(db_);
  }

  std::vector<Row> Query(std::string_view sql, const std::vector<Value>& params) override {
    sqlite3_stmt* stmt = Prepare(sql);
    StatementReset reset(stmt);
    Bind(stmt, sql, params);
    std::vector<Row> rows;
    const int columns = sqlite3_column_count(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) values.push_back(Column(stmt, c));
      rows.emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) ThrowSqlite(db_, rc, sql);
    return rows;
  }

  void QueryEach(std::string_view sql, const std::vector<Value>& params,
                 const std::function<void(const Row&)>& fn) override {
    sqlite3_stmt* stmt = Prepare(sql);
    StatementReset reset(stmt);
    Bind(stmt, sql, params);
    const int columns = sqlite3_column_count(stmt);
    Row row{std::vector<Value>(size_t(columns))};
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (int c = 0; c < columns; ++c) row.Set(size_t(c), Column(stmt, c));
      fn(row);
    }
    if (rc != SQLITE_DONE) ThrowSqlite(db_, rc, sql);
  }

  void ExecScript(std::string_view sql) override {
    const std::string script(sql);  // sqlite3_exec wants a terminated string
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return;
    std::string msg = "sqlite: ";
    msg += err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    msg += " (code " + std::to_string(rc) + ") in script: " + SqlExcerpt(sql);
    throw DbError(KindOf(sqlite3_extended_errcode(db_)), msg);
  }

  void Begin(bool write) override { Exec(write ? "BEGIN IMMEDIATE" : "BEGIN", {}); }
  void Commit() override { Exec("COMMIT", {}); }
  void Rollback() override {
    // SQLite rolls back by itself on some errors (busy, full disk, I/O); a
    // second rollback would then fail and hide the original error.
    if (sqlite3_get_autocommit(db_)) return;
    Exec("ROLLBACK", {});
  }

 private:
  sqlite3_stmt* Prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) ThrowSqlite(db_, rc, sql);
    if (stmt == nullptr) {
      throw DbError(DbError::Kind::kOther, "sqlite: empty statement");
    }
    // Anything after the first statement would be silently ignored; scripts
    // belong in ExecScript. Trailing comments and semicolons compile to nothing.
    const char* end = sql.data() + sql.size();
    if (tail != nullptr && tail < end) {
      sqlite3_stmt* next = nullptr;
      const int next_rc =
          sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &next, nullptr);
      if (next_rc != SQLITE_OK || next != nullptr) {
        sqlite3_finalize(next);
        sqlite3_finalize(stmt);
        throw DbError(DbError::Kind::kOther,
                      "sqlite: more than one statement (use ExecScript) in: " + SqlExcerpt(sql));
      }
    }
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

  void Bind(sqlite3_stmt* stmt, std::string_view sql, const std::vector<Value>& params) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<size_t>(expected) != params.size()) {
      throw DbError(DbError::Kind::kOther, "sqlite: statement takes " + std::to_string(expected) +
                                               " parameters, got " + std::to_string(params.size()) +
                                               " in: " + SqlExcerpt(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc;
      if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        // SQLITE_STATIC: `params` outlives the step loop, and StatementReset
        // clears the bindings before the caller regains control.
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) ThrowSqlite(db_, rc, sql);
    }
  }

  static Value Column(sqlite3_stmt* stmt, int c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER:
        return static_cast<int64_t>(sqlite3_column_int64(stmt, c));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, c);
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        return std::string(text, sqlite3_column_bytes(stmt, c));
      }
      case SQLITE_BLOB: {
        const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, c));
        const int size = sqlite3_column_bytes(stmt, c);
        return size == 0 ? std::string() : std::string(blob, size);
      }
      default:
        return std::monostate();
    }
  }

  sqlite3* db_;
  // Looked up by string_view so a cache hit costs no allocation.
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> statements_;
};

}  // namespace

std::unique_ptr<Db> OpenSqlite(const std::string& path) {
  // Without memory statistics, which nothing reads: with them every
  // allocation and free inside SQLite takes one process-wide mutex, and the
  // group commit's writer thread spent most of its waits on it while other
  // threads read (BENCHMARKS.md, "Posting sales over HTTP"). Must precede
  // SQLite's initialisation, i.e. the first open.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  sqlite3* raw = nullptr;
  // NOMUTEX: a Db is used by one thread at a time, so SQLite's own per-call
  // locking would only cost time. Every connection goes through the
  // WAL-batching VFS: they share one WAL-index, and the VFS passes a
  // connection's frames on before the index shows them to the others.
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 WalBatchingVfs());
  if (rc != SQLITE_OK) {
    std::string msg = "sqlite: cannot open " + path + ": " +
                      (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_close_v2(raw);
    throw DbError(DbError::Kind::kOther, msg);
  }
  auto db = std::make_unique<SqliteDb>(raw);
  sqlite3_extended_result_codes(raw, 1);
  // Set before the pragmas: switching to WAL takes the write lock and must
  // wait for other connections instead of failing.
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  db->ExecScript(
      "PRAGMA journal_mode=WAL;"
      "PRAGMA foreign_keys=ON;"
      "PRAGMA synchronous=NORMAL;"
      // Statement journals of large transactions stay in memory instead of
      // temporary files; measured 2x on bulk member imports.
      "PRAGMA temp_store=MEMORY;"
      // Reads come from the OS page cache through a mapping instead of a
      // pread per page: -35% on a card lookup at 1M members (BENCHMARKS.md).
      // Address space, not memory.
      "PRAGMA mmap_size=1073741824;");
  return db;
}

}  // namespace vipcare::store
