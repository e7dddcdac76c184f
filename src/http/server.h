// src/http/server.h
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "service/accounts.h"

namespace vipcare::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0 picks a free port (tests)
  int threads = 4;
  size_t max_body_bytes = 1 << 20;
  std::string web_root;  // static UI files served for non-API paths; empty = none
};

// HTTP/1.1 server on Boost.Beast with C++20 coroutines. Every request passes
// through Dispatch: authentication (bearer token or session cookie), the
// route's permission, the error mapper and the no-store header for API
// answers. Thread-safe; Start and Stop from one thread.
class Server {
 public:
  Server(ServerOptions opt, const Router& router, service::Accounts& accounts);
  ~Server();

  // Binds and starts the worker threads. Throws std::system_error if the
  // address cannot be bound.
  void Start();
  // Stops accepting, closes connections and joins the threads.
  void Stop();
  // Blocks until Stop is called from another thread or a signal handler.
  void Wait();
  unsigned short port() const { return bound_port_; }

  // The access layer and router, without sockets (used by tests too).
  Response Dispatch(Request& req) const;

 private:
  struct Impl;
  ServerOptions opt_;
  const Router& router_;
  service::Accounts& accounts_;
  std::unique_ptr<Impl> impl_;
  std::vector<std::thread> threads_;
  std::atomic<unsigned short> bound_port_{0};
};

}  // namespace vipcare::http
