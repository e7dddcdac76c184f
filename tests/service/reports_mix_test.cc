// R7 category / brand / price band and age / gender through service::Reports
// on the backend VIPCARE_TEST_BACKEND selects, each on a small hand-built
// data set. Today is 2027-04-20; the period is 2027-03. Yuan below; the
// report answers fen.
//
// category_mix. Members M1, M2 of SH01 and M3 of SH02:
//   02-25 M1 at SH01: 女装 100                        (before the period)
//   03-02 M1 at SH01 (S-1): 女装 Ochirly 2 x 300 = 600; 鞋履 Belle 1 x 1200
//   03-05 M2 at SH01: 女装 Ochirly 1 x 150; 配饰 (no brand) 3 x 30 = 90
//   03-06 walk-in at SH01: 女装 800                   (not a member sale)
//   03-10 refund of S-1's 鞋履 line: 400 at SH01
//   03-12 M3 at SH02: 女装 Ochirly 1 x 6000
// by category (analyst): 女装 600+150+6000 = 6750, 4 units, 3 members, 3 lines;
//   鞋履 1200-400 = 800, 1 unit, 1 member, 1 line; 配饰 90, 3 units, 1, 1.
//   Member sales 7640: shares 6750/7640 = 8835 bp, 800/7640 = 1047 bp,
//   90/7640 = 118 bp. Totals 8 units, 3 members, 5 lines; all sales
//   7640 + 800 = 8440, member share 7640/8440 = 9052 bp.
// by brand: Ochirly 6750 (3 members), Belle 800, none (未标品牌) 90.
// by price band (unit paid price; the refund takes its sale line's 1200):
//   0-199: 150 + 90 = 240 (4 units, 1 member, 2 lines); 200-499: 600 (2 units);
//   500-999: 0; 1000-1999: 800; 2000-4999: 0; 5000+: 6000.
// SH01's manager (sales made at SH01): 女装 750 (2 members, 3 units), 鞋履 800,
//   配饰 90; member sales 1640 of 2440 = 6721 bp.
// Tiers today: M3 gold (6000 at once), M1 normal (3 months 1900 >= 1500), M2
//   none: tier=gold is M3's 6000 only; tier=none M2's 240.
//
// member_profile (ages on 2027-03-31). Members of SH01 unless said, all
// registered 2027-01-05 but M6:
//   M1 女 born 1990-04-01 -> 36 (35-44); buys 1000 on 03-03
//   M2 男 born 2002-03-31 -> 25 that day (25-34); buys 300 + 200 in March
//   M3 女 SH02, no birthday (未知); buys 500 at SH02 on 03-09
//   M4 女 lunar 2002-02-20 = solar 2002-04-02 -> 24 (<25; read as a solar
//      date it would be 25); bought 400 in February, 100 refunded on 03-03
//   M5 女 born 1960-01-01 -> 67 (55+); buys nothing
//   M6 男 born 1995-06-01, registered 2027-04-05: not yet a member on 03-31
// Rows (analyst): <25 女 1 member, 0 buyers, -100 (no average);
//   25-34 男 1, 1, 500, avg 500; 35-44 女 1, 1, 1000, avg 1000;
//   55+ 女 1, 0, 0; 未知 女 1, 1, 500, avg 500.
//   Totals 5 members, 3 buyers, 1900, avg 1900/3 = 633.33 -> 63333 fen.
// SH01's manager: M3 neither a member of SH01 nor buying there: 4 members,
//   2 buyers, 1400, avg 700.
#include <gtest/gtest.h>

