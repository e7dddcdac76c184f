// src/http/app.h
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "http/api.h"
#include "http/server.h"
#include "service/audit.h"
#include "service/context.h"

namespace vipcare::store {
class Keyring;
}  // namespace vipcare::store

namespace vipcare::http {

struct AppOptions {
  std::string db_url = "vipcare.db";
  std::string timezone = "Asia/Shanghai";
  size_t db_pool = 8;
  std::shared_ptr<const store::Keyring> keys;  // the data keys (P5); required
  // Deliver the care engine's SMS and e-mail messages (C5); nullptr = outbox
  // only, nothing leaves the machine.
  std::shared_ptr<service::MessageSender> sms_sender;
  std::shared_ptr<service::MessageSender> email_sender;
  // How often queued messages whose time has come are sent (Care::SendDue);
  // zero = never in the background (`vipcare run-jobs` still sends).
  std::chrono::seconds send_interval{0};
  ServerOptions server;
};

// The whole server wired together: store, services, routes and HTTP server.
// `clock` may be given (tests); otherwise the system clock is used.
// Thread-safe after construction.
class App {
 public:
  // Throws store::DbError if the database cannot be opened, std::runtime_error
  // for a bad time zone.
  explicit App(AppOptions opt, const Clock* clock = nullptr);
  ~App();

  void Start();
  void Stop();
  unsigned short port() const { return server_->port(); }
  store::Store& store() { return *store_; }
  const Router& router() const { return router_; }
  Server& server() { return *server_; }
  service::Env env() const { return *env_; }

 private:
  SystemClock system_clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::Env> env_;
  std::unique_ptr<service::Accounts> accounts_;
  std::unique_ptr<service::Members> members_;
  std::unique_ptr<service::Org> org_;
  std::unique_ptr<service::AuditLog> audit_;
  std::unique_ptr<service::Grants> grants_;
  std::unique_ptr<service::Loyalty> loyalty_;
  std::unique_ptr<service::Programs> programs_;
  std::unique_ptr<service::Redemption> redemption_;
  std::unique_ptr<service::TierAdmin> tier_admin_;
  std::unique_ptr<service::Care> care_;
  std::unique_ptr<service::StaffLeaves> staff_leaves_;
  std::unique_ptr<service::CareReports> care_reports_;
  std::unique_ptr<service::StoredGoods> stored_goods_;
  std::unique_ptr<service::Reports> reports_;
  std::unique_ptr<service::YearlyReports> yearly_reports_;
  Router router_;
  std::unique_ptr<Server> server_;
  std::chrono::seconds send_interval_{0};
  std::mutex sender_mu_;
  std::condition_variable sender_cv_;
  bool stopping_ = false;
  std::thread sender_;
};

}  // namespace vipcare::http
