// Reports with members on programs of their own (L6 programs per member, R3
// R6 R7), through service::Reports on the backend VIPCARE_TEST_BACKEND
// selects. The company runs the department-store preset (普卡 normal: first
// purchase >= 500; 金卡 gold: 6 months >= 5000); premium goods names its
// tiers alike (普卡 normal: largest purchase >= 2000; 金卡 gold: >= 8000),
// so the reports must tell "normal" of one from "normal" of the other.
//
// Members (SH01, registered 2026-12-01):
//   A  company; 600 on 2027-01-10 -> normal
//   B  put on premium goods 2026-12-05; 2500 on 2027-01-10 -> its normal
//   C  company; 600 on 2027-01-10 -> normal; put on premium goods 2027-02-15,
//      keeping the code (premium goods has a 普卡): premium_goods:normal
//   D  put on premium goods 2026-12-05; 9000 on 2027-02-20 -> its gold
//   E  company; 6000 on 2027-02-20 -> gold
// Today 2027-04-20, period 2027-02..2027-03.
//
// As of 2027-03-31: normal A 1; gold E 1; premium_goods:normal B C 2;
//   premium_goods:gold D 1. Upgraded in the period: gold E, premium_goods:gold
//   D; C's move to premium goods is neither up nor down.
// January's end: normal A C 2, premium_goods:normal B 1, none D E.
// Matrix (2027-01-31 -> 2027-03-31): normal->normal A, normal ->
//   premium_goods:normal C, premium_goods:normal -> premium_goods:normal B,
//   none -> gold E, none -> premium_goods:gold D.
#include <gtest/gtest.h>