#include "domain/lunar.h"
#include "service/reports.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// What both data sets share: dated members and sales, an analyst.
class MixScenario : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  MixScenario() { analyst_ = fx_.AddUser("hq", Role::kHqAnalyst); }

  MemberId Join(const std::string& name, Date day, StoreId store, const json& extra = {}) {
    At(day);
    json body = fx_.MemberBody(name, store);
    if (!extra.is_null()) body.update(extra);
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << name << ": " << m.error().field << ": " << m.error().message;
    return m.ok() ? m->member.id : MemberId();
  }

  static json Line(const std::string& category, const std::string& brand, int64_t quantity,
                   int64_t unit_yuan) {
    return {{"sku", category + "-" + brand},
            {"category", category},
            {"brand", brand},
            {"quantity", quantity},
            {"list_price_fen", unit_yuan * 100},
            {"paid_fen", quantity * unit_yuan * 100}};
  }

  // Posts `body` at 10:00 on `day`.
  void Post(json body, Date day) {
    At(day);
    body["occurred_at"] = FormatTimestamp(fx_.clock().Now());
    auto r = loyalty_.PostSale(fx_.admin(), body);
    ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  void Sale(const std::string& id, MemberId m, StoreId store, json lines, Date day) {
    json body = {{"external_id", id}, {"store_id", store.value}, {"lines", std::move(lines)}};
    if (m) body["member_id"] = m.value;
    Post(body, day);
  }

  json Get(const Actor& a, const std::string& name, QueryMap q) {
    auto r = reports_.Get(a, name, q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  static json Row(const json& report, const std::string& key, const std::string& value) {
    for (const auto& row : report["rows"]) {
      if (row[key] == value) return row;
    }
    return json();
  }

  Reports reports_{fx_.env()};
  Actor analyst_;
};

class ReportsCategoryMixTest : public MixScenario {
 protected:
  ReportsCategoryMixTest() {
    const auto& org = fx_.org();
    const MemberId m1 = Join("M1会员", D(2027, 1, 5), org.sh01);
    const MemberId m2 = Join("M2会员", D(2027, 1, 5), org.sh01);
    const MemberId m3 = Join("M3会员", D(2027, 1, 5), org.sh02);
    Sale("S-0", m1, org.sh01, {Line("女装", "Ochirly", 1, 100)}, D(2027, 2, 25));
    Sale("S-1", m1, org.sh01, {Line("女装", "Ochirly", 2, 300), Line("鞋履", "Belle", 1, 1200)},
         D(2027, 3, 2));
    Sale("S-2", m2, org.sh01, {Line("女装", "Ochirly", 1, 150), Line("配饰", "", 3, 30)},
         D(2027, 3, 5));
    Sale("S-3", MemberId(), org.sh01, {Line("女装", "", 1, 800)}, D(2027, 3, 6));
    Post({{"kind", "refund"},
          {"external_id", "R-1"},
          {"original_external_id", "S-1"},
          {"store_id", org.sh01.value},
          {"lines", {{{"line_no", 2}, {"paid_fen", 40000}}}}},
         D(2027, 3, 10));
    Sale("S-4", m3, org.sh02, {Line("女装", "Ochirly", 1, 6000)}, D(2027, 3, 12));
    At(D(2027, 4, 20));
  }

  json Mix(const Actor& a, QueryMap extra = {}) {
    QueryMap q = {{"from", "2027-03"}, {"to", "2027-03"}};
    q.insert(extra.begin(), extra.end());
    return Get(a, "category_mix", q);
  }
};

TEST_F(ReportsCategoryMixTest, R7MemberSalesByCategoryBrandAndPriceBandNetOfRefunds) {
  auto r = Mix(analyst_);
  EXPECT_EQ(r["by"], "category");
  ASSERT_EQ(r["rows"].size(), 3u) << r.dump(2);
  EXPECT_EQ(r["rows"][0], (json{{"key", "女装"}, {"name", "女装"}, {"sales_fen", 675000},
                                {"share_bp", 8835}, {"quantity", 4}, {"members", 3}, {"lines", 3}}));
  EXPECT_EQ(r["rows"][1], (json{{"key", "鞋履"}, {"name", "鞋履"}, {"sales_fen", 80000},
                                {"share_bp", 1047}, {"quantity", 1}, {"members", 1}, {"lines", 1}}));
  EXPECT_EQ(r["rows"][2], (json{{"key", "配饰"}, {"name", "配饰"}, {"sales_fen", 9000},
                                {"share_bp", 118}, {"quantity", 3}, {"members", 1}, {"lines", 1}}));
  EXPECT_EQ(r["totals"], (json{{"sales_fen", 764000}, {"share_bp", 10000}, {"quantity", 8},
                               {"members", 3}, {"lines", 5}, {"all_sales_fen", 844000},
                               {"member_share_bp", 9052}}));
  EXPECT_EQ(r["columns"][0]["title"], "品类");

  auto brands = Mix(analyst_, {{"by", "brand"}});
  ASSERT_EQ(brands["rows"].size(), 3u) << brands.dump(2);
  EXPECT_EQ(brands["rows"][0]["key"], "Ochirly");
  EXPECT_EQ(brands["rows"][0]["sales_fen"], 675000);
  EXPECT_EQ(brands["rows"][0]["members"], 3);
  EXPECT_EQ(brands["rows"][1]["key"], "Belle");
  EXPECT_EQ(brands["rows"][1]["sales_fen"], 80000);
  EXPECT_EQ(brands["rows"][2], (json{{"key", ""}, {"name", "未标品牌"}, {"sales_fen", 9000},
                                     {"share_bp", 118}, {"quantity", 3}, {"members", 1},
                                     {"lines", 1}}));
  EXPECT_EQ(brands["columns"][0]["title"], "品牌");

  auto bands = Mix(analyst_, {{"by", "price_band"}});
  ASSERT_EQ(bands["rows"].size(), 6u) << bands.dump(2);
  std::vector<std::string> keys;
  std::vector<int64_t> sales;
  for (const auto& row : bands["rows"]) {
    keys.push_back(row["key"]);
    sales.push_back(row["sales_fen"]);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"0-199", "200-499", "500-999", "1000-1999",
                                            "2000-4999", "5000+"}));
  EXPECT_EQ(sales, (std::vector<int64_t>{24000, 60000, 0, 80000, 0, 600000}));
  EXPECT_EQ(bands["rows"][0], (json{{"key", "0-199"}, {"name", "200元以下"}, {"sales_fen", 24000},
                                    {"share_bp", 314}, {"quantity", 4}, {"members", 1},
                                    {"lines", 2}}));
  EXPECT_EQ(bands["rows"][5]["name"], "5000元及以上");
  EXPECT_EQ(bands["totals"]["sales_fen"], 764000);
}

