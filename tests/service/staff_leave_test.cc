// Leave handover (请假交接, SPEC C2) through service::StaffLeaves, with the
// care engine (service::Care) on the backend VIPCARE_TEST_BACKEND selects.
// SH01 has the associate 导购张丽 (on leave in these tests), a second
// associate 导购王芳 who may cover, and the store manager 店长刘强.
#include "service/staff_leave.h"

#include <gtest/gtest.h>

#include "service/care.h"
#include "service/loyalty_core.h"
#include "service/org.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class StaffLeaveTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  StaffLeaveTest() {
    associate_ = fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
    Org org(fx_.env());
    auto cover = org.CreateStaff(fx_.admin(), {{"employee_no", "E010"},
                                               {"name", "导购王芳"},
                                               {"role", "associate"},
                                               {"store_id", fx_.org().sh01.value}});
    EXPECT_TRUE(cover.ok());
    if (cover.ok()) cover_ = cover->id;
    auto sup = org.CreateStaff(fx_.admin(), {{"employee_no", "R001"},
                                             {"name", "主管周明"},
                                             {"role", "regional_supervisor"},
                                             {"region_id", fx_.org().east.value}});
    EXPECT_TRUE(sup.ok());
    if (sup.ok()) supervisor_ = fx_.AddUser("sup.east", Role::kRegionalSupervisor, sup->id);
    At(D(2027, 9, 10));
  }

  // A formal member of SH01 looked after by 导购张丽, with `tier`.
  MemberId Member(const std::string& name, const std::string& tier) {
    json body = fx_.MemberBody(name, fx_.org().sh01);
    body["associate_id"] = fx_.org().associate_sh01.value;
    body["status"] = "formal";
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    if (!m.ok()) return MemberId();
    const MemberId id = m->member.id;
    SetTier(id, tier);
    return id;
  }

  // A phone task of `m` due on `due` (overdue after `overdue_after`),
  // assigned to `assignee`, in `status`.
  int64_t AddTask(MemberId m, const std::string& key, Date due, Date overdue_after,
                  StaffId assignee, const std::string& status = "open") {
    auto id = fx_.store().Write([&](store::Repository& repo) -> Result<int64_t> {
      store::CareTaskRecord t;
      t.member_id = m;
      t.store_id = fx_.org().sh01;
      t.rule_code = "test";
      t.occasion = "test";
      t.occasion_key = key;
      t.name = "回访";
      t.occasion_on = due;
      t.due_on = due;
      t.overdue_after = overdue_after;
      t.channel = "phone";
      t.channels = "phone";
      t.purpose = "service";
      t.pool = "associate";
      t.assignee_id = assignee;
      t.status = status;
      t.created_at = fx_.clock().Now();
      t.updated_at = t.created_at;
      if (!repo.care().InsertTask(t)) return Error::Conflict("task exists");
      return t.id;
    });
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  store::CareTaskRecord Task(int64_t id) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<store::CareTaskRecord> {
      auto t = repo.care().GetTask(id);
      if (!t) return Error::NotFound("task");
      return *t;
    });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : store::CareTaskRecord();
  }
  // Pending tasks waiting to go back to 导购张丽.
  int64_t AwayFromAssociate() {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<int64_t> {
      return int64_t(repo.care().PendingTasksAwayFrom(fx_.org().associate_sh01).size());
    });
    return r.ok() ? *r : -1;
  }
  std::string LastEvent(int64_t task) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<std::string> {
      auto events = repo.care().ListTaskEvents(task);
      return events.empty() ? std::string() : events.back().kind;
    });
    return r.ok() ? *r : "";
  }

  json Leave(const std::string& from, const std::string& to, StaffId cover = {}) {
    json body = {{"staff_id", fx_.org().associate_sh01.value}, {"from", from}, {"to", to}};
    if (cover) body["covered_by"] = cover.value;
    return body;
  }

  std::map<std::string, int64_t> RunLeaves(Date day) {
    fx_.clock().Set(fx_.env().tz.StartOfDay(day) + std::chrono::hours(1));
    std::map<std::string, int64_t> counts;
    auto st = leaves_.RunDay(fx_.admin(), day, counts);
    EXPECT_TRUE(st.ok()) << st.error().message;
    return counts;
  }
  static int64_t Count(const std::map<std::string, int64_t>& c, const std::string& key) {
    auto it = c.find(key);
    return it == c.end() ? 0 : it->second;
  }

  StaffLeaves leaves_{fx_.env()};
  Care care_{fx_.env()};
  LoyaltyJobs care_jobs_{fx_.env(), LoyaltyJobs::kBatchSize, &care_};
  Actor associate_, supervisor_;
  StaffId cover_;
};

