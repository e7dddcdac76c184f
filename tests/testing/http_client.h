// tests/testing/http_client.h
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace vipcare::testing {

struct HttpResponse {
  int status = 0;
  // Lower-case header names; a repeated header keeps its values joined by "\n".
  std::map<std::string, std::string> headers;
  std::string body;

  // The value of header `name` (any case), or "" if absent.
  std::string Header(const std::string& name) const;
  // The body parsed as JSON; a discarded value (is_discarded()) if it is not JSON.
  nlohmann::json Json() const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Sends one HTTP/1.1 request to 127.0.0.1:`port` on a new connection
// (Connection: close) and returns the answer. `target` is sent as given
// (percent-encode it yourself). A non-empty body is sent as
// application/json unless `headers` set Content-Type. If the server answers
// before it has read the whole body (e.g. 413), that answer is returned.
// Throws boost::system::system_error if no answer could be read at all.
HttpResponse Request(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = "", const HttpHeaders& headers = {});

// Percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ (for query values).
std::string UrlEncode(const std::string& text);

}  // namespace vipcare::testing
