#include "http/yearly_report_api.h"

#include "http/handler_util.h"

namespace vipcare::http {

using service::Actor;
using service::Permission;

void AddYearlyReportRoutes(Router& router, service::YearlyReports& yearly_reports) {
  router.Add({"GET", "/api/v1/members/{id}/yearly-report", true, Permission::kMemberRead,
              [&yearly_reports](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                // 0 = this year; the service says which years it takes.
                VIPCARE_PARSE(year, req.QueryInt("year", 0, 0, 9999));
                return ReplyJson(yearly_reports.Get(*a, MemberId(id), int(year)));
              }});
}

}  // namespace vipcare::http
