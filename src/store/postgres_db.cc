// src/store/postgres_db.cc
//
// The PostgreSQL backend (SPEC D2). The same SQL as SQLite runs here: `?`
// placeholders are rewritten to $1..$n, every statement is prepared once per
// connection, and results are typed from the column OIDs so callers see the
// same Values as on SQLite.
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/db.h"

namespace vipcare::store {
namespace {

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view sql) const { return std::hash<std::string_view>()(sql); }
};

// Type OIDs from pg_type.h (stable across PostgreSQL versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

constexpr const char* kConnectTimeoutSeconds = "10";
constexpr size_t kSqlExcerptChars = 160;

std::string SqlExcerpt(std::string_view sql) {
  if (sql.size() <= kSqlExcerptChars) return std::string(sql);
  return std::string(sql.substr(0, kSqlExcerptChars)) + "...";
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// If a dollar-quote opening tag ($$ or $tag$) starts at `i`, returns its length.
size_t DollarTagLength(std::string_view sql, size_t i) {
  if (i > 0 && IsIdentChar(sql[i - 1])) return 0;  // part of an identifier
  size_t j = i + 1;
  if (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') return 0;  // $1 parameter
  while (j < sql.size() && IsIdentChar(sql[j])) ++j;
  if (j < sql.size() && sql[j] == '$') return j - i + 1;
  return 0;
}

// Rewrites `?` placeholders to $1..$n, leaving question marks inside string
// literals, quoted identifiers, dollar-quoted bodies and comments alone.
// Returns the rewritten text and sets `count` to the number of placeholders.
std::string RewritePlaceholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // E'...' strings escape quotes with a backslash as well as by doubling.
      const bool backslash_escapes = c == '\'' && i > 0 &&
                                     (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                                     (i == 1 || !IsIdentChar(sql[i - 2]));
      size_t j = i + 1;
      while (j < sql.size()) {
        if (backslash_escapes && sql[j] == '\\') {
          j += 2;
          continue;
        }
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {  // doubled quote
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      j = std::min(j + 1, sql.size());
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t j = sql.find('\n', i);
      j = j == std::string_view::npos ? sql.size() : j;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      j = j == std::string_view::npos ? sql.size() : j + 2;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (size_t tag = c == '$' ? DollarTagLength(sql, i) : 0; tag > 0) {
      const std::string_view delimiter = sql.substr(i, tag);
      size_t j = sql.find(delimiter, i + tag);
      j = j == std::string_view::npos ? sql.size() : j + tag;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++count);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

std::optional<double> ParseReal(std::string_view s) {
  double out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return out;
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

// Converts one text-format result cell to the Value SQLite would have given.
Value CellValue(Oid type, std::string_view text) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
      if (auto n = ParseInt(text)) return *n;
      break;
    case kFloat4Oid:
    case kFloat8Oid:
      if (auto d = ParseReal(text)) return *d;
      break;
    case kNumericOid:
      // SUM()/AVG() of integers come back as numeric; keeping whole values as
      // int64 avoids losing precision above 2^53.
      if (auto n = ParseInt(text)) return *n;
      if (auto d = ParseReal(text)) return *d;
      break;
    case kBoolOid:
      // SQLite has no boolean: comparisons and EXISTS give 0/1 there.
      return static_cast<int64_t>(text == "t" ? 1 : 0);
    default:
      break;
  }
  return std::string(text);
}

std::string FormatParam(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

DbError::Kind KindOf(std::string_view sqlstate) {
  if (sqlstate == "23505") return DbError::Kind::kUniqueViolation;
  if (sqlstate == "23503") return DbError::Kind::kForeignKeyViolation;
  if (sqlstate == "40001" || sqlstate == "40P01") return DbError::Kind::kSerialization;
  return DbError::Kind::kOther;
}

// Removes `secret` from `text` wherever it occurs.
std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  constexpr std::string_view kMask = "***";
  for (size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + kMask.size())) {
    text.replace(at, secret.size(), kMask);
  }
  return text;
}

std::string TrimTrailingSpace(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void IgnoreNotice(void*, const char*) {}

// One libpq connection with its prepared-statement cache. Not thread-safe:
// one thread at a time, like every Db.
class PostgresDb final : public Db {
 public:
  explicit PostgresDb(PGconn* conn) : conn_(conn) {}
  ~PostgresDb() override { PQfinish(conn_); }
  PostgresDb(const PostgresDb&) = delete;
  PostgresDb& operator=(const PostgresDb&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }

  // Session settings every connection needs; run again after a reconnect.
  void SetUpSession() {
    PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
    // Dates and timestamps are compared as text in shared SQL, so the session
    // zone must not depend on the server's configuration.
    ResultPtr res(PQexec(conn_, "SET TimeZone TO 'UTC'"));
    Check(res.get(), PGRES_COMMAND_OK, "SET TimeZone");
  }

  int64_t Exec(std::string_view sql, const std::vector<Value>& params) override {
    ResultPtr res = Run(sql, params);
    const char* tuples = PQcmdTuples(res.get());
    if (tuples == nullptr || *tuples == '\0') return 0;
    return ParseInt(tuples).value_or(0);
  }

  int64_t InsertId(std::string_view sql, const std::vector<Value>& params) override {
    std::string returning;
    returning.reserve(sql.size() + 13);
    returning.append(sql).append(" RETURNING id");
    return Query(returning, params).at(0).Int(0);
  }

  std::vector<Row> Query(std::string_view sql, const std::vector<Value>& params) override {
    ResultPtr res = Run(sql, params);
    const int rows = PQntuples(res.get());
    const int columns = PQnfields(res.get());
    std::vector<Oid> types(columns);
    for (int c = 0; c < columns; ++c) types[c] = PQftype(res.get(), c);
    std::vector<Row> out;
    out.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<Value> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          values.emplace_back(std::monostate());
        } else {
          values.push_back(CellValue(types[c], std::string_view(PQgetvalue(res.get(), r, c),
                                                                PQgetlength(res.get(), r, c))));
        }
      }
      out.emplace_back(std::move(values));
    }
    return out;
  }

  void ExecScript(std::string_view sql) override {
    EnsureConnected();
    const std::string script(sql);  // PQexec wants a terminated string
    ResultPtr res(PQexec(conn_, script.c_str()));
    // PQexec reports the last statement's result; a trailing SELECT is fine.
    if (res && PQresultStatus(res.get()) == PGRES_TUPLES_OK) return;
    Check(res.get(), PGRES_COMMAND_OK, sql);
  }

  void Begin(bool write) override {
    EnsureConnected();
    ResultPtr res(PQexec(conn_, "BEGIN"));
    Check(res.get(), PGRES_COMMAND_OK, "BEGIN");
    in_transaction_ = true;
  }

  void Commit() override {
    in_transaction_ = false;
    // COMMIT of a failed transaction "succeeds" with a ROLLBACK tag; the
    // caller must learn that its writes are gone.
    if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
      ResultPtr res(PQexec(conn_, "ROLLBACK"));
      throw DbError(DbError::Kind::kOther,
                    "postgres: commit of a transaction that had already failed; rolled back");
    }
    ResultPtr res(PQexec(conn_, "COMMIT"));
    Check(res.get(), PGRES_COMMAND_OK, "COMMIT");
  }

  void Rollback() override {
    in_transaction_ = false;
    // A lost connection has already discarded the transaction on the server.
    if (PQstatus(conn_) == CONNECTION_BAD) return;
    ResultPtr res(PQexec(conn_, "ROLLBACK"));
    Check(res.get(), PGRES_COMMAND_OK, "ROLLBACK");
  }

 private:
  struct Statement {
    std::string name;
    int param_count;
  };

  // Reconnects a connection the server dropped (restart, idle timeout) so a
  // pooled connection recovers. Never inside a transaction: its earlier
  // statements are gone and the rest would silently run outside it.
  void EnsureConnected() {
    if (PQstatus(conn_) != CONNECTION_BAD) return;
    if (in_transaction_) {
      throw DbError(DbError::Kind::kOther, "postgres: connection lost during a transaction");
    }
    statements_.clear();  // server-side prepared statements died with the session
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_BAD) {
      SetUpSession();
      return;
    }
    throw DbError(DbError::Kind::kOther,
                  "postgres: connection lost: " + TrimTrailingSpace(PQerrorMessage(conn_)));
  }

  const Statement& Prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    int count = 0;
    const std::string rewritten = RewritePlaceholders(sql, count);
    Statement stmt{"s" + std::to_string(++statement_counter_), count};
    // Parameter types are left to the server to infer from context; write
    // CAST(? AS ...) where there is none (e.g. `? IS NULL`).
    ResultPtr res(PQprepare(conn_, stmt.name.c_str(), rewritten.c_str(), 0, nullptr));
    Check(res.get(), PGRES_COMMAND_OK, sql);
    return statements_.emplace(std::string(sql), std::move(stmt)).first->second;
  }

  ResultPtr Run(std::string_view sql, const std::vector<Value>& params) {
    EnsureConnected();
    const Statement& stmt = Prepare(sql);
    if (static_cast<size_t>(stmt.param_count) != params.size()) {
      throw DbError(DbError::Kind::kOther, "postgres: statement takes " +
                                               std::to_string(stmt.param_count) +
                                               " parameters, got " + std::to_string(params.size()) +
                                               " in: " + SqlExcerpt(sql));
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> pointers(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        texts[i] = std::to_string(*n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        texts[i] = FormatParam(*d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        pointers[i] = s->c_str();
        continue;
      } else {
        continue;  // NULL
      }
      pointers[i] = texts[i].c_str();
    }
    ResultPtr res(PQexecPrepared(conn_, stmt.name.c_str(), static_cast<int>(params.size()),
                                 pointers.data(), nullptr, nullptr, /*resultFormat=*/0));
    const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK) Check(res.get(), PGRES_COMMAND_OK, sql);
    return res;
  }

  // Throws unless `res` has status `ok`. Only the primary message and the
  // SQLSTATE are reported: the DETAIL field quotes row values (personal data).
  void Check(const PGresult* res, ExecStatusType ok, std::string_view sql) {
    if (res != nullptr && PQresultStatus(res) == ok) return;
    if (res == nullptr) {
      throw DbError(DbError::Kind::kOther, "postgres: " + TrimTrailingSpace(PQerrorMessage(conn_)) +
                                               " in: " + SqlExcerpt(sql));
    }
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const std::string sqlstate = state != nullptr ? state : "";
    std::string message;
    if (primary != nullptr) {
      message = primary;
    } else if (PQresultStatus(res) == PGRES_FATAL_ERROR) {
      message = TrimTrailingSpace(PQerrorMessage(conn_));  // client-side failure
    } else {
      message = std::string("unexpected result ") + PQresStatus(PQresultStatus(res));
    }
    // Data exceptions (class 22) quote the offending input after a colon,
    // e.g. `invalid input syntax for type integer: "..."`.
    if (sqlstate.starts_with("22")) {
      if (size_t colon = message.find(": "); colon != std::string::npos) {
        message.resize(colon);
      }
    }
    std::string what = "postgres: " + message;
    if (!sqlstate.empty()) what += " (SQLSTATE " + sqlstate + ")";
    what += " in: " + SqlExcerpt(sql);
    throw DbError(KindOf(sqlstate), what);
  }

  PGconn* conn_;
  // Looked up by string_view so a cache hit costs no allocation.
  std::unordered_map<std::string, Statement, SqlHash, std::equal_to<>> statements_;
  int64_t statement_counter_ = 0;
  bool in_transaction_ = false;
};

