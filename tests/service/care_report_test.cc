// The monthly store visit report (《客户回访情况月报表》), the next month's
// plan and the regional summary (SPEC C3, R8) through service::CareReports,
// on the backend VIPCARE_TEST_BACKEND selects. The company runs the
// department-store preset: 1 point per yuan paid, tiers 紫金钻石卡
// (purple_diamond) ... 金卡 (gold) ... 普卡.
//
// September 2027 at SH01, hand-worked (as of 1 October):
//   T1 甲 (purple_diamond) phone  due 09-05, window to 09-07, done 09-06   on time
//   T2 乙 (gold)           phone  due 09-10, window to 09-12, done 09-15   late
//   T3 丙 (no tier)        sms    due 09-20, window to 09-22, still open   overdue
//   T4 甲                  visit  due 09-25, window to 09-27, failed 09-26
//   T8 乙                  phone  due 09-28, window to 09-30, done 09-29   on time
//   T9 丙                  wechat due 09-02, window to 09-04, skipped 09-03
//   (乙's task due 08-31 and 丙's due 10-01 belong to other months.)
// → planned 6, done 3, failed 1, skipped 1, pending 1, on time 2, overdue 2
//   (T2 late, T3 open past its window), on-time rate 2/6 = 3333 bp.
// Purchases: 甲 1200 yuan on 09-03, 乙 500 on 08-20 and 300 on 09-08, 丙 200
// on 09-12. Visited (a done task) are 甲 and 乙: points growth 1200 + 300 =
// 1500 (乙's August points and 丙's, unvisited, do not count).
// SH02: T5 丁 phone due 09-15, window to 09-17, done 09-16 on time.
#include "service/care_report.h"

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

// The counts of one report cell, in the report's key order.
json Cell(int planned, int done, int failed, int skipped, int pending, int on_time, int overdue,
          json rate) {
  return {{"planned", planned}, {"done", done},       {"failed", failed},
          {"skipped", skipped}, {"pending", pending}, {"on_time", on_time},
          {"overdue", overdue}, {"on_time_rate_bp", rate}};
}
json With(json cell, const std::string& key, json value) {
  cell[key] = std::move(value);
  return cell;
}

// Whether any key of `j`, at any depth, names a member.
bool MentionsMembers(const json& j) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k.find("member_id") != std::string::npos || k == "member_name" || k == "mobile") {
        return true;
      }
      if (MentionsMembers(v)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (MentionsMembers(v)) return true;
    }
  }
  return false;
}

class CareReportTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  CareReportTest() {
    associate_ = fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    Org org(fx_.env());
    auto east = org.CreateStaff(fx_.admin(), {{"employee_no", "R001"},
                                              {"name", "主管周明"},
                                              {"role", "regional_supervisor"},
                                              {"region_id", fx_.org().east.value}});
    EXPECT_TRUE(east.ok());
    if (east.ok()) east_ = fx_.AddUser("sup.east", Role::kRegionalSupervisor, east->id);
    auto south = org.CreateStaff(fx_.admin(), {{"employee_no", "R002"},
                                               {"name", "主管吴刚"},
                                               {"role", "regional_supervisor"},
                                               {"region_id", fx_.org().south.value}});
    EXPECT_TRUE(south.ok());
    if (south.ok()) south_ = fx_.AddUser("sup.south", Role::kRegionalSupervisor, south->id);
  }

  MemberId Member(const std::string& name, const std::string& tier, StoreId store) {
    json body = fx_.MemberBody(name, store);
    body["status"] = "formal";
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    if (!m.ok()) return MemberId();
    const MemberId id = m->member.id;
    if (!tier.empty()) SetTier(id, tier);
    return id;
  }

  int64_t AddTask(MemberId m, StoreId store, const std::string& key, const std::string& channel,
                  Date due, Date overdue_after) {
    auto id = fx_.store().Write([&](store::Repository& repo) -> Result<int64_t> {
      store::CareTaskRecord t;
      t.member_id = m;
      t.store_id = store;
      t.rule_code = "test";
      t.occasion = "test";
      t.occasion_key = key;
      t.name = "回访";
      t.occasion_on = due;
      t.due_on = due;
      t.overdue_after = overdue_after;
      t.channel = channel;
      t.channels = channel;
      t.purpose = "service";
      t.pool = "store_manager";
      t.assignee_id = fx_.org().manager_sh01;
      t.created_at = fx_.clock().Now();
      t.updated_at = t.created_at;
      if (!repo.care().InsertTask(t)) return Error::Conflict("task exists");
      return t.id;
    });
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  // Completes task `id` at 10:00 on `day` with `outcome`.
  void Complete(int64_t id, const std::string& outcome, Date day) {
    At(day);
    json body = {{"outcome", outcome}};
    if (outcome != "skipped") body["summary"] = "电话回访，顾客满意";
    auto r = care_.CompleteTask(fx_.admin(), id, body);
    ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  // The September of the header comment, ending with the clock on 30 September.
  void September() {
    const StoreId sh01 = fx_.org().sh01, sh02 = fx_.org().sh02;
    const MemberId jia = Member("甲会员", "purple_diamond", sh01);
    const MemberId yi = Member("乙会员", "gold", sh01);
    const MemberId bing = Member("丙会员", "", sh01);
    const MemberId ding = Member("丁会员", "", sh02);
    const int64_t t1 = AddTask(jia, sh01, "t1", "phone", D(2027, 9, 5), D(2027, 9, 7));
    const int64_t t2 = AddTask(yi, sh01, "t2", "phone", D(2027, 9, 10), D(2027, 9, 12));
    AddTask(bing, sh01, "t3", "sms", D(2027, 9, 20), D(2027, 9, 22));
    const int64_t t4 = AddTask(jia, sh01, "t4", "visit", D(2027, 9, 25), D(2027, 9, 27));
    const int64_t t5 = AddTask(ding, sh02, "t5", "phone", D(2027, 9, 15), D(2027, 9, 17));
    const int64_t t6 = AddTask(yi, sh01, "t6", "phone", D(2027, 8, 31), D(2027, 9, 2));
    AddTask(bing, sh01, "t7", "phone", D(2027, 10, 1), D(2027, 10, 3));
    const int64_t t8 = AddTask(yi, sh01, "t8", "phone", D(2027, 9, 28), D(2027, 9, 30));
    const int64_t t9 = AddTask(bing, sh01, "t9", "wechat", D(2027, 9, 2), D(2027, 9, 4));

    Buy(yi, 500, D(2027, 8, 20));
    Complete(t6, "done", D(2027, 8, 31));  // an August visit: another month's report
    Complete(t9, "skipped", D(2027, 9, 3));
    Buy(jia, 1200, D(2027, 9, 3));
    Complete(t1, "done", D(2027, 9, 6));
    Buy(yi, 300, D(2027, 9, 8));
    Buy(bing, 200, D(2027, 9, 12));
    Complete(t2, "done", D(2027, 9, 15));
    Complete(t5, "done", D(2027, 9, 16));
    Complete(t4, "failed", D(2027, 9, 26));
    Complete(t8, "done", D(2027, 9, 29));
    At(D(2027, 9, 30));
  }

  CareReports reports_{fx_.env()};
  Care care_{fx_.env()};
  Actor associate_, analyst_, east_, south_;
};

TEST_F(CareReportTest, C3_MonthlyStoreReportCountsPlannedDoneAndOverdueByChannelAndTier) {
  September();
  At(D(2027, 10, 1));
  auto r = reports_.MonthlyReport(manager_, fx_.org().sh01, "2027-09");
  ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  EXPECT_EQ((*r)["store"]["code"], "SH01");
  EXPECT_EQ((*r)["from"], "2027-09-01");
  EXPECT_EQ((*r)["to"], "2027-09-30");
  EXPECT_EQ((*r)["complete"], true);
  EXPECT_EQ((*r)["totals"], With(With(Cell(6, 3, 1, 1, 1, 2, 2, 3333), "visited_members", 2),
                                 "points_growth", 1500));

  json channels = json::array();
  channels.push_back(With(Cell(3, 3, 0, 0, 0, 2, 1, 6667), "channel", "phone"));
  channels.push_back(With(Cell(1, 0, 1, 0, 0, 0, 0, 0), "channel", "visit"));
  channels.push_back(With(Cell(1, 0, 0, 1, 0, 0, 0, 0), "channel", "wechat"));
  channels.push_back(With(Cell(1, 0, 0, 0, 1, 0, 1, 0), "channel", "sms"));
  EXPECT_EQ((*r)["by_channel"], channels);

  auto tier = [](json cell, const char* code, const char* name, int visited, int points) {
    cell["tier_code"] = code;
    cell["tier_name"] = name;
    cell["visited_members"] = visited;
    cell["points_growth"] = points;
    return cell;
  };
  json tiers = json::array();
  tiers.push_back(tier(Cell(2, 1, 1, 0, 0, 1, 0, 5000), "purple_diamond", "紫金钻石卡", 1, 1200));
  tiers.push_back(tier(Cell(2, 2, 0, 0, 0, 1, 1, 5000), "gold", "金卡", 1, 300));
  tiers.push_back(tier(Cell(2, 0, 0, 1, 1, 0, 1, 0), "", "无等级", 0, 0));
  EXPECT_EQ((*r)["by_tier"], tiers);
  EXPECT_FALSE(MentionsMembers(*r));
}

TEST_F(CareReportTest, C3_TheCurrentMonthShowsTheFiguresSoFarAndAnEmptyMonthHasNoRate) {
  September();  // the clock on 30 September
  auto r = reports_.MonthlyReport(manager_, StoreId(), "2027-09");  // a manager's own store
  ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  EXPECT_EQ((*r)["complete"], false);
  EXPECT_EQ((*r)["as_of"], "2027-09-30");
  // The same two as at the end of the month: T2 done late, T3 open past its window.
  EXPECT_EQ((*r)["totals"]["overdue"], 2);
  EXPECT_EQ((*r)["totals"]["planned"], 6);
  auto empty = reports_.MonthlyReport(manager_, fx_.org().sh01, "2027-07");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)["totals"]["planned"], 0);
  EXPECT_TRUE((*empty)["totals"]["on_time_rate_bp"].is_null());
  EXPECT_EQ((*empty)["by_channel"], json::array());
}

