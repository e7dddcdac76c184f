// src/store/repository.h
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "domain/card.h"
#include "domain/member.h"
#include "domain/org.h"
#include "store/db.h"
#include "store/care_repository.h"
#include "store/care_repository.h"
#include "store/loyalty_jobs_repository.h"
#include "store/report_repository.h"
#include "store/loyalty_repository.h"
#include "store/rewards_repository.h"
#include "store/page.h"

namespace vipcare::store {

// Which members a list may return. Every filter is applied in SQL.
struct MemberFilter {
  std::optional<StoreId> store;
  std::optional<RegionId> region;
  std::optional<StaffId> associate;
  std::optional<domain::MemberStatus> status;
  std::string name_prefix;  // prefix of the name (through the name tokens, P5)
  std::string tag;
  // Registered in [created_from, created_to) when set.
  std::optional<Timestamp> created_from;
  std::optional<Timestamp> created_to;
  // Only members on a grant to this account that is active at `granted_at`
  // (call centre, P2).
  std::optional<UserId> granted_to;
  Timestamp granted_at{};
};

// A time-limited grant (定时授权, P2): an account may see these members
// between starts_at (inclusive) and ends_at (exclusive) unless revoked.
struct GrantRecord {
  int64_t id = 0;
  UserId grantee;
  std::string purpose;
  Timestamp starts_at{};
  Timestamp ends_at{};
  UserId created_by;
  Timestamp created_at{};
  std::optional<Timestamp> revoked_at;
  std::string grantee_username;     // read with the grant, for display
  std::string created_by_username;
  UserId revoked_by;
  std::vector<MemberId> members;  // filled by GetGrant; counted by ListGrants
  int64_t member_count = 0;
};

// One entry of a store's device allow-list (P7): a client address (exact
// IPv4/IPv6 text or an IPv4 CIDR block) or a registered device id.
struct DeviceRecord {
  int64_t id = 0;
  StoreId store_id;
  std::string kind;  // "address" or "device"
  std::string value;
  std::string label;
  bool active = true;
  UserId created_by;
  Timestamp created_at{};
};

// One consent event (P8): given or withdrawn, for one purpose.
struct ConsentRecord {
  int64_t id = 0;
  MemberId member_id;
  std::string purpose;  // "service", "marketing", "guardian"
  bool granted = false;
  std::string version;  // of the privacy notice shown
  std::string channel;  // "store", "web", "phone", "paper", ...
  Timestamp at{};
  UserId recorded_by;
  std::string recorded_by_username;  // read with the record, for display
};

struct UserRecord {
  UserId id;
  std::string username;
  StaffId staff_id;
  domain::Role role = domain::Role::kAssociate;
  std::string password_hash;
  bool must_change_password = false;
  bool active = true;
  Timestamp created_at{};
};

struct SessionRecord {
  std::string token_hash;
  UserId user_id;
  Timestamp created_at{};

  Timestamp last_seen_at{};
  Timestamp expires_at{};
  std::string address;
};

// A session with everything a request's access check needs, read in one
// statement: the account (password hash left empty), where its staff record
// works and whether that store keeps a device allow-list (P7).
struct SessionPrincipal {
  SessionRecord session;
  UserRecord user;
  StoreId store_id;    // the staff record's store
  RegionId region_id;  // the staff record's region, else its store's
  bool store_restricts_devices = false;
};

struct HistoryEntry {
  int64_t id = 0;
  MemberId member_id;
  Timestamp changed_at{};
  UserId changed_by;
  std::string action;   // "create", "update", "status", "merge", "erase", "card"
  std::string changes;  // JSON object {field: [old, new]} or a description
  std::string changed_by_username;  // read with the entry, for display
};

struct DestructionRecord {
  int64_t id = 0;
  MemberId member_id;
  std::string member_no;
  Timestamp erased_at{};
  UserId erased_by;
  std::string reason;
  std::string fields;  // JSON array of the destroyed field names
  std::string erased_by_username;  // read with the record, for display
};

// One row of the append-only audit log (P6). `prev_hash` and `hash` chain the
// rows: hash = SHA-256 over the row's fields and prev_hash (AuditRowHash).
struct AuditEntry {
  int64_t id = 0;
  Timestamp at{};
  UserId user_id;
  std::string action;
  std::string entity;
  std::string entity_id;
  std::string detail;
  std::string address;
  std::string prev_hash;
  std::string hash;
  std::string username;  // read by ListAudit for display; not part of the hash
};

// The chain hash of `e` (its id, fields and prev_hash), hex SHA-256.
std::string AuditRowHash(const AuditEntry& e);

// The persistence interface the services use. All calls run inside the
// transaction the Store opened (see Store::Write / Store::Read). Unique and
// foreign-key violations surface as DbError; every other expected outcome
// (not found) is an empty optional. Not thread-safe: one per transaction.
class Repository {
 public:
  virtual ~Repository() = default;