#include "service/programs.h"
#include "service/reports.h"
#include "testing/loyalty_scenario.h"
#include "testing/tier_mix_json.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;
using vipcare::testing::MatrixCells;
using vipcare::testing::MonthMix;
using vipcare::testing::TierRow;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class ReportsProgramsTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  ReportsProgramsTest() {
    At(D(2026, 12, 1));
    a_ = NewMember("A会员");
    b_ = NewMember("B会员");
    c_ = NewMember("C会员");
    d_ = NewMember("D会员");
    e_ = NewMember("E会员");
    At(D(2026, 12, 5));
    PutOn(b_, "premium-goods");
    PutOn(d_, "premium-goods");
    Buy(a_, 600, D(2027, 1, 10));
    Buy(b_, 2500, D(2027, 1, 10));
    Buy(c_, 600, D(2027, 1, 10));
    At(D(2027, 2, 15));
    PutOn(c_, "premium-goods");
    Buy(d_, 9000, D(2027, 2, 20));
    Buy(e_, 6000, D(2027, 2, 20));
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    At(D(2027, 4, 20));
  }

  void PutOn(MemberId m, const std::string& program) {
    auto v = members_.Update(fx_.admin(), m, json{{"program_id", program}});
    ASSERT_TRUE(v.ok()) << v.error().field << ": " << v.error().message;
  }

  json Get(const std::string& report, QueryMap q) {
    auto r = reports_.Get(fx_.admin(), report, q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  const QueryMap period_ = {{"from", "2027-01"}, {"to", "2027-03"}};
  Reports reports_{fx_.env()};
  Actor analyst_;
  MemberId a_, b_, c_, d_, e_;
};

TEST_F(ReportsProgramsTest, R3TiersOfProgramsThatShareCodesAreCountedApart) {
  const json r = Get("tier_mix", {{"from", "2027-02"}, {"to", "2027-03"}});
  EXPECT_EQ(TierRow(r, "normal")["members"], 1) << r.dump();
  EXPECT_EQ(TierRow(r, "normal")["tier_name"], "普卡");
  EXPECT_EQ(TierRow(r, "gold")["members"], 1);
  EXPECT_EQ(TierRow(r, "gold")["upgraded_in"], 1);
  EXPECT_EQ(TierRow(r, "premium_goods:normal")["members"], 2);
  EXPECT_EQ(TierRow(r, "premium_goods:normal")["tier_name"], "高档消费品会员制·普卡");
  EXPECT_EQ(TierRow(r, "premium_goods:normal")["upgraded_in"], 0);
  EXPECT_EQ(TierRow(r, "premium_goods:normal")["downgraded_in"], 0);
  EXPECT_EQ(TierRow(r, "premium_goods:gold")["members"], 1);
  EXPECT_EQ(TierRow(r, "premium_goods:gold")["tier_name"], "高档消费品会员制·金卡");
  EXPECT_EQ(TierRow(r, "premium_goods:gold")["upgraded_in"], 1);
  EXPECT_EQ(r["totals"]["members"], 5);
  EXPECT_EQ(r["totals"]["upgraded_in"], 2);
  EXPECT_EQ(r["totals"]["downgraded_in"], 0);
  // The company's ladder first, then premium goods', each lowest first.
  std::vector<std::string> order;
  for (const auto& row : r["rows"]) order.push_back(row["tier_code"]);
  const std::vector<std::string> want = {"none",   "normal", "silver", "gold",
                                         "diamond", "purple_diamond", "premium_goods:normal",
                                         "premium_goods:gold", "premium_goods:diamond"};
  EXPECT_EQ(order, want);

  // C's move to premium goods (the code kept) takes C from the company's
  // 普卡 to premium goods': the matrix shows it, the month ends too.
  const auto cells = MatrixCells(r);
  EXPECT_EQ(cells.at("normal->normal"), 1) << r["matrix"].dump();
  EXPECT_EQ(cells.at("normal->premium_goods:normal"), 1);
  EXPECT_EQ(cells.at("premium_goods:normal->premium_goods:normal"), 1);
  EXPECT_EQ(cells.at("none->gold"), 1);
  EXPECT_EQ(cells.at("none->premium_goods:gold"), 1);
  const json whole = Get("tier_mix", period_);
  EXPECT_EQ(MonthMix(whole, "2027-01"),
            (std::map<std::string, int64_t>{{"none", 2}, {"normal", 2}, {"premium_goods:normal", 1}}))
      << whole["by_month"].dump();
  EXPECT_EQ(MonthMix(whole, "2027-03"), (std::map<std::string, int64_t>{{"normal", 1},
                                                                        {"gold", 1},
                                                                        {"premium_goods:normal", 2},
                                                                        {"premium_goods:gold", 1}}));
}

TEST_F(ReportsProgramsTest, R3TheTierFilterTakesAProgramsTierAndRefusesOneNoProgramHas) {
  const json company = Get("tier_mix", {{"from", "2027-02"}, {"to", "2027-03"}, {"tier", "normal"}});
  EXPECT_EQ(company["totals"]["members"], 1) << company.dump();
  EXPECT_EQ(TierRow(company, "normal")["members"], 1);
  const json premium =
      Get("tier_mix", {{"from", "2027-02"}, {"to", "2027-03"}, {"tier", "premium_goods:normal"}});
  EXPECT_EQ(premium["totals"]["members"], 2) << premium.dump();
  EXPECT_EQ(TierRow(premium, "premium_goods:normal")["members"], 2);
  EXPECT_EQ(MatrixCells(premium).at("normal->premium_goods:normal"), 1);
  // Keys no program in use has (the company's tiers go by their plain code).
  for (const std::string bad :
       {"premium_goods:silver", "cosmetics:vip", "platinum", "department_store:normal"}) {
    auto r = reports_.Get(fx_.admin(), "tier_mix", {{"tier", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, "tier");
  }
}

TEST_F(ReportsProgramsTest, R3MonthEndsFromTheRollupsNameTheProgramsToo) {
  const json before = Get("tier_mix", period_);
  // The job keeps each member's tier at February's and March's ends with
  // its program; the report reads March's instead of going back through the
  // events from today.
  EXPECT_EQ(BuildRollups(D(2027, 4, 20))["rollups_built"], 2);
  EXPECT_EQ(Get("tier_mix", period_), before);
  ExecSql("UPDATE member_rollups SET tier_code = 'premium_goods:diamond' WHERE month = 202703 "
          "AND tier_code = 'premium_goods:gold'");
  const json read = Get("tier_mix", period_);
  EXPECT_EQ(TierRow(read, "premium_goods:diamond")["members"], 1) << read.dump();
  EXPECT_EQ(TierRow(read, "premium_goods:gold")["members"], 0);
}

// The company chooses premium goods on 2027-04-20 (L6): its followers A and
// E keep their codes (premium goods has a 普卡 and a 金卡), and B, C, D's
// program is now the company's. The months before keep the department
// store's tiers, listed and named by it.
TEST_F(ReportsProgramsTest, R3AfterTheCompanyChoosesAnotherProgramEarlierMonthsKeepItsTiers) {
  // Rollups of February and March built before the choice keep the
  // followers' tiers under the department store's codes: the choice marks
  // them stale, and the report reads the buckets until they are built again.
  EXPECT_EQ(BuildRollups(D(2027, 4, 20))["rollups_built"], 2);
  Programs programs(fx_.env());
  auto chosen = programs.Choose(fx_.admin(), "premium-goods");
  ASSERT_TRUE(chosen.ok()) << chosen.error().message;
  EXPECT_EQ((*chosen)["switch"]["members"], 2) << chosen->dump();
  const json r = Get("tier_mix", period_);
  EXPECT_EQ(MonthMix(r, "2027-01"), (std::map<std::string, int64_t>{{"none", 2},
                                                                    {"department_store:normal", 2},
                                                                    {"normal", 1}}))
      << r["by_month"].dump();
  EXPECT_EQ(MonthMix(r, "2027-03"), (std::map<std::string, int64_t>{{"department_store:normal", 1},
                                                                    {"department_store:gold", 1},
                                                                    {"normal", 2},
                                                                    {"gold", 1}}))
      << r["by_month"].dump();
  EXPECT_EQ(TierRow(r, "department_store:gold")["tier_name"], "百货商场五级会员卡·金卡") << r.dump();
  EXPECT_EQ(TierRow(r, "normal")["tier_name"], "普卡");
  // Today's tiers, in the period after the choice: E on premium goods' 普卡,
  // A on none; the choice is neither an upgrade nor a downgrade.
  // The department store's ladder after the programs in use, lowest first.
  std::vector<std::string> order;
  for (const auto& row : r["rows"]) order.push_back(row["tier_code"]);
  const std::vector<std::string> want = {
      "none", "normal", "gold", "diamond", "department_store:normal", "department_store:silver",
      "department_store:gold", "department_store:diamond", "department_store:purple_diamond"};
  EXPECT_EQ(order, want);
  // Today's tiers, in the period of the choice; the choice is neither an
  // upgrade nor a downgrade, and the matrix shows it.
  const json now = Get("tier_mix", {{"from", "2027-04"}, {"to", "2027-04"}});
  EXPECT_EQ(TierRow(now, "normal")["members"], 3) << now.dump();
  EXPECT_EQ(TierRow(now, "gold")["members"], 2);
  EXPECT_EQ(TierRow(now, "none")["members"], 0);
  EXPECT_EQ(now["totals"]["upgraded_in"], 0);
  EXPECT_EQ(now["totals"]["downgraded_in"], 0);
  const auto cells = MatrixCells(now);
  EXPECT_EQ(cells.at("department_store:gold->gold"), 1) << now["matrix"].dump();
  EXPECT_EQ(cells.at("department_store:normal->normal"), 1);
  EXPECT_EQ(cells.at("normal->normal"), 2);
  EXPECT_EQ(cells.at("gold->gold"), 1);
  // The rollups built again after the choice agree.
  EXPECT_EQ(BuildRollups(D(2027, 4, 21))["rollups_built"], 2);
  EXPECT_EQ(Get("tier_mix", period_), r);
}

TEST_F(ReportsProgramsTest, R6R7ReportsFilterAndNameTiersByProgram) {
  // Top members: each with their own program's tier name.
  const json top = Get("top_members", {{"to", "2027-03"}});
  std::map<std::string, std::string> tiers;  // member_no -> tier_name
  for (const auto& row : top["rows"]) tiers[row["member_no"]] = row["tier_name"];
  std::multiset<std::string> names;
  for (const auto& [no, name] : tiers) names.insert(name);
  EXPECT_EQ(names, (std::multiset<std::string>{"普卡", "金卡", "高档消费品会员制·普卡",
                                               "高档消费品会员制·普卡", "高档消费品会员制·金卡"}))
      << top["rows"].dump();
  const json top_gold = Get("top_members", {{"to", "2027-03"}, {"tier", "gold"}});
  ASSERT_EQ(top_gold["rows"].size(), 1u) << top_gold.dump();
  EXPECT_EQ(top_gold["rows"][0]["tier_name"], "金卡");
  // Category mix over premium goods' 普卡 members: B's 2,500 and C's 600.
  const json mix = Get("category_mix", {{"from", "2027-01"}, {"to", "2027-03"},
                                        {"tier", "premium_goods:normal"}});
  EXPECT_EQ(mix["totals"]["sales_fen"], 310000) << mix.dump();
  EXPECT_EQ(mix["totals"]["members"], 2);
}

}  // namespace
}  // namespace vipcare::service
