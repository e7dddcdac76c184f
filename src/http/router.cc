#include "http/router.h"

#include <charconv>

#include "domain/member.h"

namespace vipcare::http {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Result<nlohmann::json> Request::Json() const {
  if (body.empty()) return Error::Invalid("", "a JSON body is required");
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return Error::Invalid("", "the body is not valid JSON");
  if (!j.is_object()) return Error::Invalid("", "the body must be a JSON object");
  return j;
}

Result<int64_t> Request::QueryInt(const std::string& name, int64_t fallback, int64_t min,
                                  int64_t max) const {
  auto it = query.find(name);
  if (it == query.end() || it->second.empty()) return fallback;
  int64_t v = 0;
  const auto& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    return Error::Invalid(name, "must be an integer from " + std::to_string(min) + " to " +
                                    std::to_string(max));
  }
  return v;
}

Result<int64_t> Request::PathId(const std::string& name) const {
  auto it = params.find(name);
  int64_t v = 0;
  if (it != params.end()) {
    const auto& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && v > 0) return v;
  }
  return Error::Invalid(name, "must be a positive integer id");
}

Response Response::Json(const nlohmann::json& j, int status) {
  Response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::FromError(const Error& e) {
  nlohmann::json body = {{"error", {{"code", ErrorCodeName(e.code)},
                                    {"message", e.message},
                                    {"field", e.field.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(e.field)}}}};
  Response r = Json(body, StatusOf(e.code));
  if (e.retry_after_seconds > 0) {
    r.headers.push_back({"Retry-After", std::to_string(e.retry_after_seconds)});
  }
  return r;
}

std::string CookieValue(const Request& req, std::string_view name) {
  const std::string header = req.Header("cookie");
  std::string_view cookies = header;
  while (!cookies.empty()) {
    size_t end = cookies.find(';');
    auto part = cookies.substr(0, end);
    cookies = end == std::string_view::npos ? std::string_view() : cookies.substr(end + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
  }
  return {};
}

std::string SessionToken(const Request& req) {
  constexpr std::string_view kBearer = "Bearer ";
  auto auth = req.Header("authorization");
  if (auth.size() > kBearer.size() && auth.compare(0, kBearer.size(), kBearer) == 0) {
    return auth.substr(kBearer.size());
  }
  return CookieValue(req, "vipcare_session");
}

int StatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kUnprocessable: return 422;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kTooManyRequests: return 429;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

void Router::Add(Route r) {
  std::vector<Segment> segments;
  for (std::string_view s : Segments(r.pattern)) {
    if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
      segments.push_back({std::string(s.substr(1, s.size() - 2)), true});
    } else {
      segments.push_back({std::string(s), false});
    }
  }
  patterns_.push_back(std::move(segments));
  routes_.push_back(std::move(r));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  const auto xs = Segments(path);
  for (size_t i = 0; i < routes_.size(); ++i) {
    const auto& ps = patterns_[i];
    if (ps.size() != xs.size()) continue;
    bool same = true;
    for (size_t k = 0; k < ps.size() && same; ++k) same = ps[k].param || ps[k].text == xs[k];
    if (!same) continue;
    if (routes_[i].method == method) {
      m.route = &routes_[i];
      for (size_t k = 0; k < ps.size(); ++k) {
        if (ps[k].param) m.params[ps[k].text] = std::string(xs[k]);
      }
      return m;
    }
    m.path_known = true;
  }
  return m;
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(char(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (domain::Utf8Length(out) < 0) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view qs) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < qs.size()) {
    size_t amp = qs.find('&', i);
    if (amp == std::string_view::npos) amp = qs.size();
    auto part = qs.substr(i, amp - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      auto key = PercentDecode(part.substr(0, eq), true);
      auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                                : PercentDecode(part.substr(eq + 1), true);
      if (!key || !value) return std::nullopt;
      out[*key] = *value;
    }
    i = amp + 1;
  }
  return out;
}

}  // namespace vipcare::http
