#include "service/query_params.h"

#include <stdexcept>

namespace vipcare::service {

std::string Param(const QueryMap& q, const std::string& name) {
  auto it = q.find(name);
  return it == q.end() ? "" : it->second;
}

Result<std::optional<int64_t>> IdParam(const QueryMap& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return std::optional<int64_t>();
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used == it->second.size() && v > 0) return std::optional<int64_t>(v);
  } catch (const std::exception&) {
  }
  return Error::Invalid(name, "must be a positive id");
}

Result<std::optional<Date>> DateParam(const QueryMap& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return std::optional<Date>();
  auto d = Date::Parse(it->second);
  if (!d) return Error::Invalid(name, "must be a date YYYY-MM-DD");
  return std::optional<Date>(*d);
}

}  // namespace vipcare::service