  // Organisation.
  virtual std::optional<domain::Company> GetCompany() = 0;
  virtual void SaveCompany(const domain::Company& c) = 0;
  virtual RegionId InsertRegion(const domain::Region& r) = 0;
  virtual std::optional<domain::Region> GetRegion(RegionId id) = 0;
  virtual std::vector<domain::Region> ListRegions() = 0;
  virtual StoreId InsertStore(const domain::Store& s) = 0;
  virtual void UpdateStore(const domain::Store& s) = 0;
  virtual std::optional<domain::Store> GetStore(StoreId id) = 0;
  virtual PageOf<domain::Store> ListStores(std::optional<RegionId> region, Page page) = 0;
  virtual StaffId InsertStaff(const domain::Staff& s) = 0;
  virtual void UpdateStaff(const domain::Staff& s) = 0;
  virtual std::optional<domain::Staff> GetStaff(StaffId id) = 0;
  // Staff in id order, narrowed to a store, a role, and a region (its
  // stores' staff and its supervisors) when given.
  virtual PageOf<domain::Staff> ListStaff(std::optional<StoreId> store,
                                          std::optional<domain::Role> role, Page page,
                                          std::optional<RegionId> region = {}) = 0;

  // Accounts.
  virtual UserId InsertUser(const UserRecord& u) = 0;
  virtual void UpdateUser(const UserRecord& u) = 0;
  virtual std::optional<UserRecord> GetUser(UserId id) = 0;
  virtual std::optional<UserRecord> FindUserByName(const std::string& username) = 0;
  virtual void InsertSession(const SessionRecord& s) = 0;
  virtual std::optional<SessionRecord> GetSession(const std::string& token_hash) = 0;
  virtual std::optional<SessionPrincipal> GetSessionPrincipal(const std::string& token_hash) = 0;
  virtual void TouchSession(const std::string& token_hash, Timestamp now) = 0;
  virtual void DeleteSession(const std::string& token_hash) = 0;
  virtual void DeleteSessionsOf(UserId user) = 0;
  // Failed sign-ins, for throttling (P1). Counts are of failures at or after `since`.
  virtual void RecordLoginFailure(const std::string& username, const std::string& address,
                                  Timestamp at) = 0;
  struct FailureCount {
    int64_t count = 0;
    Timestamp oldest{};
  };
  virtual FailureCount CountLoginFailuresOfUser(const std::string& username, Timestamp since) = 0;
  virtual FailureCount CountLoginFailuresFrom(const std::string& address, Timestamp since) = 0;
  virtual void ClearLoginFailures(const std::string& username) = 0;
  // Accounts in id order; only those of `role` when given.
  virtual PageOf<UserRecord> ListUsers(Page page, std::optional<domain::Role> role = {}) = 0;

  // Grants (P2). InsertGrant writes the grant and its member rows.
  virtual int64_t InsertGrant(const GrantRecord& g) = 0;
  virtual std::optional<GrantRecord> GetGrant(int64_t id) = 0;
  // Newest first; either filter may be absent.
  virtual PageOf<GrantRecord> ListGrants(std::optional<UserId> grantee,
                                         std::optional<UserId> created_by, Page page) = 0;
  virtual bool RevokeGrant(int64_t id, Timestamp at, UserId by) = 0;
  virtual bool HasActiveGrant(UserId grantee, MemberId member, Timestamp now) = 0;

  // Device allow-list (P7).
  virtual int64_t InsertDevice(const DeviceRecord& d) = 0;
  virtual std::optional<DeviceRecord> GetDevice(int64_t id) = 0;
  virtual std::vector<DeviceRecord> ListDevices(std::optional<StoreId> store) = 0;
  virtual void SetDeviceActive(int64_t id, bool active) = 0;
  // Whether the store has any active entry (then only listed clients may act for it).
  virtual bool StoreRestrictsDevices(StoreId store) = 0;

  // Consents (P8), oldest first.
  virtual int64_t InsertConsent(const ConsentRecord& c) = 0;
  virtual std::vector<ConsentRecord> ListConsents(MemberId member) = 0;

