// SPEC R4: the activity report (active / dormant members per home store) and
// the RFM report (quintile scores and the eight named segments), through
// service::Reports on the backend VIPCARE_TEST_BACKEND selects. Every member
// is registered on 2026-06-01; every sale is 100 yuan unless said otherwise
// (so nobody reaches a tier by buying); the clock stands at 2027-07-15.
//
// Activity, `to` = 2027-06, so as of A = 2027-06-30 (before today). Cut-offs:
// active = last purchase >= A-89 = 2027-04-02, dormant_180 = <= A-180 =
// 2027-01-01, dormant_365 = <= A-365 = 2026-06-30.
//   SH01 甲 2027-04-02 (89 days: active)     乙 2027-04-01 (90 days: none)
//        丙 2027-01-01 (180: dormant_180)    丁 2026-06-30 (365: 180 + 365)
//        戊 never                            己 2026-07-01 (364: dormant_180)
//        庚 2027-06-20 and 2027-07-05 (after A: last purchase as of A is
//           06-20, active)
//        辛 2027-07-10 only (after A: never bought as of A)
//        壬 2027-06-25 then closed (not counted)
//        癸 registered 2027-07-12, after A (not counted)
//   SH02 子 2027-06-29 (active), 丑 never.     GZ01 寅 2027-06-20 (active).
//   -> SH01 8 members, active 2, dormant_180 3, dormant_365 1, never 2,
//      share 2/8 = 2500 bp; SH02 2, 1, 0, 0, 1, 5000 bp; GZ01 1, 1, 0, 0, 0,
//      10000 bp; totals 11, 4, 3, 1, 3, 4/11 = 36.36 % = 3636 bp.
// `to` = 2027-07: as of today 2027-07-15 (active >= 2027-04-17, dormant_180
// <= 2027-01-16, dormant_365 <= 2026-07-15): SH01 9 members (癸 now counts),
// active 庚 辛 = 2, dormant_180 丙 丁 己 = 3, dormant_365 丁 己 = 2, never 戊 癸
// = 2, share 2/9 = 2222 bp.
// Tier gold given to 甲, 戊 (SH01) and 子 (SH02): SH01 2 members, 1 active,
// 1 never; SH02 1 member, 1 active.
//
// RFM, `to` = 2027-06: window 2026-07 .. 2027-06, as of 2027-06-30. Ten
// buyers at SH01 (yuan; * = last purchase):
//   B1  5000 on 2027-06-20*                          F1  M 5000  R 06-20
//   B2  100 on 2026-08-01*                           F1  M  100  R 08-01
//   B3  100 on 2027-06-20*                           F1  M  100  R 06-20
//   B4  100 on 2026-08-15, 200 on 2026-09-01*        F2  M  300  R 09-01
//   B5  1000 on 2026-09-10, 2000 on 2026-10-01*      F2  M 3000  R 10-01
//   B6  200 on 2026-12-01, 2027-02-01, 2027-05-01*   F3  M  600  R 05-01
//   B7  1000 on 2026-07-10, 2026-09-10, 2026-12-01*  F3  M 3000  R 12-01
//   B8  300 on 2026-10-15, 2026-11-15, 2027-01-15*   F3  M  900  R 01-15
//   B9  1000 on 2026-12-20, 2027-02-20, 2027-04-20, 2027-06-25*, and 800 on
//       2027-07-05 (after the window)                F4  M 4000  R 06-25
//   B10 240 on 2026-07-05, 08-05, 09-05, 10-05, 11-01*, 200 of the first
//       refunded on 2026-11-10 (a refund is not a purchase) F5 M 1000 R 11-01
// Not buyers: B11 bought only 2026-06-15 (before the window); B12 bought
// 2027-03-03 and is closed. Y (SH02) bought 100 on 2027-03-03.
// Score = 1 + floor(5 * below / n) with n = 10, below = buyers strictly
// worse: below 0-1 -> 1, 2-3 -> 2, 4-5 -> 3, 6-7 -> 4, 8-9 -> 5.
//   F: 1,1,1 (below 0) -> 1; 2,2 (3) -> 2; 3,3,3 (5) -> 3, so nobody has F4;
//      4 (8) -> 5; 5 (9) -> 5.
//   M: 100,100 (0) -> 1; 300 (2) -> 2; 600 (3) -> 2; 900 (4) -> 3;
//      1000 (5) -> 3; 3000,3000 (6) -> 4; 4000 (8) -> 5; 5000 (9) -> 5.
//   R: 08-01 (0) 1; 09-01 (1) 1; 10-01 (2) 2; 11-01 (3) 2; 12-01 (4) 3;
//      01-15 (5) 3; 05-01 (6) 4; 06-20,06-20 (7) 4; 06-25 (9) 5.
//   B1 R4 F1 M5 重要发展   B2 R1 F1 M1 一般挽留   B3 R4 F1 M1 一般发展
//   B4 R1 F2 M2 一般挽留   B5 R2 F2 M4 重要挽留   B6 R4 F3 M2 一般发展
//   B7 R3 F3 M4 重要挽留   B8 R3 F3 M3 一般挽留   B9 R5 F5 M5 重要价值
//   B10 R2 F5 M3 一般保持
// Segments: 重要价值 1 (4000), 重要发展 1 (5000), 重要保持 0, 重要挽留 2 (6000,
// avg 3000), 一般价值 0, 一般发展 2 (700, avg 350), 一般保持 1 (1000), 一般挽留
// 3 (1300, avg 433.33 -> 43333 fen); total 10 buyers, 18000 yuan, avg 1800.
// Grid (r,f): (1,1) 1/100, (1,2) 1/300, (2,2) 1/3000, (2,5) 1/1000,
// (3,3) 2/3900, (4,1) 2/5100, (4,3) 1/600, (5,5) 1/4000; the rest 0.
// SH02 alone: Y is the only buyer, so below = 0 on every measure: R1 F1 M1,
// 一般挽留 (a lone buyer is nobody's better).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "service/org.h"
#include "service/reports.h"
#include "store/reports/rollups.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class ReportsR4Test : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  ReportsR4Test() {
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    At(D(2026, 6, 1));
  }

  MemberId NewAt(const std::string& name, StoreId store) {
    auto m = members_.Create(fx_.admin(), fx_.MemberBody(name, store));
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    return m.ok() ? m->member.id : MemberId();
  }

  struct Sale {
    MemberId member;
    int64_t yuan;
    Date day;
    int refund_of = -1;  // index of the sale this refunds (yuan given back)
  };

  // Posts `sales` in date order (a refund after its sale on the same day).
  void PostAll(std::vector<Sale> sales) {
    std::vector<size_t> order(sales.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return sales[a].day < sales[b].day; });
    std::map<size_t, std::string> ids;
    for (size_t i : order) {
      const Sale& s = sales[i];
      if (s.refund_of < 0) {
        ids[i] = Buy(s.member, s.yuan, s.day)["external_id"];
        continue;
      }
      At(s.day);
      auto r = loyalty_.PostSale(fx_.admin(), fx_.RefundBody("REFUND-" + std::to_string(i),
                                                             ids.at(size_t(s.refund_of)), s.yuan));
      ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    }
  }

  void Close(MemberId m) {
    auto r = members_.ChangeStatus(fx_.admin(), m, "closed", "本人申请注销");
    ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
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

  json Get(const Actor& a, const std::string& name, QueryMap q) {
    auto r = reports_.Get(a, name, q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  static const json* RowOf(const json& report, StoreId store) {
    for (const auto& row : report["rows"]) {
      if (row["store_id"] == store.value) return &row;
    }
    return nullptr;
  }

  Reports reports_{fx_.env()};
  Actor analyst_;
};

// ---- activity ----

class ActivityReportTest : public ReportsR4Test {
 protected:
  ActivityReportTest() {
    const auto& o = fx_.org();
    jia_ = NewAt("甲会员", o.sh01);
    const MemberId yi = NewAt("乙会员", o.sh01);
    const MemberId bing = NewAt("丙会员", o.sh01);
    const MemberId ding = NewAt("丁会员", o.sh01);
    wu_ = NewAt("戊会员", o.sh01);
    const MemberId ji = NewAt("己会员", o.sh01);
    const MemberId geng = NewAt("庚会员", o.sh01);
    const MemberId xin = NewAt("辛会员", o.sh01);
    const MemberId ren = NewAt("壬会员", o.sh01);
    zi_ = NewAt("子会员", o.sh02);
    chou_ = NewAt("丑会员", o.sh02);
    const MemberId yin = NewAt("寅会员", o.gz01);
    PostAll({{jia_, 100, D(2027, 4, 2)},
             {yi, 100, D(2027, 4, 1)},
             {bing, 100, D(2027, 1, 1)},
             {ding, 100, D(2026, 6, 30)},
             {ji, 100, D(2026, 7, 1)},
             {geng, 100, D(2027, 6, 20)},
             {geng, 100, D(2027, 7, 5)},
             {xin, 100, D(2027, 7, 10)},
             {ren, 100, D(2027, 6, 25)},
             {zi_, 100, D(2027, 6, 29)},
             {yin, 100, D(2027, 6, 20)}});
    Close(ren);
    At(D(2027, 7, 12));
    NewAt("癸会员", o.sh01);
    At(D(2027, 7, 15));
  }

  MemberId jia_, wu_, zi_, chou_;
};

TEST_F(ActivityReportTest, R4ActiveAndDormantPerHomeStoreAsOfThePeriodEnd) {
  auto r = Get(analyst_, "activity", {{"from", "2027-01"}, {"to", "2027-06"}});
  EXPECT_EQ(r["as_of"], "2027-06-30");
  ASSERT_EQ(r["rows"].size(), 3u) << r.dump();
  const json* sh01 = RowOf(r, fx_.org().sh01);
  ASSERT_NE(sh01, nullptr);
  EXPECT_EQ((*sh01)["store_name"], "上海南京路店");
  EXPECT_EQ((*sh01)["members"], 8);
  EXPECT_EQ((*sh01)["active_90"], 2);
  EXPECT_EQ((*sh01)["dormant_180"], 3);
  EXPECT_EQ((*sh01)["dormant_365"], 1);
  EXPECT_EQ((*sh01)["never_bought"], 2);
  EXPECT_EQ((*sh01)["active_share_bp"], 2500);
  const json* sh02 = RowOf(r, fx_.org().sh02);
  ASSERT_NE(sh02, nullptr);
  EXPECT_EQ((*sh02)["members"], 2);
  EXPECT_EQ((*sh02)["active_90"], 1);
  EXPECT_EQ((*sh02)["dormant_180"], 0);
  EXPECT_EQ((*sh02)["never_bought"], 1);
  EXPECT_EQ((*sh02)["active_share_bp"], 5000);
  const json* gz01 = RowOf(r, fx_.org().gz01);
  ASSERT_NE(gz01, nullptr);
  EXPECT_EQ((*gz01)["members"], 1);
  EXPECT_EQ((*gz01)["active_share_bp"], 10000);
  const json& t = r["totals"];
  EXPECT_EQ(t["members"], 11);
  EXPECT_EQ(t["active_90"], 4);
  EXPECT_EQ(t["dormant_180"], 3);
  EXPECT_EQ(t["dormant_365"], 1);
  EXPECT_EQ(t["never_bought"], 3);
  EXPECT_EQ(t["active_share_bp"], 3636);
  // Every row key has a Chinese column title.
  ASSERT_EQ(r["columns"].size(), 7u);
  EXPECT_EQ(r["columns"][1]["key"], "members");
  EXPECT_EQ(r["columns"][1]["title"], "会员数");
  EXPECT_EQ(r["columns"][6]["kind"], "bp");
}

TEST_F(ActivityReportTest, R4TheCurrentMonthIsAsOfTodayAndCountsLaterMembersAndSales) {
  auto r = Get(analyst_, "activity", {{"from", "2027-07"}, {"to", "2027-07"},
                                      {"store_id", std::to_string(fx_.org().sh01.value)}});
  EXPECT_EQ(r["as_of"], "2027-07-15");
  ASSERT_EQ(r["rows"].size(), 1u) << r.dump();
  const json& sh01 = r["rows"][0];
  EXPECT_EQ(sh01["members"], 9);
  EXPECT_EQ(sh01["active_90"], 2);
  EXPECT_EQ(sh01["dormant_180"], 3);
  EXPECT_EQ(sh01["dormant_365"], 2);
  EXPECT_EQ(sh01["never_bought"], 2);
  EXPECT_EQ(sh01["active_share_bp"], 2222);
}

TEST_F(ActivityReportTest, R4TierFilterCountsMembersOnTheirCurrentTier) {
  SetTier(jia_, "gold");
  SetTier(wu_, "gold");
  SetTier(zi_, "gold");
  auto r = Get(analyst_, "activity", {{"to", "2027-06"}, {"from", "2027-06"}, {"tier", "gold"}});
  ASSERT_EQ(r["rows"].size(), 2u) << r.dump();
  const json* sh01 = RowOf(r, fx_.org().sh01);
  ASSERT_NE(sh01, nullptr);
  EXPECT_EQ((*sh01)["members"], 2);
  EXPECT_EQ((*sh01)["active_90"], 1);
  EXPECT_EQ((*sh01)["never_bought"], 1);
  const json* sh02 = RowOf(r, fx_.org().sh02);
  ASSERT_NE(sh02, nullptr);
  EXPECT_EQ((*sh02)["members"], 1);
  EXPECT_EQ((*sh02)["active_90"], 1);
  EXPECT_EQ(r["totals"]["members"], 3);
  EXPECT_EQ(r["scope"]["tier"], "gold");
  auto silver = Get(analyst_, "activity", {{"to", "2027-06"}, {"tier", "silver"}});
  EXPECT_TRUE(silver["rows"].empty());
  EXPECT_EQ(silver["totals"]["members"], 0);
  EXPECT_TRUE(silver["totals"]["active_share_bp"].is_null());
}

TEST_F(ActivityReportTest, R4P2AManagerSeesTheirStoreASupervisorTheirRegion) {
  auto mine = Get(manager_, "activity", {{"to", "2027-06"}});
  ASSERT_EQ(mine["rows"].size(), 1u) << mine.dump();
  EXPECT_EQ(mine["rows"][0]["store_id"], fx_.org().sh01.value);
  EXPECT_EQ(mine["totals"]["members"], 8);
  auto other = reports_.Get(manager_, "activity",
                            {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);

  auto east = Get(EastSupervisor(), "activity", {{"to", "2027-06"}});
  ASSERT_EQ(east["rows"].size(), 2u) << east.dump();
  EXPECT_EQ(RowOf(east, fx_.org().gz01), nullptr);
  EXPECT_EQ(east["totals"]["members"], 10);

  auto south = Get(analyst_, "activity",
                   {{"to", "2027-06"}, {"region_id", std::to_string(fx_.org().south.value)}});
  ASSERT_EQ(south["rows"].size(), 1u);
  EXPECT_EQ(south["rows"][0]["store_id"], fx_.org().gz01.value);
}

TEST_F(ActivityReportTest, R4P10BadFiltersNameTheField) {
  auto tier = reports_.Get(analyst_, "activity", {{"tier", "platinum"}});
  ASSERT_FALSE(tier.ok());
  EXPECT_EQ(tier.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(tier.error().field, "tier");
  auto month = reports_.Get(analyst_, "activity", {{"to", "2027-6"}});
  ASSERT_FALSE(month.ok());
  EXPECT_EQ(month.error().field, "to");
  auto limit = reports_.Get(analyst_, "activity", {{"limit", "10"}});
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.error().field, "limit");
  auto rfm_tier = reports_.Get(analyst_, "rfm", {{"tier", "黑卡"}});
  ASSERT_FALSE(rfm_tier.ok());
  EXPECT_EQ(rfm_tier.error().field, "tier");
}

// ---- RFM ----

class RfmReportTest : public ReportsR4Test {
 protected:
  RfmReportTest() {
    const auto& o = fx_.org();
    std::vector<MemberId> b(13);
    for (int i = 1; i <= 12; ++i) b[i] = NewAt("B" + std::to_string(i) + "会员", o.sh01);
    const MemberId y = NewAt("Y会员", o.sh02);
    PostAll({{b[1], 5000, D(2027, 6, 20)},
             {b[2], 100, D(2026, 8, 1)},
             {b[3], 100, D(2027, 6, 20)},
             {b[4], 100, D(2026, 8, 15)},
             {b[4], 200, D(2026, 9, 1)},
             {b[5], 1000, D(2026, 9, 10)},
             {b[5], 2000, D(2026, 10, 1)},
             {b[6], 200, D(2026, 12, 1)},
             {b[6], 200, D(2027, 2, 1)},
             {b[6], 200, D(2027, 5, 1)},
             {b[7], 1000, D(2026, 7, 10)},
             {b[7], 1000, D(2026, 9, 10)},
             {b[7], 1000, D(2026, 12, 1)},
             {b[8], 300, D(2026, 10, 15)},
             {b[8], 300, D(2026, 11, 15)},
             {b[8], 300, D(2027, 1, 15)},
             {b[9], 1000, D(2026, 12, 20)},
             {b[9], 1000, D(2027, 2, 20)},
             {b[9], 1000, D(2027, 4, 20)},
             {b[9], 1000, D(2027, 6, 25)},
             {b[9], 800, D(2027, 7, 5)},
             {b[10], 240, D(2026, 7, 5)},  // index 21
             {b[10], 240, D(2026, 8, 5)},
             {b[10], 240, D(2026, 9, 5)},
             {b[10], 240, D(2026, 10, 5)},
             {b[10], 240, D(2026, 11, 1)},
             {b[10], 200, D(2026, 11, 10), 21},
             {b[11], 100, D(2026, 6, 15)},
             {b[12], 100, D(2027, 3, 3)},
             {y, 100, D(2027, 3, 3)}});
    Close(b[12]);
    At(D(2027, 7, 15));
  }

  static const json& Segment(const json& r, const std::string& code) {
    for (const auto& row : r["rows"]) {
      if (row["segment"] == code) return row;
    }
    static const json none;
    ADD_FAILURE() << "no segment " << code;
    return none;
  }

  static const json& Cell(const json& r, int rs, int fs) {
    for (const auto& c : r["grid"]) {
      if (c["r"] == rs && c["f"] == fs) return c;
    }
    static const json none;
    ADD_FAILURE() << "no cell " << rs << "," << fs;
    return none;
  }
};

TEST_F(RfmReportTest, R4QuintileScoresShareTiesAndNameTheEightSegments) {
  auto r = Get(analyst_, "rfm",
               {{"to", "2027-06"}, {"store_id", std::to_string(fx_.org().sh01.value)}});
  EXPECT_EQ(r["as_of"], "2027-06-30");
  EXPECT_EQ(r["window"]["from"], "2026-07");
  EXPECT_EQ(r["window"]["to"], "2027-06");
  ASSERT_EQ(r["rows"].size(), 8u) << r.dump();
  EXPECT_EQ(r["rows"][0]["segment"], "important_value");
  EXPECT_EQ(r["rows"][0]["segment_name"], "重要价值客户");
  struct Expect {
    const char* code;
    int members;
    int64_t spend_fen;
    json share_bp;
    json avg_fen;
  };
  const Expect expected[] = {
      {"important_value", 1, 400000, 1000, 400000},
      {"important_develop", 1, 500000, 1000, 500000},
      {"important_keep", 0, 0, 0, nullptr},
      {"important_winback", 2, 600000, 2000, 300000},
      {"general_value", 0, 0, 0, nullptr},
      {"general_develop", 2, 70000, 2000, 35000},
      {"general_keep", 1, 100000, 1000, 100000},
      {"general_winback", 3, 130000, 3000, 43333},
  };
  for (const auto& e : expected) {
    const json& row = Segment(r, e.code);
    EXPECT_EQ(row["members"], e.members) << e.code;
    EXPECT_EQ(row["spend_fen"], e.spend_fen) << e.code;
    EXPECT_EQ(row["share_bp"], e.share_bp) << e.code;
    EXPECT_EQ(row["avg_spend_fen"], e.avg_fen) << e.code;
  }
  EXPECT_EQ(r["totals"]["members"], 10);
  EXPECT_EQ(r["totals"]["spend_fen"], 1800000);
  EXPECT_EQ(r["totals"]["avg_spend_fen"], 180000);

  ASSERT_EQ(r["grid"].size(), 25u);
  const std::tuple<int, int, int, int64_t> cells[] = {
      {1, 1, 1, 10000}, {1, 2, 1, 30000},  {2, 2, 1, 300000}, {2, 5, 1, 100000},
      {3, 3, 2, 390000}, {4, 1, 2, 510000}, {4, 3, 1, 60000},  {5, 5, 1, 400000}};
  int64_t in_grid = 0;
  for (const auto& c : r["grid"]) in_grid += c["members"].get<int64_t>();
  EXPECT_EQ(in_grid, 10);
  for (const auto& [rs, fs, members, fen] : cells) {
    EXPECT_EQ(Cell(r, rs, fs)["members"], members) << rs << "," << fs;
    EXPECT_EQ(Cell(r, rs, fs)["monetary_fen"], fen) << rs << "," << fs;
  }
  // The three buyers with 3 purchases tie below 5 of 10 others: all F3, none F4.
  for (int rs = 1; rs <= 5; ++rs) EXPECT_EQ(Cell(r, rs, 4)["members"], 0);
}

TEST_F(RfmReportTest, R4P2RfmIsScoredWithinTheCallersScope) {
  // The manager of SH01 sees the same ten buyers, scored among themselves.
  auto mine = Get(manager_, "rfm", {{"to", "2027-06"}});
  EXPECT_EQ(mine["totals"]["members"], 10);
  EXPECT_EQ(Segment(mine, "important_value")["members"], 1);
  // SH02's only buyer is scored 1/1/1 among one: 一般挽留.
  auto sh02 = Get(analyst_, "rfm",
                  {{"to", "2027-06"}, {"store_id", std::to_string(fx_.org().sh02.value)}});
  EXPECT_EQ(sh02["totals"]["members"], 1);
  EXPECT_EQ(Segment(sh02, "general_winback")["members"], 1);
  EXPECT_EQ(Segment(sh02, "general_winback")["share_bp"], 10000);
  EXPECT_EQ(Cell(sh02, 1, 1)["members"], 1);
  // Every store: 11 buyers (B11 bought before the window, B12 is closed).
  auto all = Get(analyst_, "rfm", {{"to", "2027-06"}});
  EXPECT_EQ(all["totals"]["members"], 11);
  EXPECT_EQ(all["totals"]["spend_fen"], 1810000);
  // GZ01 has no buyer: every segment is empty, shares unknown.
  auto none = Get(analyst_, "rfm",
                  {{"to", "2027-06"}, {"store_id", std::to_string(fx_.org().gz01.value)}});
  EXPECT_EQ(none["totals"]["members"], 0);
  EXPECT_TRUE(none["totals"]["share_bp"].is_null());
  EXPECT_TRUE(Segment(none, "important_value")["share_bp"].is_null());
}

// ---- report rollups (migration 8, service/report_rollups.h) ----

TEST_F(ActivityReportTest, R4TodayWithSalesDatedAfterItTakesTheLastPurchaseUpToToday) {
  // Three more SH01 members, registered 2027-07-01; sales dated 2027-07-20,
  // after the clock's 2027-07-15 (a till whose clock ran ahead):
  //   X 2027-07-01 and 07-20 -> last purchase as of 07-15 is 07-01: active
  //   Y 2027-03-01 and 07-20 -> 03-01 (136 days: in no bucket)
  //   Z 07-20 only           -> never bought as of 07-15
  // -> SH01 as in R4TheCurrentMonth... plus 3 members, 1 active, 1 never.
  At(D(2027, 3, 1));
  const MemberId x = NewAt("X会员", fx_.org().sh01);
  const MemberId y = NewAt("Y会员", fx_.org().sh01);
  const MemberId z = NewAt("Z会员", fx_.org().sh01);
  Buy(y, 100, D(2027, 3, 1));
  Buy(x, 100, D(2027, 7, 1));
  Buy(x, 100, D(2027, 7, 20));
  Buy(y, 100, D(2027, 7, 20));
  Buy(z, 100, D(2027, 7, 20));
  At(D(2027, 7, 15));
  auto r = Get(analyst_, "activity", {{"from", "2027-07"}, {"to", "2027-07"},
                                      {"store_id", std::to_string(fx_.org().sh01.value)}});
  EXPECT_EQ(r["as_of"], "2027-07-15");
  ASSERT_EQ(r["rows"].size(), 1u) << r.dump();
  const json& sh01 = r["rows"][0];
  EXPECT_EQ(sh01["members"], 12);
  EXPECT_EQ(sh01["active_90"], 3);
  EXPECT_EQ(sh01["dormant_180"], 3);
  EXPECT_EQ(sh01["dormant_365"], 2);
  EXPECT_EQ(sh01["never_bought"], 3);
}

TEST_F(ActivityReportTest, R4ActivityReadsTheMonthsRollupWhichALateSaleUpdates) {
  const QueryMap june = {{"from", "2027-06"}, {"to", "2027-06"}};
  const json from_buckets = Get(analyst_, "activity", june);
  // On 2027-07-15 the job builds the two months before July.
  auto counts = BuildRollups(D(2027, 7, 15));
  EXPECT_EQ(counts["rollups_built"], 2);
  EXPECT_EQ(counts["rollups_discarded"], 0);
  EXPECT_EQ(Get(analyst_, "activity", june), from_buckets);
  // The report reads the rollup: with its last sale days taken away, 庚 and
  // 辛 (who bought after June) have no purchase by June's end.
  ExecSql("UPDATE member_rollups SET last_day = NULL WHERE month = 202706");
  auto tampered = Get(analyst_, "activity", june);
  EXPECT_EQ(tampered["totals"]["never_bought"], 4) << tampered.dump();
  // Marked stale, June is built again by the next run.
  ExecSql("UPDATE report_rollups SET state = 'stale' WHERE month = 202706");
  EXPECT_EQ(Get(analyst_, "activity", june), from_buckets);
  counts = BuildRollups(D(2027, 7, 16));
  EXPECT_EQ(counts["rollups_built"], 1);  // June; May was untouched
  EXPECT_EQ(Get(analyst_, "activity", june), from_buckets);
  // A sale dated in June, posted now, goes into June's rollup at once:
  // 丑 of SH02 becomes active, and nothing is left to build.
  ASSERT_EQ(RowOf(from_buckets, fx_.org().sh02)->at("never_bought"), 1);
  BuyLate(chou_, 100, D(2027, 6, 30));
  auto late = Get(analyst_, "activity", june);
  EXPECT_EQ(RowOf(late, fx_.org().sh02)->at("never_bought"), 0);
  EXPECT_EQ(RowOf(late, fx_.org().sh02)->at("active_90"), 2);
  EXPECT_EQ(late["totals"]["never_bought"], 2);
  EXPECT_EQ(BuildRollups(D(2027, 7, 17))["rollups_built"], 0);
  // The same answer from the buckets alone.
  ExecSql("DELETE FROM report_rollups");
  EXPECT_EQ(Get(analyst_, "activity", june), late);
}

TEST_F(RfmReportTest, R4RfmReadsTheMonthsRollupWhichLateSalesAndRefundsUpdate) {
  const QueryMap june = {{"to", "2027-06"}};
  const json from_buckets = Get(analyst_, "rfm", june);
  // July so far (as of today, 2027-07-15): the window 2026-08 .. 2027-07.
  const json july_from_buckets = Get(analyst_, "rfm", {});
  EXPECT_EQ(july_from_buckets["window"]["from"], "2026-08");
  auto counts = BuildRollups(D(2027, 7, 1));
  EXPECT_EQ(counts["rollups_built"], 2);
  // Members with a bucket up to each month: 13 up to June (B1..B12, Y),
  // 11 up to May (B1 and B3 first bought in June).
  EXPECT_EQ(counts["rollup_members"], 24);
  EXPECT_EQ(Get(analyst_, "rfm", june), from_buckets);
  // July's window is June's rollup less July 2026 plus July 2027 so far.
  EXPECT_EQ(Get(analyst_, "rfm", {}), july_from_buckets);
  // The report reads the rollup's spend, for June and for July so far
  // (July 2026 held 1,040 yuan of it: B7's 1,000 and B10's 240 less the 200
  // refunded in November, booked in the sale's month; July 2027 800).
  ExecSql("UPDATE member_rollups SET spend = spend * 2 WHERE month = 202706");
  EXPECT_EQ(Get(analyst_, "rfm", june)["totals"]["spend_fen"], 2 * 1810000);
  EXPECT_EQ(july_from_buckets["totals"]["spend_fen"], 1810000 - 104000 + 80000);
  EXPECT_EQ(Get(analyst_, "rfm", {})["totals"]["spend_fen"], 2 * 1810000 - 104000 + 80000);
  // Rebuilt after being marked stale, then a sale of 700 yuan dated June
  // 28th by a new member and a refund of 100 yuan of it, both posted on July
  // 15th (the refund is booked in June, the sale's month), go into June's
  // rollup: 12 buyers, the spend as the buckets have it.
  ExecSql("UPDATE report_rollups SET state = 'stale' WHERE month = 202706");
  EXPECT_EQ(BuildRollups(D(2027, 7, 2))["rollups_built"], 1);
  EXPECT_EQ(Get(analyst_, "rfm", june), from_buckets);
  const MemberId late = NewAt("迟到会员", fx_.org().sh01);
  const std::string sale = BuyLate(late, 700, D(2027, 6, 28))["external_id"];
  auto refund = loyalty_.PostSale(fx_.admin(), fx_.RefundBody("REFUND-LATE", sale, 100));
  ASSERT_TRUE(refund.ok()) << refund.error().field << ": " << refund.error().message;
  auto after = Get(analyst_, "rfm", june);
  EXPECT_EQ(after["totals"]["members"], 12);
  EXPECT_EQ(after["totals"]["spend_fen"], 1810000 + 70000 - 10000);
  EXPECT_EQ(BuildRollups(D(2027, 7, 3))["rollups_built"], 0);
  const json july = Get(analyst_, "rfm", {});
  ExecSql("DELETE FROM report_rollups");
  EXPECT_EQ(Get(analyst_, "rfm", june), after);
  EXPECT_EQ(Get(analyst_, "rfm", {}), july);
}

TEST_F(RfmReportTest, R4ASalePostedWhileARollupIsBuiltMakesTheBuildStale) {
  // A build of June begins (run-jobs reads the buckets next); a June sale
  // posted meanwhile may be missing from what it read, so June is not
  // marked ready, and the report keeps reading the buckets.
  ASSERT_TRUE(fx_.store()
                  .Write([&](store::Repository& repo) -> Status {
                    store::reports::BeginRollup(repo.reports().db(), 202706, "run-1",
                                                fx_.clock().Now(), fx_.clock().Now());
                    return OkStatus();
                  })
                  .ok());
  At(D(2027, 6, 29));
  Buy(NewAt("并发会员", fx_.org().sh01), 500, D(2027, 6, 29));
  At(D(2027, 7, 15));
  auto finished = fx_.store().Write([&](store::Repository& repo) -> Result<bool> {
    return store::reports::FinishRollup(repo.reports().db(), 202706, "run-1", 0);
  });
  ASSERT_TRUE(finished.ok());
  EXPECT_FALSE(*finished);
  auto r = Get(analyst_, "rfm", {{"to", "2027-06"}});
  EXPECT_EQ(r["totals"]["members"], 12);
  EXPECT_EQ(BuildRollups(D(2027, 7, 15))["rollups_built"], 2);
  EXPECT_EQ(Get(analyst_, "rfm", {{"to", "2027-06"}}), r);
}

TEST_F(RfmReportTest, R4AMergeMarksTheRollupsFromTheAbsorbedFilesFirstMonthStale) {
  // Two more SH01 buyers: 甲 300 yuan on 2027-05-05, 乙 400 on 2027-06-06;
  // every store's June: 13 buyers, 18,810 yuan. 乙 merged into 甲: 12
  // buyers, the same spend; June's rollup (乙's first bucket) goes stale and
  // May's stays ready.
  At(D(2027, 5, 1));
  const MemberId jia = NewAt("甲会员", fx_.org().sh01);
  const MemberId yi = NewAt("乙会员", fx_.org().sh01);
  Buy(jia, 300, D(2027, 5, 5));
  Buy(yi, 400, D(2027, 6, 6));
  At(D(2027, 7, 15));
  EXPECT_EQ(BuildRollups(D(2027, 7, 15))["rollups_built"], 2);
  auto before = Get(analyst_, "rfm", {{"to", "2027-06"}});
  EXPECT_EQ(before["totals"]["members"], 13);
  EXPECT_EQ(before["totals"]["spend_fen"], 1880000);
  ASSERT_TRUE(members_.Merge(fx_.admin(), jia, yi).ok());
  EXPECT_TRUE(fx_.RollupReady(202705));
  EXPECT_FALSE(fx_.RollupReady(202706));
  auto after = Get(analyst_, "rfm", {{"to", "2027-06"}});
  EXPECT_EQ(after["totals"]["members"], 12);
  EXPECT_EQ(after["totals"]["spend_fen"], 1880000);
  EXPECT_EQ(BuildRollups(D(2027, 7, 16))["rollups_built"], 1);
  EXPECT_EQ(Get(analyst_, "rfm", {{"to", "2027-06"}}), after);
}

}  // namespace
}  // namespace vipcare::service