TEST_F(StaffLeaveTest, C2_ALeaveFromTodayHandsPendingTasksToTheStoreManagerAndEndingItGivesThemBack) {
  const MemberId m = Member("甲会员", "gold");
  const MemberId n = Member("乙会员", "");
  const int64_t open = AddTask(m, "c2:open", D(2027, 9, 12), D(2027, 9, 14), fx_.org().associate_sh01);
  const int64_t forwarded =
      AddTask(n, "c2:fwd", D(2027, 9, 11), D(2027, 9, 13), fx_.org().associate_sh01, "forwarded");
  const int64_t done =
      AddTask(m, "c2:done", D(2027, 9, 9), D(2027, 9, 11), fx_.org().associate_sh01, "done");
  const int64_t others =
      AddTask(n, "c2:other", D(2027, 9, 12), D(2027, 9, 14), fx_.org().associate_sh02);

  // No cover named: the store manager of SH01 covers.
  auto started = leaves_.Start(manager_, Leave("2027-09-10", "2027-09-12"));
  ASSERT_TRUE(started.ok()) << started.error().field << ": " << started.error().message;
  EXPECT_EQ((*started)["status"], "active");
  EXPECT_EQ((*started)["covered_by"], fx_.org().manager_sh01.value);
  EXPECT_EQ((*started)["covered_by_name"], "店长刘强");
  EXPECT_EQ((*started)["staff_name"], "导购张丽");
  EXPECT_EQ((*started)["tasks_handed_over"], 2);

  for (int64_t id : {open, forwarded}) {
    auto t = Task(id);
    EXPECT_EQ(t.assignee_id, fx_.org().manager_sh01) << id;
    EXPECT_EQ(t.away_assignee_id, fx_.org().associate_sh01) << id;
    EXPECT_EQ(LastEvent(id), "handed_over") << id;
  }
  EXPECT_EQ(Task(forwarded).status, "forwarded");
  EXPECT_EQ(Task(done).assignee_id, fx_.org().associate_sh01) << "a done task stays put";
  EXPECT_EQ(Task(others).assignee_id, fx_.org().associate_sh02);
  // The associate's list is empty while away; the manager works the tasks.
  auto mine = care_.ListTasks(associate_, {{"status", "pending"}}, {50, 0});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ((*mine)["total"], 0);
  EXPECT_EQ(fx_.CountAudit("leave_start"), 1);

  At(D(2027, 9, 11));  // back a day early
  auto ended = leaves_.End(manager_, (*started)["id"].get<int64_t>());
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_EQ((*ended)["status"], "ended");
  EXPECT_EQ((*ended)["tasks_returned"], 2);
  for (int64_t id : {open, forwarded}) {
    auto t = Task(id);
    EXPECT_EQ(t.assignee_id, fx_.org().associate_sh01) << id;
    EXPECT_FALSE(t.away_assignee_id) << id;
    EXPECT_EQ(LastEvent(id), "returned") << id;
  }
  mine = care_.ListTasks(associate_, {{"status", "pending"}}, {50, 0});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ((*mine)["total"], 2);

  auto twice = leaves_.End(manager_, (*started)["id"].get<int64_t>());
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(twice.error().field, "id");
  EXPECT_EQ(fx_.CountAudit("leave_end"), 1);
}

