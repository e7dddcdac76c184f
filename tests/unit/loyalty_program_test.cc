// Loyalty programs as data (SPEC L6, §10): parsing, validation naming the bad
// field, the JSON round trip and the numbers of the five shipped presets.
#include <gtest/gtest.h>

#include <set>

#include "domain/presets.h"
#include "domain/program.h"

namespace vipcare::domain {
namespace {

using nlohmann::json;

json PresetJson(std::string_view code) {
  for (std::string_view text : PresetTexts()) {
    json j = json::parse(text);
    if (j["code"] == code) return j;
  }
  ADD_FAILURE() << "no preset " << code;
  return json::object();
}

// The field a parse of `j` fails on ("" if it parses).
std::string BadField(const json& j) {
  auto p = ParseProgram(j);
  if (p.ok()) return "<ok>";
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  return p.error().field;
}

const Tier& TierOf(const Program& p, std::string_view code) {
  auto i = FindTier(p, code);
  EXPECT_TRUE(i.has_value()) << code;
  return p.tiers.at(i.value_or(0));
}

TEST(LoyaltyPresetTest, Section10FivePresetsShipInTheBinary) {
  const auto& presets = Presets();
  ASSERT_EQ(presets.size(), 5u);
  std::vector<std::string> codes;
  for (const auto& p : presets) codes.push_back(p.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"apparel_abc", "department_store", "cosmetics",
                                             "premium_goods", "key_accounts"}));
  EXPECT_EQ(FindPreset("cosmetics"), &presets[2]);
  EXPECT_EQ(FindPreset("nope"), nullptr);
}

TEST(LoyaltyPresetTest, L6EveryPresetRoundTripsThroughJson) {
  for (const auto& p : Presets()) {
    json j = ProgramToJson(p);
    auto again = ParseProgram(j);
    ASSERT_TRUE(again.ok()) << p.code << ": " << again.error().field << " "
                            << again.error().message;
    EXPECT_EQ(*again, p) << p.code;
    // The text form too, as the API stores it.
    auto from_text = ParseProgramText(j.dump());
    ASSERT_TRUE(from_text.ok());
    EXPECT_EQ(*from_text, p) << p.code;
    EXPECT_EQ(ProgramToJson(*from_text), j) << p.code;
  }
}

TEST(LoyaltyPresetTest, Section10DepartmentStoreLadderFollowsTheSpec) {
  const Program& p = *FindPreset("department_store");
  ASSERT_EQ(p.tiers.size(), 5u);
  std::vector<std::string> names;
  std::vector<int> parking;
  std::vector<BasisPoints> alliance;
  for (const auto& t : p.tiers) {
    names.push_back(t.name);
    parking.push_back(t.benefits.parking_hours);
    alliance.push_back(t.benefits.alliance_discount_bp);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"普卡", "银卡", "金卡", "钻石卡", "紫金钻石卡"}));
  EXPECT_EQ(parking, (std::vector<int>{1, 2, 4, 4, 6}));
  EXPECT_EQ(alliance, (std::vector<BasisPoints>{9500, 9000, 8800, 8500, 8000}));
  auto cond = [](Metric m, int64_t v) { return std::vector<Condition>{{m, Op::kAtLeast, v}}; };
  EXPECT_EQ(p.tiers[0].qualify.any_of,
            (std::vector<std::vector<Condition>>{cond(Metric::kFirstPurchase, 50000),
                                                 cond(Metric::kSpend3m, 150000)}));
  EXPECT_EQ(p.tiers[1].qualify.any_of,
            (std::vector<std::vector<Condition>>{cond(Metric::kSpend6m, 300000),
                                                 cond(Metric::kSpend12m, 500000)}));
  EXPECT_EQ(p.tiers[2].qualify.any_of,
            (std::vector<std::vector<Condition>>{cond(Metric::kSpend6m, 500000),
                                                 cond(Metric::kSpend12m, 800000)}));
  EXPECT_EQ(p.tiers[3].qualify.any_of,
            (std::vector<std::vector<Condition>>{cond(Metric::kSpend12m, 2000000)}));
  EXPECT_EQ(p.tiers[4].qualify.any_of,
            (std::vector<std::vector<Condition>>{cond(Metric::kSpend12m, 4000000)}));
  for (size_t i = 0; i < 4; ++i) EXPECT_FALSE(p.tiers[i].qualify.approval_required) << i;
  EXPECT_TRUE(p.tiers[4].qualify.approval_required);
  EXPECT_EQ(p.upgrade_mode, UpgradeMode::kAuto);
}

