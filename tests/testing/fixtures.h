// tests/testing/fixtures.h
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/types.h"
#include "domain/org.h"
#include "service/accounts.h"
#include "service/context.h"
#include "store/repository.h"
#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::testing {

// The instant every fixture starts at: 10:00 on Monday 2026-11-23 in Shanghai.
Timestamp FixtureStart();
// The company's local day at FixtureStart().
Date FixtureToday();

// The password of every account the fixture creates (strong enough for
// CheckPasswordStrength).
inline constexpr const char* kTestPassword = "Vip-care-2026";

// The organisation the fixture seeds through the services (SPEC §1):
//   EAST  华东片区: SH01 上海南京路店, SH02 上海徐家汇店
//   SOUTH 华南片区: GZ01 广州天河店
// one associate per store, a store manager of SH01 and an admin.
struct SeededOrg {
  RegionId east, south;
  StoreId sh01, sh02, gz01;
  StaffId associate_sh01, associate_sh02, associate_gz01;
  StaffId manager_sh01;
  StaffId admin_staff;
};

// A fresh migrated database (see TestDatabase) with a Store, a FixedClock at
// FixtureStart() in Asia/Shanghai, a service::Env, the seeded organisation and
// an admin account "admin" (password kTestPassword). Not thread-safe itself;
// the Store and Env it hands out are.
class ServiceFixture {
 public:
  ServiceFixture();
  ~ServiceFixture();
  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;

  const std::string& url() const { return db_.url(); }
  store::Store& store() { return *store_; }
  FixedClock& clock() { return clock_; }
  const service::Env& env() const { return *env_; }
  const SeededOrg& org() const { return org_; }
  // The signed-in admin ("admin", linked to the admin staff record).
  const service::Actor& admin() const { return admin_; }

  // Adds an account with kTestPassword (written through the repository with
  // one Argon2id hash shared by the whole process) and returns its actor, with
  // store and region resolved from `staff`.
  service::Actor AddUser(const std::string& username, domain::Role role, StaffId staff = {});

  // A unique mainland mobile number (13800000000 + n), never handed out twice
  // in one process.
  static std::string NextMobile();
  // A minimal valid member body: name, female, a unique mobile, home store
  // (SH01 unless `store` is given).
  nlohmann::json MemberBody(const std::string& name, StoreId store = {}) const;
  // A one-line sale body for service::Loyalty::PostSale (SPEC L1): `yuan`
  // paid at list price for SKU "W-001" (女装) at `store` (SH01 unless given),
  // occurring now by the fixture's clock.
  nlohmann::json SaleBody(const std::string& external_id, MemberId member, int64_t yuan,
                          StoreId store = {}) const;
  // A refund body giving back `yuan` of line 1 of sale `original`.
  nlohmann::json RefundBody(const std::string& external_id, const std::string& original,
                            int64_t yuan, StoreId store = {}) const;
  // A complete member file (SPEC M1) at SH01 with the SH01 associate: phones,
  // e-mail, two addresses, a lunar leap-month birthday, spouse and child with
  // birthdays (one lunar), a wedding anniversary, preferences, B2B fields,
  // tags (sorted) and notes. `referrer` is set if given. Every key of it is one
  // the API echoes back, so a read-back can be compared key by key.
  nlohmann::json FullMemberBody(const std::string& name, MemberId referrer = {}) const;

  // Rows in `members`, whatever their status (for "nothing changed" checks).
  int64_t CountMembers();
  // The audit log, newest first (at most 500 rows).
  std::vector<store::AuditEntry> Audit();
  // The number of audit rows with `action`.
  int64_t CountAudit(const std::string& action);
  // Whether the report rollup of `month` (yyyymm) is ready to read.
  bool RollupReady(int64_t month);

 private:
  TestDatabase db_;
  std::unique_ptr<store::Store> store_;
  FixedClock clock_;
  std::unique_ptr<service::Env> env_;
  SeededOrg org_;
  service::Actor admin_;
};

}  // namespace vipcare::testing
