// SPEC R6: top-N tracking (VIP top 500) through service::reports, on the
// backend VIPCARE_TEST_BACKEND selects. Members are registered on
// 2026-04-01 in the order P1..P8 (so ids ascend in that order); the clock
// stands at 2027-07-15. The period is 2027-04 .. 2027-06 with limit 3:
//   current  = 12 months up to 2027-06-30: months 2026-07 .. 2027-06
//   previous = 12 months up to 2027-03-31 (the day before `from`):
//              months 2026-04 .. 2027-03
// Purchases (yuan, SH01 unless said):
//   P1 5000 on 2026-05-10               prev 5000  cur    0
//   P2 3000 on 2026-10-10               prev 3000  cur 3000
//   P3 4000 on 2027-05-10               prev    0  cur 4000
//   P4 1000 on 2027-03-31 (month end: previous period and current),
//      1500 on 2027-04-01 (current only) prev 1000  cur 2500
//   P5 2000 on 2026-06-30 (month end: only in the previous 12 months),
//      500 on 2026-07-01                prev 2500  cur  500
//   P6 2500 on 2027-02-10               prev 2500  cur 2500
//   P7 9000 on 2027-05-10, then closed  (never ranked)
//   P8 (SH02) 3500 on 2027-05-10        prev    0  cur 3500
// SH01 (manager, or admin with store_id):
//   previous: P1 5000 (1), P2 3000 (2), P5 2500 and P6 2500 tie: lower id
//     first, so P5 (3); P6 4th, P4 5th.
//   current:  P3 4000 (1), P2 3000 (2), P4 2500 and P6 2500 tie: P4 (3); P6
//     4th and in neither top 3, so not listed.
//   -> rows: 1 P3 entered (prev rank -, prev 0, +4000), 2 P2 stayed (2, 3000,
//      0), 3 P4 entered (was 5th: prev rank -, prev 1000, +1500);
//      left: P1 (prev rank 1, now 0, -5000), P5 (prev rank 3, now 500, -2000).
//   summary: entered 2, stayed 1, left 2, threshold 2500, spend 4000 + 3000 +
//   2500 = 9500, previous 5000 + 3000 + 2500 = 10500.
// Every store (analyst): current P3 4000, P8 3500, P2 3000; previous P1, P2,
// P5 -> entered 2 (P3, P8), stayed 1, left 2, threshold 3000, spend 10500,
// previous 10500.
#include <gtest/gtest.h>

#include "service/org.h"
#include "service/reports.h"
#include "service/reports/report_fns.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class TopMembersReportTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  TopMembersReportTest() {
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    At(D(2026, 4, 1));
    const auto& o = fx_.org();
    for (int i = 1; i <= 8; ++i) {
      auto m = members_.Create(fx_.admin(),
                               fx_.MemberBody(kNames[i - 1], i == 8 ? o.sh02 : o.sh01));
      EXPECT_TRUE(m.ok()) << m.error().message;
      p_[i] = m.ok() ? m->member.id : MemberId();
    }
    Buy(p_[1], 5000, D(2026, 5, 10));
    Buy(p_[5], 2000, D(2026, 6, 30));
    Buy(p_[5], 500, D(2026, 7, 1));
    Buy(p_[2], 3000, D(2026, 10, 10));
    Buy(p_[6], 2500, D(2027, 2, 10));
    Buy(p_[4], 1000, D(2027, 3, 31));
    Buy(p_[4], 1500, D(2027, 4, 1));
    Buy(p_[3], 4000, D(2027, 5, 10));
    Buy(p_[7], 9000, D(2027, 5, 10));
    Buy(p_[8], 3500, D(2027, 5, 10));
    auto closed = members_.ChangeStatus(fx_.admin(), p_[7], "closed", "本人申请注销");
    EXPECT_TRUE(closed.ok());
    At(D(2027, 7, 15));
  }

  using Fn = reports::ReportResult (*)(const reports::ReportQuery&, store::Repository&);
  // The report for `actor` through the catalogue's query resolution.
  Result<json> Run(Fn fn, const Actor& actor, QueryMap params) {
    return fx_.store().Read([&](store::Repository& repo) -> Result<json> {
      auto q = reports::ResolveQuery(actor, *reports::FindReport("top_members"), params, repo,
                                     fx_.env().Today(), fx_.env().tz);
      if (!q.ok()) return q.error();
      return fn(*q, repo);
    });
  }
  json Rows(const Actor& actor, QueryMap params) {
    auto r = Run(reports::TopMembersRows, actor, params);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  Actor EastSupervisor() {
    service::Org org(fx_.env());
    auto s = org.CreateStaff(fx_.admin(), {{"employee_no", "R001"},
                                           {"name", "华东主管"},
                                           {"role", "regional_supervisor"},
                                           {"region_id", fx_.org().east.value}});
    EXPECT_TRUE(s.ok()) << s.error().message;
    return fx_.AddUser("region.east", Role::kRegionalSupervisor, s.ok() ? s->id : StaffId());
  }

  static constexpr const char* kNames[] = {"赵一", "钱二", "孙三", "李四",
                                           "周五", "吴六", "郑七", "王八"};
  const QueryMap period_ = {{"from", "2027-04"}, {"to", "2027-06"}, {"limit", "3"}};
  MemberId p_[9];
  Actor analyst_;
  Reports reports_{fx_.env()};
};

