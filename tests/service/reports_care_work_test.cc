// R8 care work and staff goals, R9 campaigns (SPEC C3, S4, L3) through
// service::Reports on the backend VIPCARE_TEST_BACKEND selects. Hand-worked
// figures; the company runs the department-store preset (1 point per yuan).
//
// R8 care_work, period 2027-09..2027-10, as of 2027-10-10 (tasks made
// directly; completions through service::Care, each with its contact entry):
//   T1 甲 SH01 phone  due 09-05, window to 09-07, done 09-06     on time
//   T2 乙 SH01 phone  due 09-10, window to 09-12, done 09-15     late (overdue)
//   T3 甲 SH01 sms    due 09-20, window to 09-22, open           overdue
//   T4 乙 SH01 visit  due 09-25, window to 09-27, failed 09-26
//   T5 丙 SH02 phone  due 09-15, window to 09-17, done 09-16     on time
//   T6 甲 SH01 phone  due 10-02, window to 10-04, skipped 10-03
//   T7 乙 SH01 phone  due 10-08, window to 10-12, open           not yet overdue
//   T8 丁 GZ01 wechat due 10-05, window to 10-07, done 10-06     on time
//   T0 甲 SH01 phone  due 08-30 (before the period, done 09-01: not counted)
// Rows (month, store, channel; person-to-person channels first):
//   09 SH01 phone   planned 2 done 2 on_time 1 overdue 1            share 10000
//   09 SH01 visit   planned 1 failed 1                              share 0
//   09 SH01 sms     planned 1 pending 1 overdue 1                   share 0
//   09 SH02 phone   planned 1 done 1 on_time 1                      share 10000
//   10 SH01 phone   planned 2 skipped 1 pending 1                   share 0
//   10 GZ01 wechat  planned 1 done 1 on_time 1                      share 10000
//   totals planned 8 done 4 on_time 3 overdue 2 failed 1 skipped 1 pending 2,
//   done share 4/8 = 5000 bp. SH01's store manager: T1-T4, T6, T7 -> planned
//   6, done 2, on_time 1, overdue 2, share 2/6 = 3333 bp. The monthly store
//   report of SH01 for 2027-09 (as of 10-10) counts the same 4/2/1/2.
//
// R8 staff_goals, period 2027-09..2027-10, as of 2027-10-10:
//   SH01 associate 导购张丽 (A) registered 甲 on 08-20 (birthday + occupation),
//     乙 on 09-03 (birthday only), 丙 on 10-02 (birthday + occupation) and the
//     prospect 丁 on 09-05 (nothing) -> recruited 2 (乙, 丙: 甲 before the
//     period, a prospect is no member yet); members 4 of which 2 complete ->
//     5000 bp. Tasks of A: due 09-05 done 09-06 (on time), due 09-10 done 09-15
//     (late), due 10-08 open, due 10-20 (not due yet), due 08-30 (before)
//     -> due 3, on time 1 -> 3333 bp. Sales by A: 09-03 甲 1000 yuan, 09-03
//     walk-in 300, 09-15 乙 500, 10-05 walk-in 200, 10-06 丙 400, 08-28 甲 50
//     (before); 200 of the 09-03 sale refunded on 09-20 (the refund names no
//     associate: it counts for A) -> sales 5, member sales 3, member sales
//     1000 + 500 + 400 - 200 = 1700 yuan, sales with a customer file 3/5 =
//     6000 bp, 2 without.
//   SH01 manager 店长刘强 sold a walk-in 100 yuan on 09-20: sales 1, member
//     sales 0, files 0 bp, 1 without; listed because he has figures.
//   SH02 associate 导购陈静 (B) registered 戊 on 09-10 (birthday only), sold 戊 250 yuan
//     on 09-12 -> recruited 1, members 1, complete 0 bp, no tasks (rate
//     null), member sales 1 / 250 yuan, files 10000 bp.
//   GZ01 associate 导购黄敏: nothing, listed with zeros.
//   Totals: recruited 3, members 5, complete 2/5 = 4000 bp, tasks 3 / on time
//   1 = 3333 bp, member sales 4 / 1950 yuan, sales 7, files 4/7 = 5714 bp,
//   3 without.
//
// R9 campaigns, period 2027-09..2027-10. The program's version 2 has
//   mid_autumn 中秋双倍积分 2027-09-10..09-12 (3 days), national_day 国庆狂欢
//   10-01..10-07 (7 days), may_day 05-01..05-03 (outside the period); version
//   1 also had summer 夏末清仓 08-25..09-02 (9 days), dropped since.
//   summer:  window 甲 100 on 09-01 = 10000 fen; baseline 08-16..08-24: 甲 400
//            on 08-20 = 40000 -> uplift (100 - 400) / 400 = -7500 bp; buyers 1.
//   mid_autumn: 甲 300 on 09-10, 乙 200 on 09-11, 甲 100 on 09-12, a walk-in 500
//            on 09-11 (no member) -> buyers 2, purchases 3, 60000 fen;
//            baseline 09-07..09-09: 甲 200 on 09-08 -> 20000; uplift 20000 bp.
//   national_day: 乙 800 on 10-02 at SH01, 丙 400 on 10-03 at SH02, 100 of
//            乙's sale refunded on 10-05 -> buyers 2, purchases 2, 110000 fen;
//            baseline 09-24..09-30: 乙 500 on 09-25 (SH01), 丙 500 on 09-26
//            (SH02) -> 100000; uplift 1000 bp.
//   Totals 180000 against 160000 -> 1250 bp. SH01's manager: national_day
//   70000 against 50000 -> 4000 bp, 1 buyer.
#include <gtest/gtest.h>

