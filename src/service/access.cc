#include "service/access.h"

#include <algorithm>

#include "domain/org.h"

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
    case Permission::kGrantAdmin: return "grant_admin";
    case Permission::kExport: return "export";
    case Permission::kDeviceAdmin: return "device_admin";
    case Permission::kSalePost: return "sale_post";
    case Permission::kProgramAdmin: return "program_admin";
    case Permission::kTaskWork: return "task_work";
    case Permission::kTaskManage: return "task_manage";
    case Permission::kCareAdmin: return "care_admin";
    case Permission::kReportRead: return "report_read";
    case Permission::kReportExport: return "report_export";
    case Permission::kCareReport: return "care_report";
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
      return p == Permission::kOrgRead || p == Permission::kCareReport ||
             p == Permission::kReportRead || p == Permission::kReportExport;
    case Role::kStoreManager:
      // Exports and grants of their own store's members; the store's devices.
      return p == Permission::kMemberRead || p == Permission::kMemberWrite ||
             p == Permission::kMemberAdmin || p == Permission::kOrgRead ||
             p == Permission::kGrantAdmin || p == Permission::kExport ||
             p == Permission::kDeviceAdmin || p == Permission::kSalePost ||
             p == Permission::kTaskWork || p == Permission::kTaskManage ||
             p == Permission::kCareReport || p == Permission::kReportRead ||
             p == Permission::kReportExport;
    case Role::kRegionalSupervisor:
      return p == Permission::kMemberRead || p == Permission::kMemberWrite ||
             p == Permission::kMemberAdmin || p == Permission::kOrgRead ||
             p == Permission::kGrantAdmin || p == Permission::kExport ||
             p == Permission::kTaskWork || p == Permission::kTaskManage ||
             p == Permission::kCareReport || p == Permission::kReportRead ||
             p == Permission::kReportExport;
    case Role::kAssociate:
      // Never an export: a clerk's screen is not a bulk channel (P4, P9).
      return p == Permission::kMemberRead || p == Permission::kMemberWrite ||
             p == Permission::kOrgRead || p == Permission::kSalePost ||
             p == Permission::kTaskWork;
    case Role::kCallCenter:
      return p == Permission::kMemberRead || p == Permission::kMemberWrite ||
             p == Permission::kOrgRead || p == Permission::kTaskWork;
  }
  return false;
}

Status Authorize(const Actor& actor, Permission p) {
  if (RoleHas(actor.role, p)) return OkStatus();
  return Error::Forbidden(std::string("your role may not do this (needs ") + ToString(p) + ")");
}

bool ApplyListScope(const Actor& actor, store::MemberFilter& filter, Timestamp now) {
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
    case Role::kCallCenter:
      if (!actor.user_id) return false;
      filter.granted_to = actor.user_id;
      filter.granted_at = now;
      return true;
    case Role::kHqAnalyst:     // aggregates only
    case Role::kAuditor:
      return false;
  }
  return false;
}

Status CheckMemberScope(const Actor& actor, const domain::Member& m, RegionId member_region,
                        bool granted) {
  using domain::Role;
  bool ok = false;
  switch (actor.role) {
    case Role::kAdmin: ok = true; break;
    case Role::kAssociate: ok = actor.staff_id && m.associate_id == actor.staff_id; break;
    case Role::kStoreManager: ok = actor.store_id && m.home_store_id == actor.store_id; break;
    case Role::kRegionalSupervisor: ok = actor.region_id && member_region == actor.region_id; break;
    case Role::kCallCenter: ok = granted; break;
    case Role::kHqAnalyst:
    case Role::kAuditor: ok = false; break;
  }
  if (ok) return OkStatus();
  return Error::Forbidden("this member is outside your scope");
}

Status CheckMemberScopeIn(store::Repository& repo, const Actor& actor, const domain::Member& m,
                          bool granted) {
  if (actor.role == domain::Role::kAdmin) return OkStatus();
  RegionId region;
  if (auto s = repo.GetStore(m.home_store_id)) region = s->region_id;
  return CheckMemberScope(actor, m, region, granted);
}

Result<domain::Member> MemberInScope(store::Repository& repo, const Actor& actor, MemberId id,
                                     Timestamp now, const std::string& field) {
  auto m = repo.GetMember(id);
  if (!m) return Error::NotFound("no member has that id", field);
  const bool granted =
      actor.role == domain::Role::kCallCenter && repo.HasActiveGrant(actor.user_id, id, now);
  VIPCARE_TRY(CheckMemberScopeIn(repo, actor, *m, granted));
  return *m;
}

