// src/store/db.h
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vipcare::store {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a column value. Text is UTF-8; blobs are not used
// (binary data is stored as base64 text so both engines share one schema).
using Value = std::variant<std::monostate, int64_t, double, std::string>;

// Makes a NULL Value when `v` is empty / zero-id, else the value.
inline Value NullIfEmpty(const std::string& v) {
  return v.empty() ? Value() : Value(v);
}
inline Value NullIfZero(int64_t v) { return v == 0 ? Value() : Value(v); }

// One fetched row. Column access by index; type mismatches are programmer errors.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  int64_t Int(size_t i) const;           // NULL -> 0; numeric text is converted
  double Real(size_t i) const;           // NULL -> 0
  std::string Text(size_t i) const;      // NULL -> ""
  std::optional<int64_t> OptInt(size_t i) const;
  size_t size() const { return values_.size(); }
  // Replaces column i (a backend reusing one Row while it streams).
  void Set(size_t i, Value v) { values_[i] = std::move(v); }

 private:
  std::vector<Value> values_;
};

// Raised by a backend for infrastructure failures (disk, network, SQL bugs).
// Constraint violations carry a kind so services can turn them into 409s.
class DbError : public std::runtime_error {
 public:
  enum class Kind { kOther, kUniqueViolation, kForeignKeyViolation, kSerialization };
  DbError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// One database connection. SQL uses `?` placeholders in both dialects (the
// PostgreSQL backend rewrites them to $1..$n); statements are prepared once per
// connection and cached by their text. Not thread-safe: one thread at a time
// (the Store's pool hands a connection to one user).
class Db {
 public:
  virtual ~Db() = default;
  virtual Dialect dialect() const = 0;
  // Runs a statement; returns the number of rows changed.
  virtual int64_t Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  virtual std::vector<Row> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs an INSERT of one row into a table keyed by an integer `id` and
  // returns the new row's id. `sql` has no RETURNING clause: SQLite takes the
  // id from the connection (with RETURNING it keeps a statement journal of
  // the pages the insert changes, measured in BENCHMARKS.md), PostgreSQL
  // appends " RETURNING id".
  virtual int64_t InsertId(std::string_view sql, const std::vector<Value>& params) = 0;
  // Calls `fn` with each result row in turn without keeping them: for the
  // reports that read a row per member or per sale line (SQLite reuses one
  // Row; the default keeps the whole result as Query does).
  virtual void QueryEach(std::string_view sql, const std::vector<Value>& params,
                         const std::function<void(const Row&)>& fn);
  // Runs a script of several statements without parameters (migrations).
  virtual void ExecScript(std::string_view sql) = 0;
  // Transactions. `write` asks for the write lock up front where the engine has
  // one (SQLite BEGIN IMMEDIATE) so concurrent writers queue instead of failing.
  virtual void Begin(bool write) = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;

  // Convenience: first row or nullopt.
  std::optional<Row> QueryOne(std::string_view sql, const std::vector<Value>& params = {});
};

// Opens a connection. `url` is "postgresql://..." / "postgres://..." for
// PostgreSQL, anything else is a SQLite file path (created if missing; WAL,
// foreign keys on, busy timeout). Throws DbError if it cannot connect.
std::unique_ptr<Db> OpenDb(const std::string& url);
std::unique_ptr<Db> OpenSqlite(const std::string& path);
std::unique_ptr<Db> OpenPostgres(const std::string& conninfo);
bool IsPostgresUrl(std::string_view url);

}  // namespace vipcare::store
