// src/service/reports.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "service/context.h"
#include "service/query_params.h"
#include "service/reports/export.h"

namespace vipcare::service {

// The analysis reports (SPEC §6, R1-R10): aggregates only, never a single
// member's file, each scoped by the caller's role — admins and HQ analysts
// see every store, a regional supervisor their region, a store manager their
// store. Periods are company-local months. The reports themselves are in
// service/reports/ (catalogue in report_query.cc). Thread-safe.
class Reports {
 public:
  explicit Reports(Env env) : env_(env) {}

  // {"items": [{"name", "title", "spec", "description", "filters": [...]}]}.
  Result<nlohmann::json> List(const Actor& actor);
  // One report: {"name", "title", "spec", "from", "to", "scope", "columns",
  // "rows", "totals"?, ...}. Filters: from, to ("YYYY-MM", default the last
  // 12 months up to this one), store_id, region_id and the report's own.
  // kNotFound on "name" for an unknown report; kInvalidArgument naming a bad
  // or unknown filter; kForbidden for a store or region outside the caller's
  // scope.
  Result<nlohmann::json> Get(const Actor& actor, const std::string& name, const QueryMap& q);
  // The same report as a file (P4): `format` csv|xlsx, `encoding` utf-8|gbk
  // (csv) taken from the query beside the filters. Audited
  // (`report_export`, with the row count). Needs report_export.
  Result<reports::ExportFile> Export(const Actor& actor, const std::string& name, QueryMap q);

 private:
  Env env_;
};

}  // namespace vipcare::service