TEST(LoyaltyPresetTest, Section10CosmeticsFollowsTheSeed) {
  const Program& p = *FindPreset("cosmetics");
  ASSERT_EQ(p.tiers.size(), 1u);
  const Benefits& b = p.tiers[0].benefits;
  EXPECT_EQ(b.discount_bp, 9000);
  EXPECT_EQ(b.points_threshold, Points(30));
  EXPECT_EQ(b.points_threshold_discount_bp, 8500);
  EXPECT_EQ(b.birthday_discount_bp, 6000);
  EXPECT_TRUE(b.birthday_needs_id_check);
  EXPECT_EQ(p.earning.fen_per_step, Fen(10000));  // 每消费100元（实付）积1分
  EXPECT_EQ(p.earning.points_per_step, Points(1));
  EXPECT_EQ(p.earning.rounding, Rounding::kCarryRemainder);  // 消费额会自动积累
  EXPECT_EQ(p.card.valid_months, 24);
  EXPECT_FALSE(p.card.points_move_to_new_card);
  EXPECT_EQ(p.tiers[0].qualify.any_of[0][0],
            (Condition{Metric::kLargestPurchase12m, Op::kAtLeast, 100000}));
  EXPECT_EQ(p.tiers[0].qualify.any_of[1][0], (Condition{Metric::kSpend6m, Op::kAtLeast, 200000}));
}

TEST(LoyaltyPresetTest, Section10PremiumApparelAndKeyAccounts) {
  const Program& premium = *FindPreset("premium_goods");
  EXPECT_EQ(TierOf(premium, "normal").benefits.discount_bp, 9800);
  EXPECT_EQ(TierOf(premium, "gold").benefits.discount_bp, 9500);
  EXPECT_EQ(TierOf(premium, "diamond").benefits.discount_bp, 9000);
  EXPECT_EQ(TierOf(premium, "diamond").benefits.birthday_discount_bp, 8500);
  EXPECT_FALSE(TierOf(premium, "diamond").benefits.birthday_gift.empty());
  EXPECT_EQ(TierOf(premium, "normal").qualify.any_of[0][0].value, 200000);
  EXPECT_EQ(TierOf(premium, "gold").qualify.any_of[0][0].value, 800000);
  EXPECT_EQ(TierOf(premium, "diamond").qualify.any_of[0][0].value, 2000000);
  EXPECT_EQ(premium.earning.fen_per_step, Fen(10000));

  const Program& apparel = *FindPreset("apparel_abc");
  EXPECT_EQ(apparel.upgrade_mode, UpgradeMode::kManagerApproval);
  ASSERT_TRUE(apparel.temporary_to_formal.has_value());
  EXPECT_EQ(apparel.temporary_to_formal->any_of[0][0],
            (Condition{Metric::kGrowthPointsLifetime, Op::kAtLeast, 500}));
  EXPECT_EQ(TierOf(apparel, "b").qualify.any_of[0][0].value, 2000);
  EXPECT_EQ(TierOf(apparel, "a").qualify.any_of[0][0].value, 5000);

  const Program& key = *FindPreset("key_accounts");
  EXPECT_EQ(TierOf(key, "a").benefits.credit_min, Fen(50000000));  // > 50万
  EXPECT_EQ(TierOf(key, "a").benefits.credit_max, Fen(0));
  EXPECT_EQ(TierOf(key, "b").benefits.credit_min, Fen(30000000));  // 30-50万
  EXPECT_EQ(TierOf(key, "b").benefits.credit_max, Fen(50000000));
  EXPECT_EQ(TierOf(key, "c").benefits.credit_max, Fen(30000000));  // < 30万
  for (const auto& t : key.tiers) EXPECT_TRUE(t.qualify.approval_required) << t.code;
}