TEST_F(TopMembersReportTest, R6EnteredStayedAndLeftAgainstThePreviousPeriodWithMonthEnds) {
  SetTier(p_[3], "gold");
  auto r = Rows(manager_, period_);
  ASSERT_EQ(r["rows"].size(), 3u) << r.dump();
  const json& first = r["rows"][0];
  EXPECT_EQ(first["rank"], 1);
  EXPECT_EQ(first["member_id"], p_[3].value);
  EXPECT_FALSE(first["member_no"].get<std::string>().empty());
  EXPECT_EQ(first["store_name"], "上海南京路店");
  EXPECT_EQ(first["tier_name"], "金卡");
  EXPECT_EQ(first["spend_fen"], 400000);
  EXPECT_TRUE(first["previous_rank"].is_null());
  EXPECT_EQ(first["previous_spend_fen"], 0);
  EXPECT_EQ(first["change_fen"], 400000);
  EXPECT_EQ(first["status"], "entered");
  const json& second = r["rows"][1];
  EXPECT_EQ(second["member_id"], p_[2].value);
  EXPECT_EQ(second["previous_rank"], 2);
  EXPECT_EQ(second["spend_fen"], 300000);
  EXPECT_EQ(second["previous_spend_fen"], 300000);
  EXPECT_EQ(second["change_fen"], 0);
  EXPECT_EQ(second["status"], "stayed");
  // P4: 03-31 counts in both periods, 04-01 only in the current one; P6 ties
  // with P4 at 2500 and loses on member id.
  const json& third = r["rows"][2];
  EXPECT_EQ(third["rank"], 3);
  EXPECT_EQ(third["member_id"], p_[4].value);
  EXPECT_EQ(third["spend_fen"], 250000);
  EXPECT_TRUE(third["previous_rank"].is_null());
  EXPECT_EQ(third["previous_spend_fen"], 100000);
  EXPECT_EQ(third["change_fen"], 150000);
  EXPECT_EQ(third["status"], "entered");

  ASSERT_EQ(r["left"].size(), 2u) << r.dump();
  const json& p1 = r["left"][0];
  EXPECT_EQ(p1["member_id"], p_[1].value);
  EXPECT_TRUE(p1["rank"].is_null());
  EXPECT_EQ(p1["previous_rank"], 1);
  EXPECT_EQ(p1["spend_fen"], 0);
  EXPECT_EQ(p1["previous_spend_fen"], 500000);
  EXPECT_EQ(p1["change_fen"], -500000);
  EXPECT_EQ(p1["status"], "left");
  // P5: 2026-06-30 is in the previous 12 months only (P5 wins the tie with P6).
  const json& p5 = r["left"][1];
  EXPECT_EQ(p5["member_id"], p_[5].value);
  EXPECT_EQ(p5["previous_rank"], 3);
  EXPECT_EQ(p5["spend_fen"], 50000);
  EXPECT_EQ(p5["previous_spend_fen"], 250000);
  EXPECT_EQ(p5["change_fen"], -200000);

  const json& s = r["summary"];
  EXPECT_EQ(s["limit"], 3);
  EXPECT_EQ(s["as_of"], "2027-06-30");
  EXPECT_EQ(s["previous_as_of"], "2027-03-31");
  EXPECT_EQ(s["entered"], 2);
  EXPECT_EQ(s["stayed"], 1);
  EXPECT_EQ(s["left"], 2);
  EXPECT_EQ(s["threshold_fen"], 250000);
  EXPECT_EQ(s["spend_fen"], 950000);
  EXPECT_EQ(s["previous_spend_fen"], 1050000);
  // The closed member never appears, however much they spent.
  for (const auto& row : r["rows"]) EXPECT_NE(row["member_id"], p_[7].value);
}