  // Members. Insert assigns id and member_no; Update bumps version and fails
  // (returns false) if `m.version` is not the stored one.
  virtual MemberId InsertMember(const domain::Member& m) = 0;
  virtual bool UpdateMember(const domain::Member& m) = 0;
  virtual std::optional<domain::Member> GetMember(MemberId id) = 0;
  // GetMember without the sealed fields (name, mobile, profile: left empty)
  // and without tags: status, number, birthday, referrer, stores, version
  // and the other plain columns, with nothing to open or parse. Never to be
  // written back with UpdateMember.
  virtual std::optional<domain::Member> GetMemberPlain(MemberId id) = 0;
  // The stored version of a member's file (bumped by every change of it), or
  // nothing if there is no such member: tells whether a file read earlier is
  // still current without reading it again.
  virtual std::optional<int64_t> MemberVersion(MemberId id) = 0;
  // GetMember with only the care engine's profile fields (see MembersAfter).
  virtual std::optional<domain::Member> GetMemberCareFields(MemberId id) = 0;
  virtual std::optional<domain::Member> FindMemberByMobile(const std::string& mobile) = 0;
  virtual std::optional<domain::Member> FindMemberByNo(const std::string& member_no) = 0;
  // Members whose ID number is `id_number` (exact; 'x' and 'X' alike), by id.
  virtual std::vector<domain::Member> FindMembersByIdNumber(const std::string& id_number) = 0;
  virtual PageOf<domain::Member> ListMembers(const MemberFilter& f, Page page) = 0;
  // Up to `limit` member files with ids after `after`, in id order, without
  // merged and erased ones and without tags (batch jobs walk the base with it).
  // With `care_fields_only`, the profile is read only for what the care
  // engine looks at (phones, e-mail, WeChat, addresses, anniversaries,
  // preferences, business figures).
  virtual std::vector<domain::Member> MembersAfter(MemberId after, int64_t limit,
                                                   bool care_fields_only = false) = 0;
  // Bulk insert for imports and demo data: same as InsertMember per row, with
  // statements reused; calls `progress` every 1000 rows if given.
  virtual void InsertMembers(std::vector<domain::Member>& members,
                             const std::function<void(size_t)>& progress = {}) = 0;
  virtual void AppendHistory(const HistoryEntry& e) = 0;
  virtual PageOf<HistoryEntry> ListHistory(MemberId id, Page page) = 0;
  // Replaces the recorded old/new values of a member's history (erasure).
  virtual void RedactHistory(MemberId id) = 0;
  // Moves every row that points at `from` (cards, history, tags, referrals) to `to`.
  virtual void ReassignMember(MemberId from, MemberId to) = 0;
  virtual int64_t InsertDestructionRecord(const DestructionRecord& r) = 0;
  virtual PageOf<DestructionRecord> ListDestructionRecords(Page page) = 0;

  // Cards.
  virtual CardId InsertCard(const domain::Card& c) = 0;
  // Bulk insert of new cards (imports, demo data); assigns their ids.
  virtual void InsertCards(std::vector<domain::Card>& cards) = 0;
  virtual void UpdateCard(const domain::Card& c) = 0;
  virtual std::optional<domain::Card> GetCard(CardId id) = 0;
  virtual std::optional<domain::Card> FindCardByNo(const std::string& card_no) = 0;
  virtual std::vector<domain::Card> ListCards(MemberId member) = 0;

  // Audit (append-only, hash-chained). AppendAudit assigns id, prev_hash and
  // hash; concurrent appends are serialised on the chain head.
  virtual void AppendAudit(const AuditEntry& e) = 0;
  // AppendAudit for each of `entries`, in order, with one move of the head.
  virtual void AppendAudits(const std::vector<AuditEntry>& entries) = 0;
  virtual PageOf<AuditEntry> ListAudit(Page page) = 0;
  // Rows with id > after_id in id order, at most `limit` (verification).
  virtual std::vector<AuditEntry> AuditRowsAfter(int64_t after_id, int64_t limit) = 0;
  // The chain head: the id and hash of the last row appended (0, "" if none).
  virtual std::pair<int64_t, std::string> AuditHead() = 0;

  // The loyalty engine's tables, in this same transaction.
  virtual LoyaltyRepository& loyalty() = 0;
  // Gifts, vouchers, redemptions and points adjustments, in this transaction.
  virtual RewardsRepository& rewards() = 0;
  // The care engine's tables (SPEC C1-C6).
  virtual CareRepository& care() = 0;
  // Aggregates for the reports (SPEC R1-R10).
  virtual ReportRepository& reports() = 0;
  // The daily schedule's bookkeeping, in this transaction.
  virtual LoyaltyJobsRepository& loyalty_jobs() = 0;
};

class Sealer;
// Makes the SQL implementation of Repository over one connection; customer
// data is sealed and indexed through `sealer` (P5), which must outlive it.
std::unique_ptr<Repository> MakeSqlRepository(Db& db, const Sealer& sealer);

}  // namespace vipcare::store