#include "domain/presets.h"
#include "service/care.h"
#include "service/care_report.h"
#include "service/org.h"
#include "service/reports.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// The figures of one care_work row, in the report's key order.
json Cells(int planned, int done, int on_time, int overdue, int failed, int skipped, int pending,
           json share) {
  return {{"planned", planned}, {"done", done},          {"on_time", on_time},
          {"overdue", overdue}, {"failed", failed},      {"skipped", skipped},
          {"pending", pending}, {"done_share_bp", share}};
}

// `row` without the keys that name the row (month, store, channel).
json Figures(json row) {
  for (const char* k : {"month", "store_id", "store_name", "channel", "channel_name"}) {
    row.erase(k);
  }
  return row;
}

class CareWorkReportTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  CareWorkReportTest() {
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    assoc_a_ = fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
    assoc_b_ = fx_.AddUser("assoc.sh02", Role::kAssociate, fx_.org().associate_sh02);
    Org org(fx_.env());
    auto east = org.CreateStaff(fx_.admin(), {{"employee_no", "R001"},
                                              {"name", "主管周明"},
                                              {"role", "regional_supervisor"},
                                              {"region_id", fx_.org().east.value}});
    EXPECT_TRUE(east.ok());
    if (east.ok()) east_ = fx_.AddUser("sup.east", Role::kRegionalSupervisor, east->id);
  }

  // A member registered by `by` (the admin unless given) at `store` on `day`.
  MemberId Register(const std::string& name, StoreId store, Date day, const Actor* by = nullptr,
                    json extra = json::object()) {
    At(day);
    json body = fx_.MemberBody(name, store);
    body.update(extra);
    auto m = members_.Create(by ? *by : fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    return m.ok() ? m->member.id : MemberId();
  }

  int64_t AddTask(MemberId m, StoreId store, const std::string& key, const std::string& channel,
                  Date due, Date overdue_after, StaffId assignee) {
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
      t.pool = "associate";
      t.assignee_id = assignee;
      t.created_at = fx_.clock().Now();
      t.updated_at = t.created_at;
      if (!repo.care().InsertTask(t)) return Error::Conflict("task exists");
      return t.id;
    });
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  void Complete(int64_t id, const std::string& outcome, Date day) {
    At(day);
    json body = {{"outcome", outcome}};
    if (outcome != "skipped") body["summary"] = "电话回访，顾客满意";
    auto r = care_.CompleteTask(fx_.admin(), id, body);
    ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  // A sale of `yuan` on `day` (10:00) at `store`, by `associate` if given.
  json Sell(MemberId m, int64_t yuan, Date day, StoreId store, StaffId associate = {}) {
    At(day);
    json body = fx_.SaleBody("S-" + std::to_string(++sales_), m, yuan, store);
    if (associate) body["associate_id"] = associate.value;
    auto r = loyalty_.PostSale(fx_.admin(), body);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? r->Body() : json();
  }

  void Refund(const json& sale, int64_t yuan, Date day, StoreId store) {
    At(day);
    auto r = loyalty_.PostSale(fx_.admin(), fx_.RefundBody("R-" + std::to_string(++sales_),
                                                           sale["external_id"], yuan, store));
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  json Report(const Actor& a, const std::string& name, QueryMap q) {
    auto r = reports_.Get(a, name, q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  // The tasks of the header comment; the clock ends on 2027-10-10.
  void CareTasks() {
    const StoreId sh01 = fx_.org().sh01, sh02 = fx_.org().sh02, gz01 = fx_.org().gz01;
    const StaffId a = fx_.org().associate_sh01;
    const MemberId jia = Register("甲会员", sh01, D(2027, 8, 1));
    const MemberId yi = Register("乙会员", sh01, D(2027, 8, 1));
    const MemberId bing = Register("丙会员", sh02, D(2027, 8, 1));
    const MemberId ding = Register("丁会员", gz01, D(2027, 8, 1));
    const int64_t t0 = AddTask(jia, sh01, "t0", "phone", D(2027, 8, 30), D(2027, 9, 1), a);
    const int64_t t1 = AddTask(jia, sh01, "t1", "phone", D(2027, 9, 5), D(2027, 9, 7), a);
    const int64_t t2 = AddTask(yi, sh01, "t2", "phone", D(2027, 9, 10), D(2027, 9, 12), a);
    AddTask(jia, sh01, "t3", "sms", D(2027, 9, 20), D(2027, 9, 22), StaffId());
    const int64_t t4 = AddTask(yi, sh01, "t4", "visit", D(2027, 9, 25), D(2027, 9, 27), StaffId());
    const int64_t t5 = AddTask(bing, sh02, "t5", "phone", D(2027, 9, 15), D(2027, 9, 17),
                               fx_.org().associate_sh02);
    const int64_t t6 = AddTask(jia, sh01, "t6", "phone", D(2027, 10, 2), D(2027, 10, 4), StaffId());
    AddTask(yi, sh01, "t7", "phone", D(2027, 10, 8), D(2027, 10, 12), a);
    const int64_t t8 = AddTask(ding, gz01, "t8", "wechat", D(2027, 10, 5), D(2027, 10, 7),
                               fx_.org().associate_gz01);
    Complete(t0, "done", D(2027, 9, 1));
    Complete(t1, "done", D(2027, 9, 6));
    Complete(t2, "done", D(2027, 9, 15));
    Complete(t5, "done", D(2027, 9, 16));
    Complete(t4, "failed", D(2027, 9, 26));
    Complete(t6, "skipped", D(2027, 10, 3));
    Complete(t8, "done", D(2027, 10, 6));
    At(D(2027, 10, 10));
  }

  Reports reports_{fx_.env()};
  Care care_{fx_.env()};
  Actor analyst_, assoc_a_, assoc_b_, east_;
};

const QueryMap kSepOct = {{"from", "2027-09"}, {"to", "2027-10"}};

TEST_F(CareWorkReportTest, R8CareWorkCountsTasksByMonthStoreAndChannel) {
  CareTasks();
  auto r = Report(analyst_, "care_work", kSepOct);
  EXPECT_EQ(r["spec"], "R8");
  ASSERT_EQ(r["rows"].size(), 6u) << r.dump();
  struct Want {
    const char* month;
    StoreId store;
    const char* channel;
    const char* channel_name;
    json figures;
  };
  const Want want[] = {
      {"2027-09", fx_.org().sh01, "phone", "电话", Cells(2, 2, 1, 1, 0, 0, 0, 10000)},
      {"2027-09", fx_.org().sh01, "visit", "上门拜访", Cells(1, 0, 0, 0, 1, 0, 0, 0)},
      {"2027-09", fx_.org().sh01, "sms", "短信", Cells(1, 0, 0, 1, 0, 0, 1, 0)},
      {"2027-09", fx_.org().sh02, "phone", "电话", Cells(1, 1, 1, 0, 0, 0, 0, 10000)},
      {"2027-10", fx_.org().sh01, "phone", "电话", Cells(2, 0, 0, 0, 0, 1, 1, 0)},
      {"2027-10", fx_.org().gz01, "wechat", "微信", Cells(1, 1, 1, 0, 0, 0, 0, 10000)},
  };
  for (size_t i = 0; i < std::size(want); ++i) {
    const json& row = r["rows"][i];
    EXPECT_EQ(row["month"], want[i].month) << i;
    EXPECT_EQ(row["store_id"], want[i].store.value) << i;
    EXPECT_EQ(row["channel"], want[i].channel) << i;
    EXPECT_EQ(row["channel_name"], want[i].channel_name) << i;
    EXPECT_EQ(Figures(row), want[i].figures) << i;
  }
  EXPECT_EQ(r["rows"][0]["store_name"], "上海南京路店");
  EXPECT_EQ(r["totals"], Cells(8, 4, 3, 2, 1, 1, 2, 5000));
  EXPECT_EQ(r["columns"][0]["key"], "month");
}

TEST_F(CareWorkReportTest, R8CareWorkKeepsToTheCallersScopeAndMatchesTheMonthlyStoreReport) {
  CareTasks();
  // P2, P9: the store manager sees SH01 only, the supervisor the East region.
  auto mine = Report(manager_, "care_work", kSepOct);
  ASSERT_EQ(mine["rows"].size(), 4u) << mine.dump();
  for (const auto& row : mine["rows"]) EXPECT_EQ(row["store_id"], fx_.org().sh01.value);
  EXPECT_EQ(mine["totals"], Cells(6, 2, 1, 2, 1, 1, 2, 3333));
  auto east = Report(east_, "care_work", kSepOct);
  EXPECT_EQ(east["rows"].size(), 5u);
  EXPECT_EQ(east["totals"]["planned"], 7);
  auto other =
      reports_.Get(manager_, "care_work", {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  auto south = Report(analyst_, "care_work",
                      {{"from", "2027-09"},
                       {"to", "2027-10"},
                       {"region_id", std::to_string(fx_.org().south.value)}});
  ASSERT_EQ(south["rows"].size(), 1u);
  EXPECT_EQ(south["rows"][0]["channel"], "wechat");

  // The same counts as 《客户回访情况月报表》 for SH01, September.
  CareReports monthly(fx_.env());
  auto m = monthly.MonthlyReport(manager_, fx_.org().sh01, "2027-09");
  ASSERT_TRUE(m.ok());
  int64_t planned = 0, done = 0, on_time = 0, overdue = 0;
  for (const auto& row : mine["rows"]) {
    if (row["month"] != "2027-09") continue;
    planned += row["planned"].get<int64_t>();
    done += row["done"].get<int64_t>();
    on_time += row["on_time"].get<int64_t>();
    overdue += row["overdue"].get<int64_t>();
  }
  EXPECT_EQ(planned, (*m)["totals"]["planned"]);
  EXPECT_EQ(done, (*m)["totals"]["done"]);
  EXPECT_EQ(on_time, (*m)["totals"]["on_time"]);
  EXPECT_EQ(overdue, (*m)["totals"]["overdue"]);
  EXPECT_EQ(planned, 4);
}

TEST_F(CareWorkReportTest, S4StaffGoalsPerAssociateRecruitingProfilesTasksAndSalesWithFiles) {
  const StoreId sh01 = fx_.org().sh01, sh02 = fx_.org().sh02;
  const StaffId a = fx_.org().associate_sh01;
  const json full = {{"birthday", "1990-05-01"}, {"occupation", "teacher"}};
  const json birthday_only = {{"birthday", "1988-02-10"}};
  const MemberId jia = Register("甲会员", sh01, D(2027, 8, 20), &assoc_a_, full);
  const MemberId yi = Register("乙会员", sh01, D(2027, 9, 3), &assoc_a_, birthday_only);
  Register("丁潜客", sh01, D(2027, 9, 5), &assoc_a_, {{"status", "prospect"}});
  const MemberId wu = Register("戊会员", sh02, D(2027, 9, 10), &assoc_b_, birthday_only);
  const MemberId bing = Register("丙会员", sh01, D(2027, 10, 2), &assoc_a_, full);

  const int64_t t1 = AddTask(jia, sh01, "g1", "phone", D(2027, 9, 5), D(2027, 9, 7), a);
  const int64_t t2 = AddTask(yi, sh01, "g2", "phone", D(2027, 9, 10), D(2027, 9, 12), a);
  AddTask(yi, sh01, "g3", "phone", D(2027, 10, 8), D(2027, 10, 12), a);
  AddTask(bing, sh01, "g4", "phone", D(2027, 10, 20), D(2027, 10, 22), a);
  AddTask(jia, sh01, "g5", "phone", D(2027, 8, 30), D(2027, 9, 1), a);
  Complete(t1, "done", D(2027, 9, 6));
  Complete(t2, "done", D(2027, 9, 15));

  Sell(jia, 50, D(2027, 8, 28), sh01, a);
  const json big = Sell(jia, 1000, D(2027, 9, 3), sh01, a);
  Sell(MemberId(), 300, D(2027, 9, 3), sh01, a);
  Sell(wu, 250, D(2027, 9, 12), sh02, fx_.org().associate_sh02);
  Sell(yi, 500, D(2027, 9, 15), sh01, a);
  Refund(big, 200, D(2027, 9, 20), sh01);
  Sell(MemberId(), 100, D(2027, 9, 20), sh01, fx_.org().manager_sh01);
  Sell(MemberId(), 200, D(2027, 10, 5), sh01, a);
  Sell(bing, 400, D(2027, 10, 6), sh01, a);
  At(D(2027, 10, 10));

  auto r = Report(analyst_, "staff_goals", kSepOct);
  ASSERT_EQ(r["rows"].size(), 4u) << r.dump();
  const json& ra = r["rows"][0];
  EXPECT_EQ(ra["staff_id"], a.value);
  EXPECT_EQ(ra["store_name"], "上海南京路店");
  EXPECT_EQ(ra["recruited"], 2);
  EXPECT_EQ(ra["members"], 4);
  EXPECT_EQ(ra["profile_complete_bp"], 5000);
  EXPECT_EQ(ra["tasks_due"], 3);
  EXPECT_EQ(ra["tasks_on_time"], 1);
  EXPECT_EQ(ra["on_time_bp"], 3333);
  EXPECT_EQ(ra["member_sales"], 3);
  EXPECT_EQ(ra["member_sales_fen"], 170000);
  EXPECT_EQ(ra["sales"], 5);
  EXPECT_EQ(ra["sales_files_bp"], 6000);
  EXPECT_EQ(ra["sales_without_file"], 2);

  const json& rm = r["rows"][1];
  EXPECT_EQ(rm["staff_id"], fx_.org().manager_sh01.value);
  EXPECT_EQ(rm["staff_name"], "店长刘强");
  EXPECT_EQ(rm["sales"], 1);
  EXPECT_EQ(rm["member_sales"], 0);
  EXPECT_EQ(rm["sales_files_bp"], 0);
  EXPECT_EQ(rm["sales_without_file"], 1);

  const json& rb = r["rows"][2];
  EXPECT_EQ(rb["staff_id"], fx_.org().associate_sh02.value);
  EXPECT_EQ(rb["recruited"], 1);
  EXPECT_EQ(rb["members"], 1);
  EXPECT_EQ(rb["profile_complete_bp"], 0);
  EXPECT_EQ(rb["tasks_due"], 0);
  EXPECT_TRUE(rb["on_time_bp"].is_null());
  EXPECT_EQ(rb["member_sales"], 1);
  EXPECT_EQ(rb["member_sales_fen"], 25000);
  EXPECT_EQ(rb["sales_files_bp"], 10000);

  const json& rc = r["rows"][3];
  EXPECT_EQ(rc["staff_id"], fx_.org().associate_gz01.value);
  EXPECT_EQ(rc["staff_name"], "导购黄敏");
  EXPECT_EQ(rc["recruited"], 0);
  EXPECT_EQ(rc["sales"], 0);
  EXPECT_TRUE(rc["sales_files_bp"].is_null());

  const json& t = r["totals"];
  EXPECT_EQ(t["recruited"], 3);
  EXPECT_EQ(t["members"], 5);
  EXPECT_EQ(t["profile_complete_bp"], 4000);
  EXPECT_EQ(t["tasks_due"], 3);
  EXPECT_EQ(t["on_time_bp"], 3333);
  EXPECT_EQ(t["member_sales"], 4);
  EXPECT_EQ(t["member_sales_fen"], 195000);
  EXPECT_EQ(t["sales"], 7);
  EXPECT_EQ(t["sales_files_bp"], 5714);
  EXPECT_EQ(t["sales_without_file"], 3);

  // The store manager sees the staff of SH01 only.
  auto mine = Report(manager_, "staff_goals", kSepOct);
  ASSERT_EQ(mine["rows"].size(), 2u);
  EXPECT_EQ(mine["rows"][0]["staff_id"], a.value);
  EXPECT_EQ(mine["rows"][1]["staff_id"], fx_.org().manager_sh01.value);
  EXPECT_EQ(mine["totals"]["sales"], 6);
  // September alone: A recruited 乙 only; the October sales drop out.
  auto sep = Report(analyst_, "staff_goals", {{"from", "2027-09"}, {"to", "2027-09"}});
  EXPECT_EQ(sep["rows"][0]["recruited"], 1);
  EXPECT_EQ(sep["rows"][0]["sales"], 3);
  EXPECT_EQ(sep["rows"][0]["member_sales_fen"], 130000);
}

TEST_F(CareWorkReportTest, R9CampaignsCompareEachWindowWithAsManyDaysBefore) {
  const StoreId sh01 = fx_.org().sh01, sh02 = fx_.org().sh02;
  auto campaign = [](const char* code, const char* name, Date from, Date to) {
    domain::Campaign c;
    c.code = code;
    c.name = name;
    c.from = from;
    c.to = to;
    c.multiplier_bp = 20000;
    return c;
  };
  domain::Program v1 = *domain::FindPreset("department_store");
  v1.earning.campaigns = {campaign("summer", "夏末清仓", D(2027, 8, 25), D(2027, 9, 2))};
  UseProgram(v1);
  domain::Program v2 = v1;
  v2.version = 2;
  v2.earning.campaigns = {campaign("may_day", "五一特惠", D(2027, 5, 1), D(2027, 5, 3)),
                          campaign("mid_autumn", "中秋双倍积分", D(2027, 9, 10), D(2027, 9, 12)),
                          campaign("national_day", "国庆狂欢", D(2027, 10, 1), D(2027, 10, 7))};
  auto saved = fx_.store().Write([&](store::Repository& repo) -> Status {
    repo.loyalty().InsertProgramVersion(
        {0, v2.code, 2, v2.name, domain::ProgramToJson(v2).dump(), UserId(), fx_.clock().Now()});
    return OkStatus();
  });
  ASSERT_TRUE(saved.ok());

  const MemberId jia = Register("甲会员", sh01, D(2027, 8, 1));
  const MemberId yi = Register("乙会员", sh01, D(2027, 8, 1));
  const MemberId bing = Register("丙会员", sh02, D(2027, 8, 1));
  Sell(jia, 400, D(2027, 8, 20), sh01);
  Sell(jia, 100, D(2027, 9, 1), sh01);
  Sell(jia, 200, D(2027, 9, 8), sh01);
  Sell(jia, 300, D(2027, 9, 10), sh01);
  Sell(yi, 200, D(2027, 9, 11), sh01);
  Sell(MemberId(), 500, D(2027, 9, 11), sh01);
  Sell(jia, 100, D(2027, 9, 12), sh01);
  Sell(yi, 500, D(2027, 9, 25), sh01);
  Sell(bing, 500, D(2027, 9, 26), sh02);
  const json holiday = Sell(yi, 800, D(2027, 10, 2), sh01);
  Sell(bing, 400, D(2027, 10, 3), sh02);
  Refund(holiday, 100, D(2027, 10, 5), sh01);
  At(D(2027, 10, 10));

  auto r = Report(analyst_, "campaigns", kSepOct);
  EXPECT_EQ(r["spec"], "R9");
  ASSERT_EQ(r["rows"].size(), 3u) << r.dump();
  struct Want {
    const char* code;
    const char* name;
    const char* from;
    const char* to;
    int buyers, purchases;
    int64_t sales, baseline;
    int uplift;
  };
  const Want want[] = {
      {"summer", "夏末清仓", "2027-08-25", "2027-09-02", 1, 1, 10000, 40000, -7500},
      {"mid_autumn", "中秋双倍积分", "2027-09-10", "2027-09-12", 2, 3, 60000, 20000, 20000},
      {"national_day", "国庆狂欢", "2027-10-01", "2027-10-07", 2, 2, 110000, 100000, 1000},
  };
  for (size_t i = 0; i < std::size(want); ++i) {
    const json& row = r["rows"][i];
    EXPECT_EQ(row["campaign"], want[i].code) << i;
    EXPECT_EQ(row["name"], want[i].name) << i;
    EXPECT_EQ(row["from"], want[i].from) << i;
    EXPECT_EQ(row["to"], want[i].to) << i;
    EXPECT_EQ(row["buyers"], want[i].buyers) << i;
    EXPECT_EQ(row["purchases"], want[i].purchases) << i;
    EXPECT_EQ(row["sales_fen"], want[i].sales) << i;
    EXPECT_EQ(row["baseline_fen"], want[i].baseline) << i;
    EXPECT_EQ(row["uplift_bp"], want[i].uplift) << i;
    // S3 events do not exist yet: no invited / attended figures are claimed.
    EXPECT_FALSE(row.contains("invited"));
    EXPECT_FALSE(row.contains("attended"));
  }
  EXPECT_EQ(r["totals"]["sales_fen"], 180000);
  EXPECT_EQ(r["totals"]["baseline_fen"], 160000);
  EXPECT_EQ(r["totals"]["uplift_bp"], 1250);

  // SH01's manager: SH02's sales drop out of the national holiday's figures.
  auto mine = Report(manager_, "campaigns", kSepOct);
  ASSERT_EQ(mine["rows"].size(), 3u);
  EXPECT_EQ(mine["rows"][2]["buyers"], 1);
  EXPECT_EQ(mine["rows"][2]["sales_fen"], 70000);
  EXPECT_EQ(mine["rows"][2]["baseline_fen"], 50000);
  EXPECT_EQ(mine["rows"][2]["uplift_bp"], 4000);

  // A period no window overlaps.
  auto spring = Report(analyst_, "campaigns", {{"from", "2027-03"}, {"to", "2027-04"}});
  EXPECT_EQ(spring["rows"], json::array());
  EXPECT_TRUE(spring["totals"]["uplift_bp"].is_null());
}

}  // namespace
}  // namespace vipcare::service
