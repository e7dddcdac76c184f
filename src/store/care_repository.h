// src/store/care_repository.h
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/db.h"
#include "store/page.h"
#include "store/sealer.h"

namespace vipcare::store {

// A care task (SPEC C2): one per member and occasion key. `pool` is who the
// task belongs to when no one person is named ("associate", "store_manager",
// "call_centre"); `assignee_id` the staff member working it, if any.
// Statuses: open, forwarded (handed to a subordinate, still to do), done,
// failed, skipped.
struct CareTaskRecord {
  int64_t id = 0;
  MemberId member_id;
  StoreId store_id;
  std::string rule_code;
  std::string occasion;
  std::string occasion_key;
  std::string name;
  Date occasion_on;
  Date due_on;
  Date overdue_after;
  std::string channel;   // the first channel: what the task is done by
  std::string channels;  // every channel, comma-separated
  std::string dropped;   // channels the C4 rules removed, comma-separated
  std::string action_text;
  std::string template_code;
  std::string purpose;  // "service" or "marketing"
  std::string pool;
  StaffId assignee_id;
  StaffId away_assignee_id;  // the assignee on leave the task came from (请假交接)
  std::string status = "open";
  std::optional<Date> escalated_on;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> completed_at;
  UserId completed_by;
  int64_t contact_id = 0;
};

// Which tasks a list shows. Unset fields do not filter.
struct CareTaskFilter {
  std::optional<Date> from;  // due_on >= from
  std::optional<Date> to;    // due_on <= to
  std::optional<MemberId> member;
  std::optional<StaffId> assignee;
  std::optional<StoreId> store;
  std::optional<RegionId> region;  // through the task's store
  std::string status;              // one status, or "pending" = open or forwarded
  std::string occasion;
  std::string pool;
  std::string channel;
  std::optional<Date> overdue_on;  // pending and overdue_after < this day
};

struct CareTaskEvent {
  int64_t id = 0;
  int64_t task_id = 0;
  Timestamp at{};
  UserId user_id;
  std::string kind;  // created, assigned, forwarded, escalated, handed_over, returned, completed
  StaffId from_staff;
  StaffId to_staff;
  std::string note;
};

// One entry of the contact log (往来跟踪日志, C3). `summary` and `follow_up`
// are sealed at rest.
struct CareContact {
  int64_t id = 0;
  MemberId member_id;
  int64_t task_id = 0;
  Timestamp at{};
  Date day;  // company-local day of `at`
  StoreId store_id;
  StaffId staff_id;
  UserId user_id;
  std::string channel;
  std::string outcome;  // done, failed, skipped, note
  std::string summary;
  std::optional<int> satisfaction;  // 1-5
  std::string follow_up;
  std::optional<Date> follow_up_on;
};

// A message of the outbox (C5). Statuses: queued, sent, kept (outbox-only
// sender), failed, suppressed (reason says why). `subject`/`text` sealed.
struct OutboxMessage {
  int64_t id = 0;
  MemberId member_id;
  int64_t task_id = 0;
  std::string channel;  // sms, email
  std::string purpose;  // service, marketing
  std::string template_code;
  std::string subject;
  std::string text;
  std::string status = "queued";
  std::string reason;
  std::string detail;
  Timestamp not_before{};
  int attempts = 0;
  std::string sender;
  std::string provider_message_id;
  Timestamp created_at{};
  std::optional<Timestamp> sent_at;
};

struct OutboxFilter {
  std::optional<MemberId> member;
  std::string status;
  std::optional<StoreId> store;  // through the member's home store
};

// A staff member's leave (请假): their members' open tasks go to `covered_by`
// for [from_on, to_on] and come back when it ends.
struct StaffLeave {
  int64_t id = 0;
  StaffId staff_id;
  Date from_on;
  Date to_on;
  StaffId covered_by;
  Timestamp created_at{};
  UserId created_by;
  std::optional<Timestamp> ended_at;
};

// Counts of one monthly visit report cell (C3).
struct CareReportRow {
  std::string channel;
  std::string tier;     // the member's tier code now ("" none)
  std::string program;  // the program it is a tier of ("" the company's)
  MemberId member_id;
  std::string status;
  Date due_on;
  Date overdue_after;
  std::optional<Timestamp> completed_at;
};

// A versioned JSON document (care rules, message templates).
struct VersionedDoc {
  int64_t version = 0;
  std::string body;
  Timestamp created_at{};
  UserId created_by;
};

// What the daily care job reads of a member's loyalty state.
struct CareLoyaltyFacts {
  MemberId member_id;
  std::string program_code;  // the member's own ("" = the company's)
  std::string tier_code;
  std::optional<Date> last_purchase_on;
  std::optional<Date> downgrade_effective_on;
  Points points_balance{0};
};

// A notice the loyalty jobs left (see service/loyalty_jobs.h).
struct CareNotice {
  MemberId member_id;
  std::string kind;
  std::string occasion;
  Date due_on;
  std::string detail;
};

// Persistence of the care engine (SPEC C1-C6): rule and template sets,
// tasks with their events, the contact log, the outbox, staff leaves and the
// monthly plans. Inside the transaction of the Repository that hands it out
// (Repository::care()); constraint violations throw DbError. Not thread-safe.
class CareRepository {
 public:
  virtual ~CareRepository() = default;

