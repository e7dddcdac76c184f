// R10 the yearly consumption analysis of a Platinum-and-above member
// (service::YearlyReports) on the backend VIPCARE_TEST_BACKEND selects.
// The company runs the department-store preset: 1 point per yuan paid; tiers
// 普卡 < 银卡 < 金卡 < 钻石卡 < 紫金钻石卡 and no 白金 tier, so "Platinum and
// above" is its top two, 钻石卡 and 紫金钻石卡.
//
// Member 甲 of SH01, hand-worked:
//   2026: 2026-11-25 300 yuan, 2026-12-05 500 yuan (one line each, 女装);
//         a phone contact on 2026-12-10.
//     -> spend 80000 fen, 2 purchases, average 40000, largest 50000, 2 days,
//        2 active months, 800 points earned, 1 contact, 0 visits.
//   2027: S1 01-10 女装/A牌 600 + 鞋履/B牌 400 = 1000 yuan
//         S2 03-15 女装/A牌 2000
//         S3 03-20 配饰/C牌 300
//         S4 06-01 男装/D牌 1500 + 化妆品/E牌 200 + 家居/F牌 100 = 1800
//         07-02 500 of S2 refunded (counts in March, the sale's month, and
//               reverses 500 points)
//         08-10 1000 points turned into a 10-yuan voucher (cash-back)
//         contacts: visit 04-05, phone 09-09
//     -> spend 1000 + 2000 + 300 + 1800 - 500 = 4600 yuan = 460000 fen,
//        4 purchases, average 115000, largest 200000 (S2, 50000 refunded,
//        1 line), 4 purchase days, 3 active months (Jan, Mar, Jun);
//        points earned 1000 + 1800 + 1800 = 4600 (March: 2000 + 300 - 500),
//        redeemed 1000, expired 0; contacts 2, visits 1.
//     by month: 2027-01 100000 / 1 / 1000 pts; 2027-03 180000 / 2 / 1800;
//        2027-06 180000 / 1 / 1800; previous year's 11 and 12: 30000, 50000.
//     by category (top 5 of 6; share of 460000): 女装 600 + 2000 - 500 = 2100
//        yuan (4565 bp), 男装 1500 (3261), 鞋履 400 (870), 配饰 300 (652),
//        化妆品 200 (435); 家居 100 is the sixth. Brands the same: A牌 D牌 B牌
//        C牌 E牌.
//     change against 2026: spend (4600 - 800) / 800 = 47500 bp, purchases
//        10000, average ticket (115000 - 40000) / 40000 = 18750, points
//        earned 47500, purchase days 10000, contacts 10000.
//     tier events in 2027 (automatic upgrades, L6): 01-10 普卡 (3 months
//        300 + 500 + 1000 >= 1500), 03-15 银卡 (6 months 3800 >= 3000),
//        06-01 金卡 (6 months 1000 + 2000 + 300 + 1800 = 5100 >= 5000).
//   Then (2028-01-05) 甲 is put on 钻石卡 and the 2027 report is asked for.
// Member 乙 of SH01 on 金卡: below Platinum, 422 on member_id.
#include "service/yearly_report.h"

#include <gtest/gtest.h>

#include "domain/presets.h"
#include "service/care.h"
#include "service/org.h"
#include "service/redemption.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

json Line(const char* category, const char* brand, int64_t yuan) {
  return {{"sku", std::string("SKU-") + brand},
          {"category", category},
          {"brand", brand},
          {"quantity", 1},
          {"list_price_fen", yuan * 100},
          {"paid_fen", yuan * 100}};
}

class YearlyReportTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  YearlyReportTest() {
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    associate_ = fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
    Org org(fx_.env());
    auto east = org.CreateStaff(fx_.admin(), {{"employee_no", "R001"},
                                              {"name", "主管周明"},
                                              {"role", "regional_supervisor"},
                                              {"region_id", fx_.org().east.value}});
    EXPECT_TRUE(east.ok());
    if (east.ok()) east_ = fx_.AddUser("sup.east", Role::kRegionalSupervisor, east->id);
    jia_ = NewMember("甲会员");
    yi_ = NewMember("乙会员");
  }

  json Sell(MemberId m, Date day, json lines) {
    At(day);
    json body = fx_.SaleBody("Y-" + std::to_string(++sales_), m, 1);
    body["lines"] = std::move(lines);
    auto r = loyalty_.PostSale(fx_.admin(), body);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? r->Body() : json();
  }

  void Contact(MemberId m, const char* channel, Date day) {
    At(day);
    auto r = care_.LogContact(fx_.admin(), m, {{"channel", channel}, {"summary", "关怀联系"}});
    ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  // The two years of the header comment; the clock ends on 2028-01-05 with
  // 甲 on 钻石卡.
  void TwoYears() {
    Sell(jia_, D(2026, 11, 25), json::array({Line("女装", "A牌", 300)}));
    Sell(jia_, D(2026, 12, 5), json::array({Line("女装", "A牌", 500)}));
    Contact(jia_, "phone", D(2026, 12, 10));
    Sell(jia_, D(2027, 1, 10), json::array({Line("女装", "A牌", 600), Line("鞋履", "B牌", 400)}));
    const json s2 = Sell(jia_, D(2027, 3, 15), json::array({Line("女装", "A牌", 2000)}));
    Sell(jia_, D(2027, 3, 20), json::array({Line("配饰", "C牌", 300)}));
    Contact(jia_, "visit", D(2027, 4, 5));
    Sell(jia_, D(2027, 6, 1),
         json::array(
             {Line("男装", "D牌", 1500), Line("化妆品", "E牌", 200), Line("家居", "F牌", 100)}));
    At(D(2027, 7, 2));
    auto refund = loyalty_.PostSale(fx_.admin(), fx_.RefundBody("Y-R1", s2["external_id"], 500));
    ASSERT_TRUE(refund.ok()) << refund.error().field << ": " << refund.error().message;
    At(D(2027, 8, 10));
    Redemption redemption(fx_.env());
    auto voucher = redemption.RedeemVoucher(
        fx_.admin(), jia_, {{"value_fen", 1000}, {"store_id", fx_.org().sh01.value}});
    ASSERT_TRUE(voucher.ok()) << voucher.error().field << ": " << voucher.error().message;
    Contact(jia_, "phone", D(2027, 9, 9));
    At(D(2028, 1, 5));
    SetTier(jia_, "diamond");
    SetTier(yi_, "gold");
  }

  json Must(const Actor& a, MemberId m, int year) {
    auto r = yearly_.Get(a, m, year);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  YearlyReports yearly_{fx_.env()};
  Care care_{fx_.env()};
  Actor analyst_, associate_, east_;
  MemberId jia_, yi_;
};

TEST_F(YearlyReportTest, R10YearOfSpendPointsTiersAndContactsBesideTheYearBefore) {
  TwoYears();
  json r = Must(manager_, jia_, 2027);
  EXPECT_EQ(r["year"], 2027);
  EXPECT_EQ(r["from"], "2027-01-01");
  EXPECT_EQ(r["to"], "2027-12-31");
  EXPECT_EQ(r["complete"], true);
  EXPECT_EQ(r["as_of"], "2027-12-31");
  EXPECT_EQ(r["member"]["name"], "甲会员");
  EXPECT_EQ(r["member"]["tier"]["code"], "diamond");
  EXPECT_EQ(r["member"]["tier"]["name"], "钻石卡");
  EXPECT_EQ(r["member"]["store"]["name"], "上海南京路店");

  const json& s = r["summary"];
  EXPECT_EQ(s["spend_fen"], 460000);
  EXPECT_EQ(s["purchases"], 4);
  EXPECT_EQ(s["average_ticket_fen"], 115000);
  EXPECT_EQ(s["largest_purchase_fen"], 200000);
  EXPECT_EQ(s["purchase_days"], 4);
  EXPECT_EQ(s["active_months"], 3);
  EXPECT_EQ(s["points_earned"], 4600);
  EXPECT_EQ(s["points_redeemed"], 1000);
  EXPECT_EQ(s["points_expired"], 0);
  EXPECT_EQ(s["contacts"], 2);
  EXPECT_EQ(s["visits"], 1);

  const json& p = r["previous"];
  EXPECT_EQ(p["year"], 2026);
  EXPECT_EQ(p["spend_fen"], 80000);
  EXPECT_EQ(p["purchases"], 2);
  EXPECT_EQ(p["average_ticket_fen"], 40000);
  EXPECT_EQ(p["largest_purchase_fen"], 50000);
  EXPECT_EQ(p["points_earned"], 800);
  EXPECT_EQ(p["contacts"], 1);
  EXPECT_EQ(p["visits"], 0);

  EXPECT_EQ(r["change"], (json{{"spend_bp", 47500},
                               {"purchases_bp", 10000},
                               {"average_ticket_bp", 18750},
                               {"points_earned_bp", 47500},
                               {"purchase_days_bp", 10000},
                               {"contacts_bp", 10000}}));

  ASSERT_EQ(r["by_month"].size(), 12u);
  EXPECT_EQ(r["by_month"][0], (json{{"month", "2027-01"},
                                    {"spend_fen", 100000},
                                    {"purchases", 1},
                                    {"points", 1000},
                                    {"previous_spend_fen", 0},
                                    {"previous_purchases", 0}}));
  EXPECT_EQ(r["by_month"][2]["spend_fen"], 180000);
  EXPECT_EQ(r["by_month"][2]["purchases"], 2);
  EXPECT_EQ(r["by_month"][2]["points"], 1800);
  EXPECT_EQ(r["by_month"][5]["spend_fen"], 180000);
  EXPECT_EQ(r["by_month"][6]["spend_fen"], 0);
  EXPECT_EQ(r["by_month"][10]["previous_spend_fen"], 30000);
  EXPECT_EQ(r["by_month"][11]["previous_spend_fen"], 50000);

  json categories = json::array();
  for (auto [name, fen, bp] : {std::tuple{"女装", 210000, 4565}, std::tuple{"男装", 150000, 3261},
                               std::tuple{"鞋履", 40000, 870}, std::tuple{"配饰", 30000, 652},
                               std::tuple{"化妆品", 20000, 435}}) {
    categories.push_back(
        {{"category", name}, {"spend_fen", fen}, {"quantity", 0}, {"share_bp", bp}});
  }
  ASSERT_EQ(r["by_category"].size(), 5u) << r["by_category"].dump();
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(r["by_category"][i]["category"], categories[i]["category"]) << i;
    EXPECT_EQ(r["by_category"][i]["spend_fen"], categories[i]["spend_fen"]) << i;
    EXPECT_EQ(r["by_category"][i]["share_bp"], categories[i]["share_bp"]) << i;
  }
  EXPECT_EQ(r["by_category"][0]["quantity"], 2);  // S1's and S2's lines; a refund line has none
  const char* brands[] = {"A牌", "D牌", "B牌", "C牌", "E牌"};
  ASSERT_EQ(r["by_brand"].size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(r["by_brand"][i]["brand"], brands[i]) << i;

  EXPECT_EQ(r["largest_purchase"], (json{{"day", "2027-03-15"},
                                         {"store_id", fx_.org().sh01.value},
                                         {"store_name", "上海南京路店"},
                                         {"paid_fen", 200000},
                                         {"refunded_fen", 50000},
                                         {"lines", 1}}));

  const json& tiers = r["tier_history"];
  ASSERT_EQ(tiers.size(), 3u) << tiers.dump();
  EXPECT_EQ(tiers[0]["day"], "2027-01-10");
  EXPECT_EQ(tiers[0]["kind"], "upgrade");
  EXPECT_TRUE(tiers[0]["from"].is_null());
  EXPECT_EQ(tiers[0]["to"]["name"], "普卡");
  EXPECT_EQ(tiers[1]["day"], "2027-03-15");
  EXPECT_EQ(tiers[1]["to"]["name"], "银卡");
  EXPECT_EQ(tiers[2]["day"], "2027-06-01");
  EXPECT_EQ(tiers[2]["from"]["code"], "silver");
  EXPECT_EQ(tiers[2]["to"]["name"], "金卡");

  EXPECT_EQ(r["contacts"]["total"], 2);
  EXPECT_EQ(r["contacts"]["visits"], 1);
  EXPECT_EQ(r["contacts"]["by_channel"].size(), 2u);
}

TEST_F(YearlyReportTest, R10TheCurrentYearSoFarAndAYearWithoutPurchases) {
  TwoYears();  // today 2028-01-05
  json now = Must(manager_, jia_, 0);
  EXPECT_EQ(now["year"], 2028);
  EXPECT_EQ(now["complete"], false);
  EXPECT_EQ(now["as_of"], "2028-01-05");
  EXPECT_EQ(now["summary"]["purchases"], 0);
  EXPECT_TRUE(now["summary"]["average_ticket_fen"].is_null());
  EXPECT_TRUE(now["largest_purchase"].is_null());
  EXPECT_EQ(now["by_category"], json::array());
  EXPECT_EQ(now["previous"]["spend_fen"], 460000);
  EXPECT_EQ(now["change"]["spend_bp"], -10000);
  // Nothing to compare with: 2025 had no purchases.
  json y2026 = Must(manager_, jia_, 2026);
  EXPECT_TRUE(y2026["change"]["spend_bp"].is_null());
}

TEST_F(YearlyReportTest, R10OnlyForPlatinumAndAboveElse422OnMemberId) {
  TwoYears();
  const int64_t reads = fx_.CountAudit("member_read");
  auto gold = yearly_.Get(manager_, yi_, 2027);
  ASSERT_FALSE(gold.ok());
  EXPECT_EQ(gold.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(gold.error().field, "member_id");
  EXPECT_NE(gold.error().message.find("钻石卡"), std::string::npos) << gold.error().message;
  EXPECT_NE(gold.error().message.find("金卡"), std::string::npos) << gold.error().message;
  // No tier at all.
  const MemberId bing = NewMember("丙会员");
  auto none = yearly_.Get(manager_, bing, 2027);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kUnprocessable);
  // A refused report is no read of the member's details.
  EXPECT_EQ(fx_.CountAudit("member_read"), reads);
  // The top tier qualifies too.
  SetTier(yi_, "purple_diamond");
  EXPECT_TRUE(yearly_.Get(manager_, yi_, 2027).ok());
}

TEST_F(YearlyReportTest, R10ReadScopeMaskingAndAuditAsAMemberFileRead) {
  TwoYears();
  // P2: HQ sees aggregates only; an associate only their own members.
  auto hq = yearly_.Get(analyst_, jia_, 2027);
  ASSERT_FALSE(hq.ok());
  EXPECT_EQ(hq.error().code, ErrorCode::kForbidden);
  auto assoc = yearly_.Get(associate_, jia_, 2027);
  ASSERT_FALSE(assoc.ok());
  EXPECT_EQ(assoc.error().code, ErrorCode::kForbidden);
  // Scope is checked before the tier: no tier is revealed outside it.
  auto assoc_gold = yearly_.Get(associate_, yi_, 2027);
  ASSERT_FALSE(assoc_gold.ok());
  EXPECT_EQ(assoc_gold.error().code, ErrorCode::kForbidden);
  auto missing = yearly_.Get(manager_, MemberId(999999), 2027);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().field, "id");

  // P3: the store manager sees the mobile, the regional supervisor a mask.
  const int64_t reads = fx_.CountAudit("member_read");
  json mine = Must(manager_, jia_, 2027);
  EXPECT_EQ(mine["masked"], false);
  EXPECT_EQ(mine["member"]["mobile"].get<std::string>().find('*'), std::string::npos);
  json east = Must(east_, jia_, 2027);
  EXPECT_EQ(east["masked"], true);
  EXPECT_NE(east["member"]["mobile"].get<std::string>().find("****"), std::string::npos);
  EXPECT_EQ(east["summary"]["spend_fen"], 460000);
  // P6: each report is a read of the member's details.
  EXPECT_EQ(fx_.CountAudit("member_read"), reads + 2);
  const auto audit = fx_.Audit();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, "member_read");
  EXPECT_EQ(audit[0].entity_id, std::to_string(jia_.value));
  EXPECT_EQ(audit[0].detail, "yearly_report year=2027 masked");
}

