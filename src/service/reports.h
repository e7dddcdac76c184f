// src/service/reports.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "service/context.h"
#include "service/query_params.h"

namespace vipcare::service {

// The analysis reports (SPEC §6, R1-R10): aggregates only, never a single
// member's file, each scoped by the caller's role — admins and HQ analysts
// see every store, a regional supervisor their region, a store manager their
// store. Periods are company-local months. Thread-safe.
//
// Built so far: `member_sales` (R2, member sales contribution). The
// catalogue lists only what is built.
class Reports {
 public:
  explicit Reports(Env env) : env_(env) {}

  // {"items": [{"name", "title", "description", "filters": [...]}]}.
  Result<nlohmann::json> List(const Actor& actor);
  // One report. Filters: from, to ("YYYY-MM", default the last 12 months up
  // to this one), store_id, region_id. kNotFound on "name" for an unknown
  // report; kInvalidArgument naming a bad or unknown filter; kForbidden for a
  // store or region outside the caller's scope.
  Result<nlohmann::json> Get(const Actor& actor, const std::string& name, const QueryMap& q);

 private:
  Result<nlohmann::json> MemberSales(const Actor& actor, const QueryMap& q);
  Env env_;
};

}  // namespace vipcare::service
