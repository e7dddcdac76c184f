#include "http/care_api.h"

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

// Answers the service's JSON with `status`, or its error.
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

// The filters of a list: the query without its paging parameters. The
// service checks each value and names the bad one.
std::map<std::string, std::string> FiltersOf(const Request& req) {
  std::map<std::string, std::string> q = req.query;
  q.erase("limit");
  q.erase("offset");
  return q;
}

void AddTaskRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/tasks", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.care.ListTasks(*a, FiltersOf(req), page));
              }});
  router.Add({"GET", "/api/v1/tasks/{id}", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.care.GetTask(*a, id));
              }});
  router.Add({"POST", "/api/v1/tasks/{id}/complete", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.care.CompleteTask(*a, id, body));
              }});
  router.Add({"POST", "/api/v1/tasks/{id}/forward", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.care.ForwardTask(*a, id, body));
              }});
  router.Add({"POST", "/api/v1/tasks/{id}/assign", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.care.AssignTask(*a, id, body));
              }});
}

void AddMemberCareRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/members/{id}/tasks", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.care.MemberTasks(*a, MemberId(id), page));
              }});
  router.Add({"GET", "/api/v1/members/{id}/contacts", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.care.MemberContacts(*a, MemberId(id), page));
              }});
  router.Add({"POST", "/api/v1/members/{id}/contacts", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.care.LogContact(*a, MemberId(id), body), 201);
              }});
}

void AddCareAdminRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/care-rules", true, Permission::kCareAdmin,
              [s](const Request&, const Actor* a) { return Reply(s.care.GetRules(*a)); }});
  router.Add({"PUT", "/api/v1/care-rules", true, Permission::kCareAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.care.PutRules(*a, body));
              }});
  router.Add({"GET", "/api/v1/message-templates", true, Permission::kCareAdmin,
              [s](const Request&, const Actor* a) { return Reply(s.care.GetTemplates(*a)); }});
  router.Add({"PUT", "/api/v1/message-templates", true, Permission::kCareAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.care.PutTemplates(*a, body));
              }});
  router.Add({"GET", "/api/v1/outbox", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.care.ListOutbox(*a, FiltersOf(req), page));
              }});
}

}  // namespace

void AddCareRoutes(Router& router, Services s) {
  AddTaskRoutes(router, s);
  AddMemberCareRoutes(router, s);
  AddCareAdminRoutes(router, s);
}

}  // namespace vipcare::http
