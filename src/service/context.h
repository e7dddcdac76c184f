// src/service/context.h
#pragma once
#include <string>

#include "core/clock.h"
#include "core/types.h"
#include "domain/org.h"
#include "store/store.h"

namespace vipcare::service {

// Who is acting: the signed-in account, resolved once per request by the
// access layer (service/accounts.h). Plain value.
// A page of a list as the use cases take it (limit and offset).
using Page = store::Page;

struct Actor {
  UserId user_id;
  std::string username;
  domain::Role role = domain::Role::kAdmin;
  StaffId staff_id;
  StoreId store_id;
  RegionId region_id;
  std::string address;    // client address, for the audit log and device rules (P7)
  std::string device_id;  // the client's X-Device-Id, if it sent one (P7)
  // Set on an account created with a temporary password: until it is changed
  // the access layer lets the account do nothing else (P1).
  bool must_change_password = false;

  // The command line acts as a local administrator.
  static Actor CommandLine() {
    Actor a;
    a.username = "cli";
    a.role = domain::Role::kAdmin;
    a.address = "local";
    return a;
  }
};

// What every service needs: the database, the clock and the company time zone.
// Thread-safe (each member is).
struct Env {
  store::Store& store;
  const Clock& clock;
  TimeZone tz;

  Date Today() const { return tz.LocalDate(clock.Now()); }
};

}  // namespace vipcare::service
