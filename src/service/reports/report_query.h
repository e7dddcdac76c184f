// src/service/reports/report_query.h
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "service/context.h"
#include "service/query_params.h"
#include "store/report_repository.h"
#include "store/repository.h"

namespace vipcare::service::reports {

// One report's request after the filters are checked and the caller's scope
// applied (SPEC P2, P9): an analyst or admin sees every store, a regional
// supervisor their region, a store manager their store.
struct ReportQuery {
  std::string from;  // first month, "YYYY-MM" (company-local)
  std::string to;    // last month, "YYYY-MM"
  Date from_day;     // the first day of `from`
  Date to_day;       // the last day of `to`
  Date today;        // the company's today (injectable through the Env's clock)
  TimeZone tz;       // the company's zone (the Env's): local days of instants
  store::ReportScope scope;
  // Every filter as given, for a report's own parameters (already checked
  // against the report's filter list).
  QueryMap params;
  // Every store's name by id, for rows keyed by store.
  std::map<int64_t, std::string> store_names;
  // Whether the caller may see single members (member_read) inside the
  // scope: a report that can list members (R6) lists them only then; an HQ
  // analyst gets counts (P2, P9).
  bool member_rows = false;
};

// How a column of a report's `rows` reads, for the UI table and the exports:
// "text", "int", "fen" (money in fen), "bp" (basis points, 10000 = 100 %),
// "month" ("YYYY-MM") or "date".
struct Column {
  std::string key;
  std::string title;
  std::string kind = "int";
};
nlohmann::json ColumnsJson(const std::vector<Column>& columns);

// A report answers at least {"columns": ColumnsJson(...), "rows": [...]}
// (one object per row, keyed by the column keys); "totals" and further
// sections (e.g. a matrix) are the report's own. The name, title, period and
// scope are added around it.
using ReportFn = Result<nlohmann::json> (*)(const ReportQuery&, store::Repository&);

struct ReportSpec {
  std::string name;
  std::string title;        // Chinese, as on screen
  std::string spec;         // "R1" ... "R10"
  std::string description;  // Chinese
  // Accepted filters beside from/to/store_id/region_id (e.g. "tier", "limit").
  std::vector<std::string> extra_filters;
  ReportFn run;
};

// Every report, in SPEC order.
const std::vector<ReportSpec>& Catalog();
const ReportSpec* FindReport(std::string_view name);

// Checks `params` against the report's filters (an unknown key is refused
// naming it) and resolves period and scope for `actor`: from/to default to
// the twelve months up to this one; a store or region outside the caller's
// scope is kForbidden; an unknown store is kInvalidArgument on store_id.
Result<ReportQuery> ResolveQuery(const Actor& actor, const ReportSpec& spec,
                                 const QueryMap& params, store::Repository& repo, Date today,
                                 const TimeZone& tz);

// part / whole in basis points (10000 = 100 %), rounded half up; null when
// whole is not positive.
nlohmann::json ShareBp(int64_t part, int64_t whole);

// "YYYY-MM" of a day; the months from..to inclusive.
std::string MonthOf(Date d);
std::vector<std::string> MonthsBetween(const std::string& from, const std::string& to);

}  // namespace vipcare::service::reports
