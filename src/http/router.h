// src/http/router.h
#pragma once
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "service/access.h"
#include "service/context.h"

namespace vipcare::http {

// A parsed request as handlers see it. Plain value.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoded
  std::map<std::string, std::string> query;   // decoded
  std::map<std::string, std::string> params;  // from {name} segments of the route
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;
  std::string client_address;
  bool bad_query = false;  // the query string had a bad escape or invalid UTF-8

  std::string Header(const std::string& lower_name) const;
  // The body as a JSON object; kInvalidArgument if it is not valid JSON.
  Result<nlohmann::json> Json() const;
  // Query parameter as a positive/non-negative integer in [min, max]; `fallback` if absent.
  Result<int64_t> QueryInt(const std::string& name, int64_t fallback, int64_t min,
                           int64_t max) const;
  // Path parameter {name} as a positive integer id.
  Result<int64_t> PathId(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(const nlohmann::json& j, int status = 200);
  static Response FromError(const Error& e);
};

// The signed-in actor of an authenticated route; null on public routes.
using Handler = std::function<Response(const Request&, const service::Actor*)>;
// A handler that answers later, from any thread: it calls `reply(make)` once,
// and the server runs `make()` (which may throw, like a Handler) on the
// connection's own thread to build the response. For routes whose work waits
// on the store's writer (Store::WriteThen), so that no server thread blocks.
using AsyncReply = std::function<void(std::function<Response()> make)>;
using AsyncHandler = std::function<void(const Request&, const service::Actor*, AsyncReply reply)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/members/{id}"
  bool authenticated = true;
  service::Permission permission = service::Permission::kNone;
  Handler handler;  // used by in-process callers (Server::Dispatch), always set
  AsyncHandler async = nullptr;  // the server's way, when set
  // Long work (reports over the whole chain, exports): the server runs the
  // handler on its pool for slow requests, so the threads that serve the
  // tills' connections never wait for it.
  bool slow = false;
};

// Matches method + path to a route. Thread-safe once built (read-only).
class Router {
 public:
  void Add(Route r);
  const std::vector<Route>& routes() const { return routes_; }

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    bool path_known = false;  // some route has this path with another method (405)
  };
  Match Find(std::string_view method, std::string_view path) const;

 private:
  // A route's pattern split once, when it is added: per segment, the literal
  // text, or the parameter's name for a `{name}` segment.
  struct Segment {
    std::string text;
    bool param = false;
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> patterns_;  // by route index
};

// The session token of a request: "Authorization: Bearer <token>", else the
// `vipcare_session` cookie; empty if neither.
std::string SessionToken(const Request& req);

// The value of cookie `name`, or "" if the request has none.
std::string CookieValue(const Request& req, std::string_view name);

// HTTP status of an error code; the one mapper (STYLE rule 3).
int StatusOf(ErrorCode code);
// Decodes %XX and '+' in a query component; nullopt on a bad escape or invalid UTF-8.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// Splits "a=1&b=2" into a map; nullopt on a bad escape.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view qs);

}  // namespace vipcare::http