TEST_F(StaffLeaveTest, C2_ALeaveRegisteredAheadStartsAndEndsWithTheDailyRun) {
  const MemberId m = Member("丙会员", "purple_diamond");
  const int64_t t = AddTask(m, "c2:ahead", D(2027, 9, 13), D(2027, 9, 20), fx_.org().associate_sh01);
  auto leave = leaves_.Start(manager_, Leave("2027-09-13", "2027-09-16", cover_));
  ASSERT_TRUE(leave.ok()) << leave.error().field << ": " << leave.error().message;
  EXPECT_EQ((*leave)["status"], "scheduled");
  EXPECT_EQ((*leave)["tasks_handed_over"], 0);
  EXPECT_EQ(Task(t).assignee_id, fx_.org().associate_sh01) << "not before the leave begins";

  auto before = RunLeaves(D(2027, 9, 12));
  EXPECT_EQ(Count(before, "leaves_started"), 0);
  EXPECT_EQ(Count(before, "tasks_handed_over"), 0);

  auto first_day = RunLeaves(D(2027, 9, 13));
  EXPECT_EQ(Count(first_day, "leaves_started"), 1);
  EXPECT_EQ(Count(first_day, "tasks_handed_over"), 1);
  EXPECT_EQ(Task(t).assignee_id, cover_);
  EXPECT_EQ(Task(t).away_assignee_id, fx_.org().associate_sh01);

  // The mid-autumn greeting made while she is away goes straight to the cover.
  fx_.clock().Set(fx_.env().tz.StartOfDay(D(2027, 9, 14)) + std::chrono::hours(1));
  ASSERT_TRUE(care_jobs_.RunThrough(fx_.admin(), D(2027, 9, 14)).ok());
  auto tasks = care_.MemberTasks(fx_.admin(), m, {50, 0});
  ASSERT_TRUE(tasks.ok());
  int64_t greeting = 0;
  for (const auto& item : (*tasks)["items"]) {
    if (item["occasion"] == "mid_autumn") greeting = item["id"].get<int64_t>();
  }
  ASSERT_NE(greeting, 0);
  EXPECT_EQ(Task(greeting).assignee_id, cover_);
  EXPECT_EQ(Task(greeting).away_assignee_id, fx_.org().associate_sh01);

  // The last day of the leave is still a day away.
  auto last_day = RunLeaves(D(2027, 9, 16));
  EXPECT_EQ(Count(last_day, "leaves_ended"), 0);
  EXPECT_EQ(Count(last_day, "tasks_handed_over"), 0);

  // Everything handed over (the task above, the greeting and whatever else
  // the day's rules made for her members) comes back.
  const int64_t away = AwayFromAssociate();
  EXPECT_GE(away, 2);
  auto back = RunLeaves(D(2027, 9, 17));
  EXPECT_EQ(Count(back, "leaves_ended"), 1);
  EXPECT_EQ(Count(back, "tasks_returned"), away);
  EXPECT_EQ(AwayFromAssociate(), 0);
  for (int64_t id : {t, greeting}) {
    EXPECT_EQ(Task(id).assignee_id, fx_.org().associate_sh01) << id;
    EXPECT_FALSE(Task(id).away_assignee_id) << id;
  }
  // Running the day again changes nothing.
  auto again = RunLeaves(D(2027, 9, 17));
  EXPECT_EQ(Count(again, "leaves_ended"), 0);
  EXPECT_EQ(Count(again, "tasks_returned"), 0);
  EXPECT_EQ(fx_.CountAudit("leave_end"), 1);
  auto listed = leaves_.List(manager_, {{"status", "ended"}}, {50, 0});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)["total"], 1);
}

