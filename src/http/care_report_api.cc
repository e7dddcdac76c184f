#include "http/care_report_api.h"

#include <limits>
#include <map>
#include <string>

namespace vipcare::http {
namespace {

using nlohmann::json;
using service::Actor;
using service::Permission;

#ifndef VIPCARE_PARSE
#define VIPCARE_PARSE(var, expr)                                  \
  auto var##_r = (expr);                                          \
  if (!var##_r.ok()) return Response::FromError(var##_r.error()); \
  auto& var = *var##_r
#endif

constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();

Response Reply(const Result<json>& r, int status = 200) {
  if (!r.ok()) return Response::FromError(r.error());
  return Response::Json(*r, status);
}

// limit (1-200, default 50) and offset, as on every other list.
Result<store::Page> PageOf(const Request& req) {
  auto limit = req.QueryInt("limit", 50, 1, 200);
  if (!limit.ok()) return limit.error();
  auto offset = req.QueryInt("offset", 0, 0, 1'000'000'000);
  if (!offset.ok()) return offset.error();
  return store::Page{*limit, *offset};
}

std::string QueryText(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? "" : it->second;
}

void AddLeaveRoutes(Router& router, Services s) {
  router.Add({"POST", "/api/v1/staff-leaves", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.staff_leaves.Start(*a, body), 201);
              }});
  router.Add({"GET", "/api/v1/staff-leaves", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                std::map<std::string, std::string> q = req.query;
                q.erase("limit");
                q.erase("offset");
                return Reply(s.staff_leaves.List(*a, q, page));
              }});
  router.Add({"POST", "/api/v1/staff-leaves/{id}/end", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.staff_leaves.End(*a, id));
              }});
}

void AddReportRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/care-reports/monthly", true, Permission::kCareReport,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(store, req.QueryInt("store_id", 0, 1, kMaxId));
                return Reply(s.care_reports.MonthlyReport(*a, StoreId(store),
                                                          QueryText(req, "month")));
              }});
  router.Add({"PUT", "/api/v1/care-reports/plan", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(store, req.QueryInt("store_id", 0, 1, kMaxId));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.care_reports.PutPlan(*a, StoreId(store), QueryText(req, "month"),
                                                    body));
              }});
  router.Add({"GET", "/api/v1/care-reports/regional", true, Permission::kCareReport,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(region, req.QueryInt("region_id", 0, 1, kMaxId));
                return Reply(s.care_reports.RegionalSummary(*a, RegionId(region),
                                                            QueryText(req, "month")));
              }});
}

}  // namespace

void AddCareReportRoutes(Router& router, Services s) {
  AddLeaveRoutes(router, s);
  AddReportRoutes(router, s);
}

}  // namespace vipcare::http