TEST_F(CareReportTest, C3_TheStoreManagerWritesNextMonthsPlanAndTheReportShowsIt) {
  September();
  const std::string text = "10月重点：国庆新品到店电话邀约A类会员；紫金卡会员上门拜访2次。";
  auto saved = reports_.PutPlan(manager_, fx_.org().sh01, "2027-10", {{"text", text}});
  ASSERT_TRUE(saved.ok()) << saved.error().field << ": " << saved.error().message;
  EXPECT_EQ((*saved)["text"], text);
  EXPECT_EQ(fx_.CountAudit("care_plan_save"), 1);
  // Rewritten the next day: the newer text replaces it.
  At(D(2027, 10, 1));
  const std::string revised = text + "另：补充回访9月未接通的会员。";
  ASSERT_TRUE(reports_.PutPlan(manager_, fx_.org().sh01, "2027-10", {{"text", revised}}).ok());
  auto r = reports_.MonthlyReport(manager_, fx_.org().sh01, "2027-09");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["next_plan"]["month"], "2027-10");
  EXPECT_EQ((*r)["next_plan"]["text"], revised);
  EXPECT_TRUE((*r)["plan"]["text"].is_null()) << "no plan was written for September";

  // September is over: its plan is kept as written.
  auto late = reports_.PutPlan(manager_, fx_.org().sh01, "2027-09", {{"text", "补写"}});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(late.error().field, "month");
  auto blank = reports_.PutPlan(manager_, fx_.org().sh01, "2027-11", {{"text", "  \n"}});
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().field, "text");
  auto extra = reports_.PutPlan(manager_, fx_.org().sh01, "2027-11", {{"text", "x"}, {"author", "刘强"}});
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.error().field, "author");
  auto other = reports_.PutPlan(manager_, fx_.org().sh02, "2027-11", {{"text", "x"}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  auto hq = reports_.PutPlan(analyst_, fx_.org().sh01, "2027-11", {{"text", "x"}});
  ASSERT_FALSE(hq.ok());
  EXPECT_EQ(hq.error().code, ErrorCode::kForbidden);
  // The supervisor may write a plan for a store of their region.
  ASSERT_TRUE(reports_.PutPlan(east_, fx_.org().sh02, "2027-11", {{"text", "徐家汇店11月计划"}}).ok());
  EXPECT_EQ(fx_.CountAudit("care_plan_save"), 3);
}

TEST_F(CareReportTest, C3_RegionalSummaryIsReadyOnTheFirstOfTheNextMonth) {
  September();
  const std::string text = "10月计划";
  ASSERT_TRUE(reports_.PutPlan(manager_, fx_.org().sh01, "2027-10", {{"text", text}}).ok());
  // 30 September: not yet.
  auto early = reports_.RegionalSummary(east_, fx_.org().east, "2027-09");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(early.error().field, "month");
  EXPECT_NE(early.error().message.find("the month has not ended"), std::string::npos);

  At(D(2027, 10, 1));
  auto r = reports_.RegionalSummary(east_, fx_.org().east, "2027-09");
  ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  EXPECT_EQ((*r)["region"]["code"], "EAST");
  ASSERT_EQ((*r)["stores"].size(), 2u);
  json sh01 = (*r)["stores"][0];
  json sh02 = (*r)["stores"][1];
  EXPECT_EQ(sh01["code"], "SH01");
  EXPECT_EQ(sh01["planned"], 6);
  EXPECT_EQ(sh01["on_time_rate_bp"], 3333);
  EXPECT_EQ(sh01["points_growth"], 1500);
  EXPECT_EQ(sh01["next_plan_written"], true);
  EXPECT_EQ(sh02["code"], "SH02");
  json expected_sh02 = With(With(Cell(1, 1, 0, 0, 0, 1, 0, 10000), "visited_members", 1),
                            "points_growth", 0);
  for (const auto& [k, v] : expected_sh02.items()) EXPECT_EQ(sh02[k], v) << k;
  EXPECT_EQ(sh02["next_plan_written"], false);
  // Region: 7 planned, 3 on time → 3/7 = 4285.7 bp, half up 4286.
  EXPECT_EQ((*r)["totals"], With(With(Cell(7, 4, 1, 1, 1, 3, 2, 4286), "visited_members", 3),
                                 "points_growth", 1500));
  EXPECT_FALSE(MentionsMembers(*r));

  // October has not ended on its first day.
  auto current = reports_.RegionalSummary(east_, fx_.org().east, "2027-10");
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.error().field, "month");
}