TEST_F(TopMembersReportTest, R6P3MemberNamesAreMaskedAndColumnsTitledInChinese) {
  auto r = Rows(fx_.admin(), period_);
  ASSERT_FALSE(r["rows"].empty());
  const std::string name = r["rows"][0]["name"];
  EXPECT_EQ(name, "孙****");
  EXPECT_EQ(r.dump().find("孙三"), std::string::npos);
  EXPECT_EQ(r.dump().find("赵一"), std::string::npos);
  EXPECT_EQ(r["columns"][0]["key"], "rank");
  EXPECT_EQ(r["columns"][0]["title"], "排名");
  EXPECT_EQ(r["rows"][0]["status_name"], "新进");
  EXPECT_EQ(r["left"][0]["status_name"], "退出");
}

TEST_F(TopMembersReportTest, R6P2AnalystGetsCountsOnlyAndNoMemberEverLeaks) {
  // The catalogue answers an analyst (no member_read) with counts only.
  auto r = reports_.Get(analyst_, "top_members", period_);
  ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  EXPECT_TRUE((*r)["rows"].empty());
  EXPECT_FALSE(r->contains("left"));
  const json& s = (*r)["summary"];
  EXPECT_EQ(s["entered"], 2);
  EXPECT_EQ(s["stayed"], 1);
  EXPECT_EQ(s["left"], 2);
  EXPECT_EQ(s["threshold_fen"], 300000);
  EXPECT_EQ(s["spend_fen"], 1050000);
  EXPECT_EQ(s["previous_spend_fen"], 1050000);
  for (int i = 1; i <= 8; ++i) {
    EXPECT_EQ(r->dump().find(kNames[i - 1]), std::string::npos);
    EXPECT_EQ(r->dump().find("\"member_id\""), std::string::npos);
  }
  // The counts answer called directly agrees, scoped like any report.
  auto counts = Run(reports::TopMembersCounts, manager_, period_);
  ASSERT_TRUE(counts.ok());
  EXPECT_TRUE((*counts)["rows"].empty());
  EXPECT_EQ((*counts)["summary"]["threshold_fen"], 250000);
  EXPECT_EQ((*counts)["summary"]["spend_fen"], 950000);
  // A store manager (member_read on their store) gets the member rows from
  // the catalogue, the same as the rows answer called directly.
  auto listed = reports_.Get(manager_, "top_members", period_);
  ASSERT_TRUE(listed.ok());
  auto rows = Run(reports::TopMembersRows, manager_, period_);
  ASSERT_TRUE(rows.ok());
  EXPECT_FALSE((*listed)["rows"].empty());
  EXPECT_EQ((*listed)["rows"], (*rows)["rows"]);
  EXPECT_EQ((*listed)["left"], (*rows)["left"]);
}

