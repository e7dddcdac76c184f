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
              },
              nullptr, /*slow=*/true});
  router.Add({"GET", "/api/v1/reports/{name}/export", true, Permission::kReportExport,
              [s](const Request& req, const Actor* a) {
                auto r = s.reports.Export(*a, req.params.at("name"), req.query);
                if (!r.ok()) return Response::FromError(r.error());
                Response res;
                res.content_type = r->content_type;
                res.body = std::move(r->body);
                res.headers.push_back(
                    {"Content-Disposition", "attachment; filename=\"" + r->filename + "\""});
                res.headers.push_back({"X-Row-Count", std::to_string(r->rows)});
                return res;
              },
              nullptr, /*slow=*/true});
}

}  // namespace vipcare::http
