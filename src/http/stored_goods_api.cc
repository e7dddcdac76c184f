#include "http/stored_goods_api.h"

#include <string>

#include "http/handler_util.h"

namespace vipcare::http {
namespace {

using service::Actor;
using service::Permission;

// include_collected=true|1|false|0; false if absent.
Result<bool> IncludeCollected(const Request& req) {
  auto it = req.query.find("include_collected");
  if (it == req.query.end() || it->second.empty()) return false;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  return Error::Invalid("include_collected", "must be true or false");
}

}  // namespace

void AddStoredGoodsRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/members/{id}/stored-goods", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(all, IncludeCollected(req));
                VIPCARE_PARSE(page, PageOf(req));
                return ReplyJson(s.stored_goods.List(*a, MemberId(id), all, page));
              }});
  router.Add({"POST", "/api/v1/members/{id}/stored-goods", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return ReplyJson(s.stored_goods.Store(*a, MemberId(id), body), 201);
              }});
  router.Add({"POST", "/api/v1/members/{id}/stored-goods/{goods_id}/collect", true,
              Permission::kMemberWrite, [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(goods, req.PathId("goods_id"));
                return ReplyJson(s.stored_goods.Collect(*a, MemberId(id), goods));
              }});
}

}  // namespace vipcare::http
