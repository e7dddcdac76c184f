// tests/testing/loyalty_scenario.h
#pragma once
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <map>
#include <string>

#include "domain/program.h"
#include "service/loyalty.h"
#include "service/loyalty_jobs.h"
#include "service/members.h"
#include "testing/fixtures.h"

namespace vipcare::testing {

// A test that walks members through dated purchases and daily runs of the
// loyalty schedule (SPEC L4, L6, L7, M4): the clock moves to each day it is
// asked about. A store manager of SH01 is signed in as `manager_`.
class LoyaltyScenarioTest : public ::testing::Test {
 protected:
  LoyaltyScenarioTest();

  // A member of SH01; `status` as the API takes it ("" = the default).
  MemberId NewMember(const std::string& name, const std::string& status = "");
  // The clock at 10:00 on `day`, company time.
  void At(Date day);
  // A sale of `yuan` at SH01 at 10:00 on `day` (the clock moves there); its answer.
  nlohmann::json Buy(MemberId m, int64_t yuan, Date day);
  // A sale of `yuan` at SH01 that occurred at 10:00 on `day`, posted now (the
  // clock stays): a late till or a correction; its answer.
  nlohmann::json BuyLate(MemberId m, int64_t yuan, Date day);
  // The daily schedule for `day`; its summary.
  nlohmann::json Run(Date day);
  store::LoyaltyState State(MemberId m);
  // Puts member `m` on tier `tier` of the company's program from today, as
  // if they had qualified (for tests about what a tier gets, not how).
  void SetTier(MemberId m, const std::string& tier);
  // The company runs `p` (stored as version 1 of its code) from now on.
  void UseProgram(const domain::Program& p);
  // The job report_rollups alone for `day` (service/report_rollups.h); its counts.
  std::map<std::string, int64_t> BuildRollups(Date day);
  // Runs one SQL statement in a write transaction (for tests that tamper
  // with derived tables to show which one a report reads).
  void ExecSql(const std::string& sql);

  ServiceFixture fx_;
  service::Members members_{fx_.env()};
  service::Loyalty loyalty_{fx_.env()};
  service::LoyaltyJobs jobs_{fx_.env()};
  service::Actor manager_;
  int sales_ = 0;
};

}  // namespace vipcare::testing