TEST_F(TopMembersReportTest, R6P2ManagersSeeTheirStoreSupervisorsTheirRegion) {
  // SH02's P8 is in the region's top 3 but never in the SH01 manager's list.
  auto mine = Rows(manager_, period_);
  for (const auto& row : mine["rows"]) EXPECT_NE(row["member_id"], p_[8].value);
  auto east = Rows(EastSupervisor(), period_);
  ASSERT_EQ(east["rows"].size(), 3u) << east.dump();
  EXPECT_EQ(east["rows"][1]["member_id"], p_[8].value);
  EXPECT_EQ(east["rows"][1]["store_name"], "上海徐家汇店");
  EXPECT_EQ(east["rows"][2]["member_id"], p_[2].value);
  EXPECT_EQ(east["summary"]["threshold_fen"], 300000);
  auto sh02 = Rows(fx_.admin(), {{"from", "2027-04"}, {"to", "2027-06"}, {"limit", "3"},
                                 {"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_EQ(sh02["rows"].size(), 1u);
  EXPECT_EQ(sh02["rows"][0]["member_id"], p_[8].value);
  EXPECT_TRUE(sh02["left"].empty());
  auto other = Run(reports::TopMembersRows, manager_,
                   {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
}

TEST_F(TopMembersReportTest, R6LimitDefaultsTo500AndBadLimitsNameTheField) {
  auto r = reports_.Get(analyst_, "top_members", {{"from", "2027-04"}, {"to", "2027-06"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["summary"]["limit"], 500);
  // Fewer members than the limit: everyone with spend is in, the threshold is
  // the smallest of them (P5 500 yuan among P3 P8 P2 P4 P6 P5).
  EXPECT_EQ((*r)["summary"]["members"], 6);
  EXPECT_EQ((*r)["summary"]["threshold_fen"], 50000);
  EXPECT_EQ((*r)["summary"]["left"], 1);  // P1
  for (const char* bad : {"0", "5001", "-1", "abc", "10x", "2.5", " 3"}) {
    auto e = reports_.Get(analyst_, "top_members", {{"limit", bad}});
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(e.error().field, "limit") << bad;
    auto rows = Run(reports::TopMembersRows, fx_.admin(), {{"limit", bad}});
    ASSERT_FALSE(rows.ok()) << bad;
    EXPECT_EQ(rows.error().field, "limit") << bad;
  }
  auto max = reports_.Get(analyst_, "top_members", {{"limit", "5000"}});
  EXPECT_TRUE(max.ok());
  auto tier = reports_.Get(analyst_, "top_members", {{"tier", "vip"}});
  ASSERT_FALSE(tier.ok());
  EXPECT_EQ(tier.error().field, "tier");
}

TEST_F(TopMembersReportTest, R6TierFilterRanksMembersOnTheirCurrentTier) {
  SetTier(p_[4], "gold");
  SetTier(p_[1], "gold");
  auto r = Rows(fx_.admin(), {{"from", "2027-04"}, {"to", "2027-06"}, {"tier", "gold"}});
  ASSERT_EQ(r["rows"].size(), 1u) << r.dump();
  EXPECT_EQ(r["rows"][0]["member_id"], p_[4].value);
  EXPECT_EQ(r["rows"][0]["previous_rank"], 2);
  EXPECT_EQ(r["rows"][0]["status"], "stayed");
  ASSERT_EQ(r["left"].size(), 1u);
  EXPECT_EQ(r["left"][0]["member_id"], p_[1].value);
}

TEST_F(TopMembersReportTest, R6BothWindowsComeFromRollupsWhichALateSaleUpdates) {
  const json from_buckets = Rows(manager_, period_);
  const QueryMap july = {{"from", "2027-07"}, {"to", "2027-07"}, {"limit", "3"}};
  const json july_from_buckets = Rows(manager_, july);
  // The previous window ends in March, the current one in June: a run in
  // April builds February and March, one in July May and June; the March
  // rollup stays ready, as no March bucket changed.
  EXPECT_EQ(BuildRollups(D(2027, 4, 15))["rollups_built"], 2);
  auto built = BuildRollups(D(2027, 7, 15));
  EXPECT_EQ(built["rollups_built"], 2);
  EXPECT_EQ(built["rollups_dropped"], 0);
  EXPECT_EQ(Rows(manager_, period_), from_buckets);
  // July so far: June's rollup less July 2026 plus July 2027, against June's.
  EXPECT_EQ(Rows(manager_, july), july_from_buckets);
  // The report reads both rollups: P2 (3,000 yuan in October 2026, in both
  // windows) counted twice over in March's tops P1's 5,000.
  ExecSql("UPDATE member_rollups SET spend = spend * 2 WHERE month = 202703 AND member_id = " +
          std::to_string(p_[2].value));
  auto tampered = Rows(manager_, period_);
  ASSERT_FALSE(tampered["rows"].empty());
  EXPECT_EQ(tampered["rows"][0]["member_id"], p_[3].value);
  EXPECT_EQ(tampered["rows"][1]["previous_rank"], 1) << tampered.dump();
  // Marked stale, March is dropped by July's run (only May and June are
  // built then), and the report reads the buckets for the previous window.
  ExecSql("UPDATE report_rollups SET state = 'stale' WHERE month = 202703");
  auto again = BuildRollups(D(2027, 7, 16));
  EXPECT_EQ(again["rollups_built"], 0);
  EXPECT_EQ(again["rollups_dropped"], 1);
  EXPECT_EQ(Rows(manager_, period_), from_buckets);
  EXPECT_EQ(BuildRollups(D(2027, 4, 15))["rollups_built"], 1);  // March again
  EXPECT_EQ(Rows(manager_, period_), from_buckets);
  // P6 buys 2,000 yuan dated 2027-03-20, posted on July 15th: it goes into
  // the March and June rollups at once, and P6 (4,500 then, 4,500 now) is
  // first now and second then.
  BuyLate(p_[6], 2000, D(2027, 3, 20));
  auto late = Rows(manager_, period_);
  ASSERT_FALSE(late["rows"].empty());
  EXPECT_EQ(late["rows"][0]["member_id"], p_[6].value) << late.dump();
  EXPECT_EQ(late["rows"][0]["spend_fen"], 450000);
  EXPECT_EQ(late["rows"][0]["previous_rank"], 2);  // after P1's 5,000
  EXPECT_EQ(BuildRollups(D(2027, 7, 17))["rollups_built"], 0);
  ExecSql("DELETE FROM report_rollups");
  EXPECT_EQ(Rows(manager_, period_), late);
}

}  // namespace
}  // namespace vipcare::service
