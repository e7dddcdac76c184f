// src/service/care.h
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "service/context.h"
#include "service/senders.h"
#include "store/repository.h"

namespace vipcare::service {

// The care engine's use cases (SPEC C1-C5): the daily generation of care
// tasks and messages, the task workflow (任务分配 / 查询 / 处理 / 转派), the
// contact log, the rule and template sets, and the outbox.
//
// Who sees which tasks (P2, one rule for lists and single tasks): an
// associate the tasks assigned to them; a store manager the tasks of their
// store; a supervisor those of their region; the call centre the
// "call_centre" queue; an admin all. Thread-safe.
class Care {
 public:
  // `sms` and `email` deliver queued messages of their channel; nullptr =
  // OutboxOnlySender (nothing leaves the machine).
  explicit Care(Env env, std::shared_ptr<MessageSender> sms = nullptr,
                std::shared_ptr<MessageSender> email = nullptr);

  // ---- daily schedule (called by `vipcare run-jobs` through LoyaltyJobs) ----
  static constexpr int64_t kBatchSize = 1000;
  // Generates the tasks and messages due on `day` for every member (each
  // occasion once per member: a task is unique on its occasion key), then
  // escalates tasks overdue on `day` to the store manager, and sends the
  // queued messages whose time has come. Inside `counts` adds
  // care_tasks, care_messages, care_suppressed, care_escalated, care_sent.
  Status GenerateDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts);
  // Sends queued messages whose not_before has come (at most `limit`).
  Result<nlohmann::json> SendDue(const Actor& actor, int64_t limit = 1000);

  // ---- tasks ----
  // Query: from, to (due dates, YYYY-MM-DD), member_id, assignee ("me" or a
  // staff id), status (open, forwarded, done, failed, skipped, pending),
  // occasion, channel, store_id, overdue=true, due=today (due today and still
  // to do). Each bad value, and any other key, names its field.
  Result<nlohmann::json> ListTasks(const Actor& actor, const std::map<std::string, std::string>& q,
                                   store::Page page);
  Result<nlohmann::json> GetTask(const Actor& actor, int64_t id);
  // Completes a pending task with its contact entry {"outcome": done|failed|
  // skipped, "channel", "summary", "satisfaction" 1-5, "follow_up",
  // "follow_up_on"}. Only the assignee or someone over the task's store.
  Result<nlohmann::json> CompleteTask(const Actor& actor, int64_t id, const nlohmann::json& body);
  // Forwards a pending task to a subordinate {"to_staff_id", "note"}: a
  // manager to an associate of the store, a supervisor to a manager or
  // associate of the region, an admin to anyone active.
  Result<nlohmann::json> ForwardTask(const Actor& actor, int64_t id, const nlohmann::json& body);
  // Assigns a pending task {"staff_id", "note"} (manager, supervisor, admin;
  // the staff member must be within the actor's stores).
  Result<nlohmann::json> AssignTask(const Actor& actor, int64_t id, const nlohmann::json& body);

  // ---- member page ----
  Result<nlohmann::json> MemberTasks(const Actor& actor, MemberId member, store::Page page);
  Result<nlohmann::json> MemberContacts(const Actor& actor, MemberId member, store::Page page);
  // A contact without a task (a call the member made, a visit).
  Result<nlohmann::json> LogContact(const Actor& actor, MemberId member, const nlohmann::json& body);

  // ---- rules and templates (admin) ----
  Result<nlohmann::json> GetRules(const Actor& actor);
  Result<nlohmann::json> PutRules(const Actor& actor, const nlohmann::json& body);
  Result<nlohmann::json> GetTemplates(const Actor& actor);
  Result<nlohmann::json> PutTemplates(const Actor& actor, const nlohmann::json& body);

  // ---- outbox ----
  Result<nlohmann::json> ListOutbox(const Actor& actor, const std::map<std::string, std::string>& q,
                                    store::Page page);

 private:
  Env env_;
  std::shared_ptr<MessageSender> sms_;
  std::shared_ptr<MessageSender> email_;
};

}  // namespace vipcare::service
