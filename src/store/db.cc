// src/store/db.cc
//
// The engine-independent half of the database layer: value accessors that hide
// how each engine reports a column (SQLite hands back native integers,
// PostgreSQL may hand back numeric text), and the URL dispatch.
#include "store/db.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace vipcare::store {
namespace {

// Column values can hold personal data, so errors name the column index and
// never the value.
[[noreturn]] void ThrowNotNumeric(size_t i) {
  throw DbError(DbError::Kind::kOther, "column " + std::to_string(i) + " does not hold a number");
}

// Parses the whole of `s` as a base-10 integer.
std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

// Parses the whole of `s` as a floating-point number (also "Infinity"/"NaN",
// which is how PostgreSQL spells them).
std::optional<double> ParseReal(std::string_view s) {
  double out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return out;
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

// Truncates toward zero like SQL's CAST(x AS INTEGER); out-of-range and NaN
// values are errors rather than undefined behaviour.
int64_t RealToInt(double d, size_t i) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::isnan(d) || d >= kTwoTo63 || d < -kTwoTo63) ThrowNotNumeric(i);
  return static_cast<int64_t>(d);
}

}  // namespace

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (std::holds_alternative<std::monostate>(v)) return 0;
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return RealToInt(*d, i);
  const std::string& s = std::get<std::string>(v);
  if (auto n = ParseInt(s)) return *n;
  if (auto d = ParseReal(s)) return RealToInt(*d, i);
  ThrowNotNumeric(i);
}

double Row::Real(size_t i) const {
  const Value& v = values_.at(i);
  if (std::holds_alternative<std::monostate>(v)) return 0;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  if (auto d = ParseReal(std::get<std::string>(v))) return *d;
  ThrowNotNumeric(i);
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (std::holds_alternative<std::monostate>(v)) return "";
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  // Shortest text that reads back as the same double.
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), std::get<double>(v));
  return std::string(buf, ec == std::errc() ? ptr : buf);
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<Row> Db::QueryOne(std::string_view sql, const std::vector<Value>& params) {
  std::vector<Row> rows = Query(sql, params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

void Db::QueryEach(std::string_view sql, const std::vector<Value>& params,
                   const std::function<void(const Row&)>& fn) {
  for (const Row& row : Query(sql, params)) fn(row);
}

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::unique_ptr<Db> OpenDb(const std::string& url) {
  if (IsPostgresUrl(url)) return OpenPostgres(url);
  return OpenSqlite(url);
}

}  // namespace vipcare::store
