#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/thread_priority.h"

namespace vipcare::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(30);

bool IsApi(const Request& req) { return req.path.rfind("/api/", 0) == 0; }

// API answers are never cached (they carry customer data).
void FinishApiAnswer(const Request& req, Response& res) {
  if (IsApi(req)) res.headers.push_back({"Cache-Control", "no-store"});
}

// The routes an account with a temporary password may still use.
bool AllowedBeforePasswordChange(const Route& r) {
  return r.pattern == "/api/v1/auth/password" || r.pattern == "/api/v1/auth/logout" ||
         r.pattern == "/api/v1/auth/me";
}

// CSRF protection for browsers (double-submit): a state-changing request that
// is signed in by the session cookie (no Authorization header) must echo the
// `vipcare_csrf` cookie in the X-CSRF-Token header. Another site can make the
// browser send cookies but cannot read them to set the header.
bool CsrfOk(const Request& req) {
  if (req.method == "GET" || req.method == "HEAD") return true;
  if (!req.Header("authorization").empty()) return true;
  auto header = req.Header("x-csrf-token");
  return !header.empty() && header == CookieValue(req, "vipcare_csrf");
}

const char* MimeType(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

// Serves the built UI: a known file, or index.html for client-side routes
// (paths without a file extension). A missing file with an extension (a
// script of an older build, a favicon) is a 404, never the page itself.
std::optional<Response> StaticFile(const std::string& root, const std::string& path) {
  if (root.empty() || path.find("..") != std::string::npos) return std::nullopt;
  std::filesystem::path base(root);
  std::filesystem::path file = base / path.substr(1);
  std::error_code ec;
  if (path == "/" || !std::filesystem::is_regular_file(file, ec)) {
    if (path != "/" && file.has_extension()) return std::nullopt;
    file = base / "index.html";
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r;
  r.content_type = MimeType(file);
  r.body = ss.str();
  r.headers.push_back({"Cache-Control", file.filename() == "index.html"
                                            ? "no-cache"
                                            : "public, max-age=31536000, immutable"});
  return r;
}

}  // namespace

struct Server::Impl {
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::atomic<bool> stopping{false};
  std::optional<asio::thread_pool> slow_pool;  // Route::slow handlers
};

int DefaultServerThreads() {
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
}

bool Server::RunSlow(std::function<void()> job) const {
  if (!impl_->slow_pool || impl_->stopping) return false;
  asio::post(*impl_->slow_pool, std::move(job));
  return true;
}

Server::Server(ServerOptions opt, const Router& router, service::Accounts& accounts)
    : opt_(std::move(opt)), router_(router), accounts_(accounts), impl_(std::make_unique<Impl>()) {}

Server::~Server() { Stop(); }

std::optional<Server::Admitted> Server::Admit(Request& req, Response& res) const {
  const bool api = IsApi(req);
  auto match = router_.Find(req.method, req.path);
  if (req.bad_query) {
    res = Response::FromError(
        Error::Invalid("query", "the query string has a bad %-escape or is not UTF-8"));
    return std::nullopt;
  }
  if (!match.route) {
    if (!api && req.method == "GET") {
      if (auto file = StaticFile(opt_.web_root, req.path)) {
        res = std::move(*file);
        return std::nullopt;
      }
    }
    res = Response::FromError(
        match.path_known
            ? Error{ErrorCode::kMethodNotAllowed, "method " + req.method + " is not allowed here", ""}
            : Error::NotFound("no such resource"));
    return std::nullopt;
  }
  req.params = std::move(match.params);
  const Route& route = *match.route;
  if (!route.authenticated) return Admitted{&route, std::nullopt};
  auto actor =
      accounts_.Authenticate(SessionToken(req), req.client_address, req.Header("x-device-id"));
  if (!actor.ok()) {
    res = Response::FromError(actor.error());
    res.headers.push_back({"WWW-Authenticate", "Bearer"});
  } else if (actor->must_change_password && !AllowedBeforePasswordChange(route)) {
    res = Response::FromError(
        Error::Forbidden("change your temporary password first (POST /api/v1/auth/password)"));
  } else if (!CsrfOk(req)) {
    res = Response::FromError(
        Error::Forbidden("a request signed in by cookie must send the X-CSRF-Token header"));
  } else if (auto st = service::Authorize(*actor, route.permission); !st.ok()) {
    res = Response::FromError(st.error());
  } else {
    return Admitted{&route, std::move(*actor)};
  }
  return std::nullopt;
}

Response Server::InternalError(const Request& req, const std::exception& e) {
  spdlog::error("{} {}: internal error: {}", req.method, req.path, e.what());
  return Response::FromError({ErrorCode::kInternal, "internal error; see the server log", ""});
}

Response Server::Dispatch(Request& req) const {
  Response res;
  try {
    if (auto admitted = Admit(req, res)) {
      res = admitted->route->handler(req, admitted->actor ? &*admitted->actor : nullptr);
    }
  } catch (const std::exception& e) {
    res = InternalError(req, e);
  }
  FinishApiAnswer(req, res);
  return res;
}

namespace {

Request ToRequest(bhttp::request<bhttp::string_body>& in, const std::string& address) {
  Request req;
  req.method = std::string(in.method_string());
  std::string_view target = in.target();
  auto q = target.find('?');
  auto path = target.substr(0, q);
  req.path = PercentDecode(path, false).value_or(std::string(path));
  if (q != std::string_view::npos) {
    if (auto parsed = ParseQuery(target.substr(q + 1))) {
      req.query = std::move(*parsed);
    } else {
      req.bad_query = true;
    }
  }
  for (const auto& h : in) {
    std::string name(h.name_string());
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    req.headers[name] = std::string(h.value());
  }
  req.body = std::move(in.body());
  req.client_address = address;
  return req;
}

// Server::Dispatch for a connection: a route with an AsyncHandler answers
// without holding this thread (the coroutine waits for its reply), and so does
// a slow one, whose handler runs on the server's pool for slow requests;
// others run here, and their database work blocks this thread.
asio::awaitable<Response> Serve(const Server* server, Request& req) {
  Response res;
  std::optional<Server::Admitted> admitted;
  bool later = false;
  try {
    admitted = server->Admit(req, res);
    if (admitted) {
      later = admitted->route->async != nullptr || admitted->route->slow;
      if (!later) res = admitted->route->handler(req, admitted->actor ? &*admitted->actor : nullptr);
    }
  } catch (const std::exception& e) {
    admitted.reset();
    later = false;
    res = Server::InternalError(req, e);
  }
  if (later) {
    using Make = std::function<Response()>;
    Make make = co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Make)>(
        [&](auto handler) {
          // The reply comes from any thread (the store's writer); the
          // coroutine resumes on its own executor.
          auto ex = asio::get_associated_executor(handler);
          auto resume = std::make_shared<decltype(handler)>(std::move(handler));
          AsyncReply reply = [resume, ex](Make m) {
            asio::post(ex, [resume, m = std::move(m)]() mutable { std::move(*resume)(std::move(m)); });
          };
          const Route& route = *admitted->route;
          const service::Actor* actor = admitted->actor ? &*admitted->actor : nullptr;
          try {
            if (route.async) {
              route.async(req, actor, reply);
              return;
            }
            // A slow route: `req` and `actor` live in this coroutine's frame,
            // which waits for the reply.
            auto job = [&route, &req, actor, reply] {
              // As the connection threads; once per pool thread.
              static thread_local const bool niced = (SetThisThreadNice(kBackgroundNice), true);
              (void)niced;
              try {
                Response r = route.handler(req, actor);
                reply([r = std::move(r)] { return r; });
              } catch (...) {
                reply([error = std::current_exception()]() -> Response {
                  std::rethrow_exception(error);
                });
              }
            };
            if (!server->RunSlow(job)) job();  // stopping: answer here
          } catch (...) {
            reply([error = std::current_exception()]() -> Response { std::rethrow_exception(error); });
          }
        },
        asio::use_awaitable);
    try {
      res = make();
    } catch (const std::exception& e) {
      res = Server::InternalError(req, e);
    }
  }
  FinishApiAnswer(req, res);
  co_return res;
}

asio::awaitable<void> Session(tcp::socket socket, const Server* server, size_t max_body) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  std::string address;
  {
    beast::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) address = ep.address().to_string();
  }
  for (;;) {
    stream.expires_after(kIdleTimeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(max_body);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser,
                                              asio::as_tuple(asio::use_awaitable));
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      break;
    }
    bhttp::response<bhttp::string_body> out;
    bool keep_alive = false;
    if (ec) {
      Response r = Response::FromError(
          ec == bhttp::error::body_limit
              ? Error{ErrorCode::kPayloadTooLarge, "the request body is too large", ""}
              : Error::Invalid("", "malformed HTTP request"));
      out.result(r.status);
      out.set(bhttp::field::content_type, r.content_type);
      out.set(bhttp::field::cache_control, "no-store");
      out.body() = std::move(r.body);
    } else {
      auto& msg = parser.get();
      keep_alive = msg.keep_alive();
      unsigned version = msg.version();
      Request req = ToRequest(msg, address);
      Response r = co_await Serve(server, req);
      out.version(version);
      out.result(r.status);
      out.set(bhttp::field::content_type, r.content_type);
      out.set(bhttp::field::server, "vipcare");
      for (auto& [k, v] : r.headers) out.insert(k, v);
      out.body() = std::move(r.body);
      if (req.method == "HEAD") out.body().clear();
    }
    out.keep_alive(keep_alive);
    out.prepare_payload();
    auto [wec, wn] = co_await bhttp::async_write(stream, out, asio::as_tuple(asio::use_awaitable));
    if (wec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Listen(asio::io_context& ioc, tcp::acceptor& acceptor, const Server* server,
                             size_t max_body) {
  for (;;) {
    // Each connection gets its own strand, so the worker threads serve
    // connections in parallel (a shared strand would serialise them all).
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc),
                                                       asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      continue;  // e.g. too many open files: keep serving the others
    }
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(socket.get_executor(), Session(std::move(socket), server, max_body),
                   asio::detached);
  }
}

}  // namespace