TEST(LoyaltyProgramTest, L6MinimalProgramTakesDefaults) {
  auto p = ParseProgramText(R"({
    "code": "mini", "name": "最小方案",
    "earning": {"fen_per_step": 100, "points_per_step": 1},
    "tiers": [{"code": "vip", "name": "VIP",
               "qualify": {"any_of": [{"all_of": [{"metric": "spend_12m", "op": ">=", "value": 1}]}]}}]
  })");
  ASSERT_TRUE(p.ok()) << p.error().field << " " << p.error().message;
  EXPECT_EQ(p->version, 1);
  EXPECT_EQ(p->qualification_months, 12);
  EXPECT_EQ(p->earning.rounding, Rounding::kPerTransaction);
  EXPECT_FALSE(p->earning.promo_lines_earn);
  EXPECT_EQ(p->expiry.mode, ExpiryMode::kNever);
  EXPECT_FALSE(p->temporary_to_formal.has_value());
  EXPECT_EQ(p->tiers[0].benefits.discount_bp, kFullRate);
  EXPECT_EQ(p->tiers[0].retention.inactivity_months, 12);
  EXPECT_EQ(p->tiers[0].retention.frequency_drop_bp, 5000);
}

TEST(LoyaltyProgramTest, P10BadFieldsAreNamedByTheirPath) {
  json base = PresetJson("department_store");
  json j = base;
  j["tiers"][2]["qualify"]["any_of"][0]["all_of"][0]["value"] = -1;
  EXPECT_EQ(BadField(j), "tiers[2].qualify.any_of[0].all_of[0].value");
  j = base;
  j["tiers"][2]["qualify"]["any_of"][1]["all_of"].push_back(
      {{"metric", "spend_12m"}, {"op", ">="}, {"value", "lots"}});
  EXPECT_EQ(BadField(j), "tiers[2].qualify.any_of[1].all_of[1].value");
  j = base;
  j["tiers"][0]["qualify"]["any_of"][0]["all_of"][0]["metric"] = "spend_2m";
  EXPECT_EQ(BadField(j), "tiers[0].qualify.any_of[0].all_of[0].metric");
  j = base;
  j["tiers"][0]["qualify"]["any_of"][0]["all_of"][0]["op"] = "==";
  EXPECT_EQ(BadField(j), "tiers[0].qualify.any_of[0].all_of[0].op");
  j = base;
  j["tiers"][3]["qualify"]["any_of"][0]["all_of"] = json::array();
  EXPECT_EQ(BadField(j), "tiers[3].qualify.any_of[0].all_of");
  j = base;
  j["tiers"][1]["benefits"]["discount_bp"] = 10001;  // a "discount" that raises the price
  EXPECT_EQ(BadField(j), "tiers[1].benefits.discount_bp");
  j = base;
  j["tiers"][1]["code"] = "normal";
  EXPECT_EQ(BadField(j), "tiers[1].code");
  j = base;
  j["tiers"][1]["code"] = "Silver Card";
  EXPECT_EQ(BadField(j), "tiers[1].code");
  j = base;
  j["tiers"] = json::array();
  EXPECT_EQ(BadField(j), "tiers");
  j = base;
  j.erase("earning");
  EXPECT_EQ(BadField(j), "earning");
  j = base;
  j["earning"]["fen_per_step"] = 0;
  EXPECT_EQ(BadField(j), "earning.fen_per_step");
  j = base;
  j["earning"]["rounding"] = "banker";
  EXPECT_EQ(BadField(j), "earning.rounding");
  j = base;
  j["expiry"] = {{"mode", "rolling_months"}, {"months", 0}};
  EXPECT_EQ(BadField(j), "expiry.months");
  j = base;
  j["expiry"] = {{"mode", "never"}, {"years", 2}};
  EXPECT_EQ(BadField(j), "expiry.years");
  j = base;
  j["earning"]["campaigns"] = json::array(
      {{{"code", "nd"}, {"name", "国庆"}, {"from", "2026-10-07"}, {"to", "2026-10-01"}}});
  EXPECT_EQ(BadField(j), "earning.campaigns[0].to");
  j = base;
  j["earning"]["campaigns"] = json::array(
      {{{"code", "nd"}, {"name", "国庆"}, {"from", "2026-02-30"}, {"to", "2026-10-01"}}});
  EXPECT_EQ(BadField(j), "earning.campaigns[0].from");
  j = base;
  j["tiers"][0]["benefits"]["points_threshold"] = 30;  // without a discount rate
  EXPECT_EQ(BadField(j), "tiers[0].benefits.points_threshold_discount_bp");
  j = base;
  j["tiers"][4]["benefits"]["credit_min_fen"] = 500;
  j["tiers"][4]["benefits"]["credit_max_fen"] = 100;
  EXPECT_EQ(BadField(j), "tiers[4].benefits.credit_max_fen");
  j = base;
  j["tiers"][0]["qualify"]["any_of"][0]["all_of"][0] = {
      {"metric", "rank_percentile"}, {"op", "<="}, {"value", 101}};
  EXPECT_EQ(BadField(j), "tiers[0].qualify.any_of[0].all_of[0].value");
  j = base;
  j["qualification_months"] = 25;  // the buckets cover 24 months
  EXPECT_EQ(BadField(j), "qualification_months");
  j = base;
  j["temporary_to_formal"]["approval_required"] = true;
  EXPECT_EQ(BadField(j), "temporary_to_formal.approval_required");
  // Issue 5's overlapping tiers: 金卡 with 银卡's rule, or asking ¥2,000 in
  // six months where 银卡 asks ¥3,000.
  j = base;
  j["tiers"][2]["qualify"] = base["tiers"][1]["qualify"];
  EXPECT_EQ(BadField(j), "tiers[2].qualify.any_of[0]");
  j = base;
  ASSERT_EQ(j["tiers"][2]["qualify"]["any_of"][0]["all_of"][0]["metric"], "spend_6m");
  j["tiers"][2]["qualify"]["any_of"][0]["all_of"][0]["value"] = 200000;
  EXPECT_EQ(BadField(j), "tiers[2].qualify.any_of[0]");
  // Asking more on one metric is enough.
  j = base;
  j["tiers"][2]["qualify"]["any_of"][0]["all_of"][0]["value"] = 200000;
  j["tiers"][2]["qualify"]["any_of"][0]["all_of"].push_back(
      {{"metric", "purchases_quarter"}, {"op", ">="}, {"value", 3}});
  EXPECT_EQ(BadField(j), "<ok>");
  EXPECT_EQ(BadField(base), "<ok>");
}