TEST_F(ReportsCategoryMixTest, R7AStoreManagerSeesSalesMadeInTheirStoreAndTiersFilterMembers) {
  auto mine = Mix(manager_);
  ASSERT_EQ(mine["rows"].size(), 3u) << mine.dump(2);
  EXPECT_EQ(Row(mine, "key", "女装")["sales_fen"], 75000);
  EXPECT_EQ(Row(mine, "key", "女装")["members"], 2);
  EXPECT_EQ(Row(mine, "key", "女装")["quantity"], 3);
  EXPECT_EQ(mine["totals"]["sales_fen"], 164000);
  EXPECT_EQ(mine["totals"]["all_sales_fen"], 244000);
  EXPECT_EQ(mine["totals"]["member_share_bp"], 6721);

  auto other = reports_.Get(manager_, "category_mix",
                            {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);

  auto gold = Mix(analyst_, {{"tier", "gold"}});
  ASSERT_EQ(gold["rows"].size(), 1u) << gold.dump(2);
  EXPECT_EQ(gold["rows"][0]["sales_fen"], 600000);
  EXPECT_EQ(gold["totals"]["all_sales_fen"], 844000);  // walk-ins have no tier
  auto none = Mix(analyst_, {{"tier", "none"}});
  EXPECT_EQ(none["totals"]["sales_fen"], 24000);
}

TEST_F(ReportsCategoryMixTest, R7ABadByOrTierNamesTheField) {
  auto by = reports_.Get(analyst_, "category_mix", {{"by", "colour"}});
  ASSERT_FALSE(by.ok());
  EXPECT_EQ(by.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(by.error().field, "by");
  auto tier = reports_.Get(analyst_, "category_mix", {{"tier", "platinum"}});
  ASSERT_FALSE(tier.ok());
  EXPECT_EQ(tier.error().field, "tier");
}

class ReportsMemberProfileTest : public MixScenario {
 protected:
  ReportsMemberProfileTest() {
    const auto& org = fx_.org();
    const MemberId m1 = Join("M1会员", D(2027, 1, 5), org.sh01, {{"birthday", "1990-04-01"}});
    const MemberId m2 = Join("M2会员", D(2027, 1, 5), org.sh01,
                             {{"gender", "male"}, {"birthday", "2002-03-31"}});
    const MemberId m3 = Join("M3会员", D(2027, 1, 5), org.sh02);
    const MemberId m4 = Join("M4会员", D(2027, 1, 5), org.sh01,
                             {{"birthday", "2002-02-20"}, {"birthday_calendar", "lunar"}});
    Join("M5会员", D(2027, 1, 5), org.sh01, {{"birthday", "1960-01-01"}});
    Join("M6会员", D(2027, 4, 5), org.sh01, {{"gender", "male"}, {"birthday", "1995-06-01"}});
    Sale("P-4", m4, org.sh01, {Line("女装", "", 1, 400)}, D(2027, 2, 20));
    Sale("P-1", m1, org.sh01, {Line("女装", "", 1, 1000)}, D(2027, 3, 3));
    Post({{"kind", "refund"},
          {"external_id", "R-4"},
          {"original_external_id", "P-4"},
          {"store_id", org.sh01.value},
          {"lines", {{{"line_no", 1}, {"paid_fen", 10000}}}}},
         D(2027, 3, 3));
    Sale("P-2", m2, org.sh01, {Line("男装", "", 1, 300)}, D(2027, 3, 4));
    Sale("P-3", m2, org.sh01, {Line("男装", "", 1, 200)}, D(2027, 3, 8));
    Sale("P-5", m3, org.sh02, {Line("女装", "", 1, 500)}, D(2027, 3, 9));
    At(D(2027, 4, 20));
  }

  json Profile(const Actor& a) {
    return Get(a, "member_profile", {{"from", "2027-03"}, {"to", "2027-03"}});
  }

  static json Cell(const json& report, const std::string& band, const std::string& gender) {
    for (const auto& row : report["rows"]) {
      if (row["age_band"] == band && row["gender"] == gender) return row;
    }
    return json();
  }
};

TEST_F(ReportsMemberProfileTest, R7MembersByAgeBandAndGenderWithTheirSpend) {
  // The figure the lunar birthday's band rests on.
  ASSERT_EQ(domain::LunarToSolar(2002, 2, 20, false), D(2002, 4, 2));
  auto r = Profile(analyst_);
  EXPECT_EQ(r["as_of"], "2027-03-31");
  ASSERT_EQ(r["rows"].size(), 5u) << r.dump(2);
  EXPECT_EQ(r["rows"][0], (json{{"age_band", "<25"}, {"gender", "女"}, {"gender_code", "female"},
                                {"members", 1}, {"buyers", 0}, {"sales_fen", -10000},
                                {"avg_spend_fen", nullptr}}));
  EXPECT_EQ(r["rows"][1], (json{{"age_band", "25-34"}, {"gender", "男"}, {"gender_code", "male"},
                                {"members", 1}, {"buyers", 1}, {"sales_fen", 50000},
                                {"avg_spend_fen", 50000}}));
  EXPECT_EQ(r["rows"][2]["age_band"], "35-44");
  EXPECT_EQ(r["rows"][2]["sales_fen"], 100000);
  EXPECT_EQ(r["rows"][2]["avg_spend_fen"], 100000);
  EXPECT_EQ(r["rows"][3], (json{{"age_band", "55+"}, {"gender", "女"}, {"gender_code", "female"},
                                {"members", 1}, {"buyers", 0}, {"sales_fen", 0},
                                {"avg_spend_fen", nullptr}}));
  EXPECT_EQ(r["rows"][4], (json{{"age_band", "未知"}, {"gender", "女"}, {"gender_code", "female"},
                                {"members", 1}, {"buyers", 1}, {"sales_fen", 50000},
                                {"avg_spend_fen", 50000}}));
  EXPECT_EQ(r["totals"], (json{{"members", 5}, {"buyers", 3}, {"sales_fen", 190000},
                               {"avg_spend_fen", 63333}}));
  ASSERT_EQ(r["by_age"].size(), 6u);
  EXPECT_EQ(r["by_age"][3], (json{{"age_band", "45-54"}, {"members", 0}, {"buyers", 0},
                                  {"sales_fen", 0}}));
  ASSERT_EQ(r["by_gender"].size(), 3u);
  EXPECT_EQ(r["by_gender"][0], (json{{"gender", "女"}, {"gender_code", "female"}, {"members", 4},
                                     {"buyers", 2}, {"sales_fen", 140000}}));
  EXPECT_EQ(r["by_gender"][1]["members"], 1);
  EXPECT_EQ(r["columns"][0], (json{{"key", "age_band"}, {"title", "年龄段"}, {"kind", "text"}}));

  // The generic export renders it, the empty average as an empty cell.
  auto csv = reports_.Export(analyst_, "member_profile",
                             {{"from", "2027-03"}, {"to", "2027-03"}, {"format", "csv"}});
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  EXPECT_EQ(csv->rows, 5);
  EXPECT_NE(csv->body.find("年龄段,性别,会员数,消费会员数,消费额,人均消费\r\n"), std::string::npos);
  EXPECT_NE(csv->body.find("<25,女,1,0,-100.00,\r\n"), std::string::npos) << csv->body;
  EXPECT_NE(csv->body.find("合计,,5,3,1900.00,633.33\r\n"), std::string::npos) << csv->body;

  // M6 registered on 2027-04-05: a member in April.
  auto april = Get(analyst_, "member_profile", {{"from", "2027-04"}, {"to", "2027-04"}});
  EXPECT_EQ(april["totals"]["members"], 6);
  EXPECT_EQ(Cell(april, "25-34", "男")["members"], 2);  // M2 (25) and M6 (31)
  EXPECT_EQ(Cell(april, "25-34", "女")["members"], 1);  // M4 turned 25 on 2027-04-02
}

TEST_F(ReportsMemberProfileTest, R7AStoreManagerSeesTheirMembersAndTheirStoresSales) {
  auto mine = Profile(manager_);
  EXPECT_EQ(mine["totals"], (json{{"members", 4}, {"buyers", 2}, {"sales_fen", 140000},
                                  {"avg_spend_fen", 70000}}));
  EXPECT_TRUE(Cell(mine, "未知", "女").is_null());
  auto other = reports_.Get(manager_, "member_profile",
                            {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  auto east = Get(analyst_, "member_profile",
                  {{"from", "2027-03"},
                   {"to", "2027-03"},
                   {"region_id", std::to_string(fx_.org().east.value)}});
  EXPECT_EQ(east["totals"]["members"], 5);
  auto south = Get(analyst_, "member_profile",
                   {{"from", "2027-03"},
                    {"to", "2027-03"},
                    {"region_id", std::to_string(fx_.org().south.value)}});
  EXPECT_EQ(south["totals"]["members"], 0);
  EXPECT_EQ(south["rows"].size(), 0u);
}

TEST_F(ReportsMemberProfileTest, R7AnUnknownTierNamesTheField) {
  auto r = reports_.Get(analyst_, "member_profile", {{"tier", "vip"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "tier");
}

}  // namespace
}  // namespace vipcare::service
