#include "http/report_api.h"

#include "http/handler_util.h"

namespace vipcare::http {

using service::Actor;
using service::Permission;

void AddReportRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/reports", true, Permission::kReportRead,
              [s](const Request&, const Actor* a) { return ReplyJson(s.reports.List(*a)); }});
  router.Add({"GET", "/api/v1/reports/{name}", true, Permission::kReportRead,
              [s](const Request& req, const Actor* a) {
                return ReplyJson(s.reports.Get(*a, req.params.at("name"), req.query));
              }});
}

}  // namespace vipcare::http