TEST_F(StaffLeaveTest, C2_ATaskEscalatedAsOverdueDuringTheLeaveStaysWithTheStoreManager) {
  const MemberId m = Member("丁会员", "gold");
  const int64_t t = AddTask(m, "c2:late", D(2027, 9, 10), D(2027, 9, 11), fx_.org().associate_sh01);
  auto leave = leaves_.Start(manager_, Leave("2027-09-10", "2027-09-20", cover_));
  ASSERT_TRUE(leave.ok()) << leave.error().message;
  EXPECT_EQ(Task(t).assignee_id, cover_);
  // Not done by the end of its window: escalated to the store manager.
  fx_.clock().Set(fx_.env().tz.StartOfDay(D(2027, 9, 12)) + std::chrono::hours(1));
  ASSERT_TRUE(care_jobs_.RunThrough(fx_.admin(), D(2027, 9, 12)).ok());
  ASSERT_EQ(Task(t).assignee_id, fx_.org().manager_sh01);
  ASSERT_TRUE(Task(t).escalated_on);
  // Whatever else waits for her comes back; the escalated task does not.
  const int64_t away = AwayFromAssociate();
  At(D(2027, 9, 13));
  auto ended = leaves_.End(supervisor_, (*leave)["id"].get<int64_t>());
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_EQ((*ended)["tasks_returned"], away - 1);
  EXPECT_EQ(AwayFromAssociate(), 0);
  EXPECT_EQ(Task(t).assignee_id, fx_.org().manager_sh01);
  EXPECT_FALSE(Task(t).away_assignee_id);
}

TEST_F(StaffLeaveTest, C2_BadLeaveInputNamesTheFieldAndChangesNothing) {
  const MemberId m = Member("戊会员", "");
  const int64_t t = AddTask(m, "c2:bad", D(2027, 9, 12), D(2027, 9, 14), fx_.org().associate_sh01);
  const int64_t me = fx_.org().associate_sh01.value;
  const std::pair<json, std::string> cases[] = {
      {json::object(), "staff_id"},
      {{{"staff_id", "张丽"}, {"from", "2027-09-10"}, {"to", "2027-09-12"}}, "staff_id"},
      {{{"staff_id", 999999}, {"from", "2027-09-10"}, {"to", "2027-09-12"}}, "staff_id"},
      {{{"staff_id", me}, {"from", "2027-9-10"}, {"to", "2027-09-12"}}, "from"},
      {{{"staff_id", me}, {"to", "2027-09-12"}}, "from"},
      {{{"staff_id", me}, {"from", "2027-09-12"}, {"to", "2027-09-11"}}, "to"},
      {{{"staff_id", me}, {"from", "2027-09-01"}, {"to", "2027-09-05"}}, "to"},
      {{{"staff_id", me}, {"from", "2027-09-10"}, {"to", "2028-12-31"}}, "to"},
      {{{"staff_id", me}, {"from", "2027-09-10"}, {"to", "2027-09-12"}, {"covered_by", 999999}},
       "covered_by"},
      {{{"staff_id", me}, {"from", "2027-09-10"}, {"to", "2027-09-12"}, {"covered_by", me}},
       "covered_by"},
      {{{"staff_id", me}, {"from", "2027-09-10"}, {"to", "2027-09-12"}, {"reason", "病假"}},
       "reason"},
  };
  for (const auto& [body, field] : cases) {
    auto r = leaves_.Start(manager_, body);
    ASSERT_FALSE(r.ok()) << body.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << body.dump();
    EXPECT_EQ(r.error().field, field) << body.dump();
  }
  // A cover from another store is refused by name, too.
  auto foreign = leaves_.Start(manager_, Leave("2027-09-10", "2027-09-12", fx_.org().associate_sh02));
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(foreign.error().field, "covered_by");

  auto listed = leaves_.List(fx_.admin(), {}, {50, 0});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)["total"], 0);
  EXPECT_EQ(fx_.CountAudit("leave_start"), 0);
  EXPECT_EQ(Task(t).assignee_id, fx_.org().associate_sh01);
  auto bad_filter = leaves_.List(fx_.admin(), {{"status", "sick"}}, {50, 0});
  ASSERT_FALSE(bad_filter.ok());
  EXPECT_EQ(bad_filter.error().field, "status");
}

