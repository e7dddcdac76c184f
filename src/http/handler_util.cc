#include "http/handler_util.h"

namespace vipcare::http {

Response ReplyJson(const Result<nlohmann::json>& r, int status) {
  if (!r.ok()) return Response::FromError(r.error());
  return Response::Json(*r, status);
}

Result<service::Page> PageOf(const Request& req) {
  auto limit = req.QueryInt("limit", 50, 1, 200);
  if (!limit.ok()) return limit.error();
  auto offset = req.QueryInt("offset", 0, 0, 1'000'000'000);
  if (!offset.ok()) return offset.error();
  return service::Page{*limit, *offset};
}

std::map<std::string, std::string> FiltersOf(const Request& req) {
  std::map<std::string, std::string> q = req.query;
  q.erase("limit");
  q.erase("offset");
  return q;
}

}  // namespace vipcare::http
