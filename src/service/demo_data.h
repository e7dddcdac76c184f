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
  std::vector<DemoLogin> logins;
};

// Fills an empty database with a realistic synthetic chain (SPEC I1 `vipcare
// demo`): company 示例零售集团, 2 regions, 8 stores, 40 staff each with an
// account, `opt.members` members with cards. The data is a function of
// `opt.seed`, `opt.members` and `opt.today` only: the same options give the
// same names, mobiles, birthdays and card numbers on every machine and
// standard library (no std:: distributions are used).
//
// Returns kConflict if the database already has stores or members, and
// kInvalidArgument if opt.today is unset. Runs in one transaction. Calls
// `progress(done, total)` as members are stored. Throws store::DbError only for
// infrastructure failures.
Result<DemoReport> GenerateDemo(
    store::Store& store, const DemoOptions& opt,
    const std::function<void(size_t done, size_t total)>& progress = {});

}  // namespace vipcare::service