TEST_F(StaffLeaveTest, C2_OnlyTheStaffMembersManagersMayRegisterTheirLeave) {
  auto other_store = leaves_.Start(
      manager_, {{"staff_id", fx_.org().associate_sh02.value}, {"from", "2027-09-10"}, {"to", "2027-09-12"}});
  ASSERT_FALSE(other_store.ok());
  EXPECT_EQ(other_store.error().code, ErrorCode::kForbidden);
  auto own = leaves_.Start(
      manager_, {{"staff_id", fx_.org().manager_sh01.value}, {"from", "2027-09-10"}, {"to", "2027-09-12"}});
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().code, ErrorCode::kForbidden) << "a manager's leave is their supervisor's to register";
  auto clerk = leaves_.Start(associate_, Leave("2027-09-10", "2027-09-12"));
  ASSERT_FALSE(clerk.ok());
  EXPECT_EQ(clerk.error().code, ErrorCode::kForbidden);
  auto south = leaves_.Start(supervisor_, {{"staff_id", fx_.org().associate_gz01.value},
                                           {"from", "2027-09-10"},
                                           {"to", "2027-09-12"}});
  ASSERT_FALSE(south.ok());
  EXPECT_EQ(south.error().code, ErrorCode::kForbidden);

  // The supervisor registers the store manager's leave; the manager cannot
  // cover themselves, so someone must be named.
  json manager_leave = {{"staff_id", fx_.org().manager_sh01.value}, {"from", "2027-09-10"}, {"to", "2027-09-12"}};
  auto unnamed = leaves_.Start(supervisor_, manager_leave);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().field, "covered_by");
  manager_leave["covered_by"] = fx_.org().associate_sh01.value;
  auto ok = leaves_.Start(supervisor_, manager_leave);
  ASSERT_TRUE(ok.ok()) << ok.error().field << ": " << ok.error().message;
  EXPECT_EQ(fx_.CountAudit("leave_start"), 1);

  // Lists follow the same reach.
  auto sup_list = leaves_.List(supervisor_, {}, {50, 0});
  ASSERT_TRUE(sup_list.ok());
  EXPECT_EQ((*sup_list)["total"], 1);
  auto peek = leaves_.List(manager_, {{"store_id", std::to_string(fx_.org().sh02.value)}}, {50, 0});
  ASSERT_FALSE(peek.ok());
  EXPECT_EQ(peek.error().code, ErrorCode::kForbidden);
  auto clerk_list = leaves_.List(associate_, {}, {50, 0});
  ASSERT_FALSE(clerk_list.ok());
  EXPECT_EQ(clerk_list.error().code, ErrorCode::kForbidden);
  auto end_other = leaves_.End(manager_, (*ok)["id"].get<int64_t>());
  ASSERT_FALSE(end_other.ok());
  EXPECT_EQ(end_other.error().code, ErrorCode::kForbidden);
}

TEST_F(StaffLeaveTest, C2_AnOverlappingLeaveForTheSameStaffIsAConflictNamingFrom) {
  auto first = leaves_.Start(manager_, Leave("2027-09-13", "2027-09-16"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto overlap = leaves_.Start(manager_, Leave("2027-09-16", "2027-09-20"));
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.error().code, ErrorCode::kConflict);
  EXPECT_EQ(overlap.error().field, "from");
  auto next = leaves_.Start(manager_, Leave("2027-09-17", "2027-09-20"));
  ASSERT_TRUE(next.ok()) << "the day after is free: " << next.error().message;
  // A cover who is away themselves then is refused.
  auto cover_away = leaves_.Start(
      manager_, {{"staff_id", cover_.value}, {"from", "2027-09-21"}, {"to", "2027-09-22"}});
  ASSERT_TRUE(cover_away.ok()) << cover_away.error().message;
  auto busy = leaves_.Start(manager_, Leave("2027-09-21", "2027-09-21", cover_));
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().field, "covered_by");
  // Cancelled before it began, the first leave frees its days.
  ASSERT_TRUE(leaves_.End(manager_, (*first)["id"].get<int64_t>()).ok());
  auto again = leaves_.Start(manager_, Leave("2027-09-14", "2027-09-15"));
  ASSERT_TRUE(again.ok()) << again.error().message;

  auto scheduled = leaves_.List(manager_, {{"status", "scheduled"}}, {50, 0});
  ASSERT_TRUE(scheduled.ok());
  EXPECT_EQ((*scheduled)["total"], 3);
  EXPECT_EQ((*scheduled)["items"][0]["from"], "2027-09-21") << "latest first";
  auto ended = leaves_.List(manager_, {{"status", "ended"}}, {50, 0});
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ((*ended)["total"], 1);
}

}  // namespace
}  // namespace vipcare::service
