// src/service/access.h
#pragma once
#include "core/result.h"
#include "domain/member.h"
#include "service/context.h"
#include "store/repository.h"

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
  kUserAdmin,     // add, change and disable accounts
  kAuditRead,     // read the audit log and destruction records
  kGrantAdmin,    // give and revoke time-limited grants (定时授权)
  kExport,        // export member lists and reports (P4)
  kDeviceAdmin,   // keep a store's device allow-list (P7)
  kSalePost,      // post sales and refunds at a till of one's own store (L1)
  kProgramAdmin,  // edit loyalty programs and the gift catalogue (L5, L6)
  kTaskWork,      // see and work one's care tasks, log contacts (C2, C3)
  kTaskManage,    // assign tasks, see the store's outbox and visit report (C2, C3)
  kCareAdmin,     // edit care rules and message templates (C1, C5)
  kReportRead,    // read the analysis reports: aggregates, never a member (R1-R10)
  kCareReport,    // read monthly visit reports and regional summaries (C3, R8; aggregates)
  kReportExport,  // download the analysis reports as CSV / XLSX (P4; aggregates, audited)
};

const char* ToString(Permission p);
bool RoleHas(domain::Role role, Permission p);
// kForbidden naming the permission if the actor's role lacks it.
Status Authorize(const Actor& actor, Permission p);

// ---- Row scope of member files (P2) ----

// Narrows `filter` to the members `actor` may list: an associate their own
// members, a store manager their store, a supervisor their region, an admin
// everything. Returns false if the actor may list no member at all (then the
// caller answers an empty page without asking the database).
// A call-centre account lists the members on its grants active at `now`.
bool ApplyListScope(const Actor& actor, store::MemberFilter& filter, Timestamp now);

// Whether `actor` may open, change or act on member `m`, whose home store is
// in region `member_region`; `granted` says whether the actor holds an active
// grant for the member (only call-centre accounts are given grants).
// kForbidden otherwise.
Status CheckMemberScope(const Actor& actor, const domain::Member& m, RegionId member_region,
                        bool granted);

// CheckMemberScope with the member's region looked up in `repo`.
Status CheckMemberScopeIn(store::Repository& repo, const Actor& actor, const domain::Member& m,
                          bool granted);

// The member with `id` if `actor` may act on their file (P2): kNotFound on
// `field` if no member has the id, kForbidden outside the actor's scope. A
// call-centre account acts through a grant active at `now`.
Result<domain::Member> MemberInScope(store::Repository& repo, const Actor& actor, MemberId id,
                                     Timestamp now, const std::string& field = "id");

// Whether an exact lookup at the till (card number or full mobile) may show
// `actor` this member even outside their scope (SPEC §1: "plus any member at
// the till by card/phone lookup (masked)").
bool MayTillLookup(const Actor& actor);

// Whether `actor` sees `m` unmasked (P3): the assigned associate, the manager
// of the member's store, active grant holders and admins; everyone else sees
// masked contact fields. A child under 14 on `today` (P8) is shown unmasked
// only to the manager of their store and to admins.
bool SeesUnmasked(const Actor& actor, const domain::Member& m, bool granted, Date today);
// Whether `actor` may hand member `m` a copy of their data (P8): those who see
// the file unmasked, except call-centre grant holders (a grant is for calling).
bool MayHandOutDataCopy(const Actor& actor, const domain::Member& m, bool granted, Date today);
// Whether the member is under 14 on `today` by their recorded birthday (a
// lunar birthday is taken as late as it can fall in the solar year, so the
// rule errs on the child's side). False without a birthday.
bool IsChildUnder14(const domain::Member& m, Date today);

// Whether `actor` may post a sale or refund for `store`:
// associates and managers at their own store, admins anywhere (L1).
Status CheckSaleStore(const Actor& actor, StoreId store);

// ---- Devices (P7) ----

// Whether `actor` (an associate or store manager of the store that keeps
// `entries`) may work from their client: the store keeps no active entry, or
// one matches the client's address or device id. Accounts without a store
// are never bound.
bool ClientAllowed(const Actor& actor, const std::vector<store::DeviceRecord>& entries);

// ---- Staff records ----

// Narrows a staff list to what `actor` may see: associates and store managers
// their store's staff, a supervisor their region's (its stores' staff and its
// supervisors); HQ, call centre, auditors and admins the whole company.
// kForbidden naming "store_id" if a store outside that reach is asked for.
Status ApplyStaffScope(store::Repository& repo, const Actor& actor, std::optional<StoreId>& store,
                       std::optional<RegionId>& region);
// Whether `actor` may open staff record `s`, whose store (or own region, for a
// supervisor) is in `staff_region`. kForbidden otherwise.
Status CheckStaffScope(const Actor& actor, const domain::Staff& s, RegionId staff_region);
// Staff mobile numbers are shown to admins, the person themselves, their store
// manager and their regional supervisor; everyone else sees them masked.
bool SeesStaffContact(const Actor& actor, const domain::Staff& s, RegionId staff_region);

}  // namespace vipcare::service
