// R3 tier distribution and migration through service::Reports on the backend
// VIPCARE_TEST_BACKEND selects, on a small hand-built data set. The company
// runs the department-store preset: 普卡 normal (first purchase >= 500 or
// 3 months >= 1500), 银卡 silver (6 months >= 3000), 金卡 gold (6 months >=
// 5000), 钻石卡 diamond, 紫金钻石卡 purple_diamond. Sales upgrade at once.
//
// Members (SH01 unless said; registered 2026-12-01 unless said):
//   P  600 on 2027-01-10 -> normal; 2500 on 2027-02-15 -> silver
//      ("近6个月消费 ¥3,100 ≥ ¥3,000")
//   Q  600 on 2027-01-10 -> normal, stays
//   R  6000 on 2027-01-12 -> gold; the manager overrides to normal 2027-03-10
//   S  never buys -> no tier
//   T  registered 2027-02-20, 600 on 2027-02-21 -> normal ("首次消费 ¥600 ≥ ¥500")
//   U  3500 on 2027-01-10 -> silver; the L7 review lowers them to normal on
//      2027-03-05 for a drop in frequency
//   W  SH02, 600 on 2027-02-10 -> normal
//   X  600 on 2027-04-05 -> normal (after the period)
//   V  registered 2027-04-10, 600 on 2027-04-11 -> normal (after the period)
// Today is 2027-04-20; period 2027-02..2027-03, so "as of" is 2027-03-31.
//
// As of 2027-03-31 (V not registered yet, X's upgrade not made yet):
//   none S X = 2 (2500 bp), normal Q R T U W = 5 (6250 bp), silver P = 1
//   (1250 bp), gold/diamond/purple_diamond 0; total 8.
//   upgraded into normal T W = 2, into silver P = 1; downgraded into normal
//   U R = 2; totals: 3 members moved up, 2 down.
// Month ends: 2027-02: none S X 2, normal Q T W 3, silver P U 2, gold R 1;
//   2027-03: as above.
// Matrix (tier on 2027-01-31 -> 2027-03-31): none->none S X 2, none->normal
//   T W 2 (T registered in the period: from none), normal->normal Q 1,
//   normal->silver P 1, silver->normal U 1, gold->normal R 1.
// Reasons: up "达标升级：首次消费 ≥ ¥500" T W 2, "达标升级：近6个月消费 ≥ ¥3,000"
//   P 1; down "消费频次明显下降" U 1, "店长调整等级" R 1 (never the manager's
//   own words or a member's figures).
// SH01's manager: W left out: none 2, normal 4, silver 1; upgraded into
//   normal 1. Tier filter silver (tier NOW): P only, normal -> silver.
#include <gtest/gtest.h>

#include "service/loyalty_core.h"
#include "service/reports.h"
#include "service/tier_admin.h"
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

class ReportsTiersTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  ReportsTiersTest() {
    At(D(2026, 12, 1));
    const MemberId p = NewMember("P会员");
    const MemberId q = NewMember("Q会员");
    q_ = q;
    const MemberId r = NewMember("R会员");
    NewMember("S会员");
    const MemberId u = NewMember("U会员");
    const MemberId x = NewMember("X会员");
    auto w = members_.Create(fx_.admin(), fx_.MemberBody("W会员", fx_.org().sh02));
    EXPECT_TRUE(w.ok());