TEST_F(YearlyReportTest, R10BadYearsNameTheField) {
  TwoYears();
  for (int year : {1999, 2029}) {
    auto r = yearly_.Get(manager_, jia_, year);
    ASSERT_FALSE(r.ok()) << year;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << year;
    EXPECT_EQ(r.error().field, "year") << year;
  }
}

TEST(PlatinumFloorTest, R10PlatinumIsTheTierNamed白金OrPlatinumElseTheTopTwo) {
  domain::Program store = *domain::FindPreset("department_store");
  EXPECT_EQ(PlatinumFloor(store), 3u);  // 钻石卡, 紫金钻石卡
  EXPECT_FALSE(IsPlatinumOrAbove(store, "gold"));
  EXPECT_TRUE(IsPlatinumOrAbove(store, "diamond"));
  EXPECT_TRUE(IsPlatinumOrAbove(store, "purple_diamond"));
  EXPECT_FALSE(IsPlatinumOrAbove(store, ""));
  EXPECT_FALSE(IsPlatinumOrAbove(store, "no_such_tier"));

  domain::Program named = store;
  named.tiers[2].name = "白金卡";  // 金卡 renamed: it and everything above qualify
  EXPECT_EQ(PlatinumFloor(named), 2u);
  EXPECT_TRUE(IsPlatinumOrAbove(named, "gold"));
  EXPECT_FALSE(IsPlatinumOrAbove(named, "silver"));
  domain::Program coded = store;
  coded.tiers[1].code = "Platinum";
  EXPECT_EQ(PlatinumFloor(coded), 1u);

  const domain::Program cosmetics = *domain::FindPreset("cosmetics");  // one tier
  EXPECT_EQ(PlatinumFloor(cosmetics), 0u);
  EXPECT_TRUE(IsPlatinumOrAbove(cosmetics, cosmetics.tiers[0].code));
  domain::Program empty = store;
  empty.tiers.clear();
  EXPECT_FALSE(IsPlatinumOrAbove(empty, "diamond"));
}

}  // namespace
}  // namespace vipcare::service