  // ---- rule and template sets ----
  virtual std::optional<VersionedDoc> LatestRuleSet() = 0;
  virtual void InsertRuleSet(const VersionedDoc& d) = 0;
  virtual std::optional<VersionedDoc> LatestTemplateSet() = 0;
  virtual void InsertTemplateSet(const VersionedDoc& d) = 0;

  // ---- tasks ----
  // Inserts `t` unless the member already has a task with its occasion key;
  // true (and t.id set) if inserted.
  virtual bool InsertTask(CareTaskRecord& t) = 0;
  virtual std::optional<CareTaskRecord> GetTask(int64_t id) = 0;
  virtual void UpdateTask(const CareTaskRecord& t) = 0;
  virtual PageOf<CareTaskRecord> ListTasks(const CareTaskFilter& f, Page page) = 0;
  virtual void AppendTaskEvent(const CareTaskEvent& e) = 0;
  virtual std::vector<CareTaskEvent> ListTaskEvents(int64_t task_id) = 0;
  // Pending tasks whose overdue_after is before `day` and not yet escalated.
  virtual std::vector<CareTaskRecord> OverdueUnescalated(Date day, int64_t limit) = 0;
  // Pending tasks assigned to `staff` (for a leave handover).
  virtual std::vector<CareTaskRecord> PendingTasksOf(StaffId staff) = 0;
  // Pending tasks handed over from `staff` while they were away.
  virtual std::vector<CareTaskRecord> PendingTasksAwayFrom(StaffId staff) = 0;
  // Tasks due in [from, to] of one store (the monthly report).
  virtual std::vector<CareReportRow> TasksDueInStore(StoreId store, Date from, Date to) = 0;

  // ---- contact log ----
  virtual int64_t InsertContact(const CareContact& c) = 0;
  virtual PageOf<CareContact> ListContacts(MemberId member, Page page) = 0;
  // Contacts logged for `member` on or after `since` (the C4 fallback).
  virtual int64_t CountContactsSince(MemberId member, Date since) = 0;

  // ---- outbox ----
  virtual int64_t InsertOutbox(const OutboxMessage& m) = 0;
  virtual std::optional<OutboxMessage> GetOutbox(int64_t id) = 0;
  virtual void UpdateOutbox(const OutboxMessage& m) = 0;
  virtual PageOf<OutboxMessage> ListOutbox(const OutboxFilter& f, Page page) = 0;
  // Queued messages whose not_before has come, oldest first.
  virtual std::vector<OutboxMessage> DueOutbox(Timestamp now, int64_t limit) = 0;
  // When `member`'s messages of `purpose` ("" = any) were sent or queued
  // since `since` (the weekly cap).
  virtual std::vector<Timestamp> MessageTimesSince(MemberId member, Timestamp since,
                                                   const std::string& purpose) = 0;

  // ---- leaves ----
  virtual int64_t InsertLeave(const StaffLeave& l) = 0;
  virtual std::optional<StaffLeave> GetLeave(int64_t id) = 0;
  virtual void EndLeave(int64_t id, Timestamp at) = 0;
  virtual std::vector<StaffLeave> ActiveLeaves(Date day) = 0;
  // Leaves whose last day is before `day` and that have not been ended.
  virtual std::vector<StaffLeave> LeavesToEnd(Date day) = 0;

  // ---- what the daily job reads, per batch of members [first, last] ----
  virtual std::vector<CareLoyaltyFacts> LoyaltyFactsBetween(MemberId first, MemberId last) = 0;
  // (member, local day) of sales at or after `since`, distinct.
  virtual std::vector<std::pair<MemberId, Date>> PurchaseDaysBetween(MemberId first,
                                                                      MemberId last,
                                                                      Timestamp since) = 0;
  // What `member` paid for sales on local day `day` (less nothing: refunds
  // come later), for the day-1 purchase message.
  virtual Fen SpendOnDay(MemberId member, Date day) = 0;
  // (member, occasion key) of the tasks of members [first, last] whose
  // occasion is on or after `since`: the keys a run need not insert again.
  virtual std::vector<std::pair<MemberId, std::string>> TaskKeysBetween(MemberId first,
                                                                        MemberId last,
                                                                        Date since) = 0;
  // Notices due on or after `from`.
  virtual std::vector<CareNotice> NoticesBetween(MemberId first, MemberId last, Date from) = 0;

