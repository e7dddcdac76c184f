// src/service/demo_data.h
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "store/store.h"

namespace vipcare::service {

struct DemoOptions {
  uint64_t seed = 20261123;
  size_t members = 50000;
  Date today;                             // members are created over the three years before it
  std::string password = "vipcare-demo";  // of every demo account
  // Members drift away as in real retail (see GenerateDemo). false: every
  // member keeps their rhythm; the same members then buy on the same days,
  // plus those the drifting members leave out (a control for the churn
  // back-test, docs/CHURN.md).
  bool churn = true;
};

struct DemoLogin {
  std::string username;
  std::string role;   // domain::ToString(Role)
  std::string store;  // store code, region code for supervisors, empty for head office
};

struct DemoReport {
  size_t regions = 0;
  size_t stores = 0;
  size_t staff = 0;
  size_t members = 0;
  size_t cards = 0;
  // Purchase history (SPEC L1-L6) over the 24 months before `today`.
  size_t sales = 0;             // member and non-member sales
  size_t non_member_sales = 0;  // of `sales`
  size_t refunds = 0;
  size_t members_with_sales = 0;
  int64_t points_earned = 0;         // net of refunds
  size_t members_with_tier = 0;      // any tier of the program, 普卡 and up
  size_t members_above_normal = 0;   // 银卡 and up
  size_t pending_approvals = 0;      // tiers waiting for a store manager (紫金钻石卡)
  // Programs per member and store (L6): corporate buyers of one store on the
  // key-accounts program as their own, and that store's default program.
  size_t members_own_program = 0;
  std::string store_with_default;  // its code
  std::string store_default_program;
  std::vector<DemoLogin> logins;
};

// Fills an empty database with a realistic synthetic chain (SPEC I1 `vipcare
// demo`): company 示例零售集团, 2 regions, 8 stores of three kinds (department
// store flagships, apparel, beauty & home), 40 staff each with an account,
// `opt.members` members with cards, and their purchase history over the 24
// months before `opt.today`: sales with the categories and brands each kind
// of store sells, non-member sales, and a few full and partial refunds. As in
// real retail, some members drift away (流失, SPEC R5: about one in five with
// a history): for two months or more before their lapse day they come half
// as often and spend a third less per visit, then stop; one in five of them
// comes back once (docs/CHURN.md measures the churn score against this). The
// data is a function of `opt.seed`, `opt.members` and `opt.today` only: the
// same options give the same names, mobiles, birthdays, card numbers and
// sales on every machine and standard library (no std:: distributions).
//
// Sales are posted through Loyalty::PostSaleIn in time order, with the
// service clock standing at each sale's own time, exactly as if the tills had
// posted them live: points, lots with their expiry, monthly buckets, tier
// upgrades (with the date they happened) and approval requests come out as
// the company's program (the department-store preset) decides. Nothing of the
// daily schedule runs (points past their expiry, downgrade reviews): `vipcare
// run-jobs` does that.
//
// Returns kConflict if the database already has stores or members, and
// kInvalidArgument if opt.today is unset. Runs in one transaction. Calls
// `progress(done, total)` as members are stored and `sales_progress(done,
// total)` as sales and refunds are posted. Throws store::DbError only for
// infrastructure failures.
Result<DemoReport> GenerateDemo(
    store::Store& store, const DemoOptions& opt,
    const std::function<void(size_t done, size_t total)>& progress = {},
    const std::function<void(size_t done, size_t total)>& sales_progress = {});

}  // namespace vipcare::service
