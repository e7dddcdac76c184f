// src/service/access.h
#pragma once
#include "core/result.h"
#include "service/context.h"

namespace vipcare::service {

// What a route or use case needs. The role table in access.cc is the one
// place that says which role may do what (SPEC §1, P2).
enum class Permission {
  kNone,          // any signed-in account
  kMemberRead,    // look up and read member files
  kMemberWrite,   // register and edit members, issue cards
  kMemberAdmin,   // erase and merge member files
  kOrgRead,       // see stores and staff
  kOrgAdmin,      // change company, regions, stores, staff
  kUserAdmin,     // add accounts
  kAuditRead,     // read the audit log and destruction records
};

const char* ToString(Permission p);
bool RoleHas(domain::Role role, Permission p);
// kForbidden naming the permission if the actor's role lacks it.
Status Authorize(const Actor& actor, Permission p);

}  // namespace vipcare::service
