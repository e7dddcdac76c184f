#include "http/app.h"

#include <spdlog/spdlog.h>

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
  care_ = std::make_unique<service::Care>(*env_, opt.sms_sender, opt.email_sender);
  staff_leaves_ = std::make_unique<service::StaffLeaves>(*env_);
  care_reports_ = std::make_unique<service::CareReports>(*env_);
  stored_goods_ = std::make_unique<service::StoredGoods>(*env_);
  reports_ = std::make_unique<service::Reports>(*env_);
  yearly_reports_ = std::make_unique<service::YearlyReports>(*env_);
  RegisterApi(router_, Services{*accounts_, *members_, *org_, *audit_, *grants_, *loyalty_,
                                *programs_, *redemption_, *tier_admin_, *care_, *staff_leaves_,
                                *care_reports_, *stored_goods_, *reports_, *yearly_reports_});
  server_ = std::make_unique<Server>(opt.server, router_, *accounts_);
  send_interval_ = opt.send_interval;
}

App::~App() { Stop(); }

void App::Start() {
  server_->Start();
  if (send_interval_.count() <= 0) return;
  // The outbox's sender: messages queued by the daily job go out from their
  // due time (and after do-not-disturb hours), retried with backoff.
  sender_ = std::thread([this] {
    std::unique_lock lock(sender_mu_);
    while (!sender_cv_.wait_for(lock, send_interval_, [&] { return stopping_; })) {
      lock.unlock();
      try {
        auto r = care_->SendDue(service::Actor::CommandLine());
        if (!r.ok()) spdlog::warn("sending queued messages: {}", r.error().message);
      } catch (const std::exception& e) {
        spdlog::error("sending queued messages: {}", e.what());
      }
      lock.lock();
    }
  });
}

void App::Stop() {
  {
    std::lock_guard lock(sender_mu_);
    stopping_ = true;
  }
  sender_cv_.notify_all();
  if (sender_.joinable()) sender_.join();
  if (server_) server_->Stop();
  // Postings the server handed to the writer without waiting (WriteThen)
  // finish while the services and the server they answer through still exist.
  if (store_) store_->Settle();
}

}  // namespace vipcare::http
