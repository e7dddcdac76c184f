#include "http/app.h"

#include <stdexcept>

namespace vipcare::http {

App::App(AppOptions opt, const Clock* clock) {
  auto tz = TimeZone::Load(opt.timezone);
  if (!tz.ok()) throw std::runtime_error(tz.error().message);
  store_ = store::Store::Open(opt.db_url, opt.keys, opt.db_pool);
  env_ = std::make_unique<service::Env>(
      service::Env{*store_, clock ? *clock : static_cast<const Clock&>(system_clock_), *tz});
  accounts_ = std::make_unique<service::Accounts>(*env_);
  members_ = std::make_unique<service::Members>(*env_);
  org_ = std::make_unique<service::Org>(*env_);
  audit_ = std::make_unique<service::AuditLog>(*env_);
  grants_ = std::make_unique<service::Grants>(*env_);
  loyalty_ = std::make_unique<service::Loyalty>(*env_);
  programs_ = std::make_unique<service::Programs>(*env_);
  redemption_ = std::make_unique<service::Redemption>(*env_);
  tier_admin_ = std::make_unique<service::TierAdmin>(*env_);
  RegisterApi(router_, Services{*accounts_, *members_, *org_, *audit_, *grants_, *loyalty_,
                                *programs_, *redemption_, *tier_admin_});
  server_ = std::make_unique<Server>(opt.server, router_, *accounts_);
}

App::~App() {
  if (server_) server_->Stop();
}

}  // namespace vipcare::http
