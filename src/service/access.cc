#include "service/access.h"

namespace vipcare::service {

const char* ToString(Permission p) {
  switch (p) {
    case Permission::kNone: return "none";
    case Permission::kMemberRead: return "member_read";
    case Permission::kMemberWrite: return "member_write";
    case Permission::kMemberAdmin: return "member_admin";
    case Permission::kOrgRead: return "org_read";
    case Permission::kOrgAdmin: return "org_admin";
    case Permission::kUserAdmin: return "user_admin";
    case Permission::kAuditRead: return "audit_read";
  }
  return "none";
}

bool RoleHas(domain::Role role, Permission p) {
  using domain::Role;
  if (p == Permission::kNone) return true;
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kAuditor:
      return p == Permission::kAuditRead || p == Permission::kOrgRead;
    case Role::kHqAnalyst:
      // Aggregates only: never a single member's file (P2).
      return p == Permission::kOrgRead;
    case Role::kStoreManager:
    case Role::kRegionalSupervisor:
      return p == Permission::kMemberRead || p == Permission::kMemberWrite ||
             p == Permission::kMemberAdmin || p == Permission::kOrgRead;
    case Role::kAssociate:
    case Role::kCallCenter:
      return p == Permission::kMemberRead || p == Permission::kMemberWrite ||
             p == Permission::kOrgRead;
  }
  return false;
}

Status Authorize(const Actor& actor, Permission p) {
  if (RoleHas(actor.role, p)) return OkStatus();
  return Error::Forbidden(std::string("your role may not do this (needs ") + ToString(p) + ")");
}

}  // namespace vipcare::service
