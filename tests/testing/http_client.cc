// tests/testing/http_client.cc
#include "testing/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>

namespace vipcare::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(30);

std::string Lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpResponse::Json() const { return nlohmann::json::parse(body, nullptr, false); }

HttpResponse Request(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body, const HttpHeaders& headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(kTimeout);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));

  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(bhttp::field::connection, "close");
  bool has_content_type = false;
  for (const auto& [k, v] : headers) {
    req.insert(k, v);
    if (Lower(k) == "content-type") has_content_type = true;
  }
  if (!body.empty() && !has_content_type) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();

  // A server may answer and close before reading a large body (413); the
  // write then fails, but its answer is already in our receive buffer.
  beast::error_code write_ec;
  bhttp::write(stream, req, write_ec);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code read_ec;
  bhttp::read(stream, buffer, parser, read_ec);
  if (read_ec && !parser.is_header_done()) {
    throw beast::system_error(write_ec ? write_ec : read_ec);
  }
  auto& res = parser.get();
  HttpResponse out;
  out.status = int(res.result_int());
  for (const auto& h : res) {
    auto name = Lower(std::string(h.name_string()));
    auto& slot = out.headers[name];
    if (!slot.empty()) slot += "\n";
    slot += std::string(h.value());
  }
  out.body = res.body();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return out;
}

std::string UrlEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace vipcare::testing
