// src/http/handler_util.h
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "http/router.h"
#include "service/context.h"

namespace vipcare::http {

// What every thin handler does: parse, call one service, answer its JSON or
// its error (mapped to a status in one place, Response::FromError).

// Declares `var` as the value of the Result `expr`, or answers its error.
#define VIPCARE_PARSE(var, expr)                                  \
  auto var##_r = (expr);                                          \
  if (!var##_r.ok()) return Response::FromError(var##_r.error()); \
  auto& var = *var##_r

// Answers the service's JSON with `status`, or its error.
Response ReplyJson(const Result<nlohmann::json>& r, int status = 200);

// limit (1-200, default 50) and offset of a list.
Result<service::Page> PageOf(const Request& req);

// The filters of a list: the query without its paging parameters (the
// service checks each value and names the bad one).
std::map<std::string, std::string> FiltersOf(const Request& req);

}  // namespace vipcare::http
