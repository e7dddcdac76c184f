// src/service/query_params.h
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/types.h"

namespace vipcare::service {

// The filters of a list as the API passes them (query key -> text). Each
// reader names the parameter in its error.
using QueryMap = std::map<std::string, std::string>;

// The text of `name`, "" when absent.
std::string Param(const QueryMap& q, const std::string& name);
// A positive id, nullopt when absent or empty; kInvalidArgument otherwise.
Result<std::optional<int64_t>> IdParam(const QueryMap& q, const std::string& name);
// A day YYYY-MM-DD, nullopt when absent or empty.
Result<std::optional<Date>> DateParam(const QueryMap& q, const std::string& name);

}  // namespace vipcare::service
