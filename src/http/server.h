// src/http/server.h
#pragma once
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "service/accounts.h"

namespace vipcare::http {

// One connection thread per CPU, at least two (BENCHMARKS.md, "Connection
// threads": on 2 cores, 2 threads posted 22 % more sales than 4).
int DefaultServerThreads();

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0 picks a free port (tests)
  int threads = DefaultServerThreads();  // serve the connections
  int slow_threads = 2;                  // run the routes marked `slow`
  size_t max_body_bytes = 1 << 20;
  std::string web_root;  // static UI files served for non-API paths; empty = none
};

// HTTP/1.1 server on Boost.Beast with C++20 coroutines. Every request passes
// through Admit: authentication (bearer token or session cookie), the
// route's permission and the error mapper; then its handler runs, and API
// answers get the no-store header. A route with an AsyncHandler (posting a
// sale) answers later without holding a thread, so a few threads serve many
// tills whose postings wait for the group commit; a `slow` route runs on a
// pool of its own, so reports never hold those threads. Thread-safe; Start and
// Stop from one thread.
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

  // Dispatch's access layer alone: either answers `req` in `res` (an error,
  // a static file; returns nullopt) or admits it: the route to run and the
  // signed-in actor (none on public routes). Throws what a lookup throws.
  struct Admitted {
    const Route* route = nullptr;
    std::optional<service::Actor> actor;
  };
  std::optional<Admitted> Admit(Request& req, Response& res) const;
  // The answer to an infrastructure failure while serving `req` (logged by
  // kind, never with the request's data).
  static Response InternalError(const Request& req, const std::exception& e);
  // Runs `job` on the pool for slow routes (Route::slow); false if the server
  // is not started or is stopping, and `job` was not taken.
  bool RunSlow(std::function<void()> job) const;

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