bool MayTillLookup(const Actor& actor) {
  using domain::Role;
  return actor.role == Role::kAssociate || actor.role == Role::kStoreManager ||
         actor.role == Role::kRegionalSupervisor || actor.role == Role::kAdmin;
}

bool IsChildUnder14(const domain::Member& m, Date today) {
  if (!m.birthday) return false;
  const auto& b = *m.birthday;
  // A lunar month/day falls at most about two months later in the solar year.
  unsigned month = b.month + (b.calendar == domain::Calendar::kLunar ? 2u : 0u);
  int year = b.year + 14 + (month > 12 ? 1 : 0);
  if (month > 12) month -= 12;
  const Date fourteenth = Date::FromYmd(year, month, std::min(unsigned(b.day), 28u));
  return today < fourteenth;
}

bool MayHandOutDataCopy(const Actor& actor, const domain::Member& m, bool granted, Date today) {
  return actor.role != domain::Role::kCallCenter && SeesUnmasked(actor, m, granted, today);
}

bool SeesUnmasked(const Actor& actor, const domain::Member& m, bool granted, Date today) {
  using domain::Role;
  const bool manager = actor.role == Role::kStoreManager && actor.store_id &&
                       m.home_store_id == actor.store_id;
  if (actor.role == Role::kAdmin || manager) return true;
  if (IsChildUnder14(m, today)) return false;
  switch (actor.role) {
    case Role::kAssociate: return actor.staff_id && m.associate_id == actor.staff_id;
    case Role::kCallCenter: return granted;
    default: return false;
  }
}

Status CheckSaleStore(const Actor& actor, StoreId store) {
  VIPCARE_TRY(Authorize(actor, Permission::kSalePost));
  if (actor.role == domain::Role::kAdmin || (actor.store_id && actor.store_id == store)) {
    return OkStatus();
  }
  Error e = Error::Forbidden("you may post sales only for your own store");
  e.field = "store_id";
  return e;
}

bool ClientAllowed(const Actor& actor, const std::vector<store::DeviceRecord>& entries) {
  const bool store_bound =
      actor.role == domain::Role::kAssociate || actor.role == domain::Role::kStoreManager;
  if (!store_bound || !actor.store_id) return true;
  bool any = false;
  for (const auto& d : entries) {
    if (!d.active || d.store_id != actor.store_id) continue;
    any = true;
    if (domain::DeviceEntryMatches(d.kind, d.value, actor.address, actor.device_id)) return true;
  }
  return !any;
}

Status ApplyStaffScope(store::Repository& repo, const Actor& actor, std::optional<StoreId>& store,
                       std::optional<RegionId>& region) {
  using domain::Role;
  const auto outside = [] {
    Error e = Error::Forbidden("that store is outside your scope");
    e.field = "store_id";
    return e;
  };
  switch (actor.role) {
    case Role::kAssociate:
    case Role::kStoreManager:
      if (!actor.store_id || (store && *store != actor.store_id)) return outside();
      store = actor.store_id;
      return OkStatus();
    case Role::kRegionalSupervisor:
      if (!actor.region_id) return outside();
      if (store) {
        auto s = repo.GetStore(*store);
        if (s && s->region_id != actor.region_id) return outside();
      }
      region = actor.region_id;
      return OkStatus();
    default: return OkStatus();
  }
}

Status CheckStaffScope(const Actor& actor, const domain::Staff& s, RegionId staff_region) {
  using domain::Role;
  bool ok = true;
  switch (actor.role) {
    case Role::kAssociate:
    case Role::kStoreManager: ok = actor.store_id && s.store_id == actor.store_id; break;
    case Role::kRegionalSupervisor: ok = actor.region_id && staff_region == actor.region_id; break;
    default: break;
  }
  if (ok || s.id == actor.staff_id) return OkStatus();
  return Error::Forbidden("this staff member is outside your scope");
}

bool SeesStaffContact(const Actor& actor, const domain::Staff& s, RegionId staff_region) {
  using domain::Role;
  if (actor.role == Role::kAdmin || (actor.staff_id && s.id == actor.staff_id)) return true;
  if (actor.role == Role::kStoreManager) return actor.store_id && s.store_id == actor.store_id;
  if (actor.role == Role::kRegionalSupervisor) {
    return actor.region_id && staff_region == actor.region_id;
  }
  return false;
}

}  // namespace vipcare::service