TEST(LoyaltyProgramTest, P10UnknownFieldsAreErrors) {
  json j = PresetJson("cosmetics");
  j["colour"] = "pink";
  EXPECT_EQ(BadField(j), "colour");
  j = PresetJson("cosmetics");
  j["tiers"][0]["benefits"]["spa"] = true;
  EXPECT_EQ(BadField(j), "tiers[0].benefits.spa");
  j = PresetJson("cosmetics");
  j["earning"]["rate"] = 1;
  EXPECT_EQ(BadField(j), "earning.rate");
}

TEST(LoyaltyProgramTest, P10SyntaxErrorsAndNonObjects) {
  auto p = ParseProgramText("{\"code\": ");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(p.error().field, "");
  EXPECT_FALSE(ParseProgramText("[1, 2]").ok());
}

TEST(LoyaltyProgramTest, L6JsonNamesAreStable) {
  json j = ProgramToJson(*FindPreset("department_store"));
  EXPECT_EQ(j["tiers"][4]["qualify"]["approval_required"], true);
  EXPECT_EQ(j["tiers"][0]["qualify"]["any_of"][0]["all_of"][0]["metric"], "first_purchase");
  EXPECT_EQ(j["tiers"][0]["qualify"]["any_of"][0]["all_of"][0]["op"], ">=");
  EXPECT_EQ(j["earning"]["rounding"], "per_transaction");
  EXPECT_EQ(j["expiry"]["mode"], "year_end");
  EXPECT_EQ(j["upgrade_mode"], "auto");
}

TEST(LoyaltyTextTest, YuanAndZheAreWrittenAsStaffReadThem) {
  EXPECT_EQ(YuanText(Fen(320000)), "¥3,200");
  EXPECT_EQ(YuanText(Fen(320050)), "¥3,200.50");
  EXPECT_EQ(YuanText(Fen(5)), "¥0.05");
  EXPECT_EQ(YuanText(Fen(400000000)), "¥4,000,000");
  EXPECT_EQ(YuanText(Fen(-120000)), "-¥1,200");
  EXPECT_EQ(ZheText(9500), "9.5折");
  EXPECT_EQ(ZheText(9000), "9折");
  EXPECT_EQ(ZheText(8800), "8.8折");
  EXPECT_EQ(ZheText(8750), "8.75折");
  EXPECT_EQ(ZheText(6000), "6折");
}

}  // namespace
}  // namespace vipcare::domain