  // ---- monthly plans ----
  virtual std::optional<std::string> GetPlan(StoreId store, const std::string& month) = 0;
  virtual void PutPlan(StoreId store, const std::string& month, const std::string& body,
                       Timestamp at, UserId by) = 0;

  // ---- monthly report ----
  // (service/care_report: 《客户回访情况月报表》, C3; service/staff_leave: 请假交接, C2)

  // The tasks of `store` due in [from, to] (as TasksDueInStore), each with the
  // member's tier code now in `tier` (member_loyalty.tier_code; "" if none).
  virtual std::vector<CareReportRow> TasksDueInStoreWithTier(StoreId store, Date from,
                                                             Date to) = 0;
  // The points each member with a done task of `store` due in [from, to]
  // earned in calendar month `month` (YYYYMM: member_months.points). Members
  // with no bucket that month earned nothing and are left out.
  virtual std::vector<std::pair<MemberId, Points>> VisitedMemberPoints(StoreId store, Date from,
                                                                       Date to,
                                                                       int64_t month) = 0;
  // Every leave of `staff`, ended ones too, in start order.
  virtual std::vector<StaffLeave> LeavesOf(StaffId staff) = 0;
  // Which leaves ListLeaves shows; unset fields do not filter. `status` is
  // "scheduled" (not ended, starts after `today`), "active" (not ended,
  // covers `today`), "ended" (ended, or its last day is before `today`) or "".
  struct LeaveQuery {
    std::optional<StaffId> staff;
    std::optional<StoreId> store;    // the staff member's store
    std::optional<RegionId> region;  // their store's region (or their own, for a supervisor)
    std::string status;
    Date today;
  };
  // One page of leaves, latest first day first.
  virtual PageOf<StaffLeave> ListLeaves(const LeaveQuery& q, Page page) = 0;

  // ---- stored goods (C6) ----
  // (service/stored_goods: 存货领用提醒; the daily care job reads the batch
  // methods to remind the member until the goods are collected.)

  // Goods a member bought but left in store, awaiting pickup until
  // `collected_on` is set. Days are company-local.
  struct StoredGoodsRecord {
    int64_t id = 0;
    MemberId member_id;
    StoreId store_id;         // where the goods are kept
    std::string description;  // "羊绒大衣1件"
    int64_t quantity = 1;
    int64_t transaction_id = 0;  // the sale they came from; 0 = none
    Date stored_on;
    std::optional<Date> pickup_by;
    std::optional<Date> collected_on;
    UserId collected_by;
    Timestamp created_at{};
    UserId created_by;
  };
  // Inserts `g` (id ignored) and returns its id.
  virtual int64_t InsertStoredGoods(const StoredGoodsRecord& g) = 0;
  virtual std::optional<StoredGoodsRecord> GetStoredGoods(int64_t id) = 0;
  // Marks goods `id` collected on `day` by `by` in one conditional UPDATE;
  // false (nothing changed) if they were already collected or do not exist,
  // so two tills handing the same goods over cannot both succeed.
  virtual bool MarkCollected(int64_t id, Date day, UserId by) = 0;
  // One page of `member`'s goods, the uncollected ones only unless
  // `include_collected`: awaiting pickup first, then by day stored (oldest
  // first) and id.
  virtual PageOf<StoredGoodsRecord> ListStoredGoods(MemberId member, bool include_collected,
                                                    Page page) = 0;
  // For each member in [first, last] with goods awaiting pickup, the day the
  // oldest of them was stored (MemberFacts::stored_goods_since), by member.
  virtual std::vector<std::pair<MemberId, Date>> OldestUncollectedGoodsBetween(MemberId first,
                                                                               MemberId last) = 0;
  // The descriptions of `member`'s goods awaiting pickup, oldest first,
  // joined with "、" (the {goods} placeholder); "" if none.
  virtual std::string UncollectedGoodsText(MemberId member) = 0;
  // M6: moves every goods row of member `from` to `into`; the rows moved.
  virtual int64_t MoveStoredGoods(MemberId from, MemberId into) = 0;
};

std::unique_ptr<CareRepository> MakeSqlCareRepository(Db& db, const Sealer& sealer);

}  // namespace vipcare::store