void Server::Start() {
  auto address = asio::ip::make_address(opt_.host);
  tcp::endpoint ep(address, opt_.port);
  auto& acc = impl_->acceptor.emplace(asio::make_strand(impl_->ioc));
  acc.open(ep.protocol());
  acc.set_option(asio::socket_base::reuse_address(true));
  acc.bind(ep);
  acc.listen(asio::socket_base::max_listen_connections);
  bound_port_ = acc.local_endpoint().port();
  asio::co_spawn(acc.get_executor(), Listen(impl_->ioc, acc, this, opt_.max_body_bytes),
                 asio::detached);
  impl_->slow_pool.emplace(static_cast<size_t>(std::max(1, opt_.slow_threads)));
  int n = std::max(1, opt_.threads);
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      SetThisThreadNice(kBackgroundNice);
      impl_->ioc.run();
    });
  }
}

void Server::Stop() {
  if (impl_->stopping.exchange(true)) return;
  if (impl_->acceptor) {
    asio::post(impl_->acceptor->get_executor(), [this] {
      beast::error_code ec;
      impl_->acceptor->close(ec);
    });
  }
  impl_->ioc.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  // After the connection threads: a slow handler still running refers to its
  // request in a coroutine frame, which lives until the io_context goes.
  // Queued ones are dropped; their connections are closing anyway.
  if (impl_->slow_pool) {
    impl_->slow_pool->stop();
    impl_->slow_pool->join();
  }
}

void Server::Wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace vipcare::http
