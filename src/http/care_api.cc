#include "http/care_api.h"

#include <map>
#include <string>

#include "http/handler_util.h"

namespace vipcare::http {
namespace {

using nlohmann::json;
using service::Actor;
using service::Permission;

void AddTaskRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/tasks", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                return ReplyJson(s.care.ListTasks(*a, FiltersOf(req), page));
              }});
  router.Add({"GET", "/api/v1/tasks/{id}", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return ReplyJson(s.care.GetTask(*a, id));
              }});
  router.Add({"POST", "/api/v1/tasks/{id}/complete", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.care.CompleteTask(*a, id, body));
              }});
  router.Add({"POST", "/api/v1/tasks/{id}/forward", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.care.ForwardTask(*a, id, body));
              }});
  router.Add({"POST", "/api/v1/tasks/{id}/assign", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.care.AssignTask(*a, id, body));
              }});
}

void AddMemberCareRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/members/{id}/tasks", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return ReplyJson(s.care.MemberTasks(*a, MemberId(id), page));
              }});
  router.Add({"GET", "/api/v1/members/{id}/contacts", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return ReplyJson(s.care.MemberContacts(*a, MemberId(id), page));
              }});
  router.Add({"POST", "/api/v1/members/{id}/contacts", true, Permission::kTaskWork,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.care.LogContact(*a, MemberId(id), body), 201);
              }});
}

void AddCareAdminRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/care-rules", true, Permission::kCareAdmin,
              [s](const Request&, const Actor* a) { return ReplyJson(s.care.GetRules(*a)); }});
  router.Add({"PUT", "/api/v1/care-rules", true, Permission::kCareAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.care.PutRules(*a, body));
              }});
  router.Add({"GET", "/api/v1/message-templates", true, Permission::kCareAdmin,
              [s](const Request&, const Actor* a) { return ReplyJson(s.care.GetTemplates(*a)); }});
  router.Add({"PUT", "/api/v1/message-templates", true, Permission::kCareAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.care.PutTemplates(*a, body));
              }});
  router.Add({"GET", "/api/v1/outbox", true, Permission::kTaskManage,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                return ReplyJson(s.care.ListOutbox(*a, FiltersOf(req), page));
              }});
}

}  // namespace

void AddCareRoutes(Router& router, Services s) {
  AddTaskRoutes(router, s);
  AddMemberCareRoutes(router, s);
  AddCareAdminRoutes(router, s);
}

}  // namespace vipcare::http
