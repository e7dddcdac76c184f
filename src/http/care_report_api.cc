#include "http/care_report_api.h"

#include <limits>
#include <map>
#include <string>

#include "http/handler_util.h"

namespace vipcare::http {
namespace {

using nlohmann::json;
using service::Actor;
using service::Permission;

constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();

std::string QueryText(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? "" : it->second;
}

void AddLeaveRoutes(Router& router, Services s) {
  router.Add({"POST", "/api/v1/staff-leaves", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.staff_leaves.Start(*a, body), 201);
              }});
  router.Add({"GET", "/api/v1/staff-leaves", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                std::map<std::string, std::string> q = req.query;
                q.erase("limit");
                q.erase("offset");
                return ReplyJson(s.staff_leaves.List(*a, q, page));
              }});
  router.Add({"POST", "/api/v1/staff-leaves/{id}/end", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return ReplyJson(s.staff_leaves.End(*a, id));
              }});
}

void AddReportRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/care-reports/monthly", true, Permission::kCareReport,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(store, req.QueryInt("store_id", 0, 1, kMaxId));
                return ReplyJson(s.care_reports.MonthlyReport(*a, StoreId(store),
                                                          QueryText(req, "month")));
              },
              nullptr, /*slow=*/true});
  router.Add({"PUT", "/api/v1/care-reports/plan", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(store, req.QueryInt("store_id", 0, 1, kMaxId));
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.care_reports.PutPlan(*a, StoreId(store), QueryText(req, "month"),
                                                    body));
              }});
  router.Add({"GET", "/api/v1/care-reports/regional", true, Permission::kCareReport,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(region, req.QueryInt("region_id", 0, 1, kMaxId));
                return ReplyJson(s.care_reports.RegionalSummary(*a, RegionId(region),
                                                            QueryText(req, "month")));
              },
              nullptr, /*slow=*/true});
}

}  // namespace

void AddCareReportRoutes(Router& router, Services s) {
  AddLeaveRoutes(router, s);
  AddReportRoutes(router, s);
}

}  // namespace vipcare::http