TEST_F(CareReportTest, C3_ReportsFollowTheScopeAndAnalystsSeeAggregatesOfEveryStore) {
  September();
  At(D(2027, 10, 1));
  // HQ reads any store and region: figures only.
  auto hq = reports_.MonthlyReport(analyst_, fx_.org().sh01, "2027-09");
  ASSERT_TRUE(hq.ok()) << hq.error().message;
  EXPECT_EQ((*hq)["totals"]["planned"], 6);
  EXPECT_FALSE(MentionsMembers(*hq));
  auto hq_region = reports_.RegionalSummary(analyst_, fx_.org().south, "2027-09");
  ASSERT_TRUE(hq_region.ok()) << hq_region.error().message;
  EXPECT_EQ((*hq_region)["totals"]["planned"], 0);
  // The supervisor of EAST reads SH02; the supervisor of SOUTH neither store nor region.
  EXPECT_TRUE(reports_.MonthlyReport(east_, fx_.org().sh02, "2027-09").ok());
  for (const auto& denied :
       {reports_.MonthlyReport(south_, fx_.org().sh01, "2027-09"),
        reports_.RegionalSummary(south_, fx_.org().east, "2027-09"),
        reports_.MonthlyReport(manager_, fx_.org().sh02, "2027-09"),
        reports_.RegionalSummary(manager_, fx_.org().east, "2027-09"),
        reports_.MonthlyReport(associate_, fx_.org().sh01, "2027-09")}) {
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
  }
  // Bad input names its field.
  const std::pair<std::string, ErrorCode> months[] = {{"2027-13", ErrorCode::kInvalidArgument},
                                                      {"2027-9", ErrorCode::kInvalidArgument},
                                                      {"", ErrorCode::kInvalidArgument},
                                                      {"2027-11", ErrorCode::kUnprocessable}};
  for (const auto& [month, code] : months) {
    auto r = reports_.MonthlyReport(fx_.admin(), fx_.org().sh01, month);
    ASSERT_FALSE(r.ok()) << month;
    EXPECT_EQ(r.error().code, code) << month;
    EXPECT_EQ(r.error().field, "month") << month;
  }
  auto no_store = reports_.MonthlyReport(analyst_, StoreId(), "2027-09");
  ASSERT_FALSE(no_store.ok());
  EXPECT_EQ(no_store.error().field, "store_id");
  auto unknown = reports_.MonthlyReport(fx_.admin(), StoreId(999999), "2027-09");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().field, "store_id");
  auto no_region = reports_.RegionalSummary(fx_.admin(), RegionId(999999), "2027-09");
  ASSERT_FALSE(no_region.ok());
  EXPECT_EQ(no_region.error().field, "region_id");
}

}  // namespace
}  // namespace vipcare::service