    Buy(p, 600, D(2027, 1, 10));
    Buy(q, 600, D(2027, 1, 10));
    Buy(u, 3500, D(2027, 1, 10));
    Buy(r, 6000, D(2027, 1, 12));
    Buy(w->member.id, 600, D(2027, 2, 10));
    Buy(p, 2500, D(2027, 2, 15));
    At(D(2027, 2, 20));
    const MemberId t = NewMember("T会员");
    Buy(t, 600, D(2027, 2, 21));
    Downgrade(u, "silver", "normal", D(2027, 3, 5));
    At(D(2027, 3, 10));
    auto over = TierAdmin(fx_.env()).OverrideTier(
        fx_.admin(), r, {{"tier", "normal"}, {"reason", "王女士本人要求（电话138开头）"}});
    EXPECT_TRUE(over.ok()) << over.error().field << ": " << over.error().message;
    Buy(x, 600, D(2027, 4, 5));
    At(D(2027, 4, 10));
    const MemberId v = NewMember("V会员");
    Buy(v, 600, D(2027, 4, 11));
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    At(D(2027, 4, 20));
  }

  // What the L7 review writes when it lowers a member (service/loyalty_jobs.cc).
  void Downgrade(MemberId m, const std::string& from, const std::string& to, Date day) {
    At(day);
    auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
      auto& l = repo.loyalty();
      auto s = loyalty_core::StateOf(l, m);
      l.AppendTierChange({0, m, fx_.clock().Now(), "downgrade", from, to,
                          "近6个月消费 1 次，低于之前6个月（4 次）的50%，" + day.ToString() +
                              "起由银卡降为普卡（2027-02-01 已预告）",
                          UserId()});
      s.tier_code = to;
      s.tier_since = day;
      if (!l.SaveLoyaltyState(s)) return Error::Conflict("state changed");
      return OkStatus();
    });
    EXPECT_TRUE(st.ok());
  }

  json Get(const Actor& a, QueryMap q) {
    auto r = reports_.Get(a, "tier_mix", q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  Reports reports_{fx_.env()};
  Actor analyst_;
  MemberId q_;
};

TEST_F(ReportsTiersTest, R3DistributionMonthEndsMatrixAndReasonsOfThePeriod) {
  auto r = Get(analyst_, {{"from", "2027-02"}, {"to", "2027-03"}});
  EXPECT_EQ(r["as_of"], "2027-03-31");
  // The ladder: none, then the program's tiers lowest first.
  ASSERT_EQ(r["rows"].size(), 6u) << r.dump(2);
  EXPECT_EQ(r["rows"][0]["tier_code"], "none");
  EXPECT_EQ(r["rows"][0]["tier_name"], "未入级");
  EXPECT_EQ(r["rows"][1]["tier_code"], "normal");
  EXPECT_EQ(r["rows"][1]["tier_name"], "普卡");
  EXPECT_EQ(r["rows"][5]["tier_code"], "purple_diamond");
  EXPECT_EQ(TierRow(r, "none"), (json{{"tier_code", "none"}, {"tier_name", "未入级"}, {"members", 2},
                                  {"share_bp", 2500}, {"upgraded_in", 0}, {"downgraded_in", 0}}));
  EXPECT_EQ(TierRow(r, "normal")["members"], 5);
  EXPECT_EQ(TierRow(r, "normal")["share_bp"], 6250);
  EXPECT_EQ(TierRow(r, "normal")["upgraded_in"], 2);
  EXPECT_EQ(TierRow(r, "normal")["downgraded_in"], 2);
  EXPECT_EQ(TierRow(r, "silver")["members"], 1);
  EXPECT_EQ(TierRow(r, "silver")["share_bp"], 1250);
  EXPECT_EQ(TierRow(r, "silver")["upgraded_in"], 1);
  EXPECT_EQ(TierRow(r, "gold")["members"], 0);
  EXPECT_EQ(r["totals"], (json{{"members", 8}, {"share_bp", 10000}, {"upgraded_in", 3},
                               {"downgraded_in", 2}}));

  EXPECT_EQ(MonthMix(r, "2027-02"),
            (std::map<std::string, int64_t>{{"none", 2}, {"normal", 3}, {"silver", 2}, {"gold", 1}}));
  EXPECT_EQ(MonthMix(r, "2027-03"),
            (std::map<std::string, int64_t>{{"none", 2}, {"normal", 5}, {"silver", 1}}));
  EXPECT_EQ(r["by_month"].size(), 12u);  // 2 months x 6 tiers, zeros included

  EXPECT_EQ(r["matrix"]["tiers"],
            (json{"none", "normal", "silver", "gold", "diamond", "purple_diamond"}));
  EXPECT_EQ(r["matrix"]["names"][3], "金卡");
  EXPECT_EQ(MatrixCells(r), (std::map<std::string, int64_t>{{"none->none", 2},
                                                       {"none->normal", 2},
                                                       {"normal->normal", 1},
                                                       {"normal->silver", 1},
                                                       {"silver->normal", 1},
                                                       {"gold->normal", 1}}));

  EXPECT_EQ(r["reasons"], (json{{{"direction", "up"}, {"reason", "达标升级：首次消费 ≥ ¥500"}, {"members", 2}},
                                {{"direction", "up"}, {"reason", "达标升级：近6个月消费 ≥ ¥3,000"}, {"members", 1}},
                                {{"direction", "down"}, {"reason", "店长调整等级"}, {"members", 1}},
                                {{"direction", "down"}, {"reason", "消费频次明显下降"}, {"members", 1}}}))
      << r["reasons"].dump(2);

  // Up to today: the current month counts as of today, X and V now normal.
  auto now = Get(analyst_, {{"from", "2027-02"}, {"to", "2027-04"}});
  EXPECT_EQ(now["as_of"], "2027-04-20");
  EXPECT_EQ(TierRow(now, "normal")["members"], 7);
  EXPECT_EQ(TierRow(now, "none")["members"], 1);
  EXPECT_EQ(MonthMix(now, "2027-04"),
            (std::map<std::string, int64_t>{{"none", 1}, {"normal", 7}, {"silver", 1}}));
  EXPECT_EQ(MatrixCells(now)["none->normal"], 4);  // T W X V
}

TEST_F(ReportsTiersTest, R3AStoreManagerSeesTheirStoreAndTheTierFilterKeepsTodaysTier) {
  auto mine = Get(manager_, {{"from", "2027-02"}, {"to", "2027-03"}});
  EXPECT_EQ(TierRow(mine, "none")["members"], 2);
  EXPECT_EQ(TierRow(mine, "normal")["members"], 4);
  EXPECT_EQ(TierRow(mine, "normal")["upgraded_in"], 1);
  EXPECT_EQ(TierRow(mine, "silver")["members"], 1);
  EXPECT_EQ(mine["totals"]["members"], 7);
  EXPECT_EQ(MatrixCells(mine)["none->normal"], 1);  // T, not W of SH02

  auto other = reports_.Get(manager_, "tier_mix",
                            {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);

  auto silver = Get(analyst_, {{"from", "2027-02"}, {"to", "2027-03"}, {"tier", "silver"}});
  EXPECT_EQ(silver["totals"]["members"], 1);
  EXPECT_EQ(TierRow(silver, "silver")["members"], 1);
  EXPECT_EQ(MatrixCells(silver), (std::map<std::string, int64_t>{{"normal->silver", 1}}));
  EXPECT_EQ(MonthMix(silver, "2027-02"), (std::map<std::string, int64_t>{{"silver", 1}}));
  EXPECT_EQ(silver["scope"]["tier"], "silver");

  auto none = Get(analyst_, {{"from", "2027-02"}, {"to", "2027-03"}, {"tier", "none"}});
  EXPECT_EQ(none["totals"]["members"], 1);  // S; X has a tier today
}

TEST_F(ReportsTiersTest, R3AnUnknownTierFilterNamesTheField) {
  auto r = reports_.Get(analyst_, "tier_mix", {{"tier", "platinum"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "tier");
  auto month = reports_.Get(analyst_, "tier_mix", {{"from", "2027-00"}});
  ASSERT_FALSE(month.ok());
  EXPECT_EQ(month.error().field, "from");
}

TEST_F(ReportsTiersTest, R3AClosedMonthsTiersComeFromItsRollupUntilAnEventIsDatedBeforeItsEnd) {
  const QueryMap period = {{"from", "2027-02"}, {"to", "2027-03"}};
  const QueryMap silver = {{"from", "2027-02"}, {"to", "2027-03"}, {"tier", "silver"}};
  const json from_events = Get(analyst_, period);
  const json managers = Get(manager_, period);
  const json silver_now = Get(analyst_, silver);
  // On 2027-04-20 the job builds February and March with each member's tier
  // at the month's end; the report then reads March's instead of going back
  // from today's tiers through April's events (X and V moved since).
  EXPECT_EQ(BuildRollups(D(2027, 4, 20))["rollups_built"], 2);
  EXPECT_EQ(Get(analyst_, period), from_events);
  EXPECT_EQ(Get(manager_, period), managers);
  EXPECT_EQ(Get(analyst_, silver), silver_now);
  // It reads them: P's silver at March's end turned into gold.
  ExecSql("UPDATE member_rollups SET tier_code = 'gold' WHERE month = 202703 AND tier_code = 'silver'");
  auto tampered = Get(analyst_, period);
  EXPECT_EQ(TierRow(tampered, "gold")["members"], 1) << tampered.dump();
  EXPECT_EQ(TierRow(tampered, "silver")["members"], 0);
  // A tier event dated before March's end (a clock that ran behind) makes
  // March's rollup unusable; the answer is the events' again.
  At(D(2027, 3, 25));
  auto over = TierAdmin(fx_.env()).OverrideTier(fx_.admin(), q_,
                                                {{"tier", "silver"}, {"reason", "店长调整"}});
  ASSERT_TRUE(over.ok()) << over.error().field << ": " << over.error().message;
  At(D(2027, 4, 20));
  EXPECT_FALSE(fx_.RollupReady(202703));
  EXPECT_TRUE(fx_.RollupReady(202702));
  auto after = Get(analyst_, period);
  EXPECT_EQ(TierRow(after, "silver")["members"], 2) << after.dump();
  EXPECT_EQ(BuildRollups(D(2027, 4, 21))["rollups_built"], 1);
  EXPECT_EQ(Get(analyst_, period), after);
}

}  // namespace
}  // namespace vipcare::service
