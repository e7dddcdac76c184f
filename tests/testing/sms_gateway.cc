// tests/testing/sms_gateway.cc
#include "testing/sms_gateway.h"

#include <sodium.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace vipcare::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr char kPath[] = "/sms/send";

std::string HmacHex(const std::string& key, const std::string& message) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

}  // namespace

// Handlers capture `this`: the io thread is joined (Stop) before Impl goes,
// and the io_context, destroyed with Impl, drops any handler still pending.
struct SmsGateway::Impl {
  std::string account;
  std::string secret;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  unsigned short port = 0;

  mutable std::mutex mu;
  int fail_next = 0;
  int fail_status = 503;
  int hang_next = 0;
  int requests = 0;
  std::vector<Received> received;
  std::vector<int> statuses;
  // Connections we hold open without answering (HangNext).
  std::vector<std::shared_ptr<beast::tcp_stream>> held;

  struct Session {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::response<bhttp::string_body> res;
    explicit Session(tcp::socket s) : stream(std::move(s)) {}
  };

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by Stop
      auto session = std::make_shared<Session>(std::move(socket));
      Read(session);
      Accept();
    });
  }

  void Read(std::shared_ptr<Session> s) {
    bhttp::async_read(s->stream, s->buffer, s->req,
                      [this, s](beast::error_code ec, size_t) {
                        if (ec) return;
                        Handle(s);
                      });
  }

  // Decides the answer; returns 0 to hold the connection without one.
  int Decide(const bhttp::request<bhttp::string_body>& req, std::string& body) {
    std::lock_guard lock(mu);
    ++requests;
    if (hang_next > 0) {
      --hang_next;
      return 0;
    }
    if (fail_next > 0) {
      --fail_next;
      body = R"({"error":"injected failure"})";
      return fail_status;
    }
    if (req.target() != kPath) {
      body = R"({"error":"no such endpoint"})";
      return 404;
    }
    if (req.method() != bhttp::verb::post) {
      body = R"({"error":"POST only"})";
      return 405;
    }
    std::string ts(req["X-Vipcare-Timestamp"]);
    std::string sig(req["X-Vipcare-Signature"]);
    if (std::string(req["X-Vipcare-Account"]) != account || ts.empty() ||
        sig != HmacHex(secret, ts + "\n" + req.body())) {
      body = R"({"error":"bad account or signature"})";
      return 401;
    }
    auto j = nlohmann::json::parse(req.body(), nullptr, false);
    if (!j.is_object() || !j.value("mobile", nlohmann::json()).is_string() ||
        !j.value("text", nlohmann::json()).is_string()) {
      body = R"({"error":"malformed request"})";
      return 400;
    }
    Received r;
    r.account = j.value("account", "");
    r.mobile = j.value("mobile", "");
    r.text = j.value("text", "");
    r.signature = j.value("signature", "");
    r.client_ref = j.value("client_ref", "");
    if (r.mobile.size() != 11 || r.mobile[0] != '1') {
      body = R"({"error":"invalid mobile"})";
      return 400;
    }
    r.message_id = "gw-" + std::to_string(received.size() + 1);
    body = nlohmann::json{{"message_id", r.message_id}}.dump();
    received.push_back(std::move(r));
    return 200;
  }

  void Handle(std::shared_ptr<Session> s) {
    std::string body;
    int status = Decide(s->req, body);
    if (status == 0) {
      std::lock_guard lock(mu);
      held.push_back(std::shared_ptr<beast::tcp_stream>(s, &s->stream));
      return;
    }
    {
      std::lock_guard lock(mu);
      statuses.push_back(status);
    }
    s->res.version(11);
    s->res.result(static_cast<bhttp::status>(status));
    s->res.set(bhttp::field::content_type, "application/json");
    s->res.set(bhttp::field::connection, "close");
    s->res.body() = std::move(body);
    s->res.prepare_payload();
    bhttp::async_write(s->stream, s->res, [s](beast::error_code, size_t) {
      beast::error_code ignored;
      s->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }
};

SmsGateway::SmsGateway(std::string account, std::string secret)
    : impl_(std::make_unique<Impl>()) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  impl_->account = std::move(account);
  impl_->secret = std::move(secret);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

SmsGateway::~SmsGateway() { Stop(); }

void SmsGateway::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->ioc.stop();
  impl_->thread.join();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  std::lock_guard lock(impl_->mu);
  impl_->held.clear();
}

unsigned short SmsGateway::port() const { return impl_->port; }

std::string SmsGateway::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + kPath;
}

void SmsGateway::FailNext(int n, int status) {
  std::lock_guard lock(impl_->mu);
  impl_->fail_next = n;
  impl_->fail_status = status;
}

void SmsGateway::HangNext(int n) {
  std::lock_guard lock(impl_->mu);
  impl_->hang_next = n;
}

std::vector<SmsGateway::Received> SmsGateway::Messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->received;
}

int SmsGateway::Requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

std::vector<int> SmsGateway::Statuses() const {
  std::lock_guard lock(impl_->mu);
  return impl_->statuses;
}

}  // namespace vipcare::testing
