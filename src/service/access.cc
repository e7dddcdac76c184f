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

bool ApplyListScope(const Actor& actor, store::MemberFilter& filter) {
  using domain::Role;
  switch (actor.role) {
    case Role::kAdmin:
      return true;
    case Role::kAssociate:
      if (!actor.staff_id) return false;
      filter.associate = actor.staff_id;
      return true;
    case Role::kStoreManager:
      if (!actor.store_id) return false;
      if (filter.store && *filter.store != actor.store_id) return false;
      filter.store = actor.store_id;
      return true;
    case Role::kRegionalSupervisor:
      if (!actor.region_id) return false;
      if (filter.region && *filter.region != actor.region_id) return false;
      filter.region = actor.region_id;
      return true;
    case Role::kCallCenter:    // only granted members (grants come with the care engine)
    case Role::kHqAnalyst:     // aggregates only
    case Role::kAuditor:
      return false;
  }
  return false;
}

Status CheckMemberScope(const Actor& actor, const domain::Member& m, RegionId member_region) {
  using domain::Role;
  bool ok = false;
  switch (actor.role) {
    case Role::kAdmin: ok = true; break;
    case Role::kAssociate: ok = actor.staff_id && m.associate_id == actor.staff_id; break;
    case Role::kStoreManager: ok = actor.store_id && m.home_store_id == actor.store_id; break;
    case Role::kRegionalSupervisor: ok = actor.region_id && member_region == actor.region_id; break;
    case Role::kCallCenter:
    case Role::kHqAnalyst:
    case Role::kAuditor: ok = false; break;
  }
  if (ok) return OkStatus();
  return Error::Forbidden("this member is outside your scope");
}

bool MayTillLookup(const Actor& actor) {
  using domain::Role;
  return actor.role == Role::kAssociate || actor.role == Role::kStoreManager ||
         actor.role == Role::kRegionalSupervisor || actor.role == Role::kAdmin;
}

bool SeesUnmasked(const Actor& actor, const domain::Member& m) {
  using domain::Role;
  switch (actor.role) {
    case Role::kAdmin: return true;
    case Role::kAssociate: return actor.staff_id && m.associate_id == actor.staff_id;
    case Role::kStoreManager: return actor.store_id && m.home_store_id == actor.store_id;
    default: return false;
  }
}

}  // namespace vipcare::service
