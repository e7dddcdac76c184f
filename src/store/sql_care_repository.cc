// The SQL implementation of CareRepository, shared by SQLite and PostgreSQL.
// Every statement is a named constant with `?` parameters; task lists are
// assembled from constant fragments of the filters in use (never from input).
#include "store/care_repository.h"

namespace vipcare::store {
namespace {

// ---- versioned documents ----
constexpr std::string_view kLatestRuleSet =
    "SELECT version, body, created_at, created_by FROM care_rule_sets "
    "ORDER BY version DESC LIMIT 1";
constexpr std::string_view kInsertRuleSet =
    "INSERT INTO care_rule_sets (version, body, created_at, created_by) VALUES (?, ?, ?, ?)";
constexpr std::string_view kLatestTemplateSet =
    "SELECT version, body, created_at, created_by FROM message_template_sets "
    "ORDER BY version DESC LIMIT 1";
constexpr std::string_view kInsertTemplateSet =
    "INSERT INTO message_template_sets (version, body, created_at, created_by) "
    "VALUES (?, ?, ?, ?)";

// ---- tasks ----
#define VIPCARE_TASK_COLUMNS                                                                   \
  "SELECT t.id, t.member_id, t.store_id, t.rule_code, t.occasion, t.occasion_key, t.name, "   \
  "t.occasion_on, t.due_on, t.overdue_after, t.channel, t.channels, t.dropped, "               \
  "t.action_text, t.template_code, t.purpose, t.pool, t.assignee_id, t.away_assignee_id, "    \
  "t.status, t.escalated_on, t.created_at, t.updated_at, t.completed_at, t.completed_by, "    \
  "t.contact_id FROM care_tasks t "
constexpr std::string_view kTaskColumns = VIPCARE_TASK_COLUMNS;
constexpr std::string_view kGetTask = VIPCARE_TASK_COLUMNS "WHERE t.id = ?";
constexpr std::string_view kOverdueUnescalated =
    VIPCARE_TASK_COLUMNS
    "WHERE t.status IN ('open', 'forwarded') AND t.overdue_after < ? AND t.escalated_on IS NULL "
    "ORDER BY t.overdue_after, t.id LIMIT ?";
constexpr std::string_view kPendingTasksOf =
    VIPCARE_TASK_COLUMNS "WHERE t.assignee_id = ? AND t.status IN ('open', 'forwarded') ORDER BY t.id";
constexpr std::string_view kPendingTasksAwayFrom =
    VIPCARE_TASK_COLUMNS
    "WHERE t.away_assignee_id = ? AND t.status IN ('open', 'forwarded') ORDER BY t.id";
#undef VIPCARE_TASK_COLUMNS
constexpr std::string_view kInsertTask =
    "INSERT INTO care_tasks (member_id, store_id, rule_code, occasion, occasion_key, name, "
    "occasion_on, due_on, overdue_after, channel, channels, dropped, action_text, "
    "template_code, purpose, pool, assignee_id, away_assignee_id, status, escalated_on, "
    "created_at, updated_at, completed_at, completed_by, contact_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (member_id, occasion_key) DO NOTHING RETURNING id";
constexpr std::string_view kUpdateTask =
    "UPDATE care_tasks SET pool = ?, assignee_id = ?, away_assignee_id = ?, status = ?, "
    "escalated_on = ?, updated_at = ?, completed_at = ?, completed_by = ?, contact_id = ? "
    "WHERE id = ?";
constexpr std::string_view kTaskListFrom = "FROM care_tasks t WHERE 1 = 1";
constexpr std::string_view kTaskFrom = " AND t.due_on >= ?";
constexpr std::string_view kTaskTo = " AND t.due_on <= ?";
constexpr std::string_view kTaskMember = " AND t.member_id = ?";
constexpr std::string_view kTaskAssignee = " AND t.assignee_id = ?";
constexpr std::string_view kTaskStore = " AND t.store_id = ?";
constexpr std::string_view kTaskRegion =
    " AND t.store_id IN (SELECT id FROM stores WHERE region_id = ?)";
constexpr std::string_view kTaskStatus = " AND t.status = ?";
constexpr std::string_view kTaskPending = " AND t.status IN ('open', 'forwarded')";
constexpr std::string_view kTaskOccasion = " AND t.occasion = ?";
constexpr std::string_view kTaskPool = " AND t.pool = ?";
constexpr std::string_view kTaskChannel = " AND t.channel = ?";
constexpr std::string_view kTaskOverdue =
    " AND t.status IN ('open', 'forwarded') AND t.overdue_after < ?";
constexpr std::string_view kTaskOrder = " ORDER BY t.due_on, t.id LIMIT ? OFFSET ?";
constexpr std::string_view kTasksDueInStore =
    "SELECT t.channel, t.member_id, t.status, t.due_on, t.overdue_after, t.completed_at "
    "FROM care_tasks t WHERE t.store_id = ? AND t.due_on >= ? AND t.due_on <= ? ORDER BY t.id";

constexpr std::string_view kInsertTaskEvent =
    "INSERT INTO care_task_events (task_id, at, user_id, kind, from_staff, to_staff, note) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kListTaskEvents =
    "SELECT id, task_id, at, user_id, kind, from_staff, to_staff, note FROM care_task_events "
    "WHERE task_id = ? ORDER BY id";

// ---- contacts ----
constexpr std::string_view kInsertContact =
    "INSERT INTO care_contacts (member_id, task_id, at, day, store_id, staff_id, user_id, "
    "channel, outcome, summary, satisfaction, follow_up, follow_up_on) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kListContacts =
    "SELECT id, member_id, task_id, at, day, store_id, staff_id, user_id, channel, outcome, "
    "summary, satisfaction, follow_up, follow_up_on FROM care_contacts WHERE member_id = ? "
    "ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kCountContacts =
    "SELECT COUNT(*) FROM care_contacts WHERE member_id = ?";
constexpr std::string_view kCountContactsSince =
    "SELECT COUNT(*) FROM care_contacts WHERE member_id = ? AND day >= ? "
    "AND outcome IN ('done', 'note')";

// ---- outbox ----
#define VIPCARE_OUTBOX_COLUMNS                                                              \
  "SELECT o.id, o.member_id, o.task_id, o.channel, o.purpose, o.template_code, o.subject, " \
  "o.text, o.status, o.reason, o.detail, o.not_before, o.attempts, o.sender, "              \
  "o.provider_message_id, o.created_at, o.sent_at FROM outbox o "
constexpr std::string_view kOutboxColumns = VIPCARE_OUTBOX_COLUMNS;
constexpr std::string_view kGetOutbox = VIPCARE_OUTBOX_COLUMNS "WHERE o.id = ?";
constexpr std::string_view kDueOutbox =
    VIPCARE_OUTBOX_COLUMNS "WHERE o.status = 'queued' AND o.not_before <= ? ORDER BY o.not_before, o.id LIMIT ?";
#undef VIPCARE_OUTBOX_COLUMNS
constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (member_id, task_id, channel, purpose, template_code, subject, text, "
    "status, reason, detail, not_before, attempts, sender, provider_message_id, created_at, "
    "sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateOutbox =
    "UPDATE outbox SET status = ?, reason = ?, detail = ?, not_before = ?, attempts = ?, "
    "sender = ?, provider_message_id = ?, sent_at = ? WHERE id = ?";
constexpr std::string_view kOutboxListFrom = "FROM outbox o WHERE 1 = 1";
constexpr std::string_view kOutboxMember = " AND o.member_id = ?";
constexpr std::string_view kOutboxStatus = " AND o.status = ?";
constexpr std::string_view kOutboxStore =
    " AND o.member_id IN (SELECT id FROM members WHERE home_store_id = ?)";
constexpr std::string_view kOutboxOrder = " ORDER BY o.id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kMessageTimesSince =
    "SELECT created_at FROM outbox WHERE member_id = ? AND created_at >= ? "
    "AND status IN ('queued', 'sent', 'kept') AND (? = '' OR purpose = ?) ORDER BY created_at";

// ---- leaves ----
#define VIPCARE_LEAVE_COLUMNS \
  "SELECT id, staff_id, from_on, to_on, covered_by, created_at, created_by, ended_at FROM staff_leaves "
constexpr std::string_view kGetLeave = VIPCARE_LEAVE_COLUMNS "WHERE id = ?";
constexpr std::string_view kActiveLeaves =
    VIPCARE_LEAVE_COLUMNS "WHERE from_on <= ? AND to_on >= ? AND ended_at IS NULL ORDER BY id";
constexpr std::string_view kLeavesToEnd =
    VIPCARE_LEAVE_COLUMNS "WHERE to_on < ? AND ended_at IS NULL ORDER BY id";
#undef VIPCARE_LEAVE_COLUMNS
constexpr std::string_view kInsertLeave =
    "INSERT INTO staff_leaves (staff_id, from_on, to_on, covered_by, created_at, created_by) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kEndLeave = "UPDATE staff_leaves SET ended_at = ? WHERE id = ?";

// ---- batch reads of the daily job ----
constexpr std::string_view kLoyaltyFactsBetween =
    "SELECT member_id, program_code, tier_code, last_purchase_on, downgrade_effective_on, "
    "points_balance "
    "FROM member_loyalty "
    "WHERE member_id >= ? AND member_id <= ? ORDER BY member_id";
constexpr std::string_view kPurchaseDaysBetween =
    "SELECT DISTINCT member_id, local_day FROM transactions WHERE member_id >= ? "
    "AND member_id <= ? AND occurred_at >= ? AND kind = 'sale'";
constexpr std::string_view kTaskKeysBetween =
    "SELECT member_id, occasion_key FROM care_tasks WHERE member_id >= ? AND member_id <= ? "
    "AND occasion_on >= ?";
constexpr std::string_view kSpendOnDay =
    "SELECT COALESCE(SUM(paid_total), 0) FROM transactions WHERE member_id = ? AND local_day = ? "
    "AND kind = 'sale'";
constexpr std::string_view kNoticesBetween =
    "SELECT member_id, kind, occasion, due_on, detail FROM loyalty_notices "
    "WHERE member_id >= ? AND member_id <= ? AND due_on >= ? ORDER BY member_id, id";

// ---- plans ----
constexpr std::string_view kGetPlan = "SELECT body FROM care_plans WHERE store_id = ? AND month = ?";
constexpr std::string_view kPutPlan =
    "INSERT INTO care_plans (store_id, month, body, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (store_id, month) DO UPDATE SET body = excluded.body, "
    "updated_at = excluded.updated_at, updated_by = excluded.updated_by";

Value OptDay(const std::optional<Date>& d) { return d ? Value(d->ToString()) : Value(); }
std::optional<Date> ReadDay(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return Date::Parse(r.Text(i));
}
Value OptTime(const std::optional<Timestamp>& t) {
  return t ? Value(ToEpochSeconds(*t)) : Value();
}
std::optional<Timestamp> ReadTime(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return FromEpochSeconds(r.Int(i));
}

CareTaskRecord ReadTask(const Row& r) {
  CareTaskRecord t;
  t.id = r.Int(0);
  t.member_id = MemberId(r.Int(1));
  t.store_id = StoreId(r.IsNull(2) ? 0 : r.Int(2));
  t.rule_code = r.Text(3);
  t.occasion = r.Text(4);
  t.occasion_key = r.Text(5);
  t.name = r.Text(6);
  t.occasion_on = ReadDay(r, 7).value_or(Date());
  t.due_on = ReadDay(r, 8).value_or(Date());
  t.overdue_after = ReadDay(r, 9).value_or(Date());
  t.channel = r.Text(10);
  t.channels = r.Text(11);
  t.dropped = r.Text(12);
  t.action_text = r.Text(13);
  t.template_code = r.Text(14);
  t.purpose = r.Text(15);
  t.pool = r.Text(16);
  t.assignee_id = StaffId(r.IsNull(17) ? 0 : r.Int(17));
  t.away_assignee_id = StaffId(r.IsNull(18) ? 0 : r.Int(18));
  t.status = r.Text(19);
  t.escalated_on = ReadDay(r, 20);
  t.created_at = FromEpochSeconds(r.Int(21));
  t.updated_at = FromEpochSeconds(r.Int(22));
  t.completed_at = ReadTime(r, 23);
  t.completed_by = UserId(r.IsNull(24) ? 0 : r.Int(24));
  t.contact_id = r.IsNull(25) ? 0 : r.Int(25);
  return t;
}

StaffLeave ReadLeave(const Row& r) {
  StaffLeave l;
  l.id = r.Int(0);
  l.staff_id = StaffId(r.Int(1));
  l.from_on = ReadDay(r, 2).value_or(Date());
  l.to_on = ReadDay(r, 3).value_or(Date());
  l.covered_by = StaffId(r.IsNull(4) ? 0 : r.Int(4));
  l.created_at = FromEpochSeconds(r.Int(5));
  l.created_by = UserId(r.IsNull(6) ? 0 : r.Int(6));
  l.ended_at = ReadTime(r, 7);
  return l;
}

class SqlCareRepository final : public CareRepository {
 public:
  SqlCareRepository(Db& db, const Sealer& sealer) : db_(db), sealer_(sealer) {}

  std::optional<VersionedDoc> LatestRuleSet() override { return Latest(kLatestRuleSet); }
  void InsertRuleSet(const VersionedDoc& d) override { InsertDoc(kInsertRuleSet, d); }
  std::optional<VersionedDoc> LatestTemplateSet() override { return Latest(kLatestTemplateSet); }
  void InsertTemplateSet(const VersionedDoc& d) override { InsertDoc(kInsertTemplateSet, d); }

  bool InsertTask(CareTaskRecord& t) override {
    auto r = db_.QueryOne(
        kInsertTask,
        {t.member_id.value, NullIfZero(t.store_id.value), t.rule_code, t.occasion,
         t.occasion_key, t.name, t.occasion_on.ToString(), t.due_on.ToString(),
         t.overdue_after.ToString(), t.channel, t.channels, t.dropped, t.action_text,
         t.template_code, t.purpose, t.pool, NullIfZero(t.assignee_id.value),
         NullIfZero(t.away_assignee_id.value), t.status, OptDay(t.escalated_on),
         ToEpochSeconds(t.created_at), ToEpochSeconds(t.updated_at), OptTime(t.completed_at),
         NullIfZero(t.completed_by.value), NullIfZero(t.contact_id)});
    if (!r) return false;
    t.id = r->Int(0);
    return true;
  }
  std::optional<CareTaskRecord> GetTask(int64_t id) override {
    auto r = db_.QueryOne(kGetTask, {id});
    if (!r) return std::nullopt;
    return ReadTask(*r);
  }
  void UpdateTask(const CareTaskRecord& t) override {
    db_.Exec(kUpdateTask,
             {t.pool, NullIfZero(t.assignee_id.value), NullIfZero(t.away_assignee_id.value),
              t.status, OptDay(t.escalated_on), ToEpochSeconds(t.updated_at),
              OptTime(t.completed_at), NullIfZero(t.completed_by.value), NullIfZero(t.contact_id),
              t.id});
  }
  PageOf<CareTaskRecord> ListTasks(const CareTaskFilter& f, Page page) override {
    std::string where(kTaskListFrom);
    std::vector<Value> p;
    auto add = [&](std::string_view fragment, Value v) {
      where += fragment;
      p.push_back(std::move(v));
    };
    if (f.from) add(kTaskFrom, f.from->ToString());
    if (f.to) add(kTaskTo, f.to->ToString());
    if (f.member) add(kTaskMember, f.member->value);
    if (f.assignee) add(kTaskAssignee, f.assignee->value);
    if (f.store) add(kTaskStore, f.store->value);
    if (f.region) add(kTaskRegion, f.region->value);
    if (f.status == "pending") {
      where += kTaskPending;
    } else if (!f.status.empty()) {
      add(kTaskStatus, f.status);
    }
    if (!f.occasion.empty()) add(kTaskOccasion, f.occasion);
    if (!f.pool.empty()) add(kTaskPool, f.pool);
    if (!f.channel.empty()) add(kTaskChannel, f.channel);
    if (f.overdue_on) add(kTaskOverdue, f.overdue_on->ToString());
    PageOf<CareTaskRecord> out;
    out.total = db_.QueryOne("SELECT COUNT(*) " + where, p)->Int(0);
    p.push_back(page.limit);
    p.push_back(page.offset);
    std::string sql(kTaskColumns);
    sql += where.substr(std::string_view("FROM care_tasks t ").size());
    sql += kTaskOrder;
    for (const auto& r : db_.Query(sql, p)) out.items.push_back(ReadTask(r));
    return out;
  }
  void AppendTaskEvent(const CareTaskEvent& e) override {
    db_.Exec(kInsertTaskEvent,
             {e.task_id, ToEpochSeconds(e.at), NullIfZero(e.user_id.value), e.kind,
              NullIfZero(e.from_staff.value), NullIfZero(e.to_staff.value), e.note});
  }
  std::vector<CareTaskEvent> ListTaskEvents(int64_t task_id) override {
    std::vector<CareTaskEvent> out;
    for (const auto& r : db_.Query(kListTaskEvents, {task_id})) {
      out.push_back({r.Int(0), r.Int(1), FromEpochSeconds(r.Int(2)),
                     UserId(r.IsNull(3) ? 0 : r.Int(3)), r.Text(4),
                     StaffId(r.IsNull(5) ? 0 : r.Int(5)), StaffId(r.IsNull(6) ? 0 : r.Int(6)),
                     r.Text(7)});
    }
    return out;
  }
  std::vector<CareTaskRecord> OverdueUnescalated(Date day, int64_t limit) override {
    return Tasks(kOverdueUnescalated, {day.ToString(), limit});
  }
  std::vector<CareTaskRecord> PendingTasksOf(StaffId staff) override {
    return Tasks(kPendingTasksOf, {staff.value});
  }
  std::vector<CareTaskRecord> PendingTasksAwayFrom(StaffId staff) override {
    return Tasks(kPendingTasksAwayFrom, {staff.value});
  }
  std::vector<CareReportRow> TasksDueInStore(StoreId store, Date from, Date to) override {
    std::vector<CareReportRow> out;
    for (const auto& r : db_.Query(kTasksDueInStore, {store.value, from.ToString(), to.ToString()})) {
      CareReportRow row;
      row.channel = r.Text(0);
      row.member_id = MemberId(r.Int(1));
      row.status = r.Text(2);
      row.due_on = ReadDay(r, 3).value_or(Date());
      row.overdue_after = ReadDay(r, 4).value_or(Date());
      row.completed_at = ReadTime(r, 5);
      out.push_back(std::move(row));
    }
    return out;
  }

  int64_t InsertContact(const CareContact& c) override {
    return db_.QueryOne(
                  kInsertContact,
                  {c.member_id.value, NullIfZero(c.task_id), ToEpochSeconds(c.at),
                   c.day.ToString(), NullIfZero(c.store_id.value), NullIfZero(c.staff_id.value),
                   NullIfZero(c.user_id.value), c.channel, c.outcome,
                   sealer_.SealOrNull(kSummary, c.summary),
                   c.satisfaction ? Value(int64_t(*c.satisfaction)) : Value(),
                   sealer_.SealOrNull(kFollowUp, c.follow_up), OptDay(c.follow_up_on)})
        ->Int(0);
  }
  PageOf<CareContact> ListContacts(MemberId member, Page page) override {
    PageOf<CareContact> out;
    out.total = db_.QueryOne(kCountContacts, {member.value})->Int(0);
    for (const auto& r : db_.Query(kListContacts, {member.value, page.limit, page.offset})) {
      CareContact c;
      c.id = r.Int(0);
      c.member_id = MemberId(r.Int(1));
      c.task_id = r.IsNull(2) ? 0 : r.Int(2);
      c.at = FromEpochSeconds(r.Int(3));
      c.day = ReadDay(r, 4).value_or(Date());
      c.store_id = StoreId(r.IsNull(5) ? 0 : r.Int(5));
      c.staff_id = StaffId(r.IsNull(6) ? 0 : r.Int(6));
      c.user_id = UserId(r.IsNull(7) ? 0 : r.Int(7));
      c.channel = r.Text(8);
      c.outcome = r.Text(9);
      c.summary = r.IsNull(10) ? "" : sealer_.Open(kSummary, r.Text(10));
      if (!r.IsNull(11)) c.satisfaction = int(r.Int(11));
      c.follow_up = r.IsNull(12) ? "" : sealer_.Open(kFollowUp, r.Text(12));
      c.follow_up_on = ReadDay(r, 13);
      out.items.push_back(std::move(c));
    }
    return out;
  }
  int64_t CountContactsSince(MemberId member, Date since) override {
    return db_.QueryOne(kCountContactsSince, {member.value, since.ToString()})->Int(0);
  }

  int64_t InsertOutbox(const OutboxMessage& m) override {
    return db_.QueryOne(kInsertOutbox,
                        {m.member_id.value, NullIfZero(m.task_id), m.channel, m.purpose,
                         m.template_code, sealer_.SealOrNull(kSubject, m.subject),
                         sealer_.SealOrNull(kText, m.text), m.status, m.reason, m.detail,
                         ToEpochSeconds(m.not_before), int64_t(m.attempts), m.sender,
                         m.provider_message_id, ToEpochSeconds(m.created_at),
                         OptTime(m.sent_at)})
        ->Int(0);
  }
  std::optional<OutboxMessage> GetOutbox(int64_t id) override {
    auto r = db_.QueryOne(kGetOutbox, {id});
    if (!r) return std::nullopt;
    return ReadOutbox(*r);
  }
  void UpdateOutbox(const OutboxMessage& m) override {
    db_.Exec(kUpdateOutbox, {m.status, m.reason, m.detail, ToEpochSeconds(m.not_before),
                             int64_t(m.attempts), m.sender, m.provider_message_id,
                             OptTime(m.sent_at), m.id});
  }
  PageOf<OutboxMessage> ListOutbox(const OutboxFilter& f, Page page) override {
    std::string where(kOutboxListFrom);
    std::vector<Value> p;
    if (f.member) {
      where += kOutboxMember;
      p.push_back(f.member->value);
    }
    if (!f.status.empty()) {
      where += kOutboxStatus;
      p.push_back(f.status);
    }
    if (f.store) {
      where += kOutboxStore;
      p.push_back(f.store->value);
    }
    PageOf<OutboxMessage> out;
    out.total = db_.QueryOne("SELECT COUNT(*) " + where, p)->Int(0);
    p.push_back(page.limit);
    p.push_back(page.offset);
    std::string sql(kOutboxColumns);
    sql += where.substr(std::string_view("FROM outbox o ").size());
    sql += kOutboxOrder;
    for (const auto& r : db_.Query(sql, p)) out.items.push_back(ReadOutbox(r));
    return out;
  }
  std::vector<OutboxMessage> DueOutbox(Timestamp now, int64_t limit) override {
    std::vector<OutboxMessage> out;
    for (const auto& r : db_.Query(kDueOutbox, {ToEpochSeconds(now), limit})) {
      out.push_back(ReadOutbox(r));
    }
    return out;
  }
  std::vector<Timestamp> MessageTimesSince(MemberId member, Timestamp since,
                                           const std::string& purpose) override {
    std::vector<Timestamp> out;
    for (const auto& r :
         db_.Query(kMessageTimesSince, {member.value, ToEpochSeconds(since), purpose, purpose})) {
      out.push_back(FromEpochSeconds(r.Int(0)));
    }
    return out;
  }

  int64_t InsertLeave(const StaffLeave& l) override {
    return db_.QueryOne(kInsertLeave, {l.staff_id.value, l.from_on.ToString(), l.to_on.ToString(),
                                       NullIfZero(l.covered_by.value),
                                       ToEpochSeconds(l.created_at),
                                       NullIfZero(l.created_by.value)})
        ->Int(0);
  }
  std::optional<StaffLeave> GetLeave(int64_t id) override {
    auto r = db_.QueryOne(kGetLeave, {id});
    if (!r) return std::nullopt;
    return ReadLeave(*r);
  }
  void EndLeave(int64_t id, Timestamp at) override { db_.Exec(kEndLeave, {ToEpochSeconds(at), id}); }
  std::vector<StaffLeave> ActiveLeaves(Date day) override {
    std::vector<StaffLeave> out;
    for (const auto& r : db_.Query(kActiveLeaves, {day.ToString(), day.ToString()})) {
      out.push_back(ReadLeave(r));
    }
    return out;
  }
  std::vector<StaffLeave> LeavesToEnd(Date day) override {
    std::vector<StaffLeave> out;
    for (const auto& r : db_.Query(kLeavesToEnd, {day.ToString()})) out.push_back(ReadLeave(r));
    return out;
  }

  std::vector<CareLoyaltyFacts> LoyaltyFactsBetween(MemberId first, MemberId last) override {
    std::vector<CareLoyaltyFacts> out;
    for (const auto& r : db_.Query(kLoyaltyFactsBetween, {first.value, last.value})) {
      out.push_back({MemberId(r.Int(0)), r.Text(1), r.Text(2), ReadDay(r, 3), ReadDay(r, 4),
                     Points(r.Int(5))});
    }
    return out;
  }
  std::vector<std::pair<MemberId, Date>> PurchaseDaysBetween(MemberId first, MemberId last,
                                                              Timestamp since) override {
    std::vector<std::pair<MemberId, Date>> out;
    for (const auto& r :
         db_.Query(kPurchaseDaysBetween, {first.value, last.value, ToEpochSeconds(since)})) {
      if (auto d = ReadDay(r, 1)) out.emplace_back(MemberId(r.Int(0)), *d);
    }
    return out;
  }
  std::vector<std::pair<MemberId, std::string>> TaskKeysBetween(MemberId first, MemberId last,
                                                                Date since) override {
    std::vector<std::pair<MemberId, std::string>> out;
    for (const auto& r : db_.Query(kTaskKeysBetween, {first.value, last.value, since.ToString()})) {
      out.emplace_back(MemberId(r.Int(0)), r.Text(1));
    }
    return out;
  }
  Fen SpendOnDay(MemberId member, Date day) override {
    return Fen(db_.QueryOne(kSpendOnDay, {member.value, day.ToString()})->Int(0));
  }
  std::vector<CareNotice> NoticesBetween(MemberId first, MemberId last, Date from) override {
    std::vector<CareNotice> out;
    for (const auto& r : db_.Query(kNoticesBetween, {first.value, last.value, from.ToString()})) {
      out.push_back({MemberId(r.Int(0)), r.Text(1), r.Text(2), ReadDay(r, 3).value_or(Date()),
                     r.Text(4)});
    }
    return out;
  }

  std::optional<std::string> GetPlan(StoreId store, const std::string& month) override {
    auto r = db_.QueryOne(kGetPlan, {store.value, month});
    if (!r) return std::nullopt;
    return r->Text(0);
  }
  void PutPlan(StoreId store, const std::string& month, const std::string& body, Timestamp at,
               UserId by) override {
    db_.Exec(kPutPlan, {store.value, month, body, ToEpochSeconds(at), NullIfZero(by.value)});
  }

  // ---- monthly report (service/care_report) and leave lists (service/staff_leave) ----
  static constexpr std::string_view kTasksDueInStoreWithTier =
      "SELECT t.channel, t.member_id, t.status, t.due_on, t.overdue_after, t.completed_at, "
      "COALESCE(l.tier_code, ''), COALESCE(l.program_code, '') FROM care_tasks t "
      "LEFT JOIN member_loyalty l ON l.member_id = t.member_id "
      "WHERE t.store_id = ? AND t.due_on >= ? AND t.due_on <= ? ORDER BY t.id";
  static constexpr std::string_view kVisitedMemberPoints =
      "SELECT mm.member_id, mm.points FROM member_months mm WHERE mm.month = ? "
      "AND mm.member_id IN (SELECT t.member_id FROM care_tasks t WHERE t.store_id = ? "
      "AND t.due_on >= ? AND t.due_on <= ? AND t.status = 'done') ORDER BY mm.member_id";
#define VIPCARE_LEAVE_COLUMNS_L                                                          \
  "SELECT l.id, l.staff_id, l.from_on, l.to_on, l.covered_by, l.created_at, l.created_by, " \
  "l.ended_at "
  static constexpr std::string_view kLeaveColumns = VIPCARE_LEAVE_COLUMNS_L;
  static constexpr std::string_view kLeavesOf =
      VIPCARE_LEAVE_COLUMNS_L "FROM staff_leaves l WHERE l.staff_id = ? ORDER BY l.from_on, l.id";
#undef VIPCARE_LEAVE_COLUMNS_L
  static constexpr std::string_view kLeaveListFrom =
      "FROM staff_leaves l JOIN staff s ON s.id = l.staff_id WHERE 1 = 1";
  static constexpr std::string_view kLeaveStaff = " AND l.staff_id = ?";
  static constexpr std::string_view kLeaveStore = " AND s.store_id = ?";
  static constexpr std::string_view kLeaveRegion =
      " AND (s.store_id IN (SELECT id FROM stores WHERE region_id = ?) OR s.region_id = ?)";
  static constexpr std::string_view kLeaveScheduled = " AND l.ended_at IS NULL AND l.from_on > ?";
  static constexpr std::string_view kLeaveActive =
      " AND l.ended_at IS NULL AND l.from_on <= ? AND l.to_on >= ?";
  static constexpr std::string_view kLeaveEnded = " AND (l.ended_at IS NOT NULL OR l.to_on < ?)";
  static constexpr std::string_view kLeaveOrder =
      " ORDER BY l.from_on DESC, l.id DESC LIMIT ? OFFSET ?";

  std::vector<CareReportRow> TasksDueInStoreWithTier(StoreId store, Date from, Date to) override {
    std::vector<CareReportRow> out;
    for (const auto& r :
         db_.Query(kTasksDueInStoreWithTier, {store.value, from.ToString(), to.ToString()})) {
      CareReportRow row;
      row.channel = r.Text(0);
      row.member_id = MemberId(r.Int(1));
      row.status = r.Text(2);
      row.due_on = ReadDay(r, 3).value_or(Date());
      row.overdue_after = ReadDay(r, 4).value_or(Date());
      row.completed_at = ReadTime(r, 5);
      row.tier = r.Text(6);
      row.program = r.Text(7);
      out.push_back(std::move(row));
    }
    return out;
  }
  std::vector<std::pair<MemberId, Points>> VisitedMemberPoints(StoreId store, Date from, Date to,
                                                               int64_t month) override {
    std::vector<std::pair<MemberId, Points>> out;
    for (const auto& r : db_.Query(kVisitedMemberPoints,
                                   {month, store.value, from.ToString(), to.ToString()})) {
      out.emplace_back(MemberId(r.Int(0)), Points(r.Int(1)));
    }
    return out;
  }
  std::vector<StaffLeave> LeavesOf(StaffId staff) override {
    std::vector<StaffLeave> out;
    for (const auto& r : db_.Query(kLeavesOf, {staff.value})) out.push_back(ReadLeave(r));
    return out;
  }
  PageOf<StaffLeave> ListLeaves(const LeaveQuery& q, Page page) override {
    std::string where(kLeaveListFrom);
    std::vector<Value> p;
    if (q.staff) {
      where += kLeaveStaff;
      p.push_back(q.staff->value);
    }
    if (q.store) {
      where += kLeaveStore;
      p.push_back(q.store->value);
    }
    if (q.region) {
      where += kLeaveRegion;
      p.push_back(q.region->value);
      p.push_back(q.region->value);
    }
    const std::string today = q.today.ToString();
    if (q.status == "scheduled") {
      where += kLeaveScheduled;
      p.push_back(today);
    } else if (q.status == "active") {
      where += kLeaveActive;
      p.push_back(today);
      p.push_back(today);
    } else if (q.status == "ended") {
      where += kLeaveEnded;
      p.push_back(today);
    }
    PageOf<StaffLeave> out;
    out.total = db_.QueryOne("SELECT COUNT(*) " + where, p)->Int(0);
    p.push_back(page.limit);
    p.push_back(page.offset);
    std::string sql(kLeaveColumns);
    sql += where;
    sql += kLeaveOrder;
    for (const auto& r : db_.Query(sql, p)) out.items.push_back(ReadLeave(r));
    return out;
  }

  // ---- stored goods (C6, service/stored_goods) ----
#define VIPCARE_GOODS_COLUMNS                                                                  \
  "SELECT id, member_id, store_id, description, quantity, transaction_id, stored_on, "         \
  "pickup_by, collected_on, collected_by, created_at, created_by FROM stored_goods "
  static constexpr std::string_view kInsertStoredGoods =
      "INSERT INTO stored_goods (member_id, store_id, description, quantity, transaction_id, "
      "stored_on, pickup_by, collected_on, collected_by, created_at, created_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
  static constexpr std::string_view kGetStoredGoods = VIPCARE_GOODS_COLUMNS "WHERE id = ?";
  static constexpr std::string_view kMarkCollected =
      "UPDATE stored_goods SET collected_on = ?, collected_by = ? "
      "WHERE id = ? AND collected_on IS NULL";
  static constexpr std::string_view kCountGoods =
      "SELECT COUNT(*) FROM stored_goods WHERE member_id = ? AND (? = 1 OR collected_on IS NULL)";
  static constexpr std::string_view kListGoods =
      VIPCARE_GOODS_COLUMNS
      "WHERE member_id = ? AND (? = 1 OR collected_on IS NULL) "
      "ORDER BY CASE WHEN collected_on IS NULL THEN 0 ELSE 1 END, stored_on, id LIMIT ? OFFSET ?";
  static constexpr std::string_view kUncollectedGoodsOf =
      "SELECT description FROM stored_goods WHERE member_id = ? AND collected_on IS NULL "
      "ORDER BY stored_on, id";
#undef VIPCARE_GOODS_COLUMNS
  static constexpr std::string_view kOldestUncollectedGoods =
      "SELECT member_id, MIN(stored_on) FROM stored_goods "
      "WHERE member_id >= ? AND member_id <= ? AND collected_on IS NULL "
      "GROUP BY member_id ORDER BY member_id";
  static constexpr std::string_view kMoveStoredGoods =
      "UPDATE stored_goods SET member_id = ? WHERE member_id = ?";

  int64_t InsertStoredGoods(const StoredGoodsRecord& g) override {
    return db_.QueryOne(kInsertStoredGoods,
                        {g.member_id.value, g.store_id.value, g.description, g.quantity,
                         NullIfZero(g.transaction_id), g.stored_on.ToString(), OptDay(g.pickup_by),
                         OptDay(g.collected_on), NullIfZero(g.collected_by.value),
                         ToEpochSeconds(g.created_at), NullIfZero(g.created_by.value)})
        ->Int(0);
  }
  std::optional<StoredGoodsRecord> GetStoredGoods(int64_t id) override {
    auto r = db_.QueryOne(kGetStoredGoods, {id});
    if (!r) return std::nullopt;
    return ReadGoods(*r);
  }
  bool MarkCollected(int64_t id, Date day, UserId by) override {
    return db_.Exec(kMarkCollected, {day.ToString(), NullIfZero(by.value), id}) == 1;
  }
  PageOf<StoredGoodsRecord> ListStoredGoods(MemberId member, bool include_collected,
                                            Page page) override {
    const int64_t all = include_collected ? 1 : 0;
    PageOf<StoredGoodsRecord> out;
    out.total = db_.QueryOne(kCountGoods, {member.value, all})->Int(0);
    for (const auto& r : db_.Query(kListGoods, {member.value, all, page.limit, page.offset})) {
      out.items.push_back(ReadGoods(r));
    }
    return out;
  }
  std::vector<std::pair<MemberId, Date>> OldestUncollectedGoodsBetween(MemberId first,
                                                                       MemberId last) override {
    std::vector<std::pair<MemberId, Date>> out;
    for (const auto& r : db_.Query(kOldestUncollectedGoods, {first.value, last.value})) {
      if (auto d = ReadDay(r, 1)) out.emplace_back(MemberId(r.Int(0)), *d);
    }
    return out;
  }
  std::string UncollectedGoodsText(MemberId member) override {
    std::string out;
    for (const auto& r : db_.Query(kUncollectedGoodsOf, {member.value})) {
      if (!out.empty()) out += "、";
      out += r.Text(0);
    }
    return out;
  }
  int64_t MoveStoredGoods(MemberId from, MemberId into) override {
    return db_.Exec(kMoveStoredGoods, {into.value, from.value});
  }
  static StoredGoodsRecord ReadGoods(const Row& r) {
    StoredGoodsRecord g;
    g.id = r.Int(0);
    g.member_id = MemberId(r.Int(1));
    g.store_id = StoreId(r.Int(2));
    g.description = r.Text(3);
    g.quantity = r.Int(4);
    g.transaction_id = r.IsNull(5) ? 0 : r.Int(5);
    g.stored_on = ReadDay(r, 6).value_or(Date());
    g.pickup_by = ReadDay(r, 7);
    g.collected_on = ReadDay(r, 8);
    g.collected_by = UserId(r.IsNull(9) ? 0 : r.Int(9));
    g.created_at = FromEpochSeconds(r.Int(10));
    g.created_by = UserId(r.IsNull(11) ? 0 : r.Int(11));
    return g;
  }

 private:
  static constexpr std::string_view kSummary = "care_contacts.summary";
  static constexpr std::string_view kFollowUp = "care_contacts.follow_up";
  static constexpr std::string_view kSubject = "outbox.subject";
  static constexpr std::string_view kText = "outbox.text";

  std::optional<VersionedDoc> Latest(std::string_view sql) {
    auto r = db_.QueryOne(sql);
    if (!r) return std::nullopt;
    return VersionedDoc{r->Int(0), r->Text(1), FromEpochSeconds(r->Int(2)),
                        UserId(r->IsNull(3) ? 0 : r->Int(3))};
  }
  void InsertDoc(std::string_view sql, const VersionedDoc& d) {
    db_.Exec(sql, {d.version, d.body, ToEpochSeconds(d.created_at), NullIfZero(d.created_by.value)});
  }
  std::vector<CareTaskRecord> Tasks(std::string_view sql, const std::vector<Value>& p) {
    std::vector<CareTaskRecord> out;
    for (const auto& r : db_.Query(sql, p)) out.push_back(ReadTask(r));
    return out;
  }
  OutboxMessage ReadOutbox(const Row& r) const {
    OutboxMessage m;
    m.id = r.Int(0);
    m.member_id = MemberId(r.Int(1));
    m.task_id = r.IsNull(2) ? 0 : r.Int(2);
    m.channel = r.Text(3);
    m.purpose = r.Text(4);
    m.template_code = r.Text(5);
    m.subject = r.IsNull(6) ? "" : sealer_.Open(kSubject, r.Text(6));
    m.text = r.IsNull(7) ? "" : sealer_.Open(kText, r.Text(7));
    m.status = r.Text(8);
    m.reason = r.Text(9);
    m.detail = r.Text(10);
    m.not_before = FromEpochSeconds(r.Int(11));
    m.attempts = int(r.Int(12));
    m.sender = r.Text(13);
    m.provider_message_id = r.Text(14);
    m.created_at = FromEpochSeconds(r.Int(15));
    m.sent_at = ReadTime(r, 16);
    return m;
  }

  Db& db_;
  const Sealer& sealer_;
};

}  // namespace

std::unique_ptr<CareRepository> MakeSqlCareRepository(Db& db, const Sealer& sealer) {
  return std::make_unique<SqlCareRepository>(db, sealer);
}

}  // namespace vipcare::store