// Host, port and database of `conninfo` for error messages, plus the password
// so it can be scrubbed from them.
struct ConnInfoSummary {
  std::string where;
  std::string password;
};

ConnInfoSummary Summarize(const std::string& conninfo) {
  ConnInfoSummary out;
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (options == nullptr) {
    PQfreemem(err);
    out.where = "(unparsable connection string)";
    return out;
  }
  std::string host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "host" || key == "hostaddr") {
      if (host.empty()) host = o->val;
    } else if (key == "port") {
      port = o->val;
    } else if (key == "dbname") {
      dbname = o->val;
    } else if (key == "password") {
      out.password = o->val;
    }
  }
  PQconninfoFree(options);
  out.where =
      (host.empty() ? "(default host)" : host) + (port.empty() ? "" : ":" + port) + "/" + dbname;
  return out;
}

}  // namespace

std::unique_ptr<Db> OpenPostgres(const std::string& conninfo) {
  // Keywords after "dbname" override the URL; the ones before are defaults
  // the URL may override.
  const char* const keywords[] = {"connect_timeout", "application_name", "dbname",
                                  "client_encoding", nullptr};
  const char* const values[] = {kConnectTimeoutSeconds, "vipcare", conninfo.c_str(), "UTF8",
                                nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    throw DbError(DbError::Kind::kOther, "postgres: out of memory while connecting");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    const ConnInfoSummary summary = Summarize(conninfo);
    std::string msg = "postgres: cannot connect to " + summary.where + ": " +
                      Scrub(TrimTrailingSpace(PQerrorMessage(conn)), summary.password);
    PQfinish(conn);
    throw DbError(DbError::Kind::kOther, msg);
  }
  auto db = std::make_unique<PostgresDb>(conn);
  db->SetUpSession();
  return db;
}

}  // namespace vipcare::store
